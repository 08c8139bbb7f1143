"""Import pipeline: read → validate → write in one transaction; and rollback of an import.

The command line and the Import page both call these functions: nothing is written twice. A file with
one error is rejected whole and nothing is written; a good file's values are written in one
transaction, with the values they replace kept in `historique`, so that any import can be undone.
"""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from . import ingest_followup
from .config import Config, ImportLimits
from .errors import ImportRejected, RollbackRefused, StoreError
from .report import Report
from .store import Store, next_operation_id
from .validate import Lookup, ValidatedFile, empty_values, validate_workbook
from .vocabulary import OPERATION_IMPORT, OPERATION_ROLLBACK, UNDOABLE_OPERATIONS
from .workbook import Workbook, WorkbookError, read_workbook, safe_filename

UNCHANGED = "inchangée"
NEW = "nouvelle"
CHANGED = "modifiée"
RESTORED = "restaurée"
REMOVED = "supprimée"


@dataclass
class ImportResult:
    fichier: str
    sha256: str
    operation_id: int | None
    nb_nouvelles: int
    nb_modifiees: int
    nb_inchangees: int
    nb_ignorees: int
    nb_indicateurs: int = 0
    report: Report = field(default_factory=Report)
    # Follow-up of actions: statuses new or changed, statuses already recorded, perimeters replaced.
    nb_statuts: int = 0
    nb_statuts_inchanges: int = 0
    nb_perimetres: int = 0

    @property
    def changed_anything(self) -> bool:
        return self.operation_id is not None

    def summary(self) -> str:
        followup = ingest_followup.summary_text(self.nb_statuts, self.nb_perimetres)
        if self.operation_id is None:
            also = f" et {self.nb_statuts_inchanges} statut(s) d'action" if self.nb_statuts_inchanges else ""
            return (
                f"{self.fichier} : aucune modification ({self.nb_inchangees} valeur(s){also} déjà enregistrée(s) à "
                "l'identique)."
            )
        return (
            f"{self.fichier} : import n°{self.operation_id} — {self.nb_nouvelles} nouvelle(s), "
            f"{self.nb_modifiees} modifiée(s), {self.nb_inchangees} inchangée(s), "
            f"{self.nb_ignorees} ligne(s) vide(s) ignorée(s)" + (f" ; {followup}." if followup else ".")
        )


@dataclass
class Upload:
    """One file to import: its bytes (or path) and the name the user gave it."""

    source: bytes | str | Path
    filename: str | None = None

    @property
    def name(self) -> str:
        return safe_filename(
            self.filename or (Path(self.source).name if isinstance(self.source, (str, Path)) else "fichier")
        )


def load_lookup(store: Store, config: Config) -> Lookup:
    with store.read() as con:
        return Lookup.from_connection(con, config)


def read_upload(upload: Upload, limits: ImportLimits) -> Workbook | ValidatedFile:
    """Read one file; an unreadable file gives a ValidatedFile whose report has one error, never an exception."""
    try:
        return read_workbook(upload.source, upload.name, limits)
    except WorkbookError as exc:
        report = Report()
        report.add(upload.name, exc.message, exc.conseil)
    except OSError as exc:
        report = Report()
        report.add(
            upload.name, f"Le fichier n'a pas pu être lu ({exc.strerror or exc}).", "Vérifiez le chemin du fichier."
        )
    return ValidatedFile(upload.name, "", report, empty_values(), pd.DataFrame())


def validate_upload(upload: Upload, lookup: Lookup) -> ValidatedFile:
    """Read and check one file. An unreadable file gives a report with one error, never an exception."""
    return _validate_read(read_upload(upload, lookup.limits), lookup)


def _validate_read(read: Workbook | ValidatedFile, lookup: Lookup) -> ValidatedFile:
    return read if isinstance(read, ValidatedFile) else validate_workbook(read, lookup)


def validate_uploads(store: Store, config: Config, uploads: list[Upload]) -> list[ValidatedFile]:
    """Read and check the files; the next file is read while one is checked.

    python-calamine releases the GIL while it parses: the first file is parsed while the referential is
    loaded from the database, and each next one while the previous one is checked. At most two workbooks
    are held in memory at once.
    """
    if not uploads:
        return []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lecture") as pool:
        pending = pool.submit(read_upload, uploads[0], config.limites)
        lookup = load_lookup(store, config)
        files = []
        for following in [*uploads[1:], None]:
            read = pending.result()
            if following is not None:
                pending = pool.submit(read_upload, following, config.limites)
            files.append(_validate_read(read, lookup))
            del read
        return files


def merged_report(files: list[ValidatedFile]) -> Report:
    report = Report()
    for validated in files:
        report.extend(validated.report)
    return report


def import_files(
    store: Store,
    config: Config,
    uploads: list[Upload],
    user: str,
    *,
    dry_run: bool = False,
    nature: str = OPERATION_IMPORT,
    validated: list[ValidatedFile] | None = None,
) -> list[ImportResult]:
    """Validate every file, then write them all in one transaction (one import record per file).

    Raises ImportRejected, with the merged report, when any file has an error: nothing is written.
    With `dry_run`, validates and computes what would change without writing.
    """
    files = validated if validated is not None else validate_uploads(store, config, uploads)
    report = merged_report(files)
    if not report.ok:
        rejected = [f.filename for f in files if not f.ok]
        raise ImportRejected(
            f"{len(rejected)} fichier(s) refusé(s) ({', '.join(rejected)}) : {report.summary()}. "
            "Aucune donnée n'a été enregistrée.",
            report,
        )
    if dry_run:
        with store.read() as con:
            return [
                _with_followup(_result_from_diff(f, None, _diff(con, f.valeurs)), ingest_followup.changes(con, f))
                for f in files
            ]
    results = []
    with store.write() as con:
        for validated_file in files:
            results.append(write_validated(con, validated_file, user, nature))
    return results


def preview(store: Store, validated: ValidatedFile) -> pd.DataFrame:
    """What importing this file would change, row by row, without writing: for the Import page."""
    with store.read() as con:
        _stage_diff(con, validated.valeurs)
        return con.execute("SELECT * FROM _diff").df()


def _diff(con, valeurs: pd.DataFrame) -> dict[str, int]:
    """Stage the comparison in `_diff` and count its rows per movement."""
    _stage_diff(con, valeurs)
    return dict(con.execute("SELECT mouvement, count(*) FROM _diff GROUP BY mouvement").fetchall())


def _stage_diff(con, valeurs: pd.DataFrame) -> None:
    """Compare incoming values with stored ones, in a temporary table `_diff` of the connection.

    An empty comment or source keeps the stored one only when the value itself is the same: the
    comment and source of a value that changes described the old value (a real figure replacing a demo
    one must not keep the demo's source). The old ones stay in `historique`.
    """
    con.register("_entrant", pa.Table.from_pandas(valeurs, preserve_index=False))
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _diff AS
            WITH d AS (
                SELECT e.indicateur, e.territoire, e.annee, e.trimestre, e.mesure,
                       e.valeur AS nouvelle_valeur,
                       CASE WHEN v.valeur = e.valeur THEN coalesce(e.commentaire, v.commentaire)
                            ELSE e.commentaire END AS nouveau_commentaire,
                       CASE WHEN v.valeur = e.valeur THEN coalesce(e.source, v.source)
                            ELSE e.source END AS nouvelle_source,
                       v.indicateur IS NOT NULL AS existe,
                       v.valeur AS ancienne_valeur, v.commentaire AS ancien_commentaire,
                       v.source AS ancienne_source, v.operation AS ancienne_operation
                FROM _entrant e
                LEFT JOIN valeur v
                  ON v.indicateur = e.indicateur AND v.territoire = e.territoire AND v.annee = e.annee
                 AND v.trimestre = e.trimestre AND v.mesure = e.mesure
            )
            SELECT * EXCLUDE (existe),
                   CASE WHEN NOT existe THEN '{NEW}'
                        WHEN ancienne_valeur = nouvelle_valeur
                             AND ancien_commentaire IS NOT DISTINCT FROM nouveau_commentaire
                             AND ancienne_source IS NOT DISTINCT FROM nouvelle_source
                        THEN '{UNCHANGED}' ELSE '{CHANGED}' END AS mouvement
            FROM d
            """
        )
    finally:
        con.unregister("_entrant")


def _result_from_diff(
    validated: ValidatedFile, operation_id: int | None, counts: dict[str, int], n_ind: int = 0
) -> ImportResult:
    return ImportResult(
        fichier=validated.filename,
        sha256=validated.sha256,
        operation_id=operation_id,
        nb_nouvelles=counts.get(NEW, 0),
        nb_modifiees=counts.get(CHANGED, 0),
        nb_inchangees=counts.get(UNCHANGED, 0),
        nb_ignorees=validated.n_ignorees,
        nb_indicateurs=n_ind,
        report=validated.report,
    )


def _indicator_changes(con, indicators: pd.DataFrame) -> list[tuple[str, str | None, dict]]:
    """Context indicator definitions that differ from what is stored: (code, old JSON, new row)."""
    changes = []
    for row in indicators.to_dict("records"):
        current = con.execute(
            """SELECT code, libelle, ambition, unite, nature, agregation, additivite, sens, source, definition
               FROM indicateur WHERE code = ?""",
            [row["code"]],
        ).df()
        old = current.to_dict("records")[0] if len(current) else None
        if old is None:
            changes.append((row["code"], None, row))
            continue
        old = {k: (None if pd.isna(v) else v) for k, v in old.items()}
        if old != {k: row.get(k) for k in old}:
            changes.append((row["code"], json.dumps(old, ensure_ascii=False, sort_keys=True), row))
    return changes


def _with_followup(result: ImportResult, found: ingest_followup.FollowupChanges) -> ImportResult:
    result.nb_statuts = found.n_statuts
    result.nb_statuts_inchanges = found.n_inchanges
    result.nb_perimetres = len(found.perimetres)
    return result


def write_validated(con, validated: ValidatedFile, user: str, nature: str = OPERATION_IMPORT) -> ImportResult:
    """Write one validated file inside the caller's transaction. Returns its counts."""
    indicator_changes = _indicator_changes(con, validated.indicateurs) if len(validated.indicateurs) else []
    counts = _diff(con, validated.valeurs)
    followup = ingest_followup.changes(con, validated)
    n_changed = counts.get(NEW, 0) + counts.get(CHANGED, 0)
    if n_changed == 0 and not indicator_changes and not followup.any:
        con.execute("DROP TABLE IF EXISTS _diff")
        ingest_followup.drop(con)
        return _with_followup(_result_from_diff(validated, None, counts), followup)
    op = next_operation_id(con)
    result = _with_followup(_result_from_diff(validated, op, counts, len(indicator_changes)), followup)
    con.execute(
        """INSERT INTO operation (id, nature, fichier, sha256, utilisateur, horodatage, nb_nouvelles,
                                  nb_modifiees, nb_inchangees, nb_ignorees, commentaire)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            op,
            nature,
            validated.filename,
            validated.sha256,
            user,
            dt.datetime.now().replace(microsecond=0),
            result.nb_nouvelles,
            result.nb_modifiees,
            result.nb_inchangees,
            result.nb_ignorees,
            ingest_followup.summary_text(result.nb_statuts, result.nb_perimetres) or None,
        ],
    )
    ingest_followup.write(con, followup, op)
    for code, old_json, row in indicator_changes:
        order = con.execute("SELECT coalesce(max(ordre), 0) + 1 FROM indicateur").fetchone()[0]
        con.execute("DELETE FROM indicateur WHERE code = ?", [code])
        con.execute(
            """INSERT INTO indicateur (code, libelle, noeud, ambition, unite, nature, agregation, additivite,
                                       sens, source, definition, secret_seuil, origine, ordre)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 'import', ?)""",
            [
                code,
                row["libelle"],
                row["ambition"],
                row["ambition"],
                row["unite"],
                row["nature"],
                row["agregation"],
                row["additivite"],
                row["sens"],
                row["source"],
                row["definition"],
                order,
            ],
        )
        con.execute(
            "INSERT INTO indicateur_historique VALUES (?, ?, ?, ?)",
            [op, code, old_json, json.dumps(row, ensure_ascii=False, sort_keys=True)],
        )
    if n_changed:
        con.execute(
            f"""INSERT INTO historique
               SELECT ?, indicateur, territoire, annee, trimestre, mesure, mouvement,
                      ancienne_valeur, ancien_commentaire, ancienne_source, ancienne_operation,
                      nouvelle_valeur, nouveau_commentaire, nouvelle_source
               FROM _diff WHERE mouvement <> '{UNCHANGED}'""",
            [op],
        )
        con.execute(
            f"""DELETE FROM valeur v USING _diff d
               WHERE d.mouvement = '{CHANGED}' AND v.indicateur = d.indicateur AND v.territoire = d.territoire
                 AND v.annee = d.annee AND v.trimestre = d.trimestre AND v.mesure = d.mesure"""
        )
        con.execute(
            f"""INSERT INTO valeur
               SELECT indicateur, territoire, annee, trimestre, mesure, nouvelle_valeur,
                      nouveau_commentaire, nouvelle_source, ?
               FROM _diff WHERE mouvement <> '{UNCHANGED}'""",
            [op],
        )
    con.execute("DROP TABLE IF EXISTS _diff")
    return result


@dataclass
class RollbackResult:
    operation_id: int
    annulee: int
    nb_restaurees: int
    nb_supprimees: int
    nb_statuts_restaures: int = 0
    nb_statuts_supprimes: int = 0

    def summary(self) -> str:
        statuses = ""
        if self.nb_statuts_restaures or self.nb_statuts_supprimes:
            statuses = (
                f" ; {self.nb_statuts_restaures} statut(s) d'action restauré(s), "
                f"{self.nb_statuts_supprimes} statut(s) d'action retiré(s)"
            )
        return (
            f"Import n°{self.annulee} annulé (opération n°{self.operation_id}) : {self.nb_restaurees} valeur(s) "
            f"restaurée(s) à leur état antérieur, {self.nb_supprimees} valeur(s) retirée(s){statuses}."
        )


def rollback(store: Store, operation_id: int, user: str) -> RollbackResult:
    """Undo an import: restore exactly the values it replaced and remove those it added.

    Refused when the import was already undone, or when a later import changed the same values
    (that one must be undone first, so that nothing is lost).
    """
    with store.write() as con:
        row = con.execute("SELECT id, nature, annule_par FROM operation WHERE id = ?", [operation_id]).fetchone()
        if row is None:
            raise RollbackRefused(f"L'import n°{operation_id} n'existe pas.")
        _, nature, undone_by = row
        if nature not in UNDOABLE_OPERATIONS:
            raise RollbackRefused(f"L'opération n°{operation_id} n'est pas un import : elle ne peut pas être annulée.")
        if undone_by is not None:
            raise RollbackRefused(f"L'import n°{operation_id} a déjà été annulé (opération n°{undone_by}).")
        later = con.execute(
            """SELECT v.operation, count(*) FROM historique h
               JOIN valeur v ON v.indicateur = h.indicateur AND v.territoire = h.territoire
                AND v.annee = h.annee AND v.trimestre = h.trimestre AND v.mesure = h.mesure
               WHERE h.operation = ? AND v.operation <> ?
               GROUP BY 1 ORDER BY 1""",
            [operation_id, operation_id],
        ).fetchall()
        removed_later = con.execute(
            """SELECT count(*) FROM historique h
               WHERE h.operation = ? AND NOT EXISTS (
                 SELECT 1 FROM valeur v WHERE v.indicateur = h.indicateur AND v.territoire = h.territoire
                   AND v.annee = h.annee AND v.trimestre = h.trimestre AND v.mesure = h.mesure)""",
            [operation_id],
        ).fetchone()[0]
        followup_later = ingest_followup.rollback_conflicts(con, operation_id)
        if later or removed_later:
            names = ", ".join([*(f"n°{op} ({n} valeur(s))" for op, n in later), *followup_later])
            raise RollbackRefused(
                f"Impossible d'annuler l'import n°{operation_id} : des imports plus récents ont modifié "
                f"les mêmes valeurs ({names or 'valeurs retirées depuis'}). Annulez d'abord ces imports, "
                "du plus récent au plus ancien."
            )
        if followup_later:
            raise RollbackRefused(
                f"Impossible d'annuler l'import n°{operation_id} : des opérations plus récentes ont modifié "
                f"le même suivi des actions ({', '.join(followup_later)}). Annulez d'abord ces opérations, "
                "du plus récent au plus ancien."
            )
        op = next_operation_id(con)
        counts = con.execute(
            """SELECT count(*) FILTER (WHERE ancienne_valeur IS NOT NULL),
                      count(*) FILTER (WHERE ancienne_valeur IS NULL)
               FROM historique WHERE operation = ?""",
            [operation_id],
        ).fetchone()
        restored, removed = int(counts[0]), int(counts[1])
        con.execute(
            """INSERT INTO operation (id, nature, fichier, sha256, utilisateur, horodatage, nb_nouvelles,
                                      nb_modifiees, nb_inchangees, nb_ignorees, annule, commentaire)
               SELECT ?, ?, fichier, sha256, ?, ?, 0, ?, 0, 0, id, ?
               FROM operation WHERE id = ?""",
            [
                op,
                OPERATION_ROLLBACK,
                user,
                dt.datetime.now().replace(microsecond=0),
                restored + removed,
                f"Annulation de l'import n°{operation_id}",
                operation_id,
            ],
        )
        con.execute(
            f"""INSERT INTO historique
                SELECT ?, indicateur, territoire, annee, trimestre, mesure,
                       CASE WHEN ancienne_valeur IS NULL THEN '{REMOVED}' ELSE '{RESTORED}' END,
                       nouvelle_valeur, nouveau_commentaire, nouvelle_source, ?,
                       ancienne_valeur, ancien_commentaire, ancienne_source
                FROM historique WHERE operation = ?""",
            [op, operation_id, operation_id],
        )
        con.execute(
            """DELETE FROM valeur v USING historique h
               WHERE h.operation = ? AND v.indicateur = h.indicateur AND v.territoire = h.territoire
                 AND v.annee = h.annee AND v.trimestre = h.trimestre AND v.mesure = h.mesure""",
            [operation_id],
        )
        con.execute(
            """INSERT INTO valeur
               SELECT indicateur, territoire, annee, trimestre, mesure, ancienne_valeur, ancien_commentaire,
                      ancienne_source, ancienne_operation
               FROM historique WHERE operation = ? AND ancienne_valeur IS NOT NULL""",
            [operation_id],
        )
        # Context indicator definitions set by the import go back to what they were.
        for code, old_json in con.execute(
            "SELECT code, ancienne_definition FROM indicateur_historique WHERE operation = ?", [operation_id]
        ).fetchall():
            used = con.execute("SELECT count(*) FROM valeur WHERE indicateur = ?", [code]).fetchone()[0]
            if old_json is None and used == 0:
                con.execute("DELETE FROM indicateur WHERE code = ?", [code])
            elif old_json is not None:
                old = json.loads(old_json)
                con.execute(
                    """UPDATE indicateur SET libelle = ?, ambition = ?, noeud = ?, unite = ?, nature = ?,
                       agregation = ?, additivite = ?, sens = ?, source = ?, definition = ? WHERE code = ?""",
                    [
                        old["libelle"],
                        old["ambition"],
                        old["ambition"],
                        old["unite"],
                        old["nature"],
                        old["agregation"],
                        old["additivite"],
                        old["sens"],
                        old["source"],
                        old["definition"],
                        code,
                    ],
                )
        statuses_restored, statuses_removed = ingest_followup.rollback(con, operation_id, op)
        con.execute("UPDATE operation SET annule_par = ? WHERE id = ?", [op, operation_id])
    return RollbackResult(op, operation_id, restored, removed, statuses_restored, statuses_removed)


def ensure_exists(store: Store) -> None:
    if not store.exists():
        raise StoreError(f"La base {store.path} n'existe pas. Créez-la avec : python -m sus_data init")
