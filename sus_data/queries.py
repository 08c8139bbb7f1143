"""What the pages ask, as DataFrames. Pure functions of a DuckDB cursor and a Filters value.

Every query is parameterised; reshaping happens here (and in `aggregation`), never in pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import aggregation
from .filters import GRANULARITE_TRIMESTRE, Choices, Filters
from .periods import previous
from .vocabulary import CONTEXT_PREFIX, DEMO_SOURCE, MESURE_CIBLE, MESURE_VALEUR, OPERATION_DEMO

HEADLINES_PER_AMBITION = 3
SPARKLINE_PERIODS = 8
SEARCH_LIMIT = 200


# --- referential -------------------------------------------------------------------------------


def choices(con) -> Choices:
    ambitions = tuple(c for (c,) in con.execute("SELECT code FROM noeud WHERE rang = 0 ORDER BY ordre").fetchall())
    noeuds = frozenset(c for (c,) in con.execute("SELECT code FROM noeud").fetchall())
    territoires = tuple(c for (c,) in con.execute("SELECT code FROM territoire ORDER BY ordre").fetchall())
    indicateurs = frozenset(c for (c,) in con.execute("SELECT code FROM indicateur").fetchall())
    low, high = con.execute("SELECT min(annee), max(annee) FROM valeur").fetchone()
    return Choices(ambitions, noeuds, territoires, indicateurs, int(low or 2023), int(high or 2025))


def ambitions(con) -> pd.DataFrame:
    return con.execute(
        """SELECT code, numero, libelle, coalesce(libelle_court, libelle) AS libelle_court
           FROM noeud WHERE rang = 0 ORDER BY ordre"""
    ).df()


def levels(con) -> pd.DataFrame:
    return con.execute("SELECT rang, cle, libelle, pluriel FROM niveau ORDER BY rang").df()


def territories(con) -> pd.DataFrame:
    return con.execute(
        """SELECT code, libelle, libelle_court, niveau, parent, couleur, population, population_annee,
                  population_source, ordre
           FROM territoire ORDER BY ordre"""
    ).df()


def departement(con) -> str:
    return con.execute("SELECT code FROM territoire WHERE parent IS NULL AND niveau <> 'comparateur' ORDER BY ordre LIMIT 1").fetchone()[0]


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
    return con.execute(
        f"""
        SELECT i.code, i.libelle, i.noeud, i.ambition, i.unite, i.nature, i.agregation, i.additivite,
               i.sens, i.source, i.definition, i.secret_seuil, i.origine,
               n.libelle AS noeud_libelle, n.niveau AS noeud_niveau,
               (SELECT count(*) FROM valeur v WHERE v.indicateur = i.code AND v.mesure = '{MESURE_VALEUR}') AS nb_valeurs
        FROM indicateur i JOIN noeud n ON n.code = i.noeud
        WHERE {clause}
        ORDER BY i.ordre
        """,
        params,
    ).df()


def indicator_meta(con, codes: list[str] | None = None) -> pd.DataFrame:
    if codes is None:
        return con.execute("SELECT code, libelle, unite, agregation, additivite, sens, nature, secret_seuil FROM indicateur").df()
    return con.execute(
        """SELECT code, libelle, unite, agregation, additivite, sens, nature, secret_seuil
           FROM indicateur WHERE list_contains(?, code)""",
        [list(codes)],
    ).df()


# --- values ------------------------------------------------------------------------------------


def stored_values(con, codes: list[str], filters: Filters, mesure: str = MESURE_VALEUR) -> pd.DataFrame:
    """Stored values of these indicators within the filters' years, with a demo flag."""
    clause, params = filters.value_clause("v")
    return con.execute(
        f"""
        SELECT v.indicateur, v.territoire, CAST(v.annee AS BIGINT) AS annee,
               CAST(v.trimestre AS BIGINT) AS trimestre, v.valeur,
               (o.nature = '{OPERATION_DEMO}' OR v.source = ?) AS demo
        FROM valeur v LEFT JOIN operation o ON o.id = v.operation
        WHERE v.mesure = ? AND list_contains(?, v.indicateur) AND {clause}
        """,
        [DEMO_SOURCE, mesure, list(codes), *params],
    ).df()


def series(con, codes: list[str], filters: Filters, granularite: str | None = None) -> pd.DataFrame:
    """Values of these indicators for every territory at the chosen granularity, with derived ones.

    Columns: indicateur, territoire, annee, trimestre, valeur, calcule, partiel, demo, n_trimestres,
    periode, ordre_periode.
    """
    granularite = granularite or filters.granularite
    if not codes:
        return aggregation.with_periods(aggregation.empty_series())
    raw = stored_values(con, codes, filters)
    meta = indicator_meta(con, codes)
    shaped = aggregation.quarterly(raw) if granularite == GRANULARITE_TRIMESTRE else aggregation.yearly(raw, meta)
    rolled = aggregation.roll_up(shaped, meta, territories(con)[["code", "parent"]])
    return aggregation.with_periods(rolled).sort_values(["indicateur", "ordre_periode", "territoire"]).reset_index(drop=True)


def targets(con, codes: list[str], filters: Filters) -> pd.DataFrame:
    frame = stored_values(con, codes, filters, mesure=MESURE_CIBLE)
    return aggregation.with_periods(frame.assign(calcule=False, partiel=False, n_trimestres=0))


def latest_period(frame: pd.DataFrame) -> tuple[int, int] | None:
    if frame.empty:
        return None
    row = frame.sort_values("ordre_periode").iloc[-1]
    return int(row["annee"]), int(row["trimestre"])


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
    sparkline: pd.DataFrame  # periode, valeur (département)
    positions: pd.DataFrame  # territoire, libelle_court, valeur, compare, reference, position
    additif: bool = False


def _evolution(current: float | None, before: float | None) -> float | None:
    if current is None or before is None or before == 0 or pd.isna(current) or pd.isna(before):
        return None
    return (current - before) / abs(before) * 100


@dataclass(frozen=True)
class Territoires:
    """The territory facts every page needs, read once per query."""

    departement: str
    tas: list[str]
    libelles: dict[str, str]


def territoires_context(con) -> Territoires:
    return Territoires(departement(con), tas_codes(con), dict(con.execute("SELECT code, libelle_court FROM territoire").fetchall()))


def headline(
    con,
    code: str,
    filters: Filters,
    frame: pd.DataFrame | None = None,
    meta: pd.DataFrame | None = None,
    context: Territoires | None = None,
) -> Headline:
    """Latest département value of an indicator, its change on the previous period, a sparkline
    and where each TAS stands against the département."""
    meta = (meta if meta is not None else indicator_meta(con, [code])).set_index("code").loc[code]
    meta = pd.Series({"code": code, **meta.to_dict()})
    frame = frame if frame is not None else series(con, [code], filters)
    context = context or territoires_context(con)
    dep = context.departement
    tas = context.tas
    own = frame[(frame["indicateur"] == code) & (frame["territoire"] == dep)].sort_values("ordre_periode")
    empty_positions = pd.DataFrame(columns=["territoire", "libelle_court", "valeur", "compare", "reference", "position"])
    if own.empty:
        return Headline(code, meta["libelle"], meta["unite"], meta["sens"], None, None, False, False, None, None, None, own[["periode", "valeur"]], empty_positions, meta["additivite"] == "somme")
    if filters.annee is not None:
        chosen = own[(own["annee"] < filters.annee) | ((own["annee"] == filters.annee) & (own["trimestre"] <= (filters.trimestre or 9)))]
        own = chosen if not chosen.empty else own
    last = own.iloc[-1]
    before_key = previous(int(last["annee"]), int(last["trimestre"]))
    before = own[(own["annee"] == before_key[0]) & (own["trimestre"] == before_key[1])]
    before_value = float(before["valeur"].iloc[0]) if not before.empty else None
    spark = own.tail(SPARKLINE_PERIODS)[["periode", "valeur"]]
    # Where each TAS stands: for values that add up (counts) their change is compared with the
    # département's; for the others (rates, averages) their level is.
    additive = meta["additivite"] == "somme"
    rows = []
    labels = context.libelles
    dep_evolution = _evolution(float(last["valeur"]), before_value)
    for code_tas in tas:
        cur = frame[(frame["indicateur"] == code) & (frame["territoire"] == code_tas) & (frame["annee"] == last["annee"]) & (frame["trimestre"] == last["trimestre"])]
        prev = frame[(frame["indicateur"] == code) & (frame["territoire"] == code_tas) & (frame["annee"] == before_key[0]) & (frame["trimestre"] == before_key[1])]
        if cur.empty:
            continue
        value = float(cur["valeur"].iloc[0])
        if additive:
            mine = _evolution(value, float(prev["valeur"].iloc[0]) if not prev.empty else None)
            reference = dep_evolution
            compared = mine
        else:
            reference = float(last["valeur"])
            compared = value
        if compared is None or reference is None:
            position = "non comparable"
        elif abs(compared - reference) < 1e-9:
            position = "égal"
        else:
            position = "au-dessus" if compared > reference else "en dessous"
        rows.append({"territoire": code_tas, "libelle_court": labels.get(code_tas, code_tas), "valeur": value, "compare": compared, "reference": reference, "position": position})
    positions = pd.DataFrame(rows, columns=["territoire", "libelle_court", "valeur", "compare", "reference", "position"])
    return Headline(
        code=code,
        libelle=meta["libelle"],
        unite=meta["unite"],
        sens=meta["sens"],
        periode=last["periode"],
        valeur=float(last["valeur"]),
        calcule=bool(last["calcule"]),
        demo=bool(last["demo"]),
        precedente=before_value,
        periode_precedente=before["periode"].iloc[0] if not before.empty else None,
        evolution_pct=_evolution(float(last["valeur"]), before_value),
        sparkline=spark,
        positions=positions,
        additif=bool(additive),
    )


def headline_codes(con, limit: int = HEADLINES_PER_AMBITION) -> dict[str, list[str]]:
    """Each ambition's headline indicators: its most recent context figure, then the programme
    indicators with the most recent and most complete data."""
    rows = con.execute(
        f"""
        WITH ranked AS (
            SELECT i.ambition, i.code, starts_with(i.code, '{CONTEXT_PREFIX}') AS contexte,
                   row_number() OVER (
                       PARTITION BY i.ambition, starts_with(i.code, '{CONTEXT_PREFIX}')
                       ORDER BY bool_or(t.parent IS NULL) DESC, max(v.annee) DESC, count(*) DESC,
                                min(i.ordre)) AS rang
            FROM indicateur i JOIN valeur v ON v.indicateur = i.code AND v.mesure = '{MESURE_VALEUR}'
            JOIN territoire t ON t.code = v.territoire
            WHERE i.unite <> 'qualitatif'
            GROUP BY i.ambition, i.code
        )
        SELECT ambition, code FROM ranked
        WHERE (contexte AND rang = 1) OR (NOT contexte AND rang <= ?)
        ORDER BY ambition, contexte DESC, rang
        """,
        [limit],
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
    frame = series(con, codes, filters)
    meta = indicator_meta(con, codes)
    context = territoires_context(con)
    received = completeness_by_ambition(con, filters)
    out = []
    for row in tiles.itertuples(index=False):
        out.append(
            {
                "code": row.code,
                "numero": row.numero,
                "libelle": row.libelle,
                "libelle_court": row.libelle_court,
                "headlines": [headline(con, code, filters, frame, meta, context) for code in chosen.get(row.code, [])],
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
    rows = con.execute(
        f"""
        WITH s AS (
            SELECT i.ambition, v.indicateur, v.territoire, bool_or({position} = ?) AS courant
            FROM valeur v JOIN indicateur i ON i.code = v.indicateur
            WHERE v.mesure = '{MESURE_VALEUR}' AND list_contains(?, {position})
            GROUP BY ALL
        )
        SELECT ambition, count(*), count(*) FILTER (WHERE courant) FROM s GROUP BY ROLLUP (ambition)
        """,
        [wanted[0], wanted],
    ).fetchall()
    from .periods import label

    out = {}
    for ambition, expected, received in rows:
        out[ambition] = {
            "periode": label(*period),
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
            row = con.execute("SELECT max(trimestre) FROM valeur WHERE annee = ? AND trimestre > 0", [filters.annee]).fetchone()
            return filters.annee, int(row[0] or 4)
        return filters.annee, 0
    if granular:
        row = con.execute("SELECT annee, trimestre FROM valeur WHERE trimestre > 0 ORDER BY annee DESC, trimestre DESC LIMIT 1").fetchone()
        return (int(row[0]), int(row[1])) if row else None
    row = con.execute("SELECT max(annee) FROM valeur").fetchone()
    return (int(row[0]), 0) if row and row[0] is not None else None


def period_values(frame: pd.DataFrame, annee: int, trimestre: int) -> pd.DataFrame:
    return frame[(frame["annee"] == annee) & (frame["trimestre"] == trimestre)]


def comparison(con, frame: pd.DataFrame, code: str, period: tuple[int, int] | None) -> pd.DataFrame:
    """Values of one indicator for the département and each TAS in one period (default: the latest)."""
    own = frame[frame["indicateur"] == code]
    if own.empty:
        return own
    if period is None:
        period = latest_period(own)
    terr = territories(con)
    dep = departement(con)
    shown = {dep, *tas_codes(con)}
    sub = period_values(own, *period)
    sub = sub[sub["territoire"].isin(shown)].merge(terr[["code", "libelle_court", "ordre"]], left_on="territoire", right_on="code")
    return sub.sort_values("ordre").drop(columns=["code"]).reset_index(drop=True)


# --- territory portrait ------------------------------------------------------------------------


def portrait(con, territoire: str, filters: Filters) -> pd.DataFrame:
    """For one territory, every indicator with data: its value, the département's and the other TAS's,
    in the latest period where the territory has a value (or the chosen period)."""
    codes = [c for (c,) in con.execute(
        f"SELECT DISTINCT v.indicateur FROM valeur v WHERE v.mesure = '{MESURE_VALEUR}'"
    ).fetchall()]
    frame = series(con, codes, filters)
    if frame.empty:
        return frame
    dep = departement(con)
    tas = tas_codes(con)
    own = frame[frame["territoire"] == territoire]
    if filters.annee is not None:
        own = own[own["annee"] == filters.annee]
        if filters.granularite == GRANULARITE_TRIMESTRE and filters.trimestre:
            own = own[own["trimestre"] == filters.trimestre]
    if own.empty:
        return own
    latest = own.sort_values("ordre_periode").groupby("indicateur").tail(1)[["indicateur", "annee", "trimestre", "periode", "valeur", "calcule", "demo"]]
    wide = frame[frame["territoire"].isin([dep, *tas])].pivot_table(
        index=["indicateur", "annee", "trimestre"], columns="territoire", values="valeur", aggfunc="first"
    )
    out = latest.merge(wide, left_on=["indicateur", "annee", "trimestre"], right_index=True, how="left")
    meta = con.execute(
        """SELECT i.code AS indicateur, i.libelle, i.unite, i.ambition, a.libelle_court AS ambition_libelle, a.ordre AS ambition_ordre, i.ordre
           FROM indicateur i JOIN noeud a ON a.code = i.ambition"""
    ).df()
    out = out.merge(meta, on="indicateur").sort_values(["ambition_ordre", "ordre"])
    terr = territories(con).set_index("code")
    population = terr.loc[territoire, "population"] if territoire in terr.index else None
    if population is not None and not pd.isna(population) and population > 0:
        out["pour_1000"] = np.where(out["unite"] == "nombre", out["valeur"] / float(population) * 1000, np.nan)
    else:
        out["pour_1000"] = np.nan
    for code in [dep, *tas]:
        if code not in out.columns:
            out[code] = np.nan
    return out.reset_index(drop=True)


# --- indicator fiche ---------------------------------------------------------------------------


def indicator_fiche(con, code: str) -> dict | None:
    row = con.execute(
        """SELECT i.*, n.libelle AS noeud_libelle, n.niveau AS noeud_niveau, n.chemin, n.role,
                  n.beneficiaires, n.directions, n.partenaires
           FROM indicateur i JOIN noeud n ON n.code = i.noeud WHERE i.code = ?""",
        [code],
    ).df()
    if row.empty:
        return None
    fiche = row.iloc[0].to_dict()
    chain = [c for c in fiche["chemin"].split("/") if c]
    fiche["ancetres"] = con.execute(
        """SELECT n.code, n.libelle, l.libelle AS niveau FROM noeud n JOIN niveau l ON l.cle = n.niveau
           WHERE list_contains(?, n.code) ORDER BY n.rang""",
        [chain],
    ).df()
    return fiche


def indicator_values(con, code: str) -> pd.DataFrame:
    """Every stored value of an indicator with the import that set it."""
    return con.execute(
        """
        SELECT v.territoire, t.libelle_court, CAST(v.annee AS BIGINT) AS annee, CAST(v.trimestre AS BIGINT) AS trimestre,
               v.mesure, v.valeur, v.commentaire, v.source, v.operation, o.fichier, o.utilisateur, o.horodatage,
               (o.nature = ? OR v.source = ?) AS demo
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
