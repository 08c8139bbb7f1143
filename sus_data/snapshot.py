"""The app's read copy of the database: an in-memory DuckDB refreshed when the file changes.

Readers must not hold the database file: DuckDB would then refuse the command line (or another app
process) the right to write. So the app copies the tables it reads into memory, releases the file at
once, and copies again only when the file's size or time changes (an import landed). Queries run on
cursors of the in-memory copy: many sessions read in parallel, none waits for a writer.
"""

from __future__ import annotations

import threading
import time

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


class Snapshot:
    """An in-memory copy of the store's tables, versioned."""

    def __init__(self, store: Store):
        self.store = store
        self._con = duckdb.connect(":memory:")
        self._lock = threading.Lock()
        self._token = None
        self._checked_at = 0.0
        self.version = 0  # increases at each reload; part of every cache key
        self.loaded_at: float | None = None

    def _load(self) -> None:
        self.store.require()
        with _PROCESS_LOCK:
            token = self.store.version_token()
            deadline = time.monotonic() + RETRY_WHILE_BUSY_S
            while True:
                try:
                    self._con.execute(f"ATTACH {sql_literal(str(self.store.path))} AS source (READ_ONLY)")
                    break
                except duckdb.Error as exc:
                    error = wrap_error(exc, self.store.path)
                    busy = "occupée" in error.message
                    if busy and time.monotonic() < deadline:
                        time.sleep(0.05)
                        continue
                    if busy and self._token is not None:
                        return  # keep serving the previous copy; try again at the next check
                    raise error from exc
            try:
                self._con.execute("BEGIN TRANSACTION")
                for table in READ_TABLES:
                    order = f" ORDER BY {SORT_KEYS[table]}" if table in SORT_KEYS else ""
                    self._con.execute(f"CREATE OR REPLACE TABLE main.{table} AS SELECT * FROM source.{table}{order}")
                # The follow-up of actions: copied, or empty in a database made before these tables existed.
                for table in FOLLOWUP_READ_TABLES:
                    copy_or_create(self._con, table)
                # Statistics per indicator that several pages read: computed once per load.
                self._con.execute(f"CREATE OR REPLACE TABLE main.{STATS_TABLE} AS {STATS_SQL}")
                self._con.execute("COMMIT")
            except duckdb.Error as exc:
                self._con.execute("ROLLBACK")
                raise wrap_error(exc, self.store.path) from exc
            finally:
                self._con.execute("DETACH source")
        self._token = token
        self.version += 1
        self.loaded_at = time.time()

    def refresh(self, force: bool = False) -> None:
        """Reload if the file changed since the last copy (checked at most every CHECK_INTERVAL_S)."""
        now = time.monotonic()
        if not force and self._token is not None and now - self._checked_at < CHECK_INTERVAL_S:
            return
        with self._lock:
            self._checked_at = now
            if force or self._token is None or self.store.version_token() != self._token:
                self._load()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the current copy (one per query: cursors are cheap and thread-safe)."""
        self.refresh()
        return self._con.cursor()

    def close(self) -> None:
        self._con.close()


def open_snapshot(store: Store) -> Snapshot:
    snapshot = Snapshot(store)
    try:
        snapshot.refresh(force=True)
    except StoreError:
        snapshot.close()
        raise
    return snapshot
