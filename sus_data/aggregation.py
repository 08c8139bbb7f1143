"""From stored values to what pages show: yearly values derived from quarters, territories rolled up.

Rules (the referential says which applies to each indicator):
- temporal aggregation: `somme` adds the quarters (flows), `dernier` keeps the last quarter (stocks),
  `moyenne` averages them (rates), `aucune` derives nothing; a stored yearly value always wins;
- territorial additivity: where an indicator's values add up (`somme`), a territory with no stored
  value gets the sum of its children if all of them have one, marked `calcule`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .periods import label as period_label
from .periods import sort_key

KEY = ["indicateur", "territoire", "annee", "trimestre"]
COLUMNS = [*KEY, "valeur", "calcule", "partiel", "demo", "n_trimestres"]


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


def yearly(values: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Yearly values: stored ones, and for the other years those derived from the quarters.

    `values`: indicateur, territoire, annee, trimestre, valeur, demo. `meta`: code, agregation.
    A year derived from fewer than 4 quarters is marked `partiel`.
    """
    if values.empty:
        return empty_series()
    stored = values[values["trimestre"] == 0].copy()
    stored["n_trimestres"] = 0
    quarters = values[values["trimestre"] > 0].merge(
        meta[["code", "agregation"]], left_on="indicateur", right_on="code", how="left"
    )
    quarters = quarters[quarters["agregation"].isin(["somme", "dernier", "moyenne"])]
    derived = []
    if not quarters.empty:
        quarters = quarters.sort_values([*KEY])
        group = quarters.groupby(["indicateur", "territoire", "annee", "agregation"], sort=False)
        agg = group.agg(
            somme=("valeur", "sum"),
            moyenne=("valeur", "mean"),
            dernier=("valeur", "last"),
            n_trimestres=("trimestre", "nunique"),
            dernier_trimestre=("trimestre", "max"),
            demo=("demo", "max"),
        ).reset_index()
        agg["valeur"] = np.select(
            [agg["agregation"] == "somme", agg["agregation"] == "moyenne"],
            [agg["somme"], agg["moyenne"]],
            default=agg["dernier"],
        )
        # A stock's yearly value is its value at the end of the year: missing T4 makes it partial too.
        agg["partiel"] = agg["n_trimestres"] < 4
        agg["trimestre"] = 0
        agg["calcule"] = False
        derived.append(agg[[*KEY, "valeur", "calcule", "partiel", "demo", "n_trimestres"]])
    stored["calcule"] = False
    stored["partiel"] = False
    parts = [stored[COLUMNS]]
    if derived:
        new = derived[0]
        have = stored.set_index(["indicateur", "territoire", "annee"]).index
        new = new[~new.set_index(["indicateur", "territoire", "annee"]).index.isin(have)]
        parts.append(new)
    out = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(not p.empty for p in parts) else empty_series()
    return out


def quarterly(values: pd.DataFrame) -> pd.DataFrame:
    """Quarterly values as stored."""
    if values.empty:
        return empty_series()
    out = values[values["trimestre"] > 0].copy()
    out["calcule"] = False
    out["partiel"] = False
    out["n_trimestres"] = 1
    return out[COLUMNS]


def roll_up(series: pd.DataFrame, meta: pd.DataFrame, territories: pd.DataFrame) -> pd.DataFrame:
    """Add parent territories' values computed from their children, where the indicator adds up.

    `territories`: code, parent, in order from the widest level. Levels are processed from the
    deepest, so sectors make TAS and TAS make the département.
    """
    if series.empty:
        return series
    additive = set(meta.loc[meta["additivite"] == "somme", "code"])
    children = territories.dropna(subset=["parent"]).groupby("parent")["code"].apply(list).to_dict()
    depth = _depths(territories)
    parents = sorted(children, key=lambda code: -depth.get(code, 0))
    out = series
    for parent in parents:
        kids = children[parent]
        sub = out[out["territoire"].isin(kids) & out["indicateur"].isin(additive)]
        if sub.empty:
            continue
        agg = (
            sub.groupby(["indicateur", "annee", "trimestre"], sort=False)
            .agg(
                valeur=("valeur", "sum"),
                n=("territoire", "nunique"),
                partiel=("partiel", "max"),
                demo=("demo", "max"),
                n_trimestres=("n_trimestres", "min"),
            )
            .reset_index()
        )
        agg = agg[agg["n"] == len(kids)]
        if agg.empty:
            continue
        agg["territoire"] = parent
        agg["calcule"] = True
        existing = out[out["territoire"] == parent].set_index(["indicateur", "annee", "trimestre"]).index
        agg = agg[~agg.set_index(["indicateur", "annee", "trimestre"]).index.isin(existing)]
        out = pd.concat([out, agg[COLUMNS]], ignore_index=True)
    return out


def _depths(territories: pd.DataFrame) -> dict[str, int]:
    parent = dict(zip(territories["code"], territories["parent"], strict=True))
    depth = {}
    for code in parent:
        d, node = 0, code
        while isinstance(parent.get(node), str) and d < 10:
            node, d = parent[node], d + 1
        depth[code] = d
    return depth


def with_periods(series: pd.DataFrame) -> pd.DataFrame:
    """Add `periode` (`T1 2025` / `2025`) and a sortable `ordre_periode`."""
    out = series.copy()
    out["periode"] = [period_label(int(a), int(t)) for a, t in zip(out["annee"], out["trimestre"], strict=True)]
    out["ordre_periode"] = [sort_key(int(a), int(t)) for a, t in zip(out["annee"], out["trimestre"], strict=True)]
    return out
