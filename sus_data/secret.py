"""Secret statistique: small counts are not shown to readers, so that no person can be recognised.

A count (unit `nombre`) strictly between 0 and the threshold is masked in what the pages show and let
readers download: the screen shows « < 5 », a download leaves the cell empty and says why in a note, a
chart leaves the point out and says so. The threshold is the indicator's `secret_seuil` when the
referential sets one, else `[seuils] secret_statistique` of the configuration (5 by default); 0 means
never masked. Zero itself is not masked: it reveals nobody.

The observatory's own tools keep the true values: `python -m sus_data export`, the backups, the Import
page (reserved to the `import` role) and the database itself.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .memo import remember
from .vocabulary import UNIT_COUNT

FLAG = "secret"  # bool column: the value of the row is masked
THRESHOLD = "secret_seuil"  # the threshold it fell under, for the « < 5 » text
SUFFIX = "__secret"  # in wide frames, one flag column per value column


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
    return f"< {int(seuil)}"


def note(seuil: int) -> str:
    """What a download says in place of a masked value."""
    return f"Secret statistique : valeur inférieure à {int(seuil)}, non diffusée."


def masked_in(data: pd.DataFrame) -> bool:
    """Does a download table hold a value masked here (its note column says so)?"""
    notes = data.get("Note") if isinstance(data, pd.DataFrame) else None
    return notes is not None and bool(notes.astype(str).str.startswith("Secret statistique").any())


def chart_note(count: int) -> str:
    return f"secret statistique : {count} valeur(s) trop petite(s) non représentée(s)"


def caption(seuil: int | None = None) -> str:
    """The sentence under a table that holds masked values."""
    seuil = default_threshold() if seuil is None else seuil
    return (
        f"« < {seuil} » : secret statistique. Les effectifs de 1 à {seuil - 1} ne sont pas diffusés, pour "
        "qu'aucune personne ne puisse être reconnue ; les fichiers téléchargés laissent ces cellules vides."
    )


def mask(
    frame: pd.DataFrame,
    thresholds: dict[str, int],
    code_column: str = "indicateur",
    value_column: str = "valeur",
    where: pd.Series | None = None,
) -> pd.DataFrame:
    """A copy of `frame` with small counts removed from `value_column`, and the columns `secret` (the
    row is masked) and `secret_seuil` (its threshold). `where` limits the masking to some rows (e.g. the
    achieved values, not the targets)."""
    out = frame.copy()
    seuils = out[code_column].map(thresholds).fillna(0).astype(int) if len(out) else pd.Series(dtype=int)
    values = pd.to_numeric(out[value_column], errors="coerce") if len(out) else pd.Series(dtype=float)
    hit = (seuils > 0) & (values > 0) & (values < seuils)
    if where is not None:
        hit &= where.reindex(out.index, fill_value=False).astype(bool)
    out[FLAG] = hit.to_numpy(dtype=bool) if len(out) else np.zeros(0, dtype=bool)
    out[THRESHOLD] = seuils.to_numpy(dtype=int) if len(out) else np.zeros(0, dtype=int)
    if hit.any():
        out[value_column] = out[value_column].astype(float).where(~hit, np.nan)
    return out


def mask_columns(frame: pd.DataFrame, thresholds: dict[str, int], columns: list[str], code_column: str) -> pd.DataFrame:
    """For a wide frame (one value column per territory): each listed column masked, with its flag in
    `column + "__secret"`, and the indicator's threshold in `secret_seuil`."""
    out = frame.copy()
    seuils = out[code_column].map(thresholds).fillna(0).astype(int)
    out[THRESHOLD] = seuils
    for column in columns:
        if column not in out.columns:
            continue
        values = pd.to_numeric(out[column], errors="coerce")
        hit = (seuils > 0) & (values > 0) & (values < seuils)
        out[column + SUFFIX] = hit.astype(bool)
        if hit.any():
            out[column] = out[column].astype(float).where(~hit, np.nan)
    return out


def cell_text(value, seuil: int, formatted: str) -> str:
    """`formatted` (the value as the page writes it) unless the value is masked."""
    return label(seuil) if is_masked(value, seuil) else formatted
