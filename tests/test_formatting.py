"""French formats: exact strings, with the narrow no-break space (U+202F) between thousands and the
no-break space (U+00A0) before % and €."""

import math

import pytest
from babel.numbers import format_currency, format_decimal

from sus_data import formatting as f

NNBSP = "\u202f"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (15547, f"15{NNBSP}547"),
        (1234567, f"1{NNBSP}234{NNBSP}567"),
        (12.5, "12,5"),
        (12.345, "12,34"),  # 2 decimals below 100, half to even on the decimal value
        (12.355, "12,36"),
        (2.675, "2,68"),
        (0.125, "0,12"),
        (123.45, "123,4"),  # 1 decimal from 100 on
        (1234.56, f"1{NNBSP}234,6"),
        (-1234.5, f"-1{NNBSP}234,5"),
        (-0.001, "0"),  # never "-0"
        (99.995, "100"),
    ],
)
def test_nombre(value, expected):
    assert f.nombre(value) == expected


def test_nombre_with_fixed_decimals():
    assert f.nombre(12, 1) == "12,0"
    assert f.nombre(15547.25, 2) == f"15{NNBSP}547,25"
    assert f.entier(15547.4) == f"15{NNBSP}547"


@pytest.mark.parametrize("value", [None, math.nan, math.inf, "abc"])
def test_missing_values_are_a_dash(value):
    assert f.nombre(value) == "—"
    assert f.pourcentage(value) == "—"
    assert f.euros(value) == "—"
    assert f.valeur(value, "nombre") == "—"
    assert f.variation(value) == "—"


def test_pourcentage():
    assert f.pourcentage(12.5) == f"12,5{NBSP}%"
    assert f.pourcentage(92) == f"92{NBSP}%"
    assert f.pourcentage(33.333) == f"33,3{NBSP}%"
    assert f.pourcentage(94.6, 0) == f"95{NBSP}%"


def test_euros():
    assert f.euros(1234.5) == f"1{NNBSP}234,50{NBSP}€"
    assert f.euros(0) == f"0,00{NBSP}€"


def test_variation_has_a_sign_and_the_french_minus():
    assert f.variation(12.5) == f"+12,5{NBSP}%"
    assert f.variation(-3) == f"\u22123{NBSP}%"
    assert f.variation(0.01) == f"0{NBSP}%"


def test_valeur_by_unit():
    assert f.valeur(15547, "nombre") == f"15{NNBSP}547"
    assert f.valeur(12.5, "%") == f"12,5{NBSP}%"
    assert f.valeur(1500, "€") == f"1{NNBSP}500,00{NBSP}€"
    assert f.valeur(1, "oui/non") == "oui"
    assert f.valeur(0, "oui/non") == "non"
    assert f.valeur(3.5, "mois") == f"3,5{NBSP}mois"
    assert f.valeur(12, "personnes par conseiller") == f"12{NBSP}personnes par conseiller"


def test_periode():
    assert f.periode(2025, 1) == "T1 2025"
    assert f.periode(2025, 0) == "2025"
    assert f.periode(2025, None) == "2025"


def test_date_heure():
    import datetime as dt

    assert f.date_heure(dt.datetime(2026, 11, 23, 15, 42)) == "23/11/2026 15:42"
    assert f.date_heure(None) == "—"


def test_markdown_is_escaped():
    assert f.markdown("**gras** [lien](javascript:x)") == r"\*\*gras\*\* \[lien\]\(javascript:x\)"
    assert f.markdown(None) == ""
    assert f.markdown(math.nan) == ""
    assert f.markdown("deux\nlignes") == "deux lignes"


def test_same_strings_as_babel_fr_fr():
    """The fast formatter writes exactly what Babel writes for the fr_FR locale (but never `-0`)."""
    import random

    rng = random.Random(71)
    values = [rng.uniform(-1e7, 1e7) for _ in range(2000)] + [round(rng.uniform(0, 1000), 3) for _ in range(2000)]
    for value in values:
        most = 0 if value == int(value) else (1 if abs(value) >= 100 else 2)
        pattern = "#,##0" + ("." + "#" * most if most else "")
        expected = format_decimal(value, format=pattern, locale="fr_FR")
        assert f.nombre(value) == ("0" if expected == "-0" else expected)
        assert f.euros(value) == format_currency(value, "EUR", locale="fr_FR")
