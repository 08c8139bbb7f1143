"""Secret statistique: small counts are not shown to readers, so that no person can be recognised.

A count (unit `nombre`) strictly between 0 and the threshold is masked in what the pages show and let
readers download: the screen shows « < 5 », a download leaves the cell empty and says why in a note, a
chart leaves the point out and says so. The threshold is the indicator's `secret_seuil` when the
referential sets one, else `[seuils] secret_statistique` of the configuration (5 by default); 0 means
never masked. Zero itself is not masked: it reveals nobody.

A masked count must not come back by difference: where values add up between territories, a parent's
total minus its other children's values would give it. So when exactly one child of a published total
is masked, the smallest other child is masked too (« secret » on screen, complementary masking): the
reader then knows the sum of two hidden values, not either one. Published total: the parent's value in
the same table, or, when the table holds every child, the total the other pages compute from them. The same
holds for the quarters of a flow (`somme`), whose year is their sum; both rules are applied until neither
masks anything more, preferring complements that close a rectangle with a mask already there. This is a
greedy heuristic: no total is left with a single masked part, but the pattern is neither minimal nor proven
against combining several equations (what the linear-programming tools of statistical offices do). Not
covered: a figure of one page against those of another page (the Suivi and Qualité pages show one
territory at a time).

The observatory's own tools keep the true values: `python -m sus_data export`, the backups, the Import
page (reserved to the `import` role) and the database itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .memo import remember
from .vocabulary import UNIT_COUNT

FLAG = "secret"  # bool column: the value of the row is masked
THRESHOLD = "secret_seuil"  # the threshold it fell under, for the « < 5 » text
SUFFIX = "__secret"  # in wide frames, one flag column per value column
SEUIL_SUFFIX = "__seuil"  # and one threshold column per value column (COMPLEMENT for a complementary mask)
# The threshold recorded for a value masked only so that a small one cannot be recovered by difference.
COMPLEMENT = -1
COMPLEMENT_LABEL = "secret"


@dataclass(frozen=True)
class Hierarchy:
    """What complementary masking needs: each territory's children, and the indicators that add up."""

    children: dict[str, tuple[str, ...]]
    additive: frozenset[str]
    temporal: frozenset[str] = frozenset()  # indicators whose year is the sum of its quarters (flows)


def hierarchy(con) -> Hierarchy:
    def read() -> Hierarchy:
        children: dict[str, list[str]] = {}
        for code, parent in con.execute(
            "SELECT code, parent FROM territoire WHERE parent IS NOT NULL ORDER BY ordre"
        ).fetchall():
            children.setdefault(parent, []).append(code)
        additive = con.execute("SELECT code FROM indicateur WHERE additivite = 'somme'").fetchall()
        flows = con.execute("SELECT code FROM indicateur WHERE agregation = 'somme'").fetchall()
        return Hierarchy(
            {p: tuple(c) for p, c in children.items()},
            frozenset(code for (code,) in additive),
            frozenset(code for (code,) in flows),
        )

    return remember(con, "secret_hierarchy", read)


def complements(
    members: dict[str, tuple[float, bool]], tree: Hierarchy, paired: Callable[[str], bool] | None = None
) -> list[str]:
    """Of one indicator's values in one period (territory → (value, masked)), those to mask as well so
    that no masked one can be recovered by difference, in the order they are chosen. `paired(member)`
    says whether masking it would pair it with a value already masked in its other table direction
    (the same territory's other quarters, or the same quarter's other territories): such a member is
    preferred, so that the masks close a rectangle instead of spreading."""
    hidden = {code for code, (_, masked) in members.items() if masked}
    if not hidden:
        return []
    values = {code: value for code, (value, _) in members.items()}
    added: list[str] = []
    changed = True
    while changed:  # a complementary mask can open a difference one level up or down
        changed = False
        for parent, kids in tree.children.items():
            present = [kid for kid in kids if kid in members]
            if parent in members:
                if parent in hidden or _missing(values[parent]):
                    continue  # no published total
            elif len(present) < len(kids) or len(kids) < 2:
                continue  # the total is not computed (a child lacks a value): nothing to subtract from
            if sum(kid in hidden for kid in present) != 1:
                continue
            visible = [kid for kid in present if kid not in hidden and not _missing(values[kid])]
            if not visible:
                continue
            # The smallest positive value (a zero hidden beside a small count would protect nothing).
            pick = min(visible, key=lambda kid: (paired is not None and not paired(kid), values[kid] == 0, values[kid]))
            hidden.add(pick)
            added.append(pick)
            changed = True
    return added


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def default_threshold() -> int:
    from .config import get_config

    return int(get_config().seuils.secret_statistique)


def threshold_of(unite: str | None, secret_seuil, default: int) -> int:
    """The threshold of an indicator: 0 (never) unless it counts people or things, in `nombre`."""
    if unite != UNIT_COUNT:
        return 0
    if secret_seuil is None or (isinstance(secret_seuil, float) and math.isnan(secret_seuil)) or secret_seuil is pd.NA:
        return int(default)
    return int(secret_seuil)


def rules(con, codes: list[str] | None = None, default: int | None = None) -> dict[str, int]:
    """Each indicator's threshold (0: never masked), read from the referential."""
    default = default_threshold() if default is None else default
    sql = "SELECT code, unite, secret_seuil FROM indicateur"
    every = remember(
        con,
        ("secret", default),
        lambda: {code: threshold_of(unite, seuil, default) for code, unite, seuil in con.execute(sql).fetchall()},
    )
    if codes is None:
        return dict(every)
    return {code: every[code] for code in codes if code in every}


def is_masked(value, seuil: int) -> bool:
    if value is None or not seuil:
        return False
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return math.isfinite(number) and 0 < number < seuil


def label(seuil: int) -> str:
    """What the screen shows instead of a masked value."""
    return COMPLEMENT_LABEL if seuil == COMPLEMENT else f"< {int(seuil)}"


def note(seuil: int) -> str:
    """What a download says in place of a masked value."""
    if seuil == COMPLEMENT:
        return "Secret statistique : valeur masquée pour qu'un petit effectif ne se retrouve pas par différence."
    return f"Secret statistique : valeur inférieure à {int(seuil)}, non diffusée."


def masked_in(data: pd.DataFrame) -> bool:
    """Does a download table hold a value masked here (its note column says so)?"""
    notes = data.get("Note") if isinstance(data, pd.DataFrame) else None
    return notes is not None and bool(notes.astype(str).str.startswith("Secret statistique").any())


def chart_note(count: int, complementary: int = 0) -> str:
    if complementary:
        return (
            f"secret statistique : {count - complementary} valeur(s) trop petite(s) et {complementary} valeur(s) "
            "voisine(s) non représentée(s)"
        )
    return f"secret statistique : {count} valeur(s) trop petite(s) non représentée(s)"


def caption(seuil: int | None = None) -> str:
    """The sentence under a table that holds masked values."""
    seuil = default_threshold() if seuil is None else seuil
    return (
        f"« < {seuil} » : secret statistique. Les effectifs de 1 à {seuil - 1} ne sont pas diffusés, pour "
        "qu'aucune personne ne puisse être reconnue ; « secret » : valeur masquée elle aussi, pour qu'un petit "
        "effectif ne se retrouve pas par différence avec le total ; les fichiers téléchargés laissent ces "
        "cellules vides."
    )


def mask(
    frame: pd.DataFrame,
    thresholds: dict[str, int],
    code_column: str = "indicateur",
    value_column: str = "valeur",
    where: pd.Series | None = None,
    tree: Hierarchy | None = None,
) -> pd.DataFrame:
    """A copy of `frame` with small counts removed from `value_column`, and the columns `secret` (the
    row is masked) and `secret_seuil` (its threshold, COMPLEMENT for a complementary mask). `where`
    limits the masking to some rows (e.g. the achieved values, not the targets). With `tree` (and a
    column `territoire`), values that would give a masked one back by difference are masked too, among
    the rows of the same indicator and period (and measure)."""
    out = frame.copy()
    seuils = out[code_column].map(thresholds).fillna(0).astype(int) if len(out) else pd.Series(dtype=int)
    values = pd.to_numeric(out[value_column], errors="coerce") if len(out) else pd.Series(dtype=float)
    hit = (seuils > 0) & (values > 0) & (values < seuils)
    allowed = where.reindex(out.index, fill_value=False).astype(bool) if where is not None else None
    if allowed is not None:
        hit &= allowed
    flags = hit.to_numpy(dtype=bool, copy=True) if len(out) else np.zeros(0, dtype=bool)
    levels = seuils.to_numpy(dtype=int, copy=True) if len(out) else np.zeros(0, dtype=int)
    if tree is not None and flags.any() and "territoire" in out:
        usable = allowed.to_numpy(dtype=bool) if allowed is not None else np.ones(len(out), dtype=bool)
        for index in _complementary_rows(out, values.to_numpy(dtype=float), flags, usable, tree, code_column):
            flags[index], levels[index] = True, COMPLEMENT
    out[FLAG] = flags
    out[THRESHOLD] = levels
    if flags.any():
        out[value_column] = out[value_column].astype(float).where(~flags, np.nan)
    return out


def _complementary_rows(out, values, flags, usable, tree: Hierarchy, code_column: str) -> list[int]:
    """Positions of the rows to mask as complements (see `complements`): among the territories of one
    period, and among the quarters of one territory's year (flows), until neither finds anything more."""
    column = {k: out[k].tolist() if k in out else [None] * len(out) for k in ("annee", "trimestre", "mesure")}
    codes, territories = out[code_column].tolist(), out["territoire"].tolist()
    across: dict[tuple, dict[str, int]] = {}
    over_year: dict[tuple, dict[str, int]] = {}
    for index, code in enumerate(codes):
        if not usable[index]:
            continue
        annee, trimestre, mesure = column["annee"][index], column["trimestre"][index], column["mesure"][index]
        if code in tree.additive:
            across.setdefault((code, annee, trimestre, mesure), {})[territories[index]] = index
        if code in tree.temporal and annee is not None and trimestre is not None:
            over_year.setdefault((code, territories[index], annee, mesure), {})[str(int(trimestre))] = index

    def across_of(i: int) -> dict[str, int]:
        return across.get((codes[i], column["annee"][i], column["trimestre"][i], column["mesure"][i]), {})

    def over_year_of(i: int) -> dict[str, int]:
        return over_year.get((codes[i], territories[i], column["annee"][i], column["mesure"][i]), {})

    # Each group, its shape, and where its rows' groups in the other direction are (to prefer complements
    # that pair with a mask already there).
    groups = [(rows, tree, over_year_of) for rows in across.values()]
    for rows in over_year.values():  # the year ("0") is the total of the quarters the table holds
        groups.append((rows, Hierarchy({"0": tuple(q for q in rows if q != "0")}, frozenset()), across_of))
    flags = flags.copy()

    def paired_in(rows: dict[str, int], other_of) -> Callable[[str], bool]:
        return lambda key: any(flags[j] for j in other_of(rows[key]).values() if j != rows[key])

    chosen: list[int] = []
    changed = True
    while changed:
        changed = False
        for rows, shape, other_of in groups:
            if not any(flags[i] for i in rows.values()):
                continue
            members = {key: (float(values[i]), bool(flags[i])) for key, i in rows.items()}
            for key in complements(members, shape, paired_in(rows, other_of)):
                flags[rows[key]] = True
                chosen.append(rows[key])
                changed = True
    return chosen


def mask_columns(
    frame: pd.DataFrame,
    thresholds: dict[str, int],
    columns: list[str],
    code_column: str,
    tree: Hierarchy | None = None,
    own: str | None = None,
) -> pd.DataFrame:
    """For a wide frame (one value column per territory): each listed column masked, with its flag in
    `column + "__secret"` and its threshold in `column + "__seuil"`, and the indicator's threshold in
    `secret_seuil`. With `tree`, complementary masks across the columns of each row (see `complements`);
    `own` names the territory whose value is also in the columns `valeur` and `secret` (a portrait's), kept
    in step."""
    seuils = frame[code_column].map(thresholds).fillna(0).astype(int).to_numpy()
    present = [column for column in columns if column in frame.columns]
    # Plain arrays, written back in one go: inserting columns one by one into a DataFrame is slow.
    values = {c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float) for c in present}
    hidden = {c: (seuils > 0) & (values[c] > 0) & (values[c] < seuils) for c in present}
    levels = {c: seuils.copy() for c in present}
    own_values = own_flags = own_levels = None
    if tree is not None and present:
        codes = frame[code_column].tolist()
        for row, code in enumerate(codes):
            if code not in tree.additive:
                continue
            members = {c: (float(values[c][row]), bool(hidden[c][row])) for c in present}
            for column in complements(members, tree):
                hidden[column][row] = True
                levels[column][row] = COMPLEMENT
                if column == own:
                    if own_values is None:
                        own_values = frame["valeur"].to_numpy(dtype=float, copy=True)
                        own_flags = frame[FLAG].to_numpy(dtype=bool, copy=True)
                        own_levels = frame[THRESHOLD].to_numpy(dtype=int, copy=True)
                    own_values[row], own_flags[row], own_levels[row] = np.nan, True, COMPLEMENT
    columns_out: dict[str, object] = {THRESHOLD: seuils if own_levels is None else own_levels}
    for c in present:
        columns_out[c] = np.where(hidden[c], np.nan, values[c]) if hidden[c].any() else frame[c].to_numpy()
        columns_out[c + SUFFIX] = hidden[c]
        columns_out[c + SEUIL_SUFFIX] = levels[c]
    if own_values is not None:
        columns_out.update({"valeur": own_values, FLAG: own_flags})
    kept = frame.drop(columns=[c for c in columns_out if c in frame.columns])
    return pd.concat([kept, pd.DataFrame(columns_out, index=frame.index)], axis=1)


def cell_text(value, seuil: int, formatted: str) -> str:
    """`formatted` (the value as the page writes it) unless the value is masked."""
    return label(seuil) if is_masked(value, seuil) else formatted
