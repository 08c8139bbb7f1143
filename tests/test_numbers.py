"""Numbers as people type them in French spreadsheets (sus_data/numbers.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from sus_data import numbers
from sus_data.numbers import leading_number, parse_number

NBSP = "\u00a0"  # no-break space
NNBSP = "\u202f"  # narrow no-break space (Excel and Babel in French)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (1234, 1234.0),
        (12.5, 12.5),
        ("1234", 1234.0),
        ("1 234", 1234.0),
        (f"1{NBSP}234", 1234.0),
        (f"1{NNBSP}234", 1234.0),
        ("1\u2009234", 1234.0),  # thin space
        ("1 234,5", 1234.5),
        (f"1{NBSP}234{NBSP}567,25", 1234567.25),
        (f"12 345{NNBSP}678", 12345678.0),
        ("1'234", 1234.0),  # apostrophe, as the Swiss write it
        ("  42  ", 42.0),
        ("0,5", 0.5),
        ("-3,25", -3.25),
        ("\u22123", -3.0),  # typographic minus
        ("+ 5", 5.0),
        ("12.5", 12.5),  # a dot with one or two decimals is a decimal separator
        ("12.50", 12.5),
        ("0.125", 0.125),  # a leading zero cannot be a thousands group
        ("1234.567", 1234.567),  # four digits before the dot: not a thousands group either
        ("1 234.567", 1234.567),  # the space groups thousands, so the dot is decimal
        ("1,234", 1.234),  # a comma is always the decimal separator
        ("1 234,50 €", 1234.5),
    ],
)
def test_french_number_text_is_read(cell, expected):
    assert parse_number(cell) == (expected, None, numbers.KIND_PLAIN)


@pytest.mark.parametrize(
    "cell",
    ["12,5 %", "12,5%", f"12,5{NBSP}%", f"12,5{NNBSP}%", "12.5 %", " 12,5 % "],
)
def test_percentage_is_read_as_percent_points(cell):
    assert parse_number(cell) == (12.5, None, numbers.KIND_PERCENT)


def test_thousands_spaces_in_a_percentage():
    assert parse_number(f"1{NNBSP}234,5{NBSP}%") == (1234.5, None, numbers.KIND_PERCENT)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("oui", 1.0), ("Oui", 1.0), ("OUI ", 1.0), ("x", 1.0), ("réalisé", 1.0), ("non", 0.0), ("Non réalisé", 0.0),
     (True, 1.0), (False, 0.0)],
)  # fmt: skip
def test_yes_no_words_and_booleans(cell, expected):
    assert parse_number(cell) == (expected, None, numbers.KIND_YESNO)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (None, numbers.EMPTY),
        ("", numbers.EMPTY),
        ("   ", numbers.EMPTY),
        (f"{NBSP}{NNBSP}", numbers.EMPTY),
        ("#DIV/0!", numbers.EXCEL_ERROR),
        ("#N/A", numbers.EXCEL_ERROR),
        ("#VALEUR!", numbers.EXCEL_ERROR),
        ("#REF!", numbers.EXCEL_ERROR),
        (dt.date(2025, 3, 31), numbers.DATE),
        (dt.datetime(2025, 3, 31, 12, 0), numbers.DATE),
        ("31/03/2025", numbers.DATE),
        (float("inf"), numbers.NOT_FINITE),
        (float("nan"), numbers.NOT_FINITE),
        ("inf", numbers.NOT_FINITE),
        ("-inf", numbers.NOT_FINITE),
        ("NaN", numbers.NOT_FINITE),
        ("1.234", numbers.AMBIGUOUS),  # thousands separator or decimal point? ask
        ("-12.500", numbers.AMBIGUOUS),
        ("12 personnes", numbers.WITH_UNIT),
        ("environ 12", numbers.NOT_NUMBER),
        ("abc", numbers.NOT_NUMBER),
        ("12 34", numbers.NOT_NUMBER),  # not grouped by three: two numbers in one cell, not one
        ("1 2345", numbers.NOT_NUMBER),
        ("1.234,5", numbers.NOT_NUMBER),  # German grouping is not guessed
        ("12,5 %%", numbers.NOT_NUMBER),
    ],
)
def test_what_is_not_a_number_and_why(cell, reason):
    value, found, _kind = parse_number(cell)
    assert (value, found) == (None, reason)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12 personnes", "12"), ("1 234,5 bénéficiaires", "1 234,5"), ("personnes", "")],
)
def test_leading_number_suggests_the_correction(text, expected):
    assert leading_number(text) == expected
