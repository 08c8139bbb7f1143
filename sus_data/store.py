"""DuckDB storage: the schema, short-lived connections with retries, one writer at a time.

DuckDB lets one process hold a database file for writing, and read-only openers only when no writer
holds it. The observatory runs the app and the command line side by side, so no process keeps the file
open: every read or write opens a connection, does its work and closes it. Writers are serialised by an
advisory lock file (`<base>.lock`) across processes and by a mutex within one, and every DuckDB error
is turned into a StoreError with a French message at this boundary.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from .errors import StoreBusyError, StoreCorruptError, StoreError

SCHEMA_VERSION = "1"
SCHEMA_FILE = Path(__file__).with_name("schema.sql")
# How long a reader or writer waits for another process to release the file.
LOCK_TIMEOUT_S = 60.0
RETRY_PAUSE_S = 0.05
# Within one process all connections to one file go through this lock: DuckDB refuses two handles on
# the same file with different settings (read-only and read-write).
_PROCESS_LOCK = threading.RLock()

CORRUPT_HINT = (
    "Restaurez la dernière sauvegarde (python -m sus_data restore DOSSIER --db {path} --force), "
    "ou mettez ce fichier de côté (renommez-le) puis recréez la base (python -m sus_data init --db {path})."
)
MISSING_HINT = (
    "Créez-la avec : python -m sus_data init --db {path} ; "
    "ou restaurez une sauvegarde : python -m sus_data restore DOSSIER --db {path}"
)


def _is_lock_conflict(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def _is_corrupt(exc: Exception) -> bool:
    text = str(exc)
    return any(
        marker in text
        for marker in (
            "not a valid DuckDB database",
            "Could not read enough bytes",  # a truncated file
            "is not a valid DuckDB",
            "Corrupt",
            "corrupt",
            "checksum",
            "Checksum",
            "database file is damaged",
            "Failed to load",
            "INTERNAL Error",
            "WAL",
        )
    )


def wrap_error(exc: Exception, path: Path | str) -> StoreError:
    """Our own error, in French, for a DuckDB error met at the boundary."""
    if isinstance(exc, StoreError):
        return exc
    if _is_lock_conflict(exc):
        return StoreBusyError(
            f"La base {Path(path).name} est occupée par un autre traitement depuis plus de "
            f"{int(LOCK_TIMEOUT_S)} s. Réessayez dans quelques instants."
        )
    if _is_corrupt(exc):
        return StoreCorruptError(
            f"La base {path} est endommagée ou n'est pas une base DuckDB. " + CORRUPT_HINT.format(path=path)
        )
    return StoreError(f"Erreur de la base de données : {exc}")


def _connect(path: Path, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + timeout
    pause = RETRY_PAUSE_S
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if _is_lock_conflict(exc) and time.monotonic() < deadline:
                time.sleep(pause)
                pause = min(pause * 1.5, 0.5)
                continue
            raise wrap_error(exc, path) from exc


class _FileLock:
    """An advisory lock on `<db>.lock`, so that writers from several processes take turns."""

    def __init__(self, db_path: Path):
        self.path = db_path.with_name(db_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self, timeout: float) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._fd = fd
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise StoreBusyError(
                        "Un autre import est en cours depuis plus de "
                        f"{int(timeout)} s. Réessayez dans quelques instants."
                    ) from None
                time.sleep(RETRY_PAUSE_S)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class Store:
    """The database file at `path`. Open one, use `read()` or `write()` as context managers."""

    def __init__(self, path: str | os.PathLike, timeout: float = LOCK_TIMEOUT_S):
        self.path = Path(path)
        self.timeout = timeout

    def exists(self) -> bool:
        return self.path.is_file() and self.path.stat().st_size > 0

    def version_token(self) -> tuple:
        """Changes whenever the file is written: used to refresh the app's copy and caches."""
        parts = []
        for candidate in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                st = candidate.stat()
                parts.append((st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                parts.append(None)
        return tuple(parts)

    def require(self) -> None:
        if not self.path.exists():
            raise StoreError(f"La base {self.path} n'existe pas encore. " + MISSING_HINT.format(path=self.path))
        if self.path.stat().st_size == 0:
            raise StoreCorruptError(f"La base {self.path} est vide (0 octet). " + CORRUPT_HINT.format(path=self.path))

    @contextmanager
    def read(self):
        """A read-only connection, closed on exit."""
        self.require()
        with _PROCESS_LOCK:
            con = _connect(self.path, read_only=True, timeout=self.timeout)
            try:
                yield con
            except duckdb.Error as exc:
                raise wrap_error(exc, self.path) from exc
            finally:
                con.close()

    @contextmanager
    def write(self, create: bool = False):
        """A read-write connection inside one transaction: committed on success, rolled back on error.

        Writers queue on the lock file; the database is never left half-written because DuckDB's
        write-ahead log makes the transaction atomic even if the process is killed.
        """
        if not create:
            self.require()
        lock = _FileLock(self.path)
        with _PROCESS_LOCK:
            lock.acquire(self.timeout)
            try:
                con = _connect(self.path, read_only=False, timeout=self.timeout)
                try:
                    con.execute("BEGIN TRANSACTION")
                    try:
                        yield con
                    except BaseException:
                        con.execute("ROLLBACK")
                        raise
                    con.execute("COMMIT")
                except duckdb.Error as exc:
                    raise wrap_error(exc, self.path) from exc
                finally:
                    con.close()
            finally:
                lock.release()


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
        [SCHEMA_VERSION],
    )


def next_operation_id(con: duckdb.DuckDBPyConnection) -> int:
    """Ids are gap-free and in order; writers are serialised, so max + 1 is safe."""
    return int(con.execute("SELECT coalesce(max(id), 0) + 1 FROM operation").fetchone()[0])


def sql_literal(text: str) -> str:
    """Quote a string for the few statements (ATTACH, COPY) that take no parameters."""
    return "'" + str(text).replace("'", "''") + "'"
