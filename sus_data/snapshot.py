"""The app's read copy of the database: an in-memory DuckDB refreshed when the file changes.

Readers must not hold the database file: DuckDB would then refuse the command line (or another app
process) the right to write. So the app copies the tables it reads into memory, releases the file at
once, and copies again only when the file's size or time changes (an import landed). Queries run on
cursors of the in-memory copy: many sessions read in parallel, none waits for a writer.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Self

import duckdb

from .errors import StoreError
from .queries import STATS_SQL, STATS_TABLE
from .schema_upgrade import copy_or_create
from .store import _PROCESS_LOCK, Store, sql_literal, wrap_error

# Tables the pages read. The full value history stays in the file (read on demand by the import page).
READ_TABLES = (
    "meta",
    "niveau",
    "programme",
    "noeud",
    "noeud_programme",
    "lien",
    "indicateur",
    "territoire",
    "territoire_alias",
    "sigle",
    "operation",
    "valeur",
)
# Statuses and perimeters of the programme's actions (their history stays in the file).
FOLLOWUP_READ_TABLES = ("suivi_action", "perimetre_action")
# Tables copied in this order: DuckDB keeps the min/max of each block of rows, so that a query on one
# indicator reads the few blocks that hold it instead of scanning a million values.
SORT_KEYS = {"valeur": "indicateur, mesure, annee, trimestre, territoire"}
# How often the file's stat is checked, at most: every query would be wasteful, never would be stale.
CHECK_INTERVAL_S = 0.5
RETRY_WHILE_BUSY_S = 2.0
COPY_CATALOG = "copie"
# Memory DuckDB may use for the copy before spilling to disk. A load (reading the file, sorting a million
# values, deriving their series) would otherwise take what it likes (DuckDB's default: 80 % of the
# machine) for a few seconds; 120 MB saves ~80 MB more at the peak but adds a second per load (measured).
COPY_MEMORY_LIMIT = "200MB"


class Snapshot:
    """An in-memory copy of the store's tables, versioned.

    Each load builds a new in-memory database and then swaps it in: readers keep querying the previous
    copy while the next one is built (they never wait for a load), and a query that started on the
    previous copy ends on it."""

    def __init__(self, store: Store):
        self.store = store
        # The current copy and its memo (facts computed once per copy, see memo.py), swapped together.
        self._current: tuple[duckdb.DuckDBPyConnection, dict] | None = None
        self._lock = threading.Lock()
        self._token = None
        self._checked_at = 0.0
        self.version = 0  # increases at each reload; part of every cache key
        self.loaded_at: float | None = None

    def _load(self) -> None:
        self.store.require()
        with _PROCESS_LOCK:
            token = self.store.version_token()
            con = _new_database()
            try:
                if not self._attach(con):
                    con.close()
                    return  # the file is being written: keep serving the previous copy
                try:
                    _fill(con)
                finally:
                    con.execute("DETACH source")
                # Compress the copy now (DuckDB compresses an in-memory database at a checkpoint only).
                con.execute(f"CHECKPOINT {COPY_CATALOG}")
            except duckdb.Error as exc:
                con.close()
                raise wrap_error(exc, self.store.path) from exc
            except BaseException:
                con.close()
                raise
        # The previous copy is not closed: queries running on it end normally, and it is freed with them.
        self._current = (con, {})
        self._token = token
        self.version += 1
        self.loaded_at = time.time()

    @property
    def _con(self) -> duckdb.DuckDBPyConnection | None:
        return None if self._current is None else self._current[0]

    def _attach(self, con) -> bool:
        """Attach the database file read-only, waiting a little while a writer holds it. False when it
        stays busy and a previous copy can go on serving."""
        deadline = time.monotonic() + RETRY_WHILE_BUSY_S
        while True:
            try:
                con.execute(f"ATTACH {sql_literal(str(self.store.path))} AS source (READ_ONLY)")
                return True
            except duckdb.Error as exc:
                error = wrap_error(exc, self.store.path)
                busy = "occupée" in error.message
                if busy and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                if busy and self._con is not None:
                    return False
                raise error from exc

    def refresh(self, force: bool = False) -> None:
        """Reload if the file changed since the last copy (checked at most every CHECK_INTERVAL_S).

        While another thread loads, readers go on with the current copy instead of waiting; a forced
        refresh (after this process's own import) waits for the load, so that it sees its values."""
        now = time.monotonic()
        if not force and self._token is not None and now - self._checked_at < CHECK_INTERVAL_S:
            return
        if not self._lock.acquire(blocking=force or self._con is None):
            return
        try:
            self._checked_at = now
            if force or self._token is None or self.store.version_token() != self._token:
                self._load()
        finally:
            self._lock.release()

    def cursor(self) -> CopyCursor:
        """A cursor on the current copy (one per query: cursors are cheap and thread-safe)."""
        self.refresh()
        con, memo = self._current
        cursor = con.cursor()
        cursor.execute(f"USE {COPY_CATALOG}")  # a cursor starts in the default catalog, not the copy's
        return CopyCursor(cursor, memo)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()


class CopyCursor:
    """A DuckDB cursor on the copy, with the copy's memo (facts computed once per copy, see memo.py)."""

    __slots__ = ("_cursor", "memo")

    def __init__(self, cursor: duckdb.DuckDBPyConnection, memo: dict):
        self._cursor = cursor
        self.memo = memo

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    # Special methods are looked up on the class, not through __getattr__.
    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self._cursor.close()


def _new_database() -> duckdb.DuckDBPyConnection:
    """An empty in-memory database whose tables DuckDB compresses, bounded in memory."""
    spill = Path(tempfile.gettempdir()) / f"sus-copie-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    con = duckdb.connect(
        ":memory:",
        config={
            "memory_limit": COPY_MEMORY_LIMIT,
            "temp_directory": str(spill),  # DuckDB creates it only if it must spill, and removes it
            # Give freed memory back to the system: without it, the process keeps the peak of each load.
            "allocator_background_threads": True,
        },
    )
    con.execute(f"ATTACH ':memory:' AS {COPY_CATALOG} (COMPRESS)")
    con.execute(f"USE {COPY_CATALOG}")
    return con


def _fill(con) -> None:
    """Copy the tables pages read from the attached file, and derive what several pages need."""
    from .queries import DERIVED_TABLES, PRESENCE_SQL, PRESENCE_TABLE, ROOTS_SQL, ROOTS_TABLE, derived_series_sql

    con.execute("BEGIN TRANSACTION")
    try:
        for table in READ_TABLES:
            order = f" ORDER BY {SORT_KEYS[table]}" if table in SORT_KEYS else ""
            con.execute(f"CREATE TABLE main.{table} AS SELECT * FROM source.{table}{order}")
        # The follow-up of actions: copied, or empty in a database made before these tables existed.
        for table in FOLLOWUP_READ_TABLES:
            copy_or_create(con, table)
        # Statistics per indicator and every series, derived once per load instead of at each query.
        con.execute(f"CREATE TABLE main.{STATS_TABLE} AS {STATS_SQL}")
        con.execute(f"CREATE TABLE main.{PRESENCE_TABLE} AS {PRESENCE_SQL}")
        con.execute(f"CREATE TABLE main.{ROOTS_TABLE} AS {ROOTS_SQL}")
        for granularite, table in DERIVED_TABLES.items():
            sql, params = derived_series_sql(con, granularite)
            con.execute(f"CREATE TABLE main.{table} AS {sql}", params)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def open_snapshot(store: Store) -> Snapshot:
    snapshot = Snapshot(store)
    try:
        snapshot.refresh(force=True)
    except StoreError:
        snapshot.close()
        raise
    return snapshot
