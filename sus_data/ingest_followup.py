"""Writing and undoing the follow-up of actions: statuses (sheet `actions`) and perimeters (sheet
`perimetre`), inside the import's own transaction.

Like values, every status set or replaced is kept in `suivi_action_historique` with the one it
replaced, and every perimeter replaced in `perimetre_historique`: a rollback restores exactly what was
there, and is refused while a later operation changed the same statuses or perimeters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from .schema_upgrade import ensure_followup_tables, has_table
from .validate import ValidatedFile

NEW = "nouvelle"
CHANGED = "modifiée"
UNCHANGED = "inchangée"
RESTORED = "restaurée"
REMOVED = "supprimée"
STATUS_DIFF = "_diff_statuts"
# In a database made before the follow-up tables (read-only, e.g. a dry run): no status is stored yet.
NO_STORED_STATUS = """(SELECT NULL::VARCHAR AS action, NULL::VARCHAR AS territoire, NULL::SMALLINT AS annee,
    NULL::VARCHAR AS statut, NULL::DATE AS date_statut, NULL::VARCHAR AS commentaire, NULL::INTEGER AS operation
    WHERE FALSE)"""


@dataclass
class FollowupChanges:
    """What a file changes in the follow-up: status counts per movement, and perimeters to replace."""

    statuts: dict[str, int] = field(default_factory=dict)
    perimetres: list[tuple[str, str, int | None, str]] = field(default_factory=list)  # action, old, old op, new

    @property
    def n_statuts(self) -> int:
        return self.statuts.get(NEW, 0) + self.statuts.get(CHANGED, 0)

    @property
    def n_inchanges(self) -> int:
        return self.statuts.get(UNCHANGED, 0)

    @property
    def any(self) -> bool:
        return bool(self.n_statuts or self.perimetres)


def _stage_status_diff(con, statuts: pd.DataFrame) -> dict[str, int]:
    """Compare the file's statuses with the stored ones in the temporary table `_diff_statuts`.

    An empty date or comment keeps the stored one only when the status itself is the same, as for values.
    """
    frame = statuts.astype({"annee": "int16"})
    con.register("_statuts_entrants", pa.Table.from_pandas(frame, preserve_index=False))
    stored = "suivi_action" if has_table(con, "suivi_action") else NO_STORED_STATUS
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {STATUS_DIFF} AS
            WITH d AS (
                SELECT e.action, e.territoire, CAST(e.annee AS SMALLINT) AS annee,
                       e.statut AS nouveau_statut,
                       CASE WHEN s.statut = e.statut THEN coalesce(CAST(e.date_statut AS DATE), s.date_statut)
                            ELSE CAST(e.date_statut AS DATE) END AS nouvelle_date,
                       CASE WHEN s.statut = e.statut THEN coalesce(e.commentaire, s.commentaire)
                            ELSE e.commentaire END AS nouveau_commentaire,
                       s.action IS NOT NULL AS existe,
                       s.statut AS ancien_statut, s.date_statut AS ancienne_date,
                       s.commentaire AS ancien_commentaire, s.operation AS ancienne_operation
                FROM _statuts_entrants e
                LEFT JOIN {stored} s ON s.action = e.action AND s.territoire = e.territoire AND s.annee = e.annee
            )
            SELECT * EXCLUDE (existe),
                   CASE WHEN NOT existe THEN '{NEW}'
                        WHEN ancien_statut = nouveau_statut
                             AND ancienne_date IS NOT DISTINCT FROM nouvelle_date
                             AND ancien_commentaire IS NOT DISTINCT FROM nouveau_commentaire
                        THEN '{UNCHANGED}' ELSE '{CHANGED}' END AS mouvement
            FROM d
            """
        )
    finally:
        con.unregister("_statuts_entrants")
    return dict(con.execute(f"SELECT mouvement, count(*) FROM {STATUS_DIFF} GROUP BY mouvement").fetchall())


def _perimeter_of(con, action: str) -> tuple[list[str], int | None]:
    rows = con.execute(
        "SELECT territoire, operation FROM perimetre_action WHERE action = ? ORDER BY territoire", [action]
    ).fetchall()
    return [t for t, _ in rows], (max(op for _, op in rows) if rows else None)


def changes(con, validated: ValidatedFile) -> FollowupChanges:
    """What the file would change (stages `_diff_statuts` when it has statuses; call `drop` after)."""
    out = FollowupChanges()
    if len(validated.statuts):
        out.statuts = _stage_status_diff(con, validated.statuts)
    if len(validated.perimetres):
        known = has_table(con, "perimetre_action")
        for action, own in validated.perimetres.groupby("action", sort=True):
            new = sorted(set(own["territoire"]))
            old, old_op = _perimeter_of(con, action) if known else ([], None)
            if old != new:
                out.perimetres.append(
                    (action, json.dumps(old, ensure_ascii=False), old_op, json.dumps(new, ensure_ascii=False))
                )
    return out


def drop(con) -> None:
    con.execute(f"DROP TABLE IF EXISTS {STATUS_DIFF}")


def write(con, found: FollowupChanges, operation: int) -> None:
    """Write the staged statuses and the perimeters, with their history, under `operation`."""
    if not found.any:
        drop(con)
        return
    ensure_followup_tables(con)
    if found.n_statuts:
        con.execute(
            f"""INSERT INTO suivi_action_historique
                SELECT ?, action, territoire, annee, mouvement, ancien_statut, ancienne_date, ancien_commentaire,
                       ancienne_operation, nouveau_statut, nouvelle_date, nouveau_commentaire
                FROM {STATUS_DIFF} WHERE mouvement <> '{UNCHANGED}'""",
            [operation],
        )
        con.execute(
            f"""DELETE FROM suivi_action s USING {STATUS_DIFF} d
                WHERE d.mouvement = '{CHANGED}' AND s.action = d.action AND s.territoire = d.territoire
                  AND s.annee = d.annee"""
        )
        con.execute(
            f"""INSERT INTO suivi_action
                SELECT action, territoire, annee, nouveau_statut, nouvelle_date, nouveau_commentaire, ?
                FROM {STATUS_DIFF} WHERE mouvement <> '{UNCHANGED}'""",
            [operation],
        )
    for action, old_json, old_op, new_json in found.perimetres:
        con.execute(
            "INSERT INTO perimetre_historique VALUES (?, ?, ?, ?, ?)", [operation, action, old_json, old_op, new_json]
        )
        _replace_perimeter(con, action, json.loads(new_json), operation)
    drop(con)


def _replace_perimeter(con, action: str, territories: list[str], operation: int | None) -> None:
    con.execute("DELETE FROM perimetre_action WHERE action = ?", [action])
    for territoire in territories:
        con.execute("INSERT INTO perimetre_action VALUES (?, ?, ?)", [action, territoire, operation])


def rollback_conflicts(con, operation: int) -> list[str]:
    """Why the follow-up set by `operation` cannot be undone yet: later operations changed it."""
    if not has_table(con, "suivi_action_historique"):
        return []
    problems = []
    later = con.execute(
        """SELECT s.operation, count(*) FROM suivi_action_historique h
           JOIN suivi_action s ON s.action = h.action AND s.territoire = h.territoire AND s.annee = h.annee
           WHERE h.operation = ? AND s.operation <> ?
           GROUP BY 1 ORDER BY 1""",
        [operation, operation],
    ).fetchall()
    problems += [f"n°{op} ({n} statut(s) d'action)" for op, n in later]
    removed = con.execute(
        """SELECT count(*) FROM suivi_action_historique h
           WHERE h.operation = ? AND h.nouveau_statut IS NOT NULL AND NOT EXISTS (
             SELECT 1 FROM suivi_action s WHERE s.action = h.action AND s.territoire = h.territoire AND s.annee = h.annee)""",
        [operation],
    ).fetchone()[0]
    if removed:
        problems.append(f"{removed} statut(s) d'action retiré(s) depuis")
    for action, new_json in con.execute(
        "SELECT action, nouveau_perimetre FROM perimetre_historique WHERE operation = ?", [operation]
    ).fetchall():
        current, current_op = _perimeter_of(con, action)
        if current != json.loads(new_json) or current_op != operation:
            problems.append(f"périmètre de l'action {action} modifié depuis")
    return problems


def rollback(con, operation: int, new_operation: int) -> tuple[int, int]:
    """Restore the statuses and perimeters `operation` replaced; returns (statuses restored, removed)."""
    if not has_table(con, "suivi_action_historique"):
        return 0, 0
    counts = con.execute(
        """SELECT count(*) FILTER (WHERE ancien_statut IS NOT NULL), count(*) FILTER (WHERE ancien_statut IS NULL)
           FROM suivi_action_historique WHERE operation = ?""",
        [operation],
    ).fetchone()
    con.execute(
        f"""INSERT INTO suivi_action_historique
            SELECT ?, action, territoire, annee,
                   CASE WHEN ancien_statut IS NULL THEN '{REMOVED}' ELSE '{RESTORED}' END,
                   nouveau_statut, nouvelle_date, nouveau_commentaire, ?,
                   ancien_statut, ancienne_date, ancien_commentaire
            FROM suivi_action_historique WHERE operation = ?""",
        [new_operation, operation, operation],
    )
    con.execute(
        """DELETE FROM suivi_action s USING suivi_action_historique h
           WHERE h.operation = ? AND s.action = h.action AND s.territoire = h.territoire AND s.annee = h.annee""",
        [operation],
    )
    con.execute(
        """INSERT INTO suivi_action
           SELECT action, territoire, annee, ancien_statut, ancienne_date, ancien_commentaire, ancienne_operation
           FROM suivi_action_historique WHERE operation = ? AND ancien_statut IS NOT NULL""",
        [operation],
    )
    for action, old_json, old_op, new_json in con.execute(
        """SELECT action, ancien_perimetre, ancienne_operation, nouveau_perimetre
           FROM perimetre_historique WHERE operation = ?""",
        [operation],
    ).fetchall():
        con.execute(
            "INSERT INTO perimetre_historique VALUES (?, ?, ?, ?, ?)",
            [new_operation, action, new_json, operation, old_json],
        )
        _replace_perimeter(con, action, json.loads(old_json), old_op)
    return int(counts[0]), int(counts[1])


def summary_text(n_statuts: int, n_perimetres: int) -> str:
    """« 3 statut(s) d'action, 1 périmètre(s) d'action », or '' when the file changed neither."""
    parts = []
    if n_statuts:
        parts.append(f"{n_statuts} statut(s) d'action")
    if n_perimetres:
        parts.append(f"{n_perimetres} périmètre(s) d'action")
    return ", ".join(parts)
