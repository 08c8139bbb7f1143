"""Years and quarters as people type them (sus_data/periods.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from sus_data.periods import YEARLY, label, month_quarter, parse_quarter, parse_year, previous, sort_key

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("cell", "quarter"),
    [
        (1, 1),
        (4.0, 4),
        ("2", 2),
        ("3,0", 3),
        ("T1", 1),
        ("t2", 2),
        (" T3 ", 3),
        (f"T{NBSP}4", 4),
        ("Q1", 1),
        ("q4", 4),
        ("1er trimestre", 1),
        ("1ER TRIMESTRE", 1),
        (f"2e{NNBSP}trimestre", 2),
        ("2ème trimestre", 2),
        ("3e trim", 3),
        ("4T", 4),
        ("Trimestre 2", 2),
        ("trim. 3", 3),
    ],
)
def test_quarter_spellings(cell, quarter):
    assert parse_quarter(cell) == (quarter, None)


@pytest.mark.parametrize("cell", [None, "", "   ", "annuel", "Année", "Total"])
def test_empty_or_yearly_quarter_is_a_yearly_value(cell):
    assert parse_quarter(cell) == (YEARLY, None)


@pytest.mark.parametrize(
    ("cell", "quarter"),
    [
        ("janvier", 1),
        ("Février", 1),
        ("MARS", 1),
        ("avril", 2),
        ("juin", 2),
        ("Août", 3),
        ("sept.", 3),
        ("décembre", 4),
    ],
)
def test_month_names_are_refused_and_their_quarter_suggested(cell, quarter):
    assert parse_quarter(cell) == (None, "mois")
    assert month_quarter(cell) == quarter


@pytest.mark.parametrize("cell", [0, 5, 1.5, "T5", "Q0", "5e trimestre", "S1", "premier", True, dt.date(2025, 1, 1)])
def test_invalid_quarters(cell):
    assert parse_quarter(cell) == (None, "invalide")


@pytest.mark.parametrize(
    ("cell", "year"), [(2025, 2025), (2025.0, 2025), ("2025", 2025), (" 2024 ", 2024), ("2023.0", 2023)]
)
def test_years(cell, year):
    assert parse_year(cell) == (year, None)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (None, "vide"),
        ("  ", "vide"),
        (dt.date(2025, 1, 1), "date"),
        (dt.datetime(2025, 1, 1), "date"),
        ("01/01/2025", "date"),
        ("2025-01-01", "date"),
        (1999, "hors"),
        (2101, "hors"),
        ("25", "hors"),
        (2025.5, "invalide"),
        (float("nan"), "invalide"),
        ("deux mille", "invalide"),
        ("2 025", "invalide"),
        (True, "invalide"),
    ],
)
def test_invalid_years_and_why(cell, reason):
    assert parse_year(cell) == (None, reason)


def test_period_arithmetic():
    assert previous(2025, 1) == (2024, 4)
    assert previous(2025, 3) == (2025, 2)
    assert previous(2025, YEARLY) == (2024, YEARLY)
    assert label(2025, 2) == "T2 2025"
    assert label(2025, YEARLY) == "2025"
    # Quarters sort inside their year, the yearly value after them.
    keys = [sort_key(2025, YEARLY), sort_key(2025, 4), sort_key(2025, 1), sort_key(2024, YEARLY)]
    assert sorted(keys) == [sort_key(2024, YEARLY), sort_key(2025, 1), sort_key(2025, 4), sort_key(2025, YEARLY)]
