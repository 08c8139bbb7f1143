"""Years and quarters: parsing what people type, and period arithmetic."""

from __future__ import annotations

import math
import re

from . import textnorm

MIN_YEAR = 2000
MAX_YEAR = 2100
YEARLY = 0

_QUARTER_PATTERNS = [
    re.compile(r"^[tq]([1-4])$"),  # T1, Q1
    re.compile(r"^([1-4])$"),
    re.compile(r"^([1-4])(?:er|e|eme|nd|d)?(?:trimestre|trim|t)$"),  # 1er trimestre, 2e trim, 3T
    re.compile(r"^(?:trimestre|trim)([1-4])$"),  # trimestre 1
]
_YEARLY_WORDS = {"", "annee", "annuel", "annuelle", "an", "total", "a"}
MONTHS = {
    "janvier": 1, "fevrier": 1, "mars": 1, "avril": 2, "mai": 2, "juin": 2,
    "juillet": 3, "aout": 3, "septembre": 3, "octobre": 4, "novembre": 4, "decembre": 4,
    "janv": 1, "fevr": 1, "fev": 1, "avr": 2, "juil": 3, "sept": 3, "oct": 4, "nov": 4, "dec": 4,
}  # fmt: skip


def parse_quarter(cell) -> tuple[int | None, str | None]:
    """A quarter cell → (0 for yearly or 1..4, None) or (None, reason). Reasons: 'mois', 'invalide'."""
    if cell is None:
        return YEARLY, None
    if isinstance(cell, bool):
        return None, "invalide"
    if isinstance(cell, (int, float)):
        if float(cell).is_integer() and 1 <= int(cell) <= 4:
            return int(cell), None
        return None, "invalide"
    if not isinstance(cell, str):
        return None, "invalide"
    text = textnorm.clean_cell(cell)
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        number = None
    if number is not None:
        return parse_quarter(number)
    key = textnorm.key(text)
    if key in _YEARLY_WORDS:
        return YEARLY, None
    for pattern in _QUARTER_PATTERNS:
        match = pattern.match(key)
        if match:
            return int(match.group(1)), None
    if key in MONTHS:
        return None, "mois"
    return None, "invalide"


def month_quarter(cell: str) -> int | None:
    return MONTHS.get(textnorm.key(cell))


def parse_year(cell) -> tuple[int | None, str | None]:
    """A year cell → (year, None) or (None, reason). Reasons: 'vide', 'date', 'hors', 'invalide'."""
    import datetime as dt

    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None, "vide"
    if isinstance(cell, (dt.date, dt.datetime)):
        return None, "date"
    if isinstance(cell, bool):
        return None, "invalide"
    if isinstance(cell, (int, float)):
        if isinstance(cell, float) and not (math.isfinite(cell) and cell.is_integer()):
            return None, "invalide"
        year = int(cell)
    else:
        text = textnorm.clean_cell(cell).removesuffix(".0")
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}.*", text):
            return None, "date"
        if not text.isdigit():
            return None, "invalide"
        year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None, "hors"
    return year, None


def label(annee: int, trimestre: int) -> str:
    return f"T{trimestre} {annee}" if trimestre else str(annee)


def previous(annee: int, trimestre: int) -> tuple[int, int]:
    """The period before: T1 2025 → T4 2024; 2025 → 2024."""
    if trimestre == YEARLY:
        return annee - 1, YEARLY
    if trimestre == 1:
        return annee - 1, 4
    return annee, trimestre - 1


def sort_key(annee: int, trimestre: int) -> int:
    """Quarters sort inside their year; a yearly value sorts after its quarters."""
    return annee * 10 + (trimestre if trimestre else 5)
