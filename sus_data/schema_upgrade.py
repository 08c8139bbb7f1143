"""The follow-up tables (action statuses, perimeters) in databases created before they existed.

A database built by an earlier version has no `suivi_action` nor `perimetre_action`. Rather than
refuse it, the writers create the missing tables on their first write (`ensure_followup_tables`, in
the same transaction) and the app's copy shows them empty (`copy_or_create`). `python -m sus_data init`
creates them too, as it creates every table of schema.sql.
"""

from __future__ import annotations

import re

from .store import SCHEMA_FILE

FOLLOWUP_TABLES = ("suivi_action", "suivi_action_historique", "perimetre_action", "perimetre_historique")


def table_ddl(name: str) -> str:
    """The CREATE TABLE IF NOT EXISTS statement of one table of schema.sql."""
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    match = re.search(rf"CREATE TABLE IF NOT EXISTS {re.escape(name)} \(.*?\n\);", text, re.DOTALL)
    if match is None:
        raise KeyError(name)
    return match.group(0)


def has_table(con, name: str, database: str | None = None) -> bool:
    condition = "table_name = ?" + (" AND database_name = ?" if database else "")
    params = [name, database] if database else [name]
    return bool(con.execute(f"SELECT count(*) FROM duckdb_tables() WHERE {condition}", params).fetchone()[0])


def ensure_followup_tables(con) -> None:
    """Create the follow-up tables that are missing (inside the caller's write transaction)."""
    for name in FOLLOWUP_TABLES:
        if not has_table(con, name):
            con.execute(table_ddl(name))


def copy_or_create(con, name: str, source: str = "source") -> None:
    """In the app's in-memory copy: the table from the attached file, or empty when the file lacks it."""
    if has_table(con, name, source):
        con.execute(f"CREATE OR REPLACE TABLE main.{name} AS SELECT * FROM {source}.{name}")
    else:
        con.execute(f"DROP TABLE IF EXISTS main.{name}")
        con.execute(table_ddl(name).replace(f"IF NOT EXISTS {name}", f"IF NOT EXISTS main.{name}", 1))
