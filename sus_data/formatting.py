"""French number, money, percentage and period formats, in one place (Babel, locale fr_FR).

Babel writes the thousands separator as a narrow no-break space (U+202F) and puts a no-break space
(U+00A0) before `%` and `€`, as the French typographic rules ask: `15 547`, `12,5 %`, `1 234,50 €`.
"""

from __future__ import annotations

import math

from babel.numbers import format_currency, format_decimal

LOCALE = "fr_FR"
MISSING = "—"
NBSP = "\u00a0"
UNIT_PERCENT = "%"
UNIT_EURO = "€"
UNIT_YESNO = "oui/non"
UNIT_COUNT = "nombre"


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def nombre(value, decimals: int | None = None) -> str:
    """`15547` → `15 547`; `12.5` → `12,5`; at most 2 decimals unless told."""
    if _is_missing(value):
        return MISSING
    value = float(value)
    if decimals is None:
        decimals = 0 if value == int(value) else (1 if abs(value) >= 100 else 2)
        pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    else:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def pourcentage(value, decimals: int = 1) -> str:
    """A value already in percent: `12.5` → `12,5 %`."""
    if _is_missing(value):
        return MISSING
    text = format_decimal(float(value), format="#,##0." + "#" * decimals, locale=LOCALE)
    return f"{text}{NBSP}%"


def euros(value) -> str:
    """`1234.5` → `1 234,50 €`."""
    if _is_missing(value):
        return MISSING
    return format_currency(float(value), "EUR", locale=LOCALE)


def variation(value, decimals: int = 1) -> str:
    """A signed change in percent: `12.5` → `+12,5 %`, `-3` → `−3 %`."""
    if _is_missing(value):
        return MISSING
    value = float(value)
    text = pourcentage(abs(value), decimals)
    if round(value, decimals) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def valeur(value, unite: str | None) -> str:
    """A value in its indicator's unit."""
    if _is_missing(value):
        return MISSING
    if unite == UNIT_PERCENT:
        return pourcentage(value)
    if unite == UNIT_EURO:
        return euros(value)
    if unite == UNIT_YESNO:
        return "oui" if float(value) >= 1 else "non"
    text = nombre(value)
    if unite and unite not in (UNIT_COUNT, "qualitatif"):
        return f"{text}{NBSP}{unite}"
    return text


def entier(value) -> str:
    return nombre(value, decimals=0)


def periode(annee: int, trimestre: int | None = 0) -> str:
    """`(2025, 1)` → `T1 2025`; `(2025, 0)` or `(2025, None)` → `2025`."""
    if trimestre:
        return f"T{int(trimestre)} {int(annee)}"
    return str(int(annee))


def date_heure(moment) -> str:
    """A timestamp as `23/11/2026 15:42`."""
    if moment is None:
        return MISSING
    return moment.strftime("%d/%m/%Y %H:%M")
