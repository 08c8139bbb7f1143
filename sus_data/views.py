"""View models: what one block of a page shows, composed from queries and tables.

A page asks for one view and renders it; the shaping (which territories, which period, which table)
lives here, where it is tested without Streamlit.
"""

from __future__ import annotations

import pandas as pd

from . import formatting, queries, secret, tables
from .config import get_config
from .filters import GRANULARITE_TRIMESTRE, Filters


def shown_territories(con, flt: Filters, context: queries.Territoires | None = None) -> list[str]:
    """The département (always, as the reference) and the chosen territories, else the TAS."""
    context = context or queries.territoires_context(con)
    chosen = list(flt.territoires) or context.tas
    return [context.departement, *[c for c in chosen if c != context.departement]]


def indicator_view(con, code: str, flt: Filters) -> dict:
    """One indicator's series for the shown territories, its targets and the TAS comparison."""
    context = queries.territoires_context(con)
    territories = shown_territories(con, flt, context)
    frame, targets, meta = queries.indicator_series(con, code, flt, context)
    # Small counts (and what would give them back by difference): not shown, not downloaded.
    frame = secret.mask(frame, secret.rules(con, [code]), tree=secret.hierarchy(con))
    # Comparators (région, France, other départements) with values are drawn as reference lines.
    table = context.table
    comparators = [c for c in table.loc[table["niveau"] == "comparateur", "code"] if c in set(frame["territoire"])]
    shown = frame[frame["territoire"].isin([*territories, *comparators])]
    targets = targets[targets["territoire"].isin(territories)]
    if flt.granularite == GRANULARITE_TRIMESTRE:
        targets = targets[targets["trimestre"] > 0]
    else:
        targets = targets[targets["trimestre"] == 0]
    period = None
    if flt.annee is not None:
        candidates = frame[frame["annee"] == flt.annee]
        if flt.trimestre and flt.granularite == GRANULARITE_TRIMESTRE:
            candidates = candidates[candidates["trimestre"] == flt.trimestre]
        candidates = candidates[candidates["territoire"].isin([context.departement, *context.tas])]
        period = queries.latest_period(candidates)
        if period is None:
            # Nothing in the chosen period: say so rather than show another one.
            return _view(code, meta, shown, targets, frame.iloc[0:0], None, context.table)
    comparison = queries.comparison(con, frame, code, period, context)
    periode = comparison["periode"].iloc[0] if not comparison.empty else None
    view = _view(code, meta, shown, targets, comparison, periode, context.table)
    view["sources"] = queries.comparator_sources(con, code, comparators)
    return view


def _view(code, meta, shown, targets, comparison, periode, territories: pd.DataFrame) -> dict:
    """The view of one indicator, with its tables (the same numbers as the charts) ready to show."""
    table_display, table_data = tables.series_table(shown, territories, meta["unite"])
    if comparison.empty:
        comparison_display = comparison_data = pd.DataFrame()
    else:
        comparison_display, comparison_data = tables.comparison_table(comparison, meta["unite"])
    return {
        "table": table_display,
        "table_data": table_data,
        "comparison_table": comparison_display,
        "comparison_data": comparison_data,
        "code": code,
        "libelle": meta["libelle"],
        "unite": meta["unite"],
        "additivite": meta["additivite"],
        "series": shown.reset_index(drop=True),
        "targets": targets.reset_index(drop=True),
        "comparison": comparison,
        "periode": periode,
        "demo": bool(shown["demo"].any()) if not shown.empty else False,
        "sources": {},
        "secret": _any_secret(shown) or _any_secret(comparison),
    }


def _any_secret(frame: pd.DataFrame) -> bool:
    """Does the frame hold a value masked by the secret statistique?"""
    return secret.FLAG in frame and bool(frame[secret.FLAG].any())


def latest_table(con, codes: list[str], flt: Filters) -> dict:
    """For several indicators, their latest value for the département and each TAS, in one table."""
    context = queries.territoires_context(con)
    columns = [context.departement, *context.tas]
    window = queries.series(con, codes, flt, window=0)
    frame = window[window["territoire"].isin(columns)]
    # Indicators whose latest year has values only below the TAS (that do not add up): look further back.
    missing = sorted(set(window["indicateur"]) - set(frame["indicateur"]))
    if missing:
        more = queries.series(con, missing, flt)
        frame = pd.concat([frame, more[more["territoire"].isin(columns)]], ignore_index=True)
    frame = secret.mask(queries.latest_rows(frame), secret.rules(con, codes), tree=secret.hierarchy(con))
    meta = queries.indicator_meta(con, codes).set_index("code").to_dict("index")
    headers = [context.libelles[c] for c in columns]
    cells: dict[str, dict[str, dict]] = {}
    for row in frame.to_dict("records"):
        cells.setdefault(row["indicateur"], {})[row["territoire"]] = row
    rows_display, rows_data = [], []
    any_demo = False
    for code in codes:
        current = cells.get(code)
        if not current:
            continue
        unite = meta[code]["unite"]
        first = next(iter(current.values()))
        display = {"Indicateur": meta[code]["libelle"], "Code": code, "Période": first["periode"]}
        data = dict(display)
        hidden = []
        for territory, header in zip(columns, headers, strict=True):
            row = current.get(territory)
            if row is None:
                display[header] = formatting.MISSING
                data[header] = None
                continue
            any_demo = any_demo or bool(row["demo"])
            if row[secret.FLAG]:
                display[header] = secret.label(row[secret.THRESHOLD])
                data[header] = None
                hidden.append(header)
                continue
            display[header] = tables._mark(
                row["valeur"], unite, bool(row["calcule"]), bool(row["partiel"]), bool(row["demo"])
            )
            data[header] = row["valeur"]
        display["Unité"] = data["Unité"] = unite
        if hidden:
            data[tables.NOTE_COLUMN] = f"Secret statistique, valeur non diffusée : {', '.join(hidden)}"
        rows_display.append(display)
        rows_data.append(data)
    data_frame = pd.DataFrame(rows_data)
    any_secret = tables.NOTE_COLUMN in data_frame
    if any_secret:
        data_frame[tables.NOTE_COLUMN] = data_frame[tables.NOTE_COLUMN].fillna("")
    return {"display": pd.DataFrame(rows_display), "data": data_frame, "demo": any_demo, "secret": any_secret}


def territory_portrait(con, territoire: str, flt: Filters) -> dict:
    """A territory's figures across all ambitions, beside the département's and the other TAS's."""
    context = queries.territoires_context(con)
    frame = queries.portrait(con, territoire, flt)
    if flt.ambition or flt.noeud:  # the sidebar's ambition (or orientation) narrows the portrait too
        chosen = set(queries.indicators(con, flt)["code"])
        frame = frame[frame["indicateur"].isin(chosen)].reset_index(drop=True)
    order = [territoire, context.departement, *[t for t in context.tas if t != territoire]]
    order = list(dict.fromkeys(order))
    columns = [(code, context.libelles[code]) for code in order]
    terr = context.table.set_index("code").loc[territoire]
    population = None
    if pd.notna(terr["population"]):
        population = {
            "valeur": int(terr["population"]),
            "annee": None if pd.isna(terr["population_annee"]) else int(terr["population_annee"]),
            "source": terr["population_source"],
        }
    if frame.empty:
        return {
            "libelle": terr["libelle"],
            "niveau": terr["niveau"],
            "display": frame,
            "data": frame,
            "population": population,
            "demo": False,
            "secret": False,
            "ambitions": [],
        }
    thresholds = secret.rules(con, sorted(set(frame["indicateur"])))
    masked = secret.mask(frame, thresholds)
    frame = secret.mask_columns(masked, thresholds, order, "indicateur", tree=secret.hierarchy(con), own=territoire)
    frame["pour_1000"] = frame["pour_1000"].where(~frame[secret.FLAG])  # a rate would give the count back
    display, data = tables.portrait_table(frame, territoire, columns)
    return {
        "libelle": terr["libelle"],
        "niveau": terr["niveau"],
        "display": display,
        "data": data,
        "population": population,
        "demo": bool(frame["demo"].any()),
        "secret": tables.NOTE_COLUMN in data,
        "ambitions": list(dict.fromkeys(frame["ambition_libelle"])),
    }


AGREGATION_WORDS = {
    "somme": "somme des trimestres (flux)",
    "dernier": "valeur du dernier trimestre (stock)",
    "moyenne": "moyenne des trimestres (taux)",
    "aucune": "aucune valeur annuelle calculée",
}


def indicator_page(con, code: str, flt: Filters) -> dict | None:
    """The fiche of an indicator, its values with the import that set each one, and its chart data.

    None when the indicator does not exist (any more: a rollback can remove a context indicator while a
    page still lists it)."""
    fiche = queries.indicator_fiche(con, code)
    if fiche is None:
        return None
    values = queries.indicator_values(con, code)
    if not values.empty:  # achieved values and baselines are observed counts; targets are not
        observed = values["mesure"] != "cible"
        values = secret.mask(
            values.assign(indicateur=code), secret.rules(con, [code]), where=observed, tree=secret.hierarchy(con)
        )
    display, data = tables.values_table(values, fiche["unite"]) if not values.empty else (values, values)
    chain = " › ".join(
        f"{row.niveau} {row.numero} : {formatting.markdown(row.libelle)}"
        if isinstance(row.numero, str) and row.numero
        else f"{row.niveau} {formatting.markdown(row.libelle)}"
        for row in fiche["ancetres"].itertuples(index=False)
    )
    texts = [
        (label, fiche.get(key))
        for label, key in (
            ("Définition", "definition"),
            ("Rôle du Département", "role"),
            ("Partenaires", "partenaires"),
        )
        if fiche.get(key)
    ]
    facts = [
        ("Code", fiche["code"]),
        ("Unité", fiche["unite"]),
        ("Nature", fiche["nature"]),
        ("Valeur annuelle", AGREGATION_WORDS.get(fiche["agregation"], fiche["agregation"])),
        (
            f"Département calculé à partir des {get_config().sigle_territoires}",
            "oui" if fiche["additivite"] == "somme" else "non",
        ),
        ("Sens souhaité", tables.SENS_WORDS.get(fiche["sens"], fiche["sens"])),
        ("Source", fiche.get("source") or "non précisée"),
    ]
    return {
        "fiche": fiche,
        "chaine": chain,
        "textes": texts,
        "faits": facts,
        "view": indicator_view(con, code, flt),
        "values_display": display,
        "values_data": data,
        "values_demo": bool(values["demo"].any()) if not values.empty else False,
        "values_secret": bool(values[secret.FLAG].any()) if not values.empty else False,
        "links": queries.links(con, fiche["noeud"]),
    }


def indicator_options(con) -> pd.DataFrame:
    """Every indicator with a label for pickers, those with values first."""
    return con.execute(
        f"""SELECT i.code, i.libelle, i.ambition, coalesce(s.nb_total, 0) > 0 AS a_des_valeurs
            FROM indicateur i LEFT JOIN {queries._stats(con)} s ON s.indicateur = i.code
            ORDER BY a_des_valeurs DESC, i.ordre"""
    ).df()


def overview_tiles(con, flt: Filters) -> dict:
    """The overview page: one tile per ambition with its headline cards, as text ready to show."""
    tiles = []
    any_demo = False
    overview = queries.overview(con, flt)
    thresholds = secret.rules(con, sorted({h.code for tile in overview for h in tile["headlines"]}))
    for tile in overview:
        if flt.ambition and tile["code"] != flt.ambition:
            continue
        cards = [_secret_card(tables.headline_card(h), h, thresholds.get(h.code, 0)) for h in tile["headlines"]]
        any_demo = any_demo or any(card["demo"] for card in cards)
        tiles.append(
            {
                "code": tile["code"],
                "titre": f"{tile['numero']}. {formatting.markdown(tile['libelle_court'])}",
                "libelle": formatting.markdown(tile["libelle"]),
                "completude": tables.completeness_text(tile["completude"]),
                "cards": cards,
            }
        )
    return {"tiles": tiles, "demo": any_demo, "vide": not any(t["cards"] for t in tiles)}


def _secret_card(card: dict, h: queries.Headline, seuil: int) -> dict:
    """A headline card without small counts: « < 5 » for a masked value (no change, no sparkline), and
    neither the sparkline nor the TAS figures that hold one."""
    card["secret"] = False
    if not seuil:
        return card
    if secret.is_masked(h.valeur, seuil):
        card["metric"].update(value=secret.label(seuil), delta=None, delta_arrow="off", delta_color="gray")
        card["metric"].pop("delta_description", None)
        card["metric"]["chart_data"] = None
        card["positions"] = []
        card["secret"] = True
        return card
    if any(secret.is_masked(v, seuil) for _, v in h.sparkline):
        card["metric"]["chart_data"] = None
        card["secret"] = True
    shown = [p for p in h.positions if not secret.is_masked(p["valeur"], seuil)]
    if len(shown) < len(h.positions):
        hidden = [p["libelle_court"] for p in h.positions if secret.is_masked(p["valeur"], seuil)]
        lines = tables.position_lines(shown, h.unite, h.additif)
        lines.append(f"{', '.join(hidden)} : secret statistique (moins de {seuil})")
        card["positions"] = [formatting.markdown(line) for line in lines]
        card["secret"] = True
    return card


INDENT = "    "


def ambition_tree(con, ambition: str) -> str:
    """The tree of one ambition (orientations, objectives, actions, with their indicators) as one
    Markdown list: one element on the page instead of hundreds."""
    tree = queries.node_tree(con, ambition)
    indicators = queries.indicators(con, Filters(ambition=ambition))
    own: dict[str, list[str]] = {}
    for ind in indicators.itertuples(index=False):
        state = "" if ind.nb_valeurs else " — pas encore de valeur"
        own.setdefault(ind.noeud, []).append(
            f"📊 {formatting.markdown(ind.libelle)} (`{ind.code}`, {formatting.markdown(ind.unite)}){state}"
        )
    lines = []
    for row in tree.itertuples(index=False):
        if row.profondeur == 0:
            continue
        indent = INDENT * (row.profondeur - 1)
        lines.append(f"{indent}- **{row.niveau_libelle} {row.numero}** — {formatting.markdown(row.libelle)}")
        details = [
            ("Rôle du Département", row.role),
            ("Bénéficiaires", row.beneficiaires),
            ("Partenaires", row.partenaires),
            ("Remarque", row.remarque),
        ]
        for label, value in details:
            if isinstance(value, str) and value.strip():
                lines.append(f"{indent}{INDENT}- *{label} :* {formatting.markdown(value)}")
        for text in own.get(row.code, []):
            lines.append(f"{indent}{INDENT}- {text}")
    return "\n".join(lines)


def referential_trees(con) -> list[dict]:
    """Each ambition of the schéma with its tree as one Markdown list, for the Référentiel page."""
    out = []
    for amb in queries.ambitions(con).itertuples(index=False):
        tree = queries.node_tree(con, amb.code)
        lines = []
        for node in tree.itertuples(index=False):
            if node.profondeur == 0:
                continue
            indent = INDENT * (node.profondeur - 1)
            count = f" — {node.nb_indicateurs} indicateur(s)" if node.nb_indicateurs else ""
            lines.append(
                f"{indent}- **{node.niveau_libelle} {node.numero}** — {formatting.markdown(node.libelle)} `{node.code}`{count}"
            )
        out.append(
            {"code": amb.code, "titre": f"{amb.numero}. {amb.libelle}", "arbre": "\n".join(lines) or "Aucun nœud."}
        )
    return out


# --- Follow-up of the schéma: targets, actions and data quality (modules evaluation, followup, quality) ---


def suivi_periods(con) -> dict:
    """Years the Suivi and Qualité pages offer (latest first) and the default: the latest year with
    achieved values."""
    from .schema_upgrade import has_table

    years = {y for (y,) in con.execute("SELECT DISTINCT CAST(annee AS INTEGER) FROM valeur").fetchall()}
    if has_table(con, "suivi_action"):
        years |= {y for (y,) in con.execute("SELECT DISTINCT CAST(annee AS INTEGER) FROM suivi_action").fetchall()}
    latest = con.execute("SELECT max(annee) FROM valeur WHERE mesure = 'valeur'").fetchone()[0]
    rows = con.execute("SELECT DISTINCT CAST(annee AS INTEGER) FROM valeur WHERE mesure = 'valeur'").fetchall()
    achieved = sorted(y for (y,) in rows)
    ordered = sorted(years, reverse=True)
    default = int(latest) if latest is not None else (ordered[0] if ordered else None)
    return {"annees": ordered, "defaut": default, "annees_valeurs": achieved[::-1]}


def progress_view(con, annee: int, territoire: str, programme: str | None = None) -> dict:
    """Targets and progress of one territory in one year (see evaluation.progress_view)."""
    from . import evaluation

    return evaluation.progress_view(con, annee, territoire, programme)


def actions_view(con, annee: int, territoire: str, programme: str | None = None) -> dict:
    """Statuses of the programme's actions for one territory in one year (see followup.actions_view)."""
    from . import followup

    return followup.actions_view(con, annee, territoire, programme)


def action_options(con) -> pd.DataFrame:
    """The actions that can get a status (programmes in progress), for the Import page's picker."""
    from . import followup

    return followup.programme_actions(con)[["code", "libelle", "ambition"]]


def quality_view(con, annee: int, trimestre: int = 0) -> dict:
    """Completeness and flagged values of one period, with the grid of each ambition (see quality)."""
    from . import quality

    view = quality.quality_view(con, annee, trimestre)
    view["details"] = [
        {"code": amb.code, "titre": f"{amb.numero}. {amb.libelle_court}", "grille": grid}
        for amb in queries.ambitions(con).itertuples(index=False)
        if not (grid := quality.completeness_detail(view["completude"], amb.code)).empty
    ]
    return view
