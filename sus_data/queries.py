"""What the pages ask, as DataFrames. Pure functions of a DuckDB cursor and a Filters value.

Every query is parameterised; reshaping happens here (and in `aggregation`), never in pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from . import aggregation, formatting
from .filters import GRANULARITE_ANNEE, GRANULARITE_TRIMESTRE, Choices, Filters
from .memo import remember
from .periods import label as period_label
from .periods import previous
from .vocabulary import CONTEXT_PREFIX, DEMO_SOURCE, MESURE_CIBLE, MESURE_VALEUR, OPERATION_DEMO

HEADLINES_PER_AMBITION = 3
SPARKLINE_PERIODS = 8
# Years of history read for a headline: its sparkline and the period before the latest.
HEADLINE_WINDOW = SPARKLINE_PERIODS
SEARCH_LIMIT = 200


# --- referential -------------------------------------------------------------------------------


def programmes(con) -> pd.DataFrame:
    return con.execute("SELECT code, libelle, annee_debut, annee_fin, statut FROM programme ORDER BY ordre").df()


def choices(con) -> Choices:
    ambitions = tuple(c for (c,) in con.execute("SELECT code FROM noeud WHERE rang = 0 ORDER BY ordre").fetchall())
    noeuds = frozenset(c for (c,) in con.execute("SELECT code FROM noeud").fetchall())
    territoires = tuple(c for (c,) in con.execute("SELECT code FROM territoire ORDER BY ordre").fetchall())
    indicateurs = frozenset(c for (c,) in con.execute("SELECT code FROM indicateur").fetchall())
    low, high = con.execute("SELECT min(annee), max(annee) FROM valeur").fetchone()
    programmes = tuple(c for (c,) in con.execute("SELECT code FROM programme ORDER BY ordre").fetchall())
    return Choices(ambitions, noeuds, territoires, indicateurs, int(low or 2023), int(high or 2025), programmes)


def ambitions(con) -> pd.DataFrame:
    frame = remember(
        con,
        "ambitions",
        lambda: con.execute(
            """SELECT code, numero, libelle, coalesce(libelle_court, libelle) AS libelle_court
               FROM noeud WHERE rang = 0 ORDER BY ordre"""
        ).df(),
    )
    return frame.copy()


def levels(con) -> pd.DataFrame:
    return con.execute("SELECT rang, cle, libelle, pluriel FROM niveau ORDER BY rang").df()


def territories(con) -> pd.DataFrame:
    return con.execute(
        """SELECT code, libelle, libelle_court, niveau, parent, couleur, population, population_annee,
                  population_source, ordre
           FROM territoire ORDER BY ordre"""
    ).df()


def departement(con) -> str:
    return con.execute(
        "SELECT code FROM territoire WHERE parent IS NULL AND niveau <> 'comparateur' ORDER BY ordre LIMIT 1"
    ).fetchone()[0]


def tas_codes(con) -> list[str]:
    """The territories just below the département (the TAS for Saône-et-Loire)."""
    dep = departement(con)
    return [c for (c,) in con.execute("SELECT code FROM territoire WHERE parent = ? ORDER BY ordre", [dep]).fetchall()]


def node_tree(con, ambition: str) -> pd.DataFrame:
    """The nodes under an ambition, in source order, with their depth and indicator count."""
    return con.execute(
        """
        SELECT n.code, n.parent, n.niveau, l.libelle AS niveau_libelle, n.numero, n.libelle, n.role,
               n.beneficiaires, n.directions, n.partenaires, n.demarches_partenaires, n.remarque,
               length(n.chemin) - length(replace(n.chemin, '/', '')) - 2 AS profondeur,
               (SELECT count(*) FROM indicateur i WHERE i.noeud = n.code) AS nb_indicateurs,
               (SELECT string_agg(np.programme, ', ') FROM noeud_programme np WHERE np.noeud = n.code) AS programmes
        FROM noeud n JOIN niveau l ON l.cle = n.niveau
        WHERE n.ambition = ?
        ORDER BY n.ordre
        """,
        [ambition],
    ).df()


def indicators(con, filters: Filters) -> pd.DataFrame:
    """Indicators under the chosen ambition or node, with their metadata, in referential order."""
    clause, params = filters.indicator_clause("i")
    key = ("indicators", clause, repr(params))  # positional parameters, in the clause's order
    return remember(con, key, lambda: _indicators(con, clause, params)).copy()


def _indicators(con, clause: str, params: dict) -> pd.DataFrame:
    return con.execute(
        f"""
        SELECT i.code, i.libelle, i.noeud, i.ambition, i.unite, i.nature, i.agregation, i.additivite,
               i.sens, i.source, i.definition, i.secret_seuil, i.origine,
               n.libelle AS noeud_libelle, n.niveau AS noeud_niveau,
               coalesce(s.nb_valeurs, 0) AS nb_valeurs
        FROM indicateur i JOIN noeud n ON n.code = i.noeud LEFT JOIN {_stats(con)} s ON s.indicateur = i.code
        WHERE {clause}
        ORDER BY i.ordre
        """,
        params,
    ).df()


def indicator_meta(con, codes: list[str] | None = None) -> pd.DataFrame:
    every = remember(
        con,
        "indicator_meta",
        lambda: con.execute(
            "SELECT code, libelle, unite, agregation, additivite, sens, nature, secret_seuil FROM indicateur"
        ).df(),
    )
    if codes is None:
        return every.copy()
    return every[every["code"].isin(list(codes))].reset_index(drop=True)


# --- values ------------------------------------------------------------------------------------

STATS_TABLE = "indicateur_stats"
# Per indicator: how many values it has and up to when. The app's in-memory copy keeps this table
# (built once per load, see snapshot.py); on any other connection it is computed on the fly.
STATS_SQL = f"""
    SELECT v.indicateur,
           count(*) FILTER (WHERE v.mesure = '{MESURE_VALEUR}') AS nb_valeurs,
           count(*) AS nb_total,
           max(v.annee) FILTER (WHERE v.mesure = '{MESURE_VALEUR}') AS annee_max,
           coalesce(bool_or(t.parent IS NULL) FILTER (WHERE v.mesure = '{MESURE_VALEUR}'), FALSE) AS a_racine
    FROM valeur v JOIN territoire t ON t.code = v.territoire
    GROUP BY v.indicateur
"""


def _stats(con) -> str:
    """The relation to read indicator statistics from: the copy's table, or the query itself."""
    return STATS_TABLE if _has_table(con, STATS_TABLE) else f"({STATS_SQL})"


def _has_table(con, table: str) -> bool:
    def probe() -> bool:
        try:
            con.execute(f"SELECT * FROM {table} LIMIT 0")
            return True
        except duckdb.Error:
            return False

    return remember(con, ("table", table), probe)


def _code_condition(codes: list[str], params: dict, column: str = "v.indicateur") -> str:
    """`column IN (...)` with one placeholder per code, behind a range that the sorted copy can prune."""
    names = [f"c{index}" for index in range(len(codes))]
    params.update(zip(names, codes, strict=True))
    params["cmin"], params["cmax"] = min(codes), max(codes)
    return f"{column} BETWEEN $cmin AND $cmax AND {column} IN ({', '.join('$' + n for n in names)})"


def _year_conditions(filters: Filters, params: dict) -> list[str]:
    """The filters' years as named-parameter conditions on `v.annee` (the values go in `params`)."""
    conditions = []
    if filters.debut is not None:
        conditions.append("v.annee >= $debut")
        params["debut"] = filters.debut
    if filters.fin is not None:
        conditions.append("v.annee <= $fin")
        params["fin"] = filters.fin
    return conditions


def _demo_flag(params: dict, alias: str = "v") -> str:
    params["demo_ops"] = None  # filled by the caller's connection, see demo_operations
    params["demo_source"] = DEMO_SOURCE
    return f"(list_contains($demo_ops, {alias}.operation) OR coalesce({alias}.source = $demo_source, FALSE))"


def stored_values(con, codes: list[str], filters: Filters, mesure: str = MESURE_VALEUR) -> pd.DataFrame:
    """Stored values of these indicators within the filters' years, with a demo flag and their period."""
    if not codes:
        return aggregation.with_periods(aggregation.empty_series())[
            ["indicateur", "territoire", "annee", "trimestre", "valeur", "demo", "periode", "ordre_periode"]
        ]
    params: dict = {"mesure": mesure}
    demo = _demo_flag(params)
    params["demo_ops"] = demo_operations(con)
    conditions = [_code_condition(codes, params), "v.mesure = $mesure", *_year_conditions(filters, params)]
    rows = con.execute(
        f"""
        SELECT v.indicateur, v.territoire, CAST(v.annee AS BIGINT) AS annee,
               CAST(v.trimestre AS BIGINT) AS trimestre, v.valeur, {demo} AS demo, {aggregation.PERIOD_COLUMNS}
        FROM valeur v
        WHERE {" AND ".join(conditions)}
        ORDER BY v.indicateur, ordre_periode, v.territoire
        """,
        params,
    ).fetchall()
    return pd.DataFrame(rows, columns=STORED_COLUMNS).astype(STORED_DTYPES)


STORED_COLUMNS = ["indicateur", "territoire", "annee", "trimestre", "valeur", "demo", "periode", "ordre_periode"]
STORED_DTYPES = {"annee": "int64", "trimestre": "int64", "valeur": "float64", "demo": bool, "ordre_periode": "int64"}


def series(
    con,
    codes: list[str] | None,
    filters: Filters,
    granularite: str | None = None,
    *,
    window: int | None = None,
    within: str | None = None,
    engine: str | None = None,
) -> pd.DataFrame:
    """Values of these indicators (None: all) for every territory at the chosen granularity, with the
    yearly values derived from quarters and the parents' values computed from their children.

    In the app's in-memory copy, the series are already derived (`engine="copie"`, the default there):
    one SELECT reads them. Elsewhere (a database file), for many indicators one SQL statement
    (`engine="sql"`): DuckDB filters, aggregates and rolls up, pandas only receives the result; for a
    few (`engine="python"`, up to PYTHON_MAX_CODES), the stored values are read with a plain SELECT and
    the same rules run in Python (aggregation.derive). All three give the same rows (tests check it).
    With `window`, only the last `window` + 1 years of each indicator are kept (up to its latest year
    with a value, at or before the filters' year; with `within`, a value of that territory or below
    it): what the "latest value" views need, without reading the whole history.

    Columns: indicateur, territoire, annee, trimestre, valeur, calcule, partiel, demo, n_trimestres,
    periode, ordre_periode; sorted by indicateur, period, territoire.
    """
    granularite = granularite or filters.granularite
    quarterly = granularite == GRANULARITE_TRIMESTRE
    if codes is not None and not codes:
        return aggregation.with_periods(aggregation.empty_series())
    derived = derived_table(con, granularite) if engine in (None, ENGINE_COPY) else None
    if engine is None:
        few = codes is not None and len(codes) <= PYTHON_MAX_CODES and window is None
        engine = ENGINE_COPY if derived else ENGINE_PYTHON if few else ENGINE_SQL
    if engine == ENGINE_PYTHON:
        if window is not None:
            raise ValueError("window: SQL seulement")
        return _series_python(con, codes, filters, quarterly)
    if engine == ENGINE_COPY and derived is None:
        raise ValueError("pas de séries dérivées dans cette base")
    params: dict = {}
    conditions = [f"v.mesure = '{MESURE_VALEUR}'"]
    if codes is not None:
        conditions.append(_code_condition(codes, params))
    conditions += _year_conditions(filters, params)
    if derived is None:
        sql = _derive_sql(con, quarterly, " AND ".join(conditions), codes, params, window, within, filters)
    else:
        sql = _read_derived_sql(derived, conditions, params, window, within, filters, quarterly)
    frame = con.execute(sql, params).df()
    if frame.empty:
        return aggregation.with_periods(aggregation.empty_series())
    return frame.astype({"annee": "int64", "trimestre": "int64", "n_trimestres": "int64", "ordre_periode": "int64"})


# Tables of the app's in-memory copy holding every indicator's series at each granularity, derived once
# per load (see snapshot): a filter change then reads rows instead of aggregating and rolling up values.
DERIVED_TABLES = {GRANULARITE_ANNEE: "serie_annuelle", GRANULARITE_TRIMESTRE: "serie_trimestrielle"}
SERIES_COLUMNS = (
    "indicateur, territoire, annee, trimestre, valeur, calcule, partiel, demo, n_trimestres, periode, ordre_periode"
)


# Which (indicator, territory, year) have stored values, and whether quarterly ones: where the "latest
# year" of a window is looked for (through ROOTS_TABLE below), and the yearly completeness.
PRESENCE_TABLE = "presence_annuelle"
PRESENCE_SQL = f"""
    SELECT indicateur, territoire, annee, bool_or(trimestre > 0) AS trimestriel
    FROM valeur WHERE mesure = '{MESURE_VALEUR}'
    GROUP BY indicateur, territoire, annee
    ORDER BY indicateur, annee, territoire
"""


# The same, per subtree: a row for each territory and each of its ancestors (`racine`), and one for all
# territories ('*'). The latest year of an indicator within a territory is then read from the few blocks of
# that territory's rows instead of every value's.
ROOTS_TABLE = "presence_par_racine"
ALL_TERRITORIES = "*"
ROOTS_SQL = f"""
    WITH terr AS (SELECT code, parent FROM territoire),
    racines AS (
        SELECT DISTINCT t0.code, unnest([t0.code, t0.parent, t1.parent, t2.parent, t3.parent]) AS racine
        FROM {aggregation.ANCESTORS_JOIN}
    )
    SELECT '{ALL_TERRITORIES}' AS racine, indicateur, annee, bool_or(trimestriel) AS trimestriel
    FROM {PRESENCE_TABLE} GROUP BY indicateur, annee
    UNION ALL
    SELECT r.racine, p.indicateur, p.annee, bool_or(p.trimestriel)
    FROM {PRESENCE_TABLE} p JOIN racines r ON r.code = p.territoire AND r.racine IS NOT NULL
    GROUP BY r.racine, p.indicateur, p.annee
    ORDER BY racine, indicateur, annee
"""


def derived_table(con, granularite: str) -> str | None:
    """The copy's table of derived series at this granularity, or None (a database file has none). The
    copy builds it with PRESENCE_TABLE and ROOTS_TABLE (see snapshot): where it is, they are too."""
    table = DERIVED_TABLES[granularite]
    return table if _has_table(con, table) else None


def derived_series_sql(con, granularite: str) -> tuple[str, dict]:
    """The statement (and its parameters) computing every indicator's series at this granularity, over
    all years: what the copy stores in DERIVED_TABLES[granularite]. Every rule of the derivation stays
    within one period and one indicator, so filtering these rows by indicators and years gives what
    `series` computes from the filtered values."""
    params: dict = {}
    quarterly = granularite == GRANULARITE_TRIMESTRE
    sql = _derive_sql(con, quarterly, f"v.mesure = '{MESURE_VALEUR}'", None, params, None, None, Filters())
    return sql, params


def _latest_cte(
    quarterly: bool, params: dict, window: int, within: str | None, filters: Filters, raw: str
) -> list[str]:
    """CTEs keeping, per indicator, the years from its latest (see `series`'s `window`) back `window` years."""
    ctes = []
    latest_conditions = ["trimestre > 0"] if quarterly else []
    if filters.annee is not None:
        latest_conditions.append("annee <= $annee")
        params["annee"] = filters.annee
    if within is not None:
        params["within"] = within
        ctes.append(
            f"""subtree AS (
                SELECT t0.code FROM {aggregation.ANCESTORS_JOIN}
                WHERE $within IN (t0.code, t0.parent, t1.parent, t2.parent, t3.parent)
            )"""
        )
        latest_conditions.append("territoire IN (SELECT code FROM subtree)")
    params["window"] = int(window)
    ctes.append(
        f"""latest AS (
            SELECT indicateur, max(annee) AS annee FROM {raw}
            WHERE {" AND ".join(latest_conditions) or "TRUE"} GROUP BY indicateur
        )"""
    )
    return ctes


def _read_derived_sql(
    table: str, conditions: list[str], params: dict, window, within, filters: Filters, quarterly: bool
) -> str:
    """`series` from the copy's derived table; with `window`, each indicator's latest year is read from
    ROOTS_TABLE (the years with values within the territory `within`, else anywhere)."""
    # The derived rows have no `mesure`: the same conditions on indicators and years apply to them.
    conditions = [c for c in conditions if not c.startswith("v.mesure")]
    if window is None:
        return f"""
            SELECT {SERIES_COLUMNS} FROM {table} v
            WHERE {" AND ".join(conditions) or "TRUE"}
            ORDER BY indicateur, ordre_periode, territoire
        """
    latest_conditions = [*conditions, "v.racine = $racine"]
    params["racine"] = within if within is not None else ALL_TERRITORIES
    if quarterly:
        latest_conditions.append("v.trimestriel")
    if filters.annee is not None:
        latest_conditions.append("v.annee <= $annee")
        params["annee"] = filters.annee
    params["window"] = int(window)
    return f"""
        WITH latest AS (
            SELECT v.indicateur, max(v.annee) AS annee FROM {ROOTS_TABLE} v
            WHERE {" AND ".join(latest_conditions)} GROUP BY v.indicateur
        )
        SELECT {", ".join("v." + c.strip() for c in SERIES_COLUMNS.split(","))}
        FROM {table} v JOIN latest l ON l.indicateur = v.indicateur
        WHERE {" AND ".join([*conditions, "v.annee BETWEEN l.annee - $window AND l.annee"])}
        ORDER BY v.indicateur, v.ordre_periode, v.territoire
    """


def _derive_sql(
    con, quarterly: bool, where: str, codes: list[str] | None, params: dict, window, within, filters: Filters
) -> str:
    """`series` computed from the stored values: aggregated over quarters and rolled up in one statement."""
    demo = _demo_flag(params)
    params["demo_ops"] = demo_operations(con)
    meta_filter = ""
    if codes is not None:
        meta_filter = "WHERE " + _code_condition(codes, params, "code")
    source = "raw"
    extra_ctes: list[str] = []
    if window is not None:
        extra_ctes = _latest_cte(quarterly, params, window, within, filters, "raw")
        extra_ctes.append(
            """windowed AS (
                SELECT r.* FROM raw r JOIN latest l ON l.indicateur = r.indicateur
                WHERE r.annee BETWEEN l.annee - $window AND l.annee
            )"""
        )
        source = "windowed"
    window_ctes = "".join("\n        " + cte + "," for cte in extra_ctes)
    shaped = aggregation.quarterly_sql(source) if quarterly else aggregation.yearly_sql(source)
    roll_ctes, last = aggregation.roll_up_ctes("shaped", territory_depth(con))
    return f"""
        WITH
        terr AS (SELECT code, parent FROM territoire),
        meta AS (SELECT code, agregation, additivite FROM indicateur {meta_filter}),
        raw AS (
            SELECT v.indicateur, v.territoire, CAST(v.annee AS BIGINT) AS annee,
                   CAST(v.trimestre AS BIGINT) AS trimestre, v.valeur, {demo} AS demo
            FROM valeur v
            WHERE {where}
        ),{window_ctes}
        shaped AS MATERIALIZED ({shaped}),
        {roll_ctes}
        SELECT indicateur, territoire, annee, trimestre, valeur, calcule, partiel, demo, n_trimestres,
               {aggregation.PERIOD_COLUMNS}
        FROM {last}
        ORDER BY indicateur, ordre_periode, territoire
    """


PYTHON_MAX_CODES = 4
ENGINE_PYTHON, ENGINE_SQL, ENGINE_COPY = "python", "sql", "copie"


def _series_python(con, codes: list[str] | None, filters: Filters, quarterly: bool) -> pd.DataFrame:
    params: dict = {}
    demo = _demo_flag(params)
    params["demo_ops"] = demo_operations(con)
    conditions = [f"v.mesure = '{MESURE_VALEUR}'"]
    if codes is not None:
        conditions.append(_code_condition(codes, params))
    conditions += _year_conditions(filters, params)
    if quarterly:
        conditions.append("v.trimestre > 0")
    rows = con.execute(
        f"""SELECT v.indicateur, v.territoire, CAST(v.annee AS BIGINT), CAST(v.trimestre AS BIGINT), v.valeur, {demo}
            FROM valeur v WHERE {" AND ".join(conditions)}""",
        params,
    ).fetchall()
    meta_params: dict = {}
    meta_filter = "WHERE " + _code_condition(codes, meta_params, "code") if codes is not None else ""
    meta = {
        code: (agregation, additivite == "somme")
        for code, agregation, additivite in con.execute(
            f"SELECT code, agregation, additivite FROM indicateur {meta_filter}", meta_params
        ).fetchall()
    }
    parents = dict(con.execute("SELECT code, parent FROM territoire").fetchall())
    return aggregation.to_frame(aggregation.derive(rows, meta, parents, quarterly))


META_COLUMNS = ["code", "libelle", "unite", "agregation", "additivite", "sens", "nature", "secret_seuil"]


def indicator_series(
    con, code: str, filters: Filters, context: Territoires | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """One indicator's series (as `series`), its stored targets and its referential row, read with
    a few small queries: what a filter change on one indicator costs. In the app's copy the series is
    read already derived; elsewhere it is derived in Python from the stored values."""
    context = context or territoires_context(con)
    quarterly = filters.granularite == GRANULARITE_TRIMESTRE
    derived = derived_table(con, filters.granularite) is not None
    params: dict = {"code": code}
    demo = _demo_flag(params)
    params["demo_ops"] = demo_operations(con)
    conditions = ["v.indicateur = $code", *_year_conditions(filters, params)]
    if derived:
        conditions.append(f"v.mesure = '{MESURE_CIBLE}'")
    rows = con.execute(
        f"""SELECT v.mesure, v.indicateur, v.territoire, CAST(v.annee AS BIGINT), CAST(v.trimestre AS BIGINT),
                   v.valeur, {demo}, {aggregation.PERIOD_COLUMNS}
            FROM valeur v WHERE {" AND ".join(conditions)}""",
        params,
    ).fetchall()
    row = con.execute(f"SELECT {', '.join(META_COLUMNS)} FROM indicateur WHERE code = ?", [code]).fetchone()
    meta = dict(zip(META_COLUMNS, row, strict=True)) if row else dict.fromkeys(META_COLUMNS)
    if derived:
        series_frame = series(con, [code], filters, engine=ENGINE_COPY)
    else:
        values = [r[1:7] for r in rows if r[0] == MESURE_VALEUR and (r[4] > 0 or not quarterly)]
        parents = dict(zip(context.table["code"], context.table["parent"], strict=True))
        rules = {code: (meta["agregation"], meta["additivite"] == "somme")}
        series_frame = aggregation.to_frame(aggregation.derive(values, rules, parents, quarterly))
    targets = sorted((r[1:] for r in rows if r[0] == MESURE_CIBLE), key=lambda r: (r[7], r[1]))
    targets_frame = pd.DataFrame(targets, columns=STORED_COLUMNS).astype(STORED_DTYPES)
    return series_frame, targets_frame.assign(calcule=False, partiel=False, n_trimestres=0), meta


def demo_operations(con) -> list[int]:
    """Ids of the operations that loaded demo values."""
    sql = f"SELECT id FROM operation WHERE nature = '{OPERATION_DEMO}'"
    return list(remember(con, "demo_operations", lambda: [i for (i,) in con.execute(sql).fetchall()]))


def territory_depth(con) -> int:
    """Levels of parents to roll up: 2 for département → TAS → sectors."""
    return remember(con, "territory_depth", lambda: _territory_depth(con))


def _territory_depth(con) -> int:
    parent = dict(con.execute("SELECT code, parent FROM territoire").fetchall())
    deepest = 0
    for code in parent:
        depth, node = 0, code
        while parent.get(node) is not None and depth < aggregation.MAX_TERRITORY_DEPTH:
            node, depth = parent[node], depth + 1
        deepest = max(deepest, depth)
    return deepest


def targets(con, codes: list[str], filters: Filters) -> pd.DataFrame:
    """Stored targets (`cible`), with their period."""
    frame = stored_values(con, codes, filters, mesure=MESURE_CIBLE)
    return frame.assign(calcule=False, partiel=False, n_trimestres=0)


def latest_period(frame: pd.DataFrame) -> tuple[int, int] | None:
    if frame.empty:
        return None
    row = frame.loc[frame["ordre_periode"].idxmax()]
    return int(row["annee"]), int(row["trimestre"])


def latest_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """For each indicator of `frame`, its rows in its own latest period."""
    if frame.empty:
        return frame
    last = frame.groupby("indicateur")["ordre_periode"].transform("max")
    return frame[frame["ordre_periode"] == last]


@dataclass(frozen=True)
class Headline:
    code: str
    libelle: str
    unite: str
    sens: str
    periode: str | None
    valeur: float | None
    calcule: bool
    demo: bool
    precedente: float | None
    periode_precedente: str | None
    evolution_pct: float | None
    sparkline: list[tuple[str, float]]  # (periode, valeur) of the département, oldest first
    positions: list[dict]  # territoire, libelle_court, valeur, compare, reference, position
    additif: bool = False
    partiel: bool = False


def _evolution(current: float | None, before: float | None) -> float | None:
    if current is None or before is None or before == 0 or pd.isna(current) or pd.isna(before):
        return None
    return (current - before) / abs(before) * 100


@dataclass(frozen=True)
class Territoires:
    """The territory facts every page needs, read in one query."""

    departement: str
    tas: list[str]
    libelles: dict[str, str]
    table: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)


TERRITORY_COLUMNS = [
    "code", "libelle", "libelle_court", "niveau", "parent", "couleur", "population", "population_annee",
    "population_source", "ordre",
]  # fmt: skip


def comparator_sources(con, code: str, comparators: list[str]) -> dict[str, str]:
    """The source of each comparator's values for one indicator (what its reference line is labelled with)."""
    if not comparators:
        return {}
    rows = con.execute(
        """SELECT territoire, string_agg(DISTINCT source, ' ; ' ORDER BY source) FROM valeur
           WHERE indicateur = ? AND list_contains(?, territoire) AND source IS NOT NULL GROUP BY territoire""",
        [code, comparators],
    ).fetchall()
    return {territory: source for territory, source in rows}


def territoires_context(con) -> Territoires:
    """The département, its TAS, every territory's label and row (the same object for every query on
    the app's copy: read-only)."""
    return remember(con, "territoires", lambda: _territoires_context(con))


def _territoires_context(con) -> Territoires:
    rows = con.execute(f"SELECT {', '.join(TERRITORY_COLUMNS)} FROM territoire ORDER BY ordre").fetchall()
    table = pd.DataFrame(rows, columns=TERRITORY_COLUMNS)
    roots = [r[0] for r in rows if r[4] is None and r[3] != "comparateur"]
    dep = roots[0] if roots else (rows[0][0] if rows else "")
    tas = [r[0] for r in rows if r[4] == dep]
    return Territoires(dep, tas, {r[0]: r[2] for r in rows}, table)


EMPTY_POSITIONS = ["territoire", "libelle_court", "valeur", "compare", "reference", "position"]


def headline(
    con,
    code: str,
    filters: Filters,
    frame: pd.DataFrame | None = None,
    meta: pd.DataFrame | dict | None = None,
    context: Territoires | None = None,
    records: list[dict] | None = None,
) -> Headline:
    """Latest département value of an indicator, its change on the previous period, a sparkline
    and where each TAS stands against the département.

    `frame` may hold this indicator's series (else it is read), or `records` its rows as dicts; `meta`
    its row of `indicator_meta` (a frame or a dict by code). Plain Python on a few dozen rows: the overview asks for 24 of them.
    """
    if meta is None:
        meta = indicator_meta(con, [code])
    info = meta[code] if isinstance(meta, dict) else meta.set_index("code").loc[code].to_dict()
    if records is None:
        frame = frame if frame is not None else series(con, [code], filters, window=HEADLINE_WINDOW)
        records = _records(frame)
    context = context or territoires_context(con)
    dep = context.departement
    additive = info["additivite"] == "somme"
    records = [r for r in records if r["indicateur"] == code]
    values = {(r["territoire"], r["annee"], r["trimestre"]): r["valeur"] for r in records}
    own = sorted((r for r in records if r["territoire"] == dep), key=lambda r: r["ordre_periode"])
    if filters.annee is not None:
        limit = filters.annee * 10 + (filters.trimestre or 9)
        own = [r for r in own if r["ordre_periode"] <= limit] or own
    if not own:
        return Headline(
            code, info["libelle"], info["unite"], info["sens"], None, None, False, False, None, None, None,
            [], [], bool(additive),
        )  # fmt: skip
    last = own[-1]
    period = (int(last["annee"]), int(last["trimestre"]))
    before_key = previous(*period)
    before_value = values.get((dep, *before_key))
    # Where each TAS stands: for values that add up (counts) their change is compared with the
    # département's; for the others (rates, averages) their level is.
    dep_evolution = _evolution(last["valeur"], before_value)
    rows = []
    for code_tas in context.tas:
        value = values.get((code_tas, *period))
        if value is None:
            continue
        if additive:
            compared, reference = _evolution(value, values.get((code_tas, *before_key))), dep_evolution
        else:
            compared, reference = value, last["valeur"]
        if compared is None or reference is None:
            position = "non comparable"
        elif abs(compared - reference) < 1e-9:
            position = "égal"
        else:
            position = "au-dessus" if compared > reference else "en dessous"
        rows.append(
            {
                "territoire": code_tas,
                "libelle_court": context.libelles.get(code_tas, code_tas),
                "valeur": value,
                "compare": compared,
                "reference": reference,
                "position": position,
            }
        )
    spark = own[-SPARKLINE_PERIODS:]
    return Headline(
        code=code,
        libelle=info["libelle"],
        unite=info["unite"],
        sens=info["sens"],
        periode=last["periode"],
        valeur=float(last["valeur"]),
        calcule=bool(last["calcule"]),
        demo=bool(last["demo"]),
        precedente=None if before_value is None else float(before_value),
        periode_precedente=formatting.periode(*before_key) if before_value is not None else None,
        evolution_pct=dep_evolution,
        sparkline=[(r["periode"], float(r["valeur"])) for r in spark],
        positions=rows,
        additif=bool(additive),
        partiel=bool(last["partiel"]),
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values (DataFrame.to_dict("records") is ~20 times slower)."""
    columns = list(frame.columns)
    return [dict(zip(columns, row, strict=True)) for row in zip(*(frame[c].tolist() for c in columns), strict=True)]


def headline_codes(con, limit: int = HEADLINES_PER_AMBITION) -> dict[str, list[str]]:
    """Each ambition's headline indicators: its most recent context figure, then the programme
    indicators with the most recent and most complete data (département values first)."""
    chosen = remember(con, ("headline_codes", limit), lambda: _headline_codes(con, limit))
    return {ambition: list(codes) for ambition, codes in chosen.items()}


def _headline_codes(con, limit: int) -> dict[str, list[str]]:
    rows = con.execute(
        f"""
        WITH ranked AS (
            SELECT i.ambition, i.code, starts_with(i.code, '{CONTEXT_PREFIX}') AS contexte,
                   row_number() OVER (
                       PARTITION BY i.ambition, starts_with(i.code, '{CONTEXT_PREFIX}')
                       ORDER BY s.a_racine DESC, s.annee_max DESC, s.nb_valeurs DESC, i.ordre) AS rang
            FROM indicateur i JOIN {_stats(con)} s ON s.indicateur = i.code
            WHERE i.unite <> 'qualitatif' AND s.nb_valeurs > 0
        )
        SELECT ambition, code FROM ranked
        WHERE (contexte AND rang = 1) OR (NOT contexte AND rang <= $limit)
        ORDER BY ambition, contexte DESC, rang
        """,
        {"limit": limit},
    ).fetchall()
    out: dict[str, list[str]] = {}
    for ambition, code in rows:
        if len(out.setdefault(ambition, [])) < limit:
            out[ambition].append(code)
    return out


def overview(con, filters: Filters) -> list[dict]:
    """For each ambition: its label, its headline indicators and the share of expected data received."""
    tiles = ambitions(con)
    chosen = headline_codes(con)
    codes = [code for ambition_codes in chosen.values() for code in ambition_codes]
    frame = series(con, codes, filters, window=HEADLINE_WINDOW)
    groups: dict[str, list[dict]] = {}
    for record in _records(frame):  # one conversion for all headlines (a DataFrame per headline is slow)
        groups.setdefault(record["indicateur"], []).append(record)
    meta = indicator_meta(con, codes).set_index("code").to_dict("index")
    context = territoires_context(con)
    received = completeness_by_ambition(con, filters)
    out = []
    for row in tiles.itertuples(index=False):
        headlines = [
            headline(con, code, filters, None, meta, context, groups.get(code, [])) for code in chosen.get(row.code, [])
        ]
        out.append(
            {
                "code": row.code,
                "numero": row.numero,
                "libelle": row.libelle,
                "libelle_court": row.libelle_court,
                "headlines": [h for h in headlines if h.valeur is not None],
                "completude": received.get(row.code, received.get(None)),
            }
        )
    return out


def completeness_by_ambition(con, filters: Filters) -> dict:
    """How much of the period's expected data has arrived, per ambition (and overall under None).

    A series (indicator × territory) is expected in a period when it had a value in one of the four
    periods before; it has arrived when it has a value in the period itself. With yearly granularity
    a year counts as arrived as soon as one of its quarters has.
    """
    granular = filters.granularite == GRANULARITE_TRIMESTRE
    period = _current_period(con, filters, granular)
    if period is None:
        return {None: {"periode": None, "attendues": 0, "recues": 0, "taux": None}}
    keys = [period]
    for _ in range(4):
        keys.append(previous(*keys[-1]))
    # Yearly: compare years only (a year of quarters counts); quarterly: compare exact quarters.
    position = "v.annee * 10 + v.trimestre" if granular else "v.annee * 10"
    wanted = [a * 10 + t for a, t in keys]
    # Yearly, which years have values is enough: the copy's presence table holds a quarter of the rows.
    source = f"valeur v WHERE v.mesure = '{MESURE_VALEUR}' AND"
    if not granular and _has_table(con, PRESENCE_TABLE):
        source = f"{PRESENCE_TABLE} v WHERE"
    rows = con.execute(
        f"""
        WITH s AS (
            SELECT v.indicateur, v.territoire, bool_or({position} = $current) AS courant
            FROM {source} v.annee BETWEEN $low AND $high AND list_contains($wanted, {position})
            GROUP BY ALL
        )
        SELECT i.ambition, count(*), count(*) FILTER (WHERE courant)
        FROM s JOIN indicateur i ON i.code = s.indicateur
        GROUP BY ROLLUP (i.ambition)
        """,
        {"current": wanted[0], "wanted": wanted, "low": keys[-1][0], "high": keys[0][0]},
    ).fetchall()
    out = {}
    for ambition, expected, received in rows:
        out[ambition] = {
            "periode": period_label(*period),
            "attendues": int(expected),
            "recues": int(received),
            "taux": (received / expected * 100) if expected else None,
        }
    return out


def _current_period(con, filters: Filters, granular: bool) -> tuple[int, int] | None:
    if filters.annee is not None:
        if granular:
            if filters.trimestre:
                return filters.annee, filters.trimestre
            row = con.execute(
                f"SELECT max(trimestre) FROM valeur WHERE annee = ? AND trimestre > 0 AND mesure = '{MESURE_VALEUR}'",
                [filters.annee],
            ).fetchone()
            return filters.annee, int(row[0] or 4)
        return filters.annee, 0
    # The latest period with achieved values: a target set for 2027 is not a period that has arrived.
    achieved = f"mesure = '{MESURE_VALEUR}'"
    if granular:
        sql = f"SELECT max(annee * 10 + trimestre) FROM valeur WHERE trimestre > 0 AND {achieved}"
        row = con.execute(sql).fetchone()
        return (int(row[0]) // 10, int(row[0]) % 10) if row and row[0] is not None else None
    row = con.execute(f"SELECT max(annee) FROM valeur WHERE {achieved}").fetchone()
    return (int(row[0]), 0) if row and row[0] is not None else None


def period_values(frame: pd.DataFrame, annee: int, trimestre: int) -> pd.DataFrame:
    return frame[(frame["annee"] == annee) & (frame["trimestre"] == trimestre)]


def comparison(
    con, frame: pd.DataFrame, code: str, period: tuple[int, int] | None, context: Territoires | None = None
) -> pd.DataFrame:
    """Values of one indicator for the département and each TAS in one period (default: the latest
    period where the département, the reference, has a value; else the latest of a TAS)."""
    context = context or territoires_context(con)
    shown = [context.departement, *context.tas]
    own = frame[(frame["indicateur"] == code) & frame["territoire"].isin(shown)]
    if own.empty:
        return own
    if period is None:
        reference = own[own["territoire"] == context.departement]
        period = latest_period(reference if not reference.empty else own)
    sub = period_values(own, *period)
    table = context.table
    columns = ("libelle_court", "ordre", "couleur", "niveau")
    info = {code: row for code, *row in zip(table["code"], *(table[c] for c in columns), strict=True)}
    sub = sub.assign(**{c: [info[t][k] for t in sub["territoire"]] for k, c in enumerate(columns)})
    return sub.sort_values("ordre").reset_index(drop=True)


# --- territory portrait ------------------------------------------------------------------------


PORTRAIT_COLUMNS = [
    "indicateur",
    "annee",
    "trimestre",
    "periode",
    "ordre_periode",
    "valeur",
    "calcule",
    "partiel",
    "demo",
]


def portrait(con, territoire: str, filters: Filters) -> pd.DataFrame:
    """For one territory, every indicator with data: its value, the département's and the other TAS's,
    in the latest period where the territory has a value (or the chosen period).

    Reads each indicator's latest year where the territory (or a territory below it) has a value;
    indicators whose value there cannot be computed (a child missing) are read again over all years.
    """
    context = territoires_context(con)
    frame = series(con, None, filters, window=0, within=territoire)
    own = _portrait_own(frame, territoire, filters)
    if filters.annee is None:
        missing = sorted(set(frame["indicateur"]) - set(own["indicateur"]))
        if missing:
            more = series(con, missing, filters)
            frame = pd.concat([frame, more], ignore_index=True)
            own = pd.concat([own, _portrait_own(more, territoire, filters)], ignore_index=True)
    if own.empty:
        return own
    latest = latest_rows(own)[PORTRAIT_COLUMNS]
    others = [context.departement, *context.tas]
    around = frame[frame["territoire"].isin(others)]
    # One reshape for the values and their flags.
    keys = ["indicateur", "annee", "trimestre"]
    around = around.drop_duplicates([*keys, "territoire"])  # rows read twice (see above) are the same
    wide = around.set_index([*keys, "territoire"])[["valeur", "calcule", "demo"]].unstack("territoire")
    columns = pd.concat(
        [wide["valeur"], wide["calcule"].add_suffix(COMPUTED_SUFFIX), wide["demo"].add_suffix(DEMO_SUFFIX)], axis=1
    )
    out = latest.merge(columns, left_on=keys, right_index=True, how="left")
    meta = remember(
        con,
        "portrait_meta",
        lambda: con.execute(
            """SELECT i.code AS indicateur, i.libelle, i.unite, i.ambition, a.libelle_court AS ambition_libelle,
                      a.ordre AS ambition_ordre, i.ordre
               FROM indicateur i JOIN noeud a ON a.code = i.ambition"""
        ).df(),
    )
    out = out.merge(meta, on="indicateur").sort_values(["ambition_ordre", "ordre"])
    terr = context.table.set_index("code")
    population = terr.loc[territoire, "population"] if territoire in terr.index else None
    if population is not None and not pd.isna(population) and population > 0:
        out["pour_1000"] = np.where(out["unite"] == "nombre", out["valeur"] / float(population) * 1000, np.nan)
    else:
        out["pour_1000"] = np.nan
    flags: dict[str, object] = {}
    for code in others:
        if code not in out.columns:
            flags[code] = np.nan
        for suffix in (COMPUTED_SUFFIX, DEMO_SUFFIX):
            column = code + suffix
            flags[column] = out[column].eq(True).to_numpy() if column in out.columns else False  # missing: False
    out = out.drop(columns=[c for c in flags if c in out.columns]).reset_index(drop=True)
    return pd.concat([out, pd.DataFrame(flags, index=out.index)], axis=1)  # in one go: faster than one by one


COMPUTED_SUFFIX = "__calcule"
DEMO_SUFFIX = "__demo"


def _portrait_own(frame: pd.DataFrame, territoire: str, filters: Filters) -> pd.DataFrame:
    own = frame[frame["territoire"] == territoire]
    if filters.annee is not None:
        own = own[own["annee"] == filters.annee]
        if filters.granularite == GRANULARITE_TRIMESTRE and filters.trimestre:
            own = own[own["trimestre"] == filters.trimestre]
    return own


# --- indicator fiche ---------------------------------------------------------------------------


def indicator_fiche(con, code: str) -> dict | None:
    """An indicator's referential row, its node's texts and its ancestors (missing texts are None)."""
    row = con.execute(
        """SELECT i.*, n.libelle AS noeud_libelle, n.niveau AS noeud_niveau, n.chemin, n.role,
                  n.beneficiaires, n.directions, n.partenaires
           FROM indicateur i JOIN noeud n ON n.code = i.noeud WHERE i.code = ?""",
        [code],
    ).df()
    if row.empty:
        return None
    fiche = {k: (None if _blank(v) else v) for k, v in row.iloc[0].to_dict().items()}
    chain = [c for c in fiche["chemin"].split("/") if c]
    fiche["ancetres"] = con.execute(
        """SELECT n.code, n.numero, n.libelle, l.libelle AS niveau FROM noeud n JOIN niveau l ON l.cle = n.niveau
           WHERE list_contains(?, n.code) ORDER BY n.rang""",
        [chain],
    ).df()
    return fiche


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def indicator_values(con, code: str) -> pd.DataFrame:
    """Every stored value of an indicator with the import that set it."""
    return con.execute(
        """
        SELECT v.territoire, t.libelle_court, CAST(v.annee AS BIGINT) AS annee, CAST(v.trimestre AS BIGINT) AS trimestre,
               v.mesure, v.valeur, v.commentaire, v.source, v.operation, o.fichier, o.utilisateur, o.horodatage,
               coalesce(o.nature = ? OR v.source = ?, FALSE) AS demo
        FROM valeur v JOIN territoire t ON t.code = v.territoire LEFT JOIN operation o ON o.id = v.operation
        WHERE v.indicateur = ?
        ORDER BY v.annee DESC, v.trimestre DESC, t.ordre, v.mesure DESC
        """,
        [OPERATION_DEMO, DEMO_SOURCE, code],
    ).df()


# --- search ------------------------------------------------------------------------------------


def search(con, text: str) -> pd.DataFrame:
    """Nodes, indicators and acronyms whose text contains every word typed (accents and case ignored)."""
    words = [w for w in text.split() if w][:8]
    if not words:
        return pd.DataFrame(columns=["type", "code", "libelle", "detail", "ambition"])
    conditions = " AND ".join(["strip_accents(lower(texte)) LIKE strip_accents(lower(?)) ESCAPE '\\'"] * len(words))
    params = [f"%{_escape_like(w)}%" for w in words]
    return con.execute(
        f"""
        WITH corpus AS (
            SELECT 'Nœud' AS type, n.code, n.libelle, l.libelle AS detail, n.ambition, n.ordre AS ordre,
                   concat_ws(' ', n.code, n.libelle, n.role, n.beneficiaires, n.directions, n.partenaires,
                             n.demarches_partenaires) AS texte
            FROM noeud n JOIN niveau l ON l.cle = n.niveau
            UNION ALL
            SELECT 'Indicateur', i.code, i.libelle, i.unite, i.ambition, 100000 + i.ordre,
                   concat_ws(' ', i.code, i.libelle, i.definition, i.source)
            FROM indicateur i
            UNION ALL
            SELECT 'Sigle', s.sigle, s.definition, '', NULL, 200000, concat_ws(' ', s.sigle, s.definition)
            FROM sigle s
        )
        SELECT type, code, libelle, detail, ambition FROM corpus WHERE {conditions}
        ORDER BY ordre LIMIT {SEARCH_LIMIT}
        """,
        params,
    ).df()


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def links(con, code: str) -> pd.DataFrame:
    return con.execute(
        """SELECT l.code_cible, l.libelle_source, l.remarque, n.libelle AS cible_libelle
           FROM lien l LEFT JOIN noeud n ON n.code = l.code_cible WHERE l.code_source = ?""",
        [code],
    ).df()


def data_version(con) -> tuple:
    """Changes whenever an import lands: (number of operations, last operation id)."""
    return con.execute("SELECT count(*), coalesce(max(id), 0) FROM operation").fetchone()


def referential_counts(con) -> list[tuple[str, int]]:
    rows = con.execute(
        """SELECT l.pluriel, count(n.code) FROM niveau l LEFT JOIN noeud n ON n.niveau = l.cle
           GROUP BY l.rang, l.pluriel HAVING count(n.code) > 0 ORDER BY l.rang"""
    ).fetchall()
    total = con.execute("SELECT count(*) FROM indicateur").fetchone()[0]
    return [*rows, ("Indicateurs", total)]


def acronyms(con) -> pd.DataFrame:
    return con.execute("SELECT sigle AS Sigle, definition AS Définition FROM sigle ORDER BY sigle").df()


def referential_table(con) -> pd.DataFrame:
    return con.execute(
        """SELECT i.code AS "Code", i.libelle AS "Libellé", i.noeud AS "Nœud mesuré", n.libelle AS "Libellé du nœud",
                  i.unite AS "Unité", i.nature AS "Nature", i.agregation AS "Agrégation", i.additivite AS "Additivité",
                  i.sens AS "Sens souhaité", i.source AS "Source", i.definition AS "Définition"
           FROM indicateur i JOIN noeud n ON n.code = i.noeud ORDER BY i.ordre"""
    ).df()


def operations_frame(con) -> pd.DataFrame:
    from .history import operations

    return operations(con)
