"""The whole app for another département: the Allier's configuration, referential and figures.

Nothing in the code knows Saône-et-Loire: with SUS_CONFIG=config/03.toml every page works on the
Allier's tree (volets, politiques, axes, objectifs, fiches) and its 3 territoires des solidarités.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sus_data import charts, views
from sus_data.config import load_config
from sus_data.database import init_database
from sus_data.filters import Filters
from sus_data.snapshot import open_snapshot
from sus_data.store import Store

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "03.toml"
PAGES = [
    "app_pages/vue_ensemble.py",
    "app_pages/ambition.py",
    "app_pages/territoire.py",
    "app_pages/indicateur.py",
    "app_pages/referentiel.py",
]
DENSITY = "CTX-DENSITE"  # the Allier's population density, compared with France métropolitaine in the source


@pytest.fixture(scope="module")
def allier_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("allier") / "allier.duckdb"
    init_database(Store(path), load_config(CONFIG), demo=True)
    return path


@pytest.fixture
def allier_env(allier_db, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("SUS_CONFIG", str(CONFIG))
    monkeypatch.setenv("SUS_DB", str(allier_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield allier_db
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_allier(allier_env, page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page(page)
    at.query_params.update({"ambition": "V2"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(str(e.value) for e in [*at.title, *at.markdown, *at.caption, *at.subheader])
    assert "Saône-et-Loire" not in shown
    assert "TAS" not in shown


def test_ambition_page_speaks_of_volets_and_tsd(allier_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("app_pages/ambition.py")
    at.query_params.update({"ambition": "V2"})
    at.run()
    assert at.title[0].value.startswith("Volet 2 : ")
    assert at.sidebar.selectbox[0].label == "Volet"


def test_comparator_line_with_its_label_and_source(allier_db, monkeypatch):
    monkeypatch.setenv("SUS_CONFIG", str(CONFIG))
    snapshot = open_snapshot(Store(allier_db))
    try:
        con = snapshot.cursor()
        view = views.indicator_view(con, DENSITY, Filters())
        territories = con.execute("SELECT * FROM territoire").df()
    finally:
        snapshot.close()
    figure = charts.time_series(
        view["series"], territories, view["libelle"], view["unite"], view["targets"], view["sources"]
    )
    names = [trace.name for trace in figure.data]
    reference = [name for name in names if name.startswith("France")]
    assert reference, names
    assert "(référence, source : Département de l'Allier" in reference[0]
    france = next(t for t in figure.data if t.name == reference[0])
    assert france.line.dash == "longdashdot"
    assert list(france.y) == [105.5]


def test_indicator_page_draws_the_comparator(allier_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("app_pages/indicateur.py")
    at.query_params.update({"indicateur": DENSITY})
    at.run()
    assert not at.exception
    names = [trace["name"] for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]]
    assert any(name.startswith("France") and "source" in name for name in names), names
