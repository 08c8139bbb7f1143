"""From stored values to what pages show: yearly values derived from quarters, territories rolled up.

Rules (the referential says which applies to each indicator):
- temporal aggregation: `somme` adds the quarters (flows), `dernier` keeps the last quarter (stocks),
  `moyenne` averages them (rates), `aucune` derives nothing; a stored yearly value always wins; a year
  derived from fewer than its 4 quarters is marked `partiel`;
- territorial additivity: where an indicator's values add up (`somme`), a territory with no stored
  value gets the sum of its children if all of them have one, marked `calcule` (sectors make a TAS,
  TAS make the département, level by level from the deepest).

For many series the rules run in SQL, so that DuckDB does the work next to the data (a page never pulls
a million values into pandas): `queries.series` composes the fragments below over the `valeur` table.
For a few series they run in plain Python (`derive`), which is faster than any DuckDB statement of this
size; `yearly`, `quarterly` and `roll_up` apply that same code to DataFrames. Tests check that the SQL
and the Python give the same values.

The fragments read relations with fixed names, which the caller defines as CTEs (or registered frames):
- `src`: indicateur, territoire, annee, trimestre, valeur, demo — the stored values;
- `meta`: code, agregation, additivite — the indicators' rules;
- `terr`: code, parent — the territories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .periods import label as period_label
from .periods import sort_key

KEY = ["indicateur", "territoire", "annee", "trimestre"]
COLUMNS = [*KEY, "valeur", "calcule", "partiel", "demo", "n_trimestres"]
DERIVED_AGGREGATIONS = ("somme", "dernier", "moyenne")
# Levels of parents rolled up, from the deepest. Saône-et-Loire has two (sectors → TAS → département);
# an empty level costs nothing.
MAX_TERRITORY_DEPTH = 4

_SELECT = "indicateur, territoire, annee, trimestre, valeur, calcule, partiel, demo, n_trimestres"
# Each territory with its ancestors a1..a3 (joins, not a recursive CTE: DuckDB's recursion costs ~15 ms).
ANCESTORS_JOIN = """terr t0
            LEFT JOIN terr t1 ON t1.code = t0.parent
            LEFT JOIN terr t2 ON t2.code = t1.parent
            LEFT JOIN terr t3 ON t3.code = t2.parent"""
ANCESTORS_DEPTH = (
    "CAST(t0.parent IS NOT NULL AS INTEGER) + CAST(t1.parent IS NOT NULL AS INTEGER)"
    " + CAST(t2.parent IS NOT NULL AS INTEGER) + CAST(t3.parent IS NOT NULL AS INTEGER)"
)


def yearly_sql(source: str = "src") -> str:
    """Yearly values: the stored ones, and for the other years those derived from the quarters.

    One GROUP BY per (indicator, territory, year): a stored yearly value wins over its quarters.
    Adds the column `additive` (the indicator's values add up between territories).
    """
    return f"""
        SELECT v.indicateur, v.territoire, v.annee, CAST(0 AS BIGINT) AS trimestre,
               CASE WHEN bool_or(v.trimestre = 0) THEN max(v.valeur) FILTER (WHERE v.trimestre = 0)
                    WHEN m.agregation = 'somme' THEN sum(v.valeur)
                    WHEN m.agregation = 'moyenne' THEN avg(v.valeur)
                    ELSE arg_max(v.valeur, v.trimestre) END AS valeur,
               FALSE AS calcule,
               NOT bool_or(v.trimestre = 0) AND count(*) < 4 AS partiel,
               CASE WHEN bool_or(v.trimestre = 0) THEN bool_or(v.demo) FILTER (WHERE v.trimestre = 0)
                    ELSE bool_or(v.demo) END AS demo,
               CAST(CASE WHEN bool_or(v.trimestre = 0) THEN 0 ELSE count(*) END AS BIGINT) AS n_trimestres,
               m.additivite = 'somme' AS additive
        FROM {source} v JOIN meta m ON m.code = v.indicateur
        GROUP BY v.indicateur, v.territoire, v.annee, m.agregation, m.additivite
        HAVING bool_or(v.trimestre = 0) OR m.agregation IN {DERIVED_AGGREGATIONS}
    """


def quarterly_sql(source: str = "src") -> str:
    """Quarterly values as stored (yearly values have no place on a quarterly axis)."""
    return f"""
        SELECT v.indicateur, v.territoire, v.annee, v.trimestre, v.valeur, FALSE AS calcule, FALSE AS partiel,
               v.demo, CAST(1 AS BIGINT) AS n_trimestres, m.additivite = 'somme' AS additive
        FROM {source} v JOIN meta m ON m.code = v.indicateur
        WHERE v.trimestre > 0
    """


# Each territory in two roles: itself (`is_self`) and one of its parent's children. Grouping a level's
# rows by `grp` gathers a parent's own value with its children's: one GROUP BY decides, without an
# anti-join, whether the parent already has a value or gets the sum of all its children.
ROLES_SQL = """
    WITH depth AS (SELECT t0.code, t0.parent, {depth} AS d FROM {ancestors}),
    kids AS (SELECT parent, count(*) AS n FROM terr WHERE parent IS NOT NULL GROUP BY parent)
    SELECT d.code, d.code AS grp, TRUE AS is_self, d.d AS grp_depth, coalesce(k.n, 0) AS n
    FROM depth d LEFT JOIN kids k ON k.parent = d.code
    UNION ALL
    SELECT d.code, d.parent, FALSE, p.d, k.n
    FROM depth d JOIN depth p ON p.code = d.parent JOIN kids k ON k.parent = d.parent
"""


def roll_up_ctes(shaped: str, levels: int = MAX_TERRITORY_DEPTH, prefix: str = "lvl") -> tuple[str, str]:
    """CTEs adding parents' values computed from their children; returns (ctes, name of the last).

    `shaped` has the series columns and `additive`; the relation `terr` (code, parent) must exist.
    Parents are processed level by level from the deepest (`levels` - 1 down to 0), so that a TAS
    computed from its sectors counts for the département.
    """
    roles = ROLES_SQL.format(depth=ANCESTORS_DEPTH, ancestors=ANCESTORS_JOIN)
    ctes = [f"roles AS MATERIALIZED ({roles})"]
    previous = shaped
    for step, level in enumerate(range(levels - 1, -1, -1), start=1):
        name = f"{prefix}{step}"
        ctes.append(
            f"""{name} AS MATERIALIZED (
            SELECT {_SELECT}, additive FROM {previous}
            UNION ALL
            SELECT c.indicateur, r.grp, c.annee, c.trimestre, sum(c.valeur), TRUE, bool_or(c.partiel),
                   bool_or(c.demo), min(c.n_trimestres), TRUE
            FROM {previous} c JOIN roles r ON r.code = c.territoire AND r.grp_depth = {level}
            WHERE c.additive
            GROUP BY c.indicateur, r.grp, c.annee, c.trimestre
            HAVING NOT bool_or(r.is_self) AND count(*) = any_value(r.n)
        )"""
        )
        previous = name
    return ",\n".join(ctes), previous


PERIOD_COLUMNS = """
    CASE WHEN trimestre = 0 THEN CAST(annee AS VARCHAR) ELSE 'T' || trimestre || ' ' || annee END AS periode,
    annee * 10 + CASE WHEN trimestre = 0 THEN 5 ELSE trimestre END AS ordre_periode
"""


# --- the same rules in plain Python, for a few series ---------------------------------------------
#
# A DuckDB statement of this shape costs ~15 ms whatever its input (planning, a dozen pipelines): for one
# indicator (~2 000 values even over 50 years) plain Python on the rows is 5 times faster. `queries.series`
# takes this path for a few indicators and the SQL above for many; tests check that both give the same.

Row = tuple  # (indicateur, territoire, annee, trimestre, valeur, demo)


def derive(rows, meta: dict[str, tuple[str, bool]], parents: dict[str, str | None], quarterly: bool) -> list[tuple]:
    """Series rows (COLUMNS order) from stored rows, by the rules of the module docstring.

    `meta`: code → (agregation, additive); `parents`: territory → parent (None at the top).
    """
    out: dict[tuple, list] = {}
    if quarterly:
        for i, t, a, q, v, d in rows:
            if q > 0:
                out[(i, t, a, q)] = [float(v), False, False, bool(d), 1]
    else:
        stored: dict[tuple, tuple] = {}
        quarters: dict[tuple, list] = {}
        for i, t, a, q, v, d in rows:
            if q == 0:
                stored[(i, t, a)] = (float(v), bool(d))
            else:
                quarters.setdefault((i, t, a), []).append((q, float(v), bool(d)))
        for (i, t, a), (v, d) in stored.items():
            out[(i, t, a, 0)] = [v, False, False, d, 0]
        for key, found in quarters.items():
            rule = meta.get(key[0], ("aucune", False))[0]
            if key in stored or rule not in DERIVED_AGGREGATIONS:
                continue
            values = [v for _, v, _ in found]
            if rule == "somme":
                value = sum(values)
            elif rule == "moyenne":
                value = sum(values) / len(values)
            else:
                value = max(found)[1]
            out[(*key, 0)] = [value, False, len(found) < 4, any(d for _, _, d in found), len(found)]
    _roll_up(out, meta, parents)
    return [(*key, *row) for key, row in out.items()]


def _depths(parents: dict[str, str | None]) -> dict[str, int]:
    depth = {}
    for code in parents:
        d, node = 0, code
        while parents.get(node) is not None and d < MAX_TERRITORY_DEPTH:
            node, d = parents[node], d + 1
        depth[code] = d
    return depth


def _roll_up(out: dict[tuple, list], meta: dict[str, tuple[str, bool]], parents: dict[str, str | None]) -> None:
    children: dict[str, int] = {}
    for parent in parents.values():
        if parent is not None:
            children[parent] = children.get(parent, 0) + 1
    depth = _depths(parents)
    for level in range(max(depth.values(), default=0) - 1, -1, -1):
        groups: dict[tuple, list] = {}
        for (i, t, a, q), row in out.items():
            parent = parents.get(t)
            if parent is not None and depth.get(parent) == level and meta.get(i, ("", False))[1]:
                groups.setdefault((i, parent, a, q), []).append(row)
        for key, rows in groups.items():
            if key in out or len(rows) != children[key[1]]:
                continue
            out[key] = [
                sum(r[0] for r in rows),
                True,
                any(r[2] for r in rows),
                any(r[3] for r in rows),
                min(r[4] for r in rows),
            ]


def to_frame(rows: list[tuple]) -> pd.DataFrame:
    """Series rows (COLUMNS order) as a frame with `periode` and `ordre_periode`, sorted by indicator,
    period and territory (built column by column: pandas' row-wise constructors are slow)."""
    if not rows:
        return with_periods(empty_series())
    rows = sorted(rows, key=lambda r: (r[0], sort_key(r[2], r[3]), r[1]))
    columns = list(zip(*rows, strict=True))
    dtypes = (object, object, "int64", "int64", "float64", bool, bool, bool, "int64")
    data = {name: np.array(values, dtype=dtype) for name, values, dtype in zip(COLUMNS, columns, dtypes, strict=True)}
    data["periode"] = np.array([period_label(a, q) for a, q in zip(columns[2], columns[3], strict=True)], dtype=object)
    data["ordre_periode"] = np.array(
        [sort_key(a, q) for a, q in zip(columns[2], columns[3], strict=True)], dtype="int64"
    )
    return pd.DataFrame(data)


# --- the same rules over DataFrames --------------------------------------------------------------


def empty_series() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    return frame.astype(
        {
            "annee": "int64",
            "trimestre": "int64",
            "valeur": "float64",
            "calcule": bool,
            "partiel": bool,
            "demo": bool,
            "n_trimestres": "int64",
        }
    )


def _flag(value) -> bool:
    return False if value is None or pd.isna(value) else bool(value)


def _rows(values: pd.DataFrame) -> list[Row]:
    demo = values["demo"] if "demo" in values else pd.Series(False, index=values.index)
    return list(
        zip(
            values["indicateur"],
            values["territoire"],
            values["annee"].astype("int64").tolist(),
            values["trimestre"].astype("int64").tolist(),
            values["valeur"].astype("float64").tolist(),
            map(_flag, demo),
            strict=True,
        )
    )


def _meta(meta: pd.DataFrame) -> dict[str, tuple[str, bool]]:
    agregation = meta["agregation"] if "agregation" in meta else ["aucune"] * len(meta)
    additivite = meta["additivite"] if "additivite" in meta else ["aucune"] * len(meta)
    return {c: (g, a == "somme") for c, g, a in zip(meta["code"], agregation, additivite, strict=True)}


def _series_only(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[COLUMNS].reset_index(drop=True) if not frame.empty else empty_series()


def yearly(values: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Yearly values: stored ones, and for the other years those derived from the quarters.

    `values`: indicateur, territoire, annee, trimestre, valeur, demo. `meta`: code, agregation.
    """
    if values.empty:
        return empty_series()
    rules = {c: (g, False) for c, (g, _) in _meta(meta).items()}  # no roll-up here
    return _series_only(to_frame(derive(_rows(values), rules, {}, quarterly=False)))


def quarterly(values: pd.DataFrame) -> pd.DataFrame:
    """Quarterly values as stored."""
    if values.empty:
        return empty_series()
    return _series_only(to_frame(derive(_rows(values), {}, {}, quarterly=True)))


def roll_up(series: pd.DataFrame, meta: pd.DataFrame, territories: pd.DataFrame) -> pd.DataFrame:
    """Add parent territories' values computed from their children, where the indicator adds up.

    `series`: the shaped values (COLUMNS); `meta`: code, additivite; `territories`: code, parent.
    """
    if series.empty:
        return series
    out = {
        (i, t, int(a), int(q)): [float(v), _flag(c), _flag(p), _flag(d), int(n)]
        for i, t, a, q, v, c, p, d, n in zip(*(series[c].tolist() for c in COLUMNS), strict=True)
    }
    parents = {
        c: (p if isinstance(p, str) and p else None)
        for c, p in zip(territories["code"], territories["parent"], strict=True)
    }
    _roll_up(out, _meta(meta), parents)
    return _series_only(to_frame([(*key, *row) for key, row in out.items()]))


def with_periods(series: pd.DataFrame) -> pd.DataFrame:
    """Add `periode` (`T1 2025` / `2025`) and a sortable `ordre_periode`."""
    out = series.copy()
    out["periode"] = [period_label(int(a), int(t)) for a, t in zip(out["annee"], out["trimestre"], strict=True)]
    out["ordre_periode"] = [sort_key(int(a), int(t)) for a, t in zip(out["annee"], out["trimestre"], strict=True)]
    return out.astype({"ordre_periode": "int64"}) if not out.empty else out
