"""The filters value object: the URL's plain-text form, and hostile values dropped with a French notice."""

import pytest

from sus_data.filters import Choices, Filters

CHOICES = Choices(
    ambitions=("A1", "A5"),
    noeuds=frozenset({"A1", "A5", "A5-O1", "A5-O1-Obj1", "A1-O1"}),
    territoires=("71", "TAS MP", "TAS CL", "TAS MALC", "LOUHANS"),
    indicateurs=frozenset({"A5-O1-Obj1-Ac1-I1", "CTX-SSD-MENAGES"}),
    annee_min=2018,
    annee_max=2025,
)


def parse(**params) -> Filters:
    return Filters.from_params(params, CHOICES)


def test_defaults_have_no_parameter():
    assert Filters().to_params() == {}
    assert parse() == Filters()
    assert parse().notices == ()


def test_round_trip():
    flt = Filters(
        ambition="A5",
        noeud="A5-O1",
        territoires=("TAS MP", "LOUHANS"),
        debut=2020,
        fin=2024,
        annee=2024,
        trimestre=2,
        granularite="trimestre",
        indicateur="A5-O1-Obj1-Ac1-I1",
        territoire="TAS CL",
        recherche="violences conjugales",
    )
    params = flt.to_params()
    assert params == {
        "ambition": "A5",
        "noeud": "A5-O1",
        "territoires": "TAS MP,LOUHANS",
        "debut": "2020",
        "fin": "2024",
        "annee": "2024",
        "trimestre": "2",
        "granularite": "trimestre",
        "indicateur": "A5-O1-Obj1-Ac1-I1",
        "territoire": "TAS CL",
        "q": "violences conjugales",
    }
    back = Filters.from_params(params, CHOICES)
    assert back == flt
    assert back.notices == ()
    assert back.to_params() == params


def test_repeated_parameter_keeps_the_last():
    assert parse(ambition=["A1", "A5"]).ambition == "A5"


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        (
            {"ambition": "A1' OR 1=1--"},
            "L'ambition « A1' OR 1=1-- » de l'adresse n'existe pas : le filtre est ignoré.",
        ),
        (
            {"territoires": "<script>alert(1)</script>"},
            "Le territoire « <script>alert(1)</script> » de l'adresse n'existe pas : il est ignoré.",
        ),
        ({"debut": "99999"}, "L'année de début « 99999 » de l'adresse n'est pas une année valide : ignorée."),
        ({"fin": "1789"}, "L'année de fin « 1789 » de l'adresse n'est pas une année valide : ignorée."),
        ({"debut": "²"}, "L'année de début « ² » de l'adresse n'est pas une année valide : ignorée."),
        ({"debut": "٢٠٢٤"}, "L'année de début « ٢٠٢٤ » de l'adresse n'est pas une année valide : ignorée."),
        (
            {"annee": "2010"},
            "L'année 2010 de l'adresse n'a aucune valeur enregistrée : la période la plus récente est retenue.",
        ),
        ({"trimestre": "5"}, "Le trimestre « 5 » de l'adresse n'est pas valide (1 à 4) : ignoré."),
        (
            {"granularite": "mois"},
            "La granularité « mois » de l'adresse n'est pas valide : année retenue.",
        ),
        (
            {"indicateur": "DROP TABLE valeur"},
            "L'indicateur « DROP TABLE valeur » de l'adresse n'existe pas : le filtre est ignoré.",
        ),
        ({"territoire": "Paris"}, "Le territoire « Paris » de l'adresse n'existe pas : le filtre est ignoré."),
        ({"noeud": "A9-O9"}, "Le nœud « A9-O9 » de l'adresse n'existe pas : le filtre est ignoré."),
        ({"q": "x" * 300}, "Le paramètre « q » de l'adresse est trop long : il est ignoré."),
        (
            {"ambition": "A1", "noeud": "A5-O1"},
            "Le nœud « A5-O1 » n'appartient pas à l'ambition choisie : ignoré.",
        ),
    ],
)
def test_hostile_values_are_dropped_with_a_french_notice(params, notice):
    flt = Filters.from_params(params, CHOICES)
    assert flt.notices == (notice,)
    # Nothing of the bad value survives in the filters nor in the URL written back.
    kept = flt.to_params()
    bad = [key for key, value in params.items() if kept.get(key) != value]
    assert len(bad) == 1


def test_a_bad_value_does_not_spoil_the_good_ones():
    flt = parse(ambition="A5", territoires="TAS MP,<b>x</b>,TAS MP,TAS CL", debut="abc", granularite="trimestre")
    assert flt.ambition == "A5"
    assert flt.territoires == ("TAS MP", "TAS CL")  # unknown dropped, duplicate kept once
    assert flt.debut is None
    assert flt.granularite == "trimestre"
    assert len(flt.notices) == 2


def test_years_in_the_wrong_order_are_swapped():
    flt = parse(debut="2024", fin="2020")
    assert (flt.debut, flt.fin) == (2020, 2024)
    assert flt.notices == ("L'année de début de l'adresse est après l'année de fin : elles sont inversées.",)


def test_long_or_control_characters_are_shortened_in_the_notice():
    flt = parse(ambition="A" * 60 + "\x00\x1b")
    assert flt.ambition is None
    assert "\x00" not in flt.notices[0]
    assert "…" in flt.notices[0]


def test_sql_text_never_reaches_sql():
    """Values only travel as parameters; the SQL text is the same whatever the URL holds."""
    hostile = Filters.from_params({"ambition": "A5'; DROP TABLE valeur; --", "debut": "2020"}, CHOICES)
    assert hostile.ambition is None
    clause, params = hostile.value_clause("v")
    assert clause == "v.annee >= ?"
    assert params == [2020]
    clause, params = Filters(ambition="A5").indicator_clause("i")
    assert clause == "i.ambition = ?" and params == ["A5"]
    clause, params = Filters(noeud="A5-O1").indicator_clause("i")
    assert "?" in clause and "A5-O1" not in clause and params == ["/A5-O1/"]


def test_key_is_stable_and_ignores_notices():
    a = Filters(ambition="A5", territoires=("TAS MP",))
    b = Filters(ambition="A5", territoires=("TAS MP",), notices=("x",))
    assert a == b
    assert a.key() == b.key() == "ambition=A5&territoires=TAS MP"


def test_for_data_drops_the_page_level_choices():
    flt = Filters(
        ambition="A5", granularite="trimestre", indicateur="X", territoire="TAS MP", recherche="mot", notices=("n",)
    )
    assert flt.for_data() == Filters(ambition="A5", granularite="trimestre")
    assert flt.for_data().key() == "ambition=A5&granularite=trimestre"
