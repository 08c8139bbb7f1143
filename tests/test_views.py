"""View models on the small hand-built database: what a page block shows, as text and numbers."""

import pytest

from sus_data import views
from sus_data.filters import Filters

NNBSP = "\u202f"
NBSP = "\u00a0"
YEARLY = Filters()


def test_indicator_view_default(con, codes):
    view = views.indicator_view(con, codes.flux, YEARLY)
    assert view["code"] == codes.flux and view["unite"] == "nombre"
    assert set(view["series"]["territoire"]) == {"71", "TAS MP", "TAS CL", "TAS MALC"}  # no sector by default
    assert view["periode"] == "2025"
    assert list(view["comparison"]["valeur"]) == [24, 7, 8, 9]
    table = view["table"].set_index("Période")
    assert list(table.columns) == ["Département", "TAS MP", "TAS CL", "TAS MALC"]
    assert table.loc["2024", "Département"] == "125 (calculé) (partiel)"
    assert table.loc["2024", "TAS MP"] == "100"
    assert table.loc["2025", "TAS MALC"] == "9 (partiel)"
    data = view["table_data"].set_index("Période")
    assert data.loc["2024", "Département"] == 125
    assert not view["demo"]


def test_indicator_view_with_chosen_territories_and_quarters(con, codes):
    flt = Filters(territoires=("MACON", "PARAY"), granularite="trimestre")
    view = views.indicator_view(con, codes.flux, flt)
    assert set(view["series"]["territoire"]) == {"71", "MACON", "PARAY"}
    table = view["table"].set_index("Période")
    assert list(table.index) == ["T1 2024", "T2 2024", "T3 2024", "T1 2025", "T2 2025"]
    assert table.loc["T2 2025", "Mâcon"] == "< 5"  # 3: a small count, under the secret statistique
    assert table.loc["T2 2025", "Département"] == "—"
    # The comparison is always the département and its TAS, at their latest quarter.
    assert view["periode"] == "T1 2025"


def test_indicator_view_at_a_period_without_values(con, codes):
    view = views.indicator_view(con, codes.flux, Filters(annee=2023))
    assert view["comparison"].empty
    assert view["periode"] is None


def test_indicator_view_targets(con, codes):
    quarterly = views.indicator_view(con, codes.taux, Filters(granularite="trimestre"))
    assert list(quarterly["targets"]["periode"]) == ["T4 2024"]
    assert views.indicator_view(con, codes.taux, YEARLY)["targets"].empty  # a quarterly target on a yearly axis


def test_latest_table(con, codes):
    out = views.latest_table(con, [codes.flux, codes.stock, codes.taux, codes.dep], YEARLY)
    display = out["display"].set_index("Code")
    assert list(out["display"].columns) == [
        "Indicateur", "Code", "Période", "Département", "TAS MP", "TAS CL", "TAS MALC", "Unité",
    ]  # fmt: skip
    assert display.loc[codes.flux, "Période"] == "2025"
    assert display.loc[codes.flux, "Département"] == "24 (calculé) (partiel)"
    assert display.loc[codes.stock, "Département"] == "159 (calculé) (partiel)"
    assert display.loc[codes.taux, "Département"] == f"25,5{NBSP}%"
    assert display.loc[codes.taux, "TAS CL"] == "—"
    assert display.loc[codes.dep, "Département"] == "—"
    data = out["data"].set_index("Code")
    assert data.loc[codes.stock, "Département"] == 159
    assert not out["demo"]


def test_territory_portrait(con, codes):
    out = views.territory_portrait(con, "TAS MP", YEARLY)
    assert out["libelle"] == "TAS Mâcon - Paray-le-Monial"
    display = out["display"].set_index("Indicateur")
    columns = list(out["display"].columns)
    assert columns[:5] == ["Ambition", "Indicateur", "Période", "TAS MP", "Département"]
    flux = out["data"].set_index("Code").loc[codes.flux]
    assert (flux["TAS MP"], flux["Département"]) == (7, 24)
    label = con.execute("SELECT libelle FROM indicateur WHERE code = ?", [codes.flux]).fetchone()[0]
    assert display.loc[label, "Département"] == "24 (calculé)"
    assert display.loc[label, "Note"] == "année incomplète"
    assert not out["demo"]


def test_territory_portrait_empty_at_a_period_without_values(con):
    out = views.territory_portrait(con, "LOUHANS", Filters(annee=2025))
    assert out["display"].empty
    assert out["libelle"] == "Secteur de Louhans"
    assert out["ambitions"] == []


def test_indicator_page(con, codes):
    page = views.indicator_page(con, codes.flux, YEARLY)
    facts = dict(page["faits"])
    assert facts["Code"] == codes.flux
    assert facts["Valeur annuelle"] == "somme des trimestres (flux)"
    assert facts["Département calculé à partir des TAS"] == "oui"
    assert facts["Sens souhaité"] in {"à la hausse", "à la baisse", "aucun (indicateur de suivi)"}
    assert page["chaine"].startswith("Ambition ")
    assert " › " in page["chaine"]
    values = page["values_display"]
    assert len(values) == 17
    assert set(values["Type"]) == {"Réalisé"}
    assert values["Import"].str.startswith("n°4 — trimestre_test.csv (test, ").all()
    comment = page["values_data"]["Commentaire"].dropna().tolist()
    assert comment == ["=1+1 saisie provisoire"]
    assert not page["values_demo"]


def test_overview_tiles(con):
    out = views.overview_tiles(con, YEARLY)
    assert len(out["tiles"]) == 8
    assert not out["vide"]
    card = next(c for t in out["tiles"] for c in t["cards"])
    assert set(card["metric"]) >= {"label", "value", "delta", "delta_arrow", "delta_color", "help"}


def test_ambition_tree_is_one_markdown_list(con, codes):
    ambition = con.execute("SELECT ambition FROM indicateur WHERE code = ?", [codes.flux]).fetchone()[0]
    text = views.ambition_tree(con, ambition)
    assert text.startswith("- **Orientation 1** — ")
    assert f"(`{codes.flux}`, nombre)" in text
    assert "pas encore de valeur" in text


def test_referential_trees(con):
    trees = views.referential_trees(con)
    assert [t["code"] for t in trees][:2] == ["A1", "A2"]
    assert all(t["arbre"].startswith("- **") for t in trees)


@pytest.mark.parametrize("code", ["NOPE"])
def test_indicator_options_lists_those_with_values_first(con, code):
    options = views.indicator_options(con)
    first_without = options["a_des_valeurs"].tolist().index(False)
    assert options["a_des_valeurs"].iloc[:first_without].all()
    assert code not in set(options["code"])


def test_indicator_page_of_a_vanished_indicator_is_none(con):
    """A rollback can remove a context indicator that a page still lists: the page says so, no crash."""
    from sus_data import views
    from sus_data.filters import Filters

    assert views.indicator_page(con, "CTX-N-EXISTE-PAS", Filters()) is None
