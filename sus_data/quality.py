"""Data quality for a year or a quarter: what has arrived, and which figures deserve a second look.

- Completeness: the indicator × territory pairs expected for the period (those of the quarterly
  template, `templates.expected_rows`: programme indicators of the programmes in progress), and which
  have arrived. For a year, a pair has arrived as soon as the yearly value or one of its quarters has;
  for a quarter, the quarter itself. A TAS whose sectors all sent an additive figure has arrived too
  (its value is their sum).
- Atypical changes: the change from the previous period lies further than `[seuils] ecart_atypique`
  robust deviations (median absolute deviation × 1.4826) from the median of the series' past changes,
  given at least MIN_HISTORY past changes. Values computed from the TAS and incomplete years are left
  aside: the figures that were sent are the ones checked.
- A TAS value above the département's, for counts and figures that add up.
- A stored département value that differs from the sum of its TAS, for figures that add up, when every
  TAS has a value.
Every flagged row carries the indicator's code, so that the page links to the indicator's fiche.
Values shown go through the secret statistique like every page.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import formatting, queries, secret, templates
from .config import Config
from .filters import Filters
from .periods import previous
from .vocabulary import MESURE_VALEUR, UNIT_COUNT

MIN_HISTORY = 4
MAD_TO_SIGMA = 1.4826
RECEIVED = "✔ reçue"
MISSING = "✘ manquante"
NOT_EXPECTED = ""
# Two département figures that differ by less than this are equal (sums of decimals).
SUM_TOLERANCE = 1e-6


def _ambitions(con) -> pd.DataFrame:
    frame = queries.ambitions(con)
    frame["titre"] = [f"{n}. {label}" for n, label in zip(frame["numero"], frame["libelle_court"], strict=True)]
    return frame


def _percent(received: int, expected: int) -> float | None:
    return received / expected * 100 if expected else None


def _cell(received: int, expected: int) -> str:
    if not expected:
        return formatting.MISSING
    return f"{received} / {expected} ({formatting.pourcentage(_percent(received, expected), 0)})"


def completeness(con, config: Config, annee: int, trimestre: int = 0) -> dict:
    """Expected pairs and whether each has arrived, with percentages per ambition and territory."""
    expected = templates.expected_rows(con, config, annee, trimestre)[["code", "libelle", "unite", "territoire"]]
    meta = con.execute("SELECT code, ambition, additivite, ordre FROM indicateur").df()
    expected = expected.merge(meta, on="code", how="left")
    params = [MESURE_VALEUR, annee]
    period = "annee = ?"
    if trimestre:
        period += " AND trimestre = ?"
        params.append(trimestre)
    direct = set(
        con.execute(
            f"SELECT DISTINCT indicateur, territoire FROM valeur WHERE mesure = ? AND {period}", params
        ).fetchall()
    )
    children: dict[str, list[str]] = {}
    for code, parent in con.execute("SELECT code, parent FROM territoire WHERE parent IS NOT NULL").fetchall():
        children.setdefault(parent, []).append(code)

    def arrived(code: str, territoire: str, additive: bool) -> bool:
        if (code, territoire) in direct:
            return True
        below = children.get(territoire, [])
        return additive and bool(below) and all((code, child) in direct for child in below)

    expected["recue"] = [
        arrived(c, t, a == "somme")
        for c, t, a in zip(expected["code"], expected["territoire"], expected["additivite"], strict=True)
    ]
    ambitions = _ambitions(con)
    context = queries.territoires_context(con)
    territories = [t for t in [context.departement, *context.tas] if t in set(expected["territoire"])]
    grid_display, grid_data = [], []
    for amb in ambitions.itertuples(index=False):
        own = expected[expected["ambition"] == amb.code]
        if own.empty:
            continue
        display = {"Ambition": amb.titre}
        for territoire in territories:
            cells = own[own["territoire"] == territoire]
            n, got = len(cells), int(cells["recue"].sum())
            display[context.libelles[territoire]] = _cell(got, n)
            grid_data.append(
                {"Ambition": amb.titre, "Territoire": context.libelles[territoire], "Attendues": n, "Reçues": got,
                 "Taux de réception (%)": _percent(got, n)}
            )  # fmt: skip
        n, got = len(own), int(own["recue"].sum())
        display["Ensemble"] = _cell(got, n)
        grid_data.append(
            {
                "Ambition": amb.titre,
                "Territoire": "Ensemble",
                "Attendues": n,
                "Reçues": got,
                "Taux de réception (%)": _percent(got, n),
            }
        )
        grid_display.append(display)
    total_expected, total_received = len(expected), int(expected["recue"].sum())
    return {
        "periode": formatting.periode(annee, trimestre),
        "attendues": total_expected,
        "recues": total_received,
        "taux": _percent(total_received, total_expected),
        "grid": pd.DataFrame(grid_display),
        "grid_data": pd.DataFrame(grid_data),
        "detail": expected.sort_values("ordre").reset_index(drop=True),
        "territoires": territories,
        "libelles": context.libelles,
    }


def completeness_detail(completude: dict, ambition: str) -> pd.DataFrame:
    """The grid of one ambition: one row per indicator, one column per territory, ✔ reçue / ✘ manquante."""
    own = completude["detail"][completude["detail"]["ambition"] == ambition]
    if own.empty:
        return pd.DataFrame()
    wide = own.pivot_table(index=["code", "libelle", "ordre"], columns="territoire", values="recue", aggfunc="first")
    wide = wide.reset_index().sort_values("ordre")
    out = pd.DataFrame({"Code": wide["code"], "Indicateur": wide["libelle"]})
    for territoire in completude["territoires"]:
        column = wide[territoire] if territoire in wide else pd.Series([np.nan] * len(wide), index=wide.index)
        out[completude["libelles"][territoire]] = [
            NOT_EXPECTED if pd.isna(v) else (RECEIVED if v else MISSING) for v in column
        ]
    return out.reset_index(drop=True)


def _series(con, trimestre: int) -> pd.DataFrame:
    return queries.series(con, None, Filters(), "trimestre" if trimestre else "annee")


def outliers(con, annee: int, trimestre: int, threshold: float, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Values of the period whose change from the previous period lies far outside the series' history:
    farther from the median change than `threshold` times the spread (median absolute deviation, scaled
    to a standard deviation), with at least MIN_HISTORY past changes.

    Computed by DuckDB over the copy's derived series (a million values: tenths of a second instead of a
    second of pandas merges), else with pandas over `frame` (the series of every indicator)."""
    table = queries.derived_table(con, "trimestre" if trimestre else "annee")
    if frame is None and table is not None:
        return _flag(_changes_sql(con, table, annee, trimestre), threshold)
    frame = _series(con, trimestre) if frame is None else frame
    sent = frame[~frame["calcule"] & ~frame["partiel"]][
        ["indicateur", "territoire", "annee", "trimestre", "valeur", "ordre_periode"]
    ]
    if sent.empty:
        return _empty_flags()
    before = [previous(int(a), int(t)) for a, t in zip(sent["annee"], sent["trimestre"], strict=True)]
    sent = sent.assign(annee_avant=[b[0] for b in before], trimestre_avant=[b[1] for b in before])
    prior = sent[["indicateur", "territoire", "annee", "trimestre", "valeur"]].rename(
        columns={"annee": "annee_avant", "trimestre": "trimestre_avant", "valeur": "precedente"}
    )
    changes = sent.merge(prior, on=["indicateur", "territoire", "annee_avant", "trimestre_avant"], how="inner")
    changes["evolution"] = changes["valeur"] - changes["precedente"]
    current = changes[(changes["annee"] == annee) & (changes["trimestre"] == trimestre)]
    if current.empty:
        return _empty_flags()
    position = annee * 10 + (trimestre if trimestre else 5)
    past = changes[changes["ordre_periode"] < position]
    stats = past.groupby(["indicateur", "territoire"])["evolution"].agg(["median", "count"]).reset_index()
    past = past.merge(stats[["indicateur", "territoire", "median"]], on=["indicateur", "territoire"])
    past["ecart"] = (past["evolution"] - past["median"]).abs()
    mad = past.groupby(["indicateur", "territoire"])["ecart"].median().rename("mad").reset_index()
    stats = stats.merge(mad, on=["indicateur", "territoire"])
    return _flag(current.merge(stats, on=["indicateur", "territoire"], how="inner"), threshold)


def _changes_sql(con, table: str, annee: int, trimestre: int) -> pd.DataFrame:
    """The period's changes with the median and MAD of each series' past changes (as `outliers`)."""
    return con.execute(
        f"""
        WITH sent AS (
            SELECT indicateur, territoire, annee, trimestre, valeur, ordre_periode FROM {table}
            WHERE NOT calcule AND NOT partiel
        ),
        changes AS (
            SELECT s.indicateur, s.territoire, s.annee, s.trimestre, s.valeur, s.ordre_periode,
                   p.valeur AS precedente, s.valeur - p.valeur AS evolution
            FROM sent s JOIN sent p
              ON p.indicateur = s.indicateur AND p.territoire = s.territoire
             AND p.annee = CASE WHEN s.trimestre IN (0, 1) THEN s.annee - 1 ELSE s.annee END
             AND p.trimestre = CASE WHEN s.trimestre = 0 THEN 0 WHEN s.trimestre = 1 THEN 4 ELSE s.trimestre - 1 END
        ),
        current AS (SELECT * FROM changes WHERE annee = $annee AND trimestre = $trimestre),
        past AS (
            SELECT c.* FROM changes c SEMI JOIN current k ON k.indicateur = c.indicateur AND k.territoire = c.territoire
            WHERE c.ordre_periode < $position
        ),
        stats AS (
            SELECT indicateur, territoire, median(evolution) AS median, count(*) AS count FROM past GROUP BY ALL
        ),
        mad AS (
            SELECT p.indicateur, p.territoire, median(abs(p.evolution - s.median)) AS mad
            FROM past p JOIN stats s ON s.indicateur = p.indicateur AND s.territoire = p.territoire
            GROUP BY ALL
        )
        SELECT c.indicateur, c.territoire, c.annee, c.trimestre, c.valeur, c.ordre_periode, c.precedente,
               c.evolution, s.median, s.count, m.mad
        FROM current c JOIN stats s ON s.indicateur = c.indicateur AND s.territoire = c.territoire
        JOIN mad m ON m.indicateur = c.indicateur AND m.territoire = c.territoire
        ORDER BY c.indicateur, c.territoire
        """,
        {"annee": annee, "trimestre": trimestre, "position": annee * 10 + (trimestre if trimestre else 5)},
    ).df()


def _flag(found: pd.DataFrame, threshold: float) -> pd.DataFrame:
    if found.empty:
        return _empty_flags()
    found = found[found["count"] >= MIN_HISTORY]
    spread = found["mad"] * MAD_TO_SIGMA
    distance = (found["evolution"] - found["median"]).abs()
    found = found[np.where(spread > 0, distance > threshold * spread, distance > 0)]
    return found.assign(spread=spread.loc[found.index]).reset_index(drop=True)


def _empty_flags() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            "indicateur",
            "territoire",
            "annee",
            "trimestre",
            "valeur",
            "precedente",
            "evolution",
            "median",
            "spread",
        ]
    )


def tas_above_departement(con, annee: int, trimestre: int, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """TAS values above the département's in the period, for counts and figures that add up."""
    frame = _series(con, trimestre) if frame is None else frame
    context = queries.territoires_context(con)
    meta = con.execute("SELECT code, unite, additivite FROM indicateur").df()
    concerned = set(meta[(meta["unite"] == UNIT_COUNT) | (meta["additivite"] == "somme")]["code"])
    here = frame[(frame["annee"] == annee) & (frame["trimestre"] == trimestre) & frame["indicateur"].isin(concerned)]
    dep = here[here["territoire"] == context.departement][["indicateur", "valeur", "calcule"]].rename(
        columns={"valeur": "departement", "calcule": "departement_calcule"}
    )
    tas = here[here["territoire"].isin(context.tas)][["indicateur", "territoire", "valeur"]]
    both = tas.merge(dep, on="indicateur")
    return both[both["valeur"] > both["departement"] + SUM_TOLERANCE].reset_index(drop=True)


def departement_not_sum(con, annee: int, trimestre: int, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Stored département values that differ from the sum of their TAS (every TAS present), for figures
    that add up."""
    frame = _series(con, trimestre) if frame is None else frame
    context = queries.territoires_context(con)
    additive = set(con.execute("SELECT code FROM indicateur WHERE additivite = 'somme'").df()["code"])
    here = frame[
        (frame["annee"] == annee)
        & (frame["trimestre"] == trimestre)
        & frame["indicateur"].isin(additive)
        & ~frame["partiel"]
    ]
    dep = here[(here["territoire"] == context.departement) & ~here["calcule"]][["indicateur", "valeur"]]
    tas = here[here["territoire"].isin(context.tas)]
    sums = tas.groupby("indicateur")["valeur"].agg(["sum", "count"]).reset_index()
    sums = sums[sums["count"] == len(context.tas)]
    both = dep.merge(sums, on="indicateur").rename(columns={"valeur": "departement", "sum": "somme_tas"})
    differs = np.array(
        [
            not math.isclose(d, t, rel_tol=1e-9, abs_tol=SUM_TOLERANCE)
            for d, t in zip(both["departement"], both["somme_tas"], strict=True)
        ],
        dtype=bool,
    )
    return both.loc[differs].drop(columns="count").reset_index(drop=True)


def _shown(value, unite: str, seuil: int) -> str:
    return secret.label(seuil) if secret.is_masked(value, seuil) else formatting.valeur(value, unite)


def _number(value, seuil: int):
    return None if secret.is_masked(value, seuil) or pd.isna(value) else float(value)


def quality_view(con, annee: int, trimestre: int = 0, config: Config | None = None) -> dict:
    """The Qualité des données page for one period: completeness, and the three lists of flags."""
    if config is None:
        from .config import get_config

        config = get_config()
    periode = formatting.periode(annee, trimestre)
    completude = completeness(con, config, annee, trimestre)
    # The period's own checks need only its year; the atypical changes read the whole history themselves.
    granularite = "trimestre" if trimestre else "annee"
    frame = queries.series(con, None, Filters(debut=annee, fin=annee), granularite)
    meta = con.execute("SELECT code, libelle, unite FROM indicateur").df().set_index("code")
    thresholds = secret.rules(con)
    context = queries.territoires_context(con)
    sigle = config.sigle_territoires

    def label(code: str) -> str:
        return meta.loc[code, "libelle"] if code in meta.index else code

    def unit(code: str) -> str:
        return meta.loc[code, "unite"] if code in meta.index else ""

    atypical = outliers(con, annee, trimestre, config.seuils.ecart_atypique)
    atypical_display = pd.DataFrame(
        {
            "Code": atypical["indicateur"],
            "Indicateur": [label(c) for c in atypical["indicateur"]],
            "Territoire": [context.libelles.get(t, t) for t in atypical["territoire"]],
            "Valeur": [
                _shown(v, unit(c), thresholds.get(c, 0))
                for c, v in zip(atypical["indicateur"], atypical["valeur"], strict=True)
            ],
            "Période précédente": [
                _shown(v, unit(c), thresholds.get(c, 0))
                for c, v in zip(atypical["indicateur"], atypical["precedente"], strict=True)
            ],
            "Évolution": [formatting.nombre(v) if v < 0 else "+" + formatting.nombre(v) for v in atypical["evolution"]],
            "Évolution habituelle": [
                f"{formatting.nombre(m)} ± {formatting.nombre(s)}"
                for m, s in zip(atypical["median"], atypical["spread"], strict=True)
            ],
        }
    )
    atypical_data = pd.DataFrame(
        {
            "Code": atypical["indicateur"],
            "Indicateur": [label(c) for c in atypical["indicateur"]],
            "Territoire": atypical["territoire"],
            "Période": periode,
            "Valeur": [
                _number(v, thresholds.get(c, 0))
                for c, v in zip(atypical["indicateur"], atypical["valeur"], strict=True)
            ],
            "Valeur précédente": [
                _number(v, thresholds.get(c, 0))
                for c, v in zip(atypical["indicateur"], atypical["precedente"], strict=True)
            ],
            "Évolution": atypical["evolution"],
            "Médiane des évolutions passées": atypical["median"],
            "Écart robuste": atypical["spread"],
        }
    )
    above = tas_above_departement(con, annee, trimestre, frame)
    above_display = pd.DataFrame(
        {
            "Code": above["indicateur"],
            "Indicateur": [label(c) for c in above["indicateur"]],
            sigle: [context.libelles.get(t, t) for t in above["territoire"]],
            f"Valeur du {sigle}": [
                _shown(v, unit(c), thresholds.get(c, 0))
                for c, v in zip(above["indicateur"], above["valeur"], strict=True)
            ],
            "Valeur du département": [
                _shown(v, unit(c), thresholds.get(c, 0))
                for c, v in zip(above["indicateur"], above["departement"], strict=True)
            ],
        }
    )
    above_data = pd.DataFrame(
        {
            "Code": above["indicateur"],
            "Indicateur": [label(c) for c in above["indicateur"]],
            sigle: above["territoire"],
            "Période": periode,
            f"Valeur du {sigle}": [
                _number(v, thresholds.get(c, 0)) for c, v in zip(above["indicateur"], above["valeur"], strict=True)
            ],
            "Valeur du département": [
                _number(v, thresholds.get(c, 0)) for c, v in zip(above["indicateur"], above["departement"], strict=True)
            ],
        }
    )
    sums = departement_not_sum(con, annee, trimestre, frame)
    sums_display = pd.DataFrame(
        {
            "Code": sums["indicateur"],
            "Indicateur": [label(c) for c in sums["indicateur"]],
            "Département (valeur reçue)": [
                _shown(v, unit(c), thresholds.get(c, 0))
                for c, v in zip(sums["indicateur"], sums["departement"], strict=True)
            ],
            f"Somme des {sigle}": [
                _shown(v, unit(c), thresholds.get(c, 0))
                for c, v in zip(sums["indicateur"], sums["somme_tas"], strict=True)
            ],
            "Écart": [formatting.nombre(d - t) for d, t in zip(sums["departement"], sums["somme_tas"], strict=True)],
        }
    )
    sums_data = pd.DataFrame(
        {
            "Code": sums["indicateur"],
            "Indicateur": [label(c) for c in sums["indicateur"]],
            "Période": periode,
            "Département (valeur reçue)": [
                _number(v, thresholds.get(c, 0)) for c, v in zip(sums["indicateur"], sums["departement"], strict=True)
            ],
            f"Somme des {sigle}": [
                _number(v, thresholds.get(c, 0)) for c, v in zip(sums["indicateur"], sums["somme_tas"], strict=True)
            ],
            "Écart": sums["departement"] - sums["somme_tas"],
        }
    )
    flagged = list(dict.fromkeys([*atypical["indicateur"], *above["indicateur"], *sums["indicateur"]]))
    return {
        "periode": periode,
        "completude": completude,
        "atypiques": {"display": atypical_display, "data": atypical_data},
        "tas_au_dessus": {"display": above_display, "data": above_data},
        "somme_tas": {"display": sums_display, "data": sums_data},
        "liens": [(code, label(code)) for code in flagged],
    }
