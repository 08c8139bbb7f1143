"""View models: what one block of a page shows, composed from queries and tables.

A page asks for one view and renders it; the shaping (which territories, which period, which table)
lives here, where it is tested without Streamlit.
"""

from __future__ import annotations

import pandas as pd

from . import formatting, queries, tables
from .filters import Filters


def shown_territories(con, flt: Filters) -> list[str]:
    """The département (always, as the reference) and the chosen territories, else the TAS."""
    context = queries.territoires_context(con)
    chosen = list(flt.territoires) or context.tas
    return [context.departement, *[c for c in chosen if c != context.departement]]


def indicator_view(con, code: str, flt: Filters) -> dict:
    """One indicator's series for the shown territories, its targets and the TAS comparison."""
    meta = queries.indicator_meta(con, [code]).iloc[0]
    territories = shown_territories(con, flt)
    frame = queries.series(con, [code], flt)
    shown = frame[frame["territoire"].isin(territories)]
    targets = queries.targets(con, [code], flt)
    targets = targets[targets["territoire"].isin(territories)]
    period = None
    if flt.annee is not None:
        candidates = frame[(frame["annee"] == flt.annee) & ((frame["trimestre"] == flt.trimestre) if flt.trimestre else True)]
        period = queries.latest_period(candidates)
    comparison = queries.comparison(con, frame, code, period)
    if not comparison.empty:
        terr = queries.territories(con)[["code", "couleur", "niveau"]]
        comparison = comparison.merge(terr, left_on="territoire", right_on="code").drop(columns=["code"])
    return {
        "code": code,
        "libelle": meta["libelle"],
        "unite": meta["unite"],
        "additivite": meta["additivite"],
        "series": shown.reset_index(drop=True),
        "targets": targets.reset_index(drop=True),
        "comparison": comparison,
        "periode": comparison["periode"].iloc[0] if not comparison.empty else None,
        "demo": bool(shown["demo"].any()) if not shown.empty else False,
    }


def latest_table(con, codes: list[str], flt: Filters) -> dict:
    """For several indicators, their latest value for the département and each TAS, in one table."""
    context = queries.territoires_context(con)
    frame = queries.series(con, codes, flt)
    meta = queries.indicator_meta(con, codes).set_index("code")
    columns = [context.departement, *context.tas]
    headers = [context.libelles[c] for c in columns]
    rows_display, rows_data = [], []
    any_demo = False
    for code in codes:
        own = frame[(frame["indicateur"] == code) & frame["territoire"].isin(columns)]
        if own.empty:
            continue
        last = queries.latest_period(own)
        current = own[(own["annee"] == last[0]) & (own["trimestre"] == last[1])].set_index("territoire")
        unite = meta.loc[code, "unite"]
        display = {"Indicateur": meta.loc[code, "libelle"], "Code": code, "Période": formatting.periode(*last)}
        data = dict(display)
        for territory, header in zip(columns, headers, strict=True):
            if territory in current.index:
                row = current.loc[territory]
                any_demo = any_demo or bool(row["demo"])
                display[header] = tables._mark(row["valeur"], unite, bool(row["calcule"]), bool(row["partiel"]), bool(row["demo"]))
                data[header] = row["valeur"]
            else:
                display[header] = formatting.MISSING
                data[header] = None
        display["Unité"] = data["Unité"] = unite
        rows_display.append(display)
        rows_data.append(data)
    return {"display": pd.DataFrame(rows_display), "data": pd.DataFrame(rows_data), "demo": any_demo}


def territory_portrait(con, territoire: str, flt: Filters) -> dict:
    """A territory's figures across all ambitions, beside the département's and the other TAS's."""
    context = queries.territoires_context(con)
    frame = queries.portrait(con, territoire, flt)
    order = [territoire, context.departement, *[t for t in context.tas if t != territoire]]
    order = list(dict.fromkeys(order))
    columns = [(code, context.libelles[code]) for code in order]
    terr = queries.territories(con).set_index("code").loc[territoire]
    population = None
    if pd.notna(terr["population"]):
        population = {
            "valeur": int(terr["population"]),
            "annee": None if pd.isna(terr["population_annee"]) else int(terr["population_annee"]),
            "source": terr["population_source"],
        }
    if frame.empty:
        return {"libelle": terr["libelle"], "niveau": terr["niveau"], "display": frame, "data": frame, "population": population, "demo": False, "ambitions": []}
    display, data = tables.portrait_table(frame, territoire, columns)
    return {
        "libelle": terr["libelle"],
        "niveau": terr["niveau"],
        "display": display,
        "data": data,
        "population": population,
        "demo": bool(frame["demo"].any()),
        "ambitions": list(dict.fromkeys(frame["ambition_libelle"])),
    }


def indicator_page(con, code: str, flt: Filters) -> dict:
    """The fiche of an indicator, its values with the import that set each one, and its chart data."""
    fiche = queries.indicator_fiche(con, code)
    values = queries.indicator_values(con, code)
    display, data = tables.values_table(values, fiche["unite"]) if not values.empty else (values, values)
    return {
        "fiche": fiche,
        "view": indicator_view(con, code, flt),
        "values_display": display,
        "values_data": data,
        "links": queries.links(con, fiche["noeud"]),
    }


def indicator_options(con) -> pd.DataFrame:
    """Every indicator with a label for pickers, those with values first."""
    return con.execute(
        """SELECT i.code, i.libelle, i.ambition, EXISTS (SELECT 1 FROM valeur v WHERE v.indicateur = i.code) AS a_des_valeurs
           FROM indicateur i ORDER BY a_des_valeurs DESC, i.ordre"""
    ).df()
