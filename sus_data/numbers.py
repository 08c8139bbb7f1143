"""Numbers as people type them in French spreadsheets: `1 234,5`, `12,5 %`, `1 234,50 €`, `oui`."""

from __future__ import annotations

import datetime as dt
import math
import re

from . import textnorm

# Excel's error values, in English and French versions of the software.
EXCEL_ERRORS = {
    "#DIV/0!", "#N/A", "#N/D", "#VALUE!", "#VALEUR!", "#REF!", "#NAME?", "#NOM?", "#NUM!", "#NULL!",
    "#NUL!", "#GETTING_DATA", "#SPILL!", "#CALC!", "#DIV/0",
}  # fmt: skip
YES = {"oui", "o", "yes", "vrai", "true", "fait", "realise", "realisee", "x"}
NO = {"non", "n", "no", "faux", "false", "nonrealise", "nonrealisee"}
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_NUMBER_START = frozenset("0123456789+-\u2212")
_GROUPING = re.compile(r"[\s']+")
# sign, integer part (digits, or digits grouped by three), decimal separator, decimals.
_WRITTEN_NUMBER = re.compile(r"([+-]?) ?(\d{1,3}(?: \d{3})+|\d+)(?:([,.])(\d+))?")
_LEADING_NUMBER = re.compile(r"^[+-]?\d[\d\s\u00a0\u202f,.]*")

# Reasons a cell is not a number; the validator turns them into French messages.
EMPTY = "vide"
EXCEL_ERROR = "erreur_excel"
DATE = "date"
NOT_FINITE = "non_fini"
WITH_UNIT = "unite"
AMBIGUOUS = "ambigu"
NOT_NUMBER = "invalide"


KIND_PLAIN = ""
KIND_PERCENT = "%"
KIND_YESNO = "oui/non"


def parse_number(cell) -> tuple[float | None, str | None, str]:
    """A cell → (number, None, kind) or (None, reason, "").

    `kind` says the text carried a `%` sign or was a yes/no word. Text with letters is refused rather
    than guessed.
    """
    if cell is None:
        return None, EMPTY, KIND_PLAIN
    if isinstance(cell, bool):
        return float(cell), None, KIND_YESNO
    if isinstance(cell, (int, float)):
        value = float(cell)
        if not math.isfinite(value):
            return None, NOT_FINITE, KIND_PLAIN
        return value, None, KIND_PLAIN
    if isinstance(cell, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return None, DATE, KIND_PLAIN
    text = textnorm.clean_cell(cell)
    if not text:
        return None, EMPTY, KIND_PLAIN
    if text[0] in _NUMBER_START:  # the usual case first: `1 234,5`, `12,5 %`
        value, reason, kind = _written_number(text)
        if value is not None or reason is not None:
            return value, reason, kind
    if text.upper() in EXCEL_ERRORS or (text.startswith("#") and text.endswith(("!", "?"))):
        return None, EXCEL_ERROR, KIND_PLAIN
    lowered = textnorm.key(text)
    if lowered in {"nan", "inf", "infinity", "infini", "+inf", "-inf"} or lowered.lstrip("+-") in {
        "inf",
        "infinity",
        "nan",
    }:
        return None, NOT_FINITE, KIND_PLAIN
    if lowered in YES:
        return 1.0, None, KIND_YESNO
    if lowered in NO:
        return 0.0, None, KIND_YESNO
    compact = _SPACES.sub("", text)
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2,4}", compact):
        return None, DATE, KIND_PLAIN
    if _LEADING_NUMBER.match(text.strip()) and re.search(r"[^\W\d_]", text):
        return None, WITH_UNIT, KIND_PLAIN
    return None, NOT_NUMBER, KIND_PLAIN


def _written_number(text: str) -> tuple[float | None, str | None, str]:
    """A number written as text, with its `%` or `€` sign: (number, None, kind), (None, AMBIGUOUS, ""),
    or (None, None, "") when the text is not a number at all.

    Spaces (normal, no-break, narrow no-break) or apostrophes may group thousands by three: `1 234,5`;
    `12 34` is not a number, so that two numbers typed in one cell are not glued into one.
    """
    kind = KIND_PLAIN
    if text.endswith("%"):
        kind = KIND_PERCENT
        text = text[:-1]
    elif text.endswith("€"):
        text = text[:-1]
    match = _WRITTEN_NUMBER.fullmatch(_GROUPING.sub(" ", text.replace("\u2212", "-")).strip())
    if match is None:
        return None, None, KIND_PLAIN
    sign, whole, separator, decimals = match.groups()
    if separator == "." and len(decimals) == 3 and len(whole) <= 3 and not whole.startswith("0"):
        # `12.5` is read as a decimal; `1.234` could be a thousands separator: ask rather than guess.
        # (`0.125`, `1234.567` and `1 234.567` cannot be thousands, and are read as decimals.)
        return None, AMBIGUOUS, KIND_PLAIN
    digits = sign + whole.replace(" ", "") + ("." + decimals if decimals else "")
    return float(digits), None, kind


def leading_number(text: str) -> str:
    """The number at the start of `12 personnes` → `12`, to suggest a correction."""
    match = _LEADING_NUMBER.match(str(text).strip())
    return match.group(0).strip() if match else ""
