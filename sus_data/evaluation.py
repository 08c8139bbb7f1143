"""Targets and progress: for a year and a territory, where each indicator with a target stands.

For every indicator that has a target (mesure 'cible', yearly) or a baseline (mesure 'reference') for
the territory:
- the target looked at is the one of the year itself, else the next one after it (the trajectory
  towards 2027), else the last one before it (a past target, reached or not);
- the achieved value is the latest yearly value up to the year (a complete year preferred to a year
  still incomplete), derived from the quarters when no yearly value is stored;
- the baseline is the recorded reference (latest one up to the year, else the first), failing that the
  first complete year known;
- the status comes from `progress.assess` with the indicator's desired direction and the configured
  tolerance (`[seuils] tolerance_trajectoire`), as an icon and a word.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import formatting, progress, queries, secret
from .filters import Filters
from .vocabulary import MESURE_CIBLE, MESURE_REFERENCE, YEARLY

STATUS_ORDER = (
    progress.STATUS_REACHED,
    progress.STATUS_ON_TRACK,
    progress.STATUS_LATE,
    progress.STATUS_NO_TARGET,
    progress.STATUS_NO_VALUE,
    progress.STATUS_NOT_APPLICABLE,
)
COLUMNS = [
    "ambition", "code", "libelle", "unite", "sens", "nature",
    "reference", "annee_reference", "valeur", "annee_valeur", "partiel", "demo",
    "cible", "annee_cible", "statut", "part_parcourue", "part_ecoulee",
]  # fmt: skip
SENS_WORDS = {"hausse": "à la hausse", "baisse": "à la baisse", "neutre": "aucun"}


@dataclass(frozen=True)
class _Point:
    annee: int
    valeur: float
    partiel: bool = False
    demo: bool = False


def legend(tolerance: float | None = None) -> str:
    """What each status means, with the configured tolerance, for the page and the report."""
    if tolerance is None:
        from .config import get_config

        tolerance = get_config().seuils.tolerance_trajectoire
    share = formatting.pourcentage(tolerance * 100, 0)
    return (
        f"{status_label(progress.STATUS_REACHED)} : la dernière valeur a atteint la cible dans le sens souhaité. "
        f"{status_label(progress.STATUS_ON_TRACK)} : la part du chemin parcouru depuis la référence vaut au moins "
        f"{share} de la part du temps écoulé entre l'année de référence et celle de la cible. "
        f"{status_label(progress.STATUS_LATE)} : sinon, ou l'année de la cible est passée sans l'atteindre. "
        f"{status_label(progress.STATUS_NO_TARGET)} : une référence sans cible. "
        f"{status_label(progress.STATUS_NO_VALUE)} : aucune valeur reçue. "
        f"{status_label(progress.STATUS_NOT_APPLICABLE)} : indicateur sans sens souhaité (ni hausse ni baisse)."
    )


def status_label(statut: str) -> str:
    """« ✔ atteint »: the icon and the word, never a colour alone."""
    return f"{progress.ICONS[statut]} {statut}"


def _stored(con, mesure: str, territoire: str) -> dict[str, list[_Point]]:
    out: dict[str, list[_Point]] = {}
    for code, annee, valeur in con.execute(
        """SELECT indicateur, CAST(annee AS INTEGER), valeur FROM valeur
           WHERE mesure = ? AND territoire = ? AND trimestre = ? ORDER BY indicateur, annee""",
        [mesure, territoire, YEARLY],
    ).fetchall():
        out.setdefault(code, []).append(_Point(annee, float(valeur)))
    return out


def _achieved(con, codes: list[str], territoire: str) -> dict[str, list[_Point]]:
    """Yearly achieved values of the territory (stored, derived from quarters, or computed from the TAS)."""
    if not codes:
        return {}
    frame = queries.series(con, codes, Filters(), "annee")
    frame = frame[frame["territoire"] == territoire].sort_values(["indicateur", "annee"])
    out: dict[str, list[_Point]] = {}
    for code, annee, valeur, partiel, demo in zip(
        frame["indicateur"], frame["annee"], frame["valeur"], frame["partiel"], frame["demo"], strict=True
    ):
        if pd.notna(valeur):
            out.setdefault(code, []).append(_Point(int(annee), float(valeur), bool(partiel), bool(demo)))
    return out


def _pick_target(targets: list[_Point], annee: int) -> _Point | None:
    exact = [t for t in targets if t.annee == annee]
    after = [t for t in targets if t.annee > annee]
    before = [t for t in targets if t.annee < annee]
    return (exact or after[:1] or before[-1:] or [None])[0]


def _pick_current(values: list[_Point], annee: int) -> _Point | None:
    upto = [v for v in values if v.annee <= annee]
    complete = [v for v in upto if not v.partiel]
    return (complete or upto or [None])[-1]


def _pick_baseline(references: list[_Point], values: list[_Point], annee: int) -> _Point | None:
    if references:
        upto = [r for r in references if r.annee <= annee]
        return upto[-1] if upto else references[0]
    complete = [v for v in values if not v.partiel and v.annee <= annee]
    return complete[0] if complete else None


def progress_rows(
    con, annee: int, territoire: str, tolerance: float | None = None, programme: str | None = None
) -> pd.DataFrame:
    """One row per indicator with a target or a baseline for the territory, with its status in `annee`
    (with `programme`, only the indicators of that programme's actions)."""
    if tolerance is None:
        from .config import get_config

        tolerance = get_config().seuils.tolerance_trajectoire
    targets = _stored(con, MESURE_CIBLE, territoire)
    references = _stored(con, MESURE_REFERENCE, territoire)
    codes = sorted(set(targets) | set(references))
    if programme is not None:  # the programme's indicators, as the sidebar's filter selects them
        codes = sorted(set(codes) & set(queries.indicators(con, Filters(programme=programme))["code"]))
    if not codes:
        return pd.DataFrame(columns=COLUMNS)
    achieved = _achieved(con, codes, territoire)
    meta = con.execute(
        """SELECT i.code, i.libelle, i.unite, i.sens, i.nature, i.ambition, a.ordre AS ambition_ordre, i.ordre
           FROM indicateur i JOIN noeud a ON a.code = i.ambition WHERE list_contains(?, i.code)
           ORDER BY a.ordre, i.ordre""",
        [codes],
    ).fetchall()
    rows = []
    for code, libelle, unite, sens, nature, ambition, _a_order, _order in meta:
        target = _pick_target(targets.get(code, []), annee)
        current = _pick_current(achieved.get(code, []), annee)
        baseline = _pick_baseline(references.get(code, []), achieved.get(code, []), annee)
        assessed = progress.assess(
            sens,
            target.valeur if target else None,
            target.annee if target else None,
            current.valeur if current else None,
            current.annee if current else None,
            baseline.valeur if baseline else None,
            baseline.annee if baseline else None,
            tolerance,
        )
        rows.append(
            {
                "ambition": ambition,
                "code": code,
                "libelle": libelle,
                "unite": unite,
                "sens": sens,
                "nature": nature,
                "reference": baseline.valeur if baseline else None,
                "annee_reference": baseline.annee if baseline else None,
                "valeur": current.valeur if current else None,
                "annee_valeur": current.annee if current else None,
                "partiel": bool(current.partiel) if current else False,
                "demo": bool(current.demo) if current else False,
                "cible": target.valeur if target else None,
                "annee_cible": target.annee if target else None,
                "statut": assessed.statut,
                "part_parcourue": assessed.part_parcourue,
                "part_ecoulee": assessed.part_ecoulee,
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("annee_reference", "annee_valeur", "annee_cible"):
        frame[column] = frame[column].astype("Int64")
    for column in ("reference", "valeur", "cible", "part_parcourue", "part_ecoulee"):
        frame[column] = frame[column].astype(float)
    return frame


def status_counts(rows: pd.DataFrame, ambitions: pd.DataFrame) -> pd.DataFrame:
    """Per ambition, how many indicators are in each status (every status a column, in a fixed order)."""
    columns = [status_label(s) for s in STATUS_ORDER]
    counts = (
        rows.assign(label=rows["statut"].map(status_label))
        .groupby(["ambition", "label"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=columns, fill_value=0)
        if len(rows)
        else pd.DataFrame(columns=columns)
    )
    counts.columns.name = None
    out = ambitions[["code", "numero", "libelle_court"]].merge(counts, left_on="code", right_index=True, how="inner")
    out[columns] = out[columns].fillna(0).astype(int)
    out["Total"] = out[columns].sum(axis=1)
    out.insert(0, "Ambition", [f"{n}. {label}" for n, label in zip(out["numero"], out["libelle_court"], strict=True)])
    return out.drop(columns=["numero", "libelle_court"]).rename(columns={"code": "Code"}).reset_index(drop=True)


def progress_tables(rows: pd.DataFrame, thresholds: dict[str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(display, data) of the progress rows: French text with the status as an icon and a word; numbers
    for downloads. Small counts (baseline, value) are masked, targets are not (they reveal nobody)."""
    masked_value = [
        secret.is_masked(v, thresholds.get(c, 0)) for c, v in zip(rows["code"], rows["valeur"], strict=True)
    ]
    masked_ref = [
        secret.is_masked(v, thresholds.get(c, 0)) for c, v in zip(rows["code"], rows["reference"], strict=True)
    ]

    def shown(value, unite, code, hidden, year=None, partiel=False, demo=False):
        if hidden:
            return secret.label(thresholds[code])
        text = formatting.valeur(value, unite)
        if year is not None and not pd.isna(year) and not pd.isna(value):
            text += f" ({int(year)}{', partiel' if partiel else ''})"
        return text + (" *" if demo else "")

    display = pd.DataFrame(
        {
            "Code": rows["code"],
            "Indicateur": rows["libelle"],
            "Sens souhaité": rows["sens"].map(SENS_WORDS).fillna(rows["sens"]),
            "Référence": [
                shown(v, u, c, h, y)
                for v, u, c, h, y in zip(
                    rows["reference"], rows["unite"], rows["code"], masked_ref, rows["annee_reference"], strict=True
                )
            ],
            "Dernière valeur": [
                shown(v, u, c, h, y, p, d)
                for v, u, c, h, y, p, d in zip(
                    rows["valeur"],
                    rows["unite"],
                    rows["code"],
                    masked_value,
                    rows["annee_valeur"],
                    rows["partiel"],
                    rows["demo"],
                    strict=True,
                )
            ],
            "Cible": [
                shown(v, u, c, False, y)
                for v, u, c, y in zip(rows["cible"], rows["unite"], rows["code"], rows["annee_cible"], strict=True)
            ],
            "Chemin parcouru": [
                formatting.pourcentage(p * 100, 0) if pd.notna(p) else "" for p in rows["part_parcourue"]
            ],
            "Statut": rows["statut"].map(status_label),
        }
    )
    notes = [
        secret.note(thresholds[c]) if (hv or hr) else ""
        for c, hv, hr in zip(rows["code"], masked_value, masked_ref, strict=True)
    ]
    data = pd.DataFrame(
        {
            "Code": rows["code"],
            "Indicateur": rows["libelle"],
            "Unité": rows["unite"],
            "Sens souhaité": rows["sens"],
            "Valeur de référence": rows["reference"].where(~pd.Series(masked_ref, index=rows.index)),
            "Année de référence": rows["annee_reference"],
            "Dernière valeur": rows["valeur"].where(~pd.Series(masked_value, index=rows.index)),
            "Année de la dernière valeur": rows["annee_valeur"],
            "Cible": rows["cible"],
            "Année de la cible": rows["annee_cible"],
            "Chemin parcouru (%)": rows["part_parcourue"] * 100,
            "Statut": rows["statut"].map(status_label),
        }
    )
    if any(notes):
        data["Note"] = notes
    return display.reset_index(drop=True), data.reset_index(drop=True)


def progress_view(con, annee: int, territoire: str, programme: str | None = None) -> dict:
    """What the Suivi page shows of targets and progress, per ambition, with the counts of statuses."""
    rows = progress_rows(con, annee, territoire, programme=programme)
    ambitions = queries.ambitions(con)
    thresholds = secret.rules(con, list(rows["code"])) if len(rows) else {}
    counts = status_counts(rows, ambitions)
    sections = []
    for amb in ambitions.itertuples(index=False):
        own = rows[rows["ambition"] == amb.code]
        if own.empty:
            continue
        display, data = progress_tables(own, thresholds)
        sections.append(
            {
                "code": amb.code,
                "titre": f"{amb.numero}. {amb.libelle_court}",
                "rows": own.reset_index(drop=True),
                "display": display,
                "data": data,
            }
        )
    return {
        "annee": annee,
        "territoire": territoire,
        "legende": legend(),
        "rows": rows,
        "counts": counts,
        "sections": sections,
        "demo": bool(rows["demo"].any()) if len(rows) else False,
        "secret": any("Note" in s["data"] for s in sections),
    }
