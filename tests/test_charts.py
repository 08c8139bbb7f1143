"""Plotly figures: one trace per territory in its configured colour, French separators and texts,
periods in time order, computed and demo values said in words."""

import pandas as pd

from sus_data import charts

TERRITORIES = pd.DataFrame(
    {
        "code": ["71", "TAS MP", "TAS CL", "MACON"],
        "libelle_court": ["Département", "TAS MP", "TAS CL", "Mâcon"],
        "couleur": ["#1A1A1A", "#0072B2", "#E69F00", "#882255"],
        "niveau": ["departement", "tas", "tas", "secteur"],
        "ordre": [0, 1, 2, 9],
    }
)


def frame(rows, demo=False) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["territoire", "periode", "ordre_periode", "valeur", "calcule"])
    out["demo"] = demo
    out["partiel"] = False
    return out


SERIES = frame(
    [
        ("TAS CL", "T1 2025", 20251, 8.0, False),
        ("71", "T4 2024", 20244, 160.0, True),
        ("TAS MP", "T4 2024", 20244, 56.0, False),
        ("71", "T1 2025", 20251, 24.0, True),
        ("TAS MP", "T1 2025", 20251, 7.0, False),
        ("TAS CL", "T4 2024", 20244, 33.0, False),
    ]
)


def test_one_trace_per_territory_in_its_colour_and_order():
    fig = charts.time_series(SERIES, TERRITORIES, "Nombre de participants", "nombre")
    assert [t.name for t in fig.data] == ["Département", "TAS MP", "TAS CL"]
    assert [t.line.color for t in fig.data] == ["#1A1A1A", "#0072B2", "#E69F00"]
    assert fig.data[0].line.dash == "dash" and fig.data[1].line.dash == "solid"
    assert list(fig.data[1].x) == ["T4 2024", "T1 2025"]
    assert list(fig.data[1].y) == [56.0, 7.0]


def test_french_layout():
    fig = charts.time_series(SERIES, TERRITORIES, "Nombre de participants", "nombre")
    assert fig.layout.separators == ", "
    assert fig.layout.xaxis.title.text == "Période"
    assert fig.layout.yaxis.title.text == "Nombre"
    assert fig.layout.xaxis.type == "category"
    assert list(fig.layout.xaxis.categoryarray) == ["T4 2024", "T1 2025"]
    assert fig.layout.title.text == "Nombre de participants"


def test_axis_titles_by_unit():
    assert charts.axis_title("%") == "Pourcentage (%)"
    assert charts.axis_title("€") == "Montant (€)"
    assert charts.axis_title("mois") == "Mois"
    assert charts.axis_title("personnes par conseiller") == "Personnes par conseiller"


def test_computed_values_are_hollow_and_said_in_the_hover():
    fig = charts.time_series(SERIES, TERRITORIES, "x", "nombre")
    dep = fig.data[0]
    assert list(dep.marker.symbol) == ["circle-open", "circle-open"]
    assert list(dep.customdata) == [" (calculé à partir des TAS)"] * 2
    assert list(fig.data[1].customdata) == ["", ""]
    assert dep.hovertemplate == "%{fullData.name} : %{y:,.2~f}%{customdata}<extra></extra>"


def test_hover_unit_suffix_uses_a_no_break_space():
    fig = charts.time_series(SERIES, TERRITORIES, "Taux", "%")
    assert "%{y:,.2~f}\u00a0%" in fig.data[0].hovertemplate
    assert fig.layout.yaxis.title.text == "Pourcentage (%)"


def test_demo_values_are_named_in_the_title_and_the_hover():
    demo = SERIES.assign(demo=True)
    fig = charts.time_series(demo, TERRITORIES, "Nombre de participants", "nombre")
    assert fig.layout.title.text == "Nombre de participants (données fictives de démonstration)"
    assert fig.data[1].customdata[0] == " (données fictives de démonstration)"


def test_long_titles_are_wrapped():
    fig = charts.time_series(SERIES, TERRITORIES, "mot " * 40, "nombre")
    assert "<br>" in fig.layout.title.text


def test_yearly_periods_sort_after_their_quarters_and_targets_join_the_axis():
    series = frame([("71", "2024", 20245, 100.0, False), ("71", "2023", 20235, 90.0, False)])
    targets = pd.DataFrame({"territoire": ["71"], "periode": ["2025"], "ordre_periode": [20255], "valeur": [120.0]})
    fig = charts.time_series(series, TERRITORIES, "x", "nombre", targets)
    assert list(fig.layout.xaxis.categoryarray) == ["2023", "2024", "2025"]
    assert fig.data[-1].name == "Cible Département"
    assert fig.data[-1].marker.symbol == "star-open"


def test_comparison_bars():
    comparison = pd.DataFrame(
        {
            "territoire": ["71", "TAS MP", "TAS CL"],
            "libelle_court": ["Département", "TAS MP", "TAS CL"],
            "couleur": ["#1A1A1A", "#0072B2", "#E69F00"],
            "niveau": ["departement", "tas", "tas"],
            "valeur": [1500.0, 700.0, 800.0],
            "calcule": [True, False, False],
            "demo": [False, False, True],
        }
    )
    fig = charts.comparison_bars(comparison, "Nombre de participants", "nombre", "2025")
    bars = fig.data[0]
    assert list(bars.x) == ["TAS MP", "TAS CL"]
    assert list(bars.marker.color) == ["#0072B2", "#E69F00"]
    assert list(bars.text) == ["700", "800"]
    assert bars.customdata[1] == " (données fictives de démonstration)"
    assert fig.layout.xaxis.title.text == "Territoire"
    assert fig.layout.separators == ", "
    assert fig.layout.title.text == "Nombre de participants — 2025 (données fictives de démonstration)"
    line = fig.layout.shapes[0]
    assert (line.y0, line.line.color) == (1500.0, "#1A1A1A")
    assert fig.layout.annotations[0].text == "Département (calculé à partir des TAS) : 1\u202f500"


def test_every_figure_passes_plotly_validation():
    """Figures are built without plotly's validation (for speed): validate them here instead."""
    import plotly.graph_objects as go

    targets = pd.DataFrame({"territoire": ["71"], "periode": ["T1 2025"], "ordre_periode": [20251], "valeur": [30.0]})
    comparison = pd.DataFrame(
        {
            "territoire": ["71", "TAS MP"],
            "libelle_court": ["Département", "TAS MP"],
            "couleur": ["#1A1A1A", "#0072B2"],
            "niveau": ["departement", "tas"],
            "valeur": [10.0, 4.0],
            "calcule": [True, False],
            "demo": [True, True],
        }
    )
    figures = [
        charts.time_series(SERIES, TERRITORIES, "x", "nombre", targets),
        charts.time_series(SERIES.assign(demo=True), TERRITORIES, "y " * 80, "%"),
        charts.comparison_bars(comparison, "z", "€", "2025"),
    ]
    for fig in figures:
        go.Figure(fig.to_dict())  # raises ValueError on any invalid property
