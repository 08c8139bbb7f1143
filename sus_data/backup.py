"""Backups of the database: DuckDB's own export (Parquet files and the SQL to rebuild), with a manifest.

`backup` exports through a read-only connection, so it runs while the app serves and between imports;
the files are written in a scratch folder next to the target and the folder is renamed into place only
when complete, with `manifest.json` (schema version, DuckDB version, rows per table, sha256 of every
file). `restore` checks every file against the manifest, rebuilds the database in a scratch file next
to the target (DuckDB's IMPORT DATABASE), verifies the row counts, then swaps it in with one atomic
rename, holding the writers' lock. The database it replaces is kept beside it under another name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .check import schema_tables
from .errors import SusError
from .store import _PROCESS_LOCK, LOCK_TIMEOUT_S, SCHEMA_VERSION, Store, _FileLock, sql_literal, wrap_error

MANIFEST = "manifest.json"
FORMAT = "sauvegarde-sus-duckdb"


class BackupError(SusError):
    """A backup cannot be made or restored; the message says why and what to do, in French."""


@dataclass
class BackupResult:
    folder: Path
    counts: dict[str, int]
    files: int

    def summary(self) -> str:
        return (
            f"Sauvegarde écrite dans {self.folder} : {self.counts.get('valeur', 0)} valeur(s), "
            f"{self.counts.get('historique', 0)} ligne(s) d'historique, {self.counts.get('operation', 0)} opération(s) "
            f"({self.files} fichiers)."
        )


@dataclass
class RestoreResult:
    path: Path
    counts: dict[str, int]
    replaced: Path | None

    def summary(self) -> str:
        text = (
            f"Base {self.path} restaurée : {self.counts.get('valeur', 0)} valeur(s), "
            f"{self.counts.get('historique', 0)} ligne(s) d'historique, {self.counts.get('operation', 0)} opération(s)."
        )
        if self.replaced is not None:
            text += f" L'ancienne base est conservée sous {self.replaced.name}."
        return text


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _counts(con) -> dict[str, int]:
    """Rows of every table of the database (those of the schema first, in its order)."""
    order = {name: i for i, name in enumerate(schema_tables())}
    tables = [
        name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
    ]
    tables.sort(key=lambda name: (order.get(name, len(order)), name))
    return {table: int(con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]) for table in tables}


def backup(store: Store, folder: str | os.PathLike) -> BackupResult:
    """Export the database into `folder`, which must not exist yet or be empty."""
    target = Path(folder).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(
            f"Le dossier {target} existe déjà et n'est pas vide : choisissez un nouveau dossier pour la sauvegarde "
            "(par exemple daté : sauvegardes/2025-04-01)."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(f".{target.name}.en-cours-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        with store.read() as con:
            counts = _counts(con)
            version = con.execute("SELECT valeur FROM meta WHERE cle = 'schema_version'").fetchone()
            con.execute(f"EXPORT DATABASE {sql_literal(str(scratch))} (FORMAT parquet)")
        files = sorted(p.name for p in scratch.iterdir() if p.is_file())
        manifest = {
            "format": FORMAT,
            "version_schema": version[0] if version else None,
            "version_duckdb": duckdb.__version__,
            "date": dt.datetime.now().isoformat(timespec="seconds"),
            "base": str(store.path),
            "lignes": counts,
            "fichiers": {name: _sha256(scratch / name) for name in files},
        }
        (scratch / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            target.rmdir()  # empty, checked above
        scratch.rename(target)
    except OSError as exc:
        raise BackupError(f"La sauvegarde n'a pas pu être écrite dans {target} : {exc.strerror or exc}.") from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return BackupResult(target, counts, len(files) + 1)


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not folder.is_dir():
        raise BackupError(f"Le dossier de sauvegarde {folder} n'existe pas.")
    if not path.is_file():
        raise BackupError(
            f"Le dossier {folder} n'est pas une sauvegarde de l'outil ({MANIFEST} manquant). "
            "Indiquez le dossier créé par : python -m sus_data backup --out DOSSIER"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(
            f"Le fichier {MANIFEST} de la sauvegarde {folder} est illisible : la sauvegarde est endommagée."
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"Le dossier {folder} n'est pas une sauvegarde de l'outil (format inconnu).")
    return manifest


def verify_files(folder: Path, manifest: dict) -> None:
    """Every file the manifest lists is there, unchanged."""
    files = manifest.get("fichiers") or {}
    for name, expected in files.items():
        path = folder / Path(name).name
        if not path.is_file():
            raise BackupError(f"La sauvegarde {folder} est incomplète : le fichier {name} manque.")
        if _sha256(path) != expected:
            raise BackupError(
                f"La sauvegarde {folder} est altérée : le fichier {name} ne correspond plus à son empreinte."
            )
    if "load.sql" not in files or "schema.sql" not in files:
        raise BackupError(f"La sauvegarde {folder} est incomplète (schema.sql ou load.sql manquant).")


def restore(store: Store, folder: str | os.PathLike, force: bool = False) -> RestoreResult:
    """Rebuild the database at `store.path` from a backup folder.

    An existing database is replaced only with `force`; it is then kept beside the new one, renamed
    `<nom>.remplacee-AAAAMMJJ-HHMMSS` (with its write-ahead log, if any).
    """
    source = Path(folder).absolute()
    manifest = read_manifest(source)
    if manifest.get("version_schema") != SCHEMA_VERSION:
        raise BackupError(
            f"La sauvegarde {source} est au schéma {manifest.get('version_schema')}, "
            f"cette version de l'outil attend le schéma {SCHEMA_VERSION}."
        )
    verify_files(source, manifest)
    target = store.path.absolute()
    if target.exists() and not force:
        raise BackupError(
            f"La base {target} existe déjà : rien n'a été changé. Pour la remplacer par la sauvegarde, relancez avec "
            "--force (l'ancienne base sera conservée à côté, renommée)."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(f".{target.name}.restauration-{os.getpid()}")
    _remove(scratch)
    expected = {k: int(v) for k, v in (manifest.get("lignes") or {}).items()}
    try:
        con = duckdb.connect(str(scratch))
        try:
            con.execute(f"IMPORT DATABASE {sql_literal(str(source))}")
            counts = _counts(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
    except duckdb.Error as exc:
        _remove(scratch)
        raise BackupError(
            f"La sauvegarde {source} n'a pas pu être relue par DuckDB : {wrap_error(exc, scratch).message}"
        ) from exc
    except BaseException:
        _remove(scratch)
        raise
    if counts != expected:
        _remove(scratch)
        differences = ", ".join(
            f"{t} : {counts.get(t)} au lieu de {n}" for t, n in expected.items() if counts.get(t) != n
        )
        raise BackupError(
            f"La sauvegarde {source} ne redonne pas les lignes annoncées ({differences}) : rien n'a été changé."
        )
    replaced = None
    lock = _FileLock(target)
    with _PROCESS_LOCK:
        lock.acquire(LOCK_TIMEOUT_S)  # no import or rollback may be writing while the file is swapped
        try:
            wal = target.with_name(target.name + ".wal")
            if target.exists():
                replaced = _free_name(target.with_name(f"{target.name}.remplacee-{dt.datetime.now():%Y%m%d-%H%M%S}"))
                try:
                    os.link(target, replaced)  # the old file stays reachable under this name
                except OSError:  # a file system without hard links
                    shutil.copy2(target, replaced)
                if wal.exists():
                    os.replace(wal, replaced.with_name(replaced.name + ".wal"))
            elif wal.exists():
                wal.unlink()  # a log without its database would be replayed into the restored one
            os.replace(scratch, target)
        except OSError as exc:
            raise BackupError(f"La base {target} n'a pas pu être remplacée : {exc.strerror or exc}.") from exc
        finally:
            lock.release()
            _remove(scratch)
    return RestoreResult(target, counts, replaced)


def _free_name(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists() or candidate.with_name(candidate.name + ".wal").exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def _remove(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        try:
            candidate.unlink()
        except FileNotFoundError:
            pass
