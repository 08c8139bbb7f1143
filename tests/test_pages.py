"""Every page under Streamlit's AppTest, on the demo database: at its defaults, with filters set through
the widgets and through the URL, and with hostile URLs. What is shown is checked against the database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from sus_data import formatting

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 90
ENGLISH = re.compile(r"\b(Error|Exception|Traceback|not found|Invalid|None)\b")


@pytest.fixture
def app(demo_env):
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def open_page(at: AppTest, page: str | None = None, **params) -> AppTest:
    """Run the app once, then open `page` with these query parameters, as a shared link does."""
    at.run()
    assert not at.exception, at.exception
    if page:
        at.switch_page(page)
    at.query_params.clear()
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> list[str]:
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "text"):
        out += [str(e.value) for e in getattr(at, kind)]
    return out


def assert_french(at: AppTest) -> None:
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    for text in texts(at):
        assert "Traceback" not in text
        assert not ENGLISH.search(text), text


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def sql(db: Path, query: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, list(params)).fetchall()
    finally:
        con.close()


def tas_year_value(db: Path, code: str, year: int) -> float:
    """The département's yearly value as the sum of its TAS' quarters, computed independently in SQL."""
    ((agregation,),) = sql(db, "SELECT agregation FROM indicateur WHERE code = ?", [code])
    tas = "SELECT code FROM territoire WHERE parent = (SELECT code FROM territoire WHERE niveau = 'departement')"
    if agregation == "somme":
        query = f"SELECT sum(valeur) FROM valeur WHERE indicateur = ? AND annee = ? AND trimestre > 0 AND mesure = 'valeur' AND territoire IN ({tas})"
    elif agregation == "dernier":
        query = f"SELECT sum(valeur) FROM valeur WHERE indicateur = ? AND annee = ? AND trimestre = 4 AND mesure = 'valeur' AND territoire IN ({tas})"
    else:
        pytest.skip(f"agrégation {agregation}")
    ((total,),) = sql(db, query, [code, year])
    return total


# --- Vue d'ensemble --------------------------------------------------------------------------------


def test_overview_defaults(app, demo_env):
    at = open_page(app)
    assert at.title[0].value == "Vue d'ensemble"
    assert len(at.subheader) == 8  # one tile per ambition
    assert len(at.metric) >= 8
    assert_french(at)
    # Demo values are said so: in the metric labels and in the notice under the tiles.
    assert any("données fictives" in m.label for m in at.metric)
    assert any("données fictives de démonstration" in c.value for c in at.caption)
    # French numbers.
    big = [m.value for m in at.metric if "\u202f" in m.value]
    assert big, "au moins un nombre à 4 chiffres, écrit avec l'espace fine insécable"
    assert all(re.fullmatch(r"[\d\u202f]+(,\d+)?(\u00a0(%|€))?|oui|non", m.value) for m in at.metric)


def test_overview_computed_numbers_equal_the_database(app, demo_env):
    at = open_page(app)
    computed = [m for m in at.metric if "calculé à partir des TAS" in m.label]
    assert computed, "au moins un chiffre du département calculé à partir des TAS"
    for metric in computed:
        code = re.search(r"\(([A-Za-z0-9-]+)\)\. Sens souhaité", metric.help).group(1)
        year = int(metric.label.split(" · ")[0])
        expected = tas_year_value(demo_env, code, year)
        assert metric.value == formatting.nombre(expected), (code, year)


def test_overview_deltas_have_the_right_direction(app):
    """Streamlit reads the sign from the first character: the French minus (U+2212) would get an up arrow."""
    at = open_page(app)
    directions = at.metric[0].proto.MetricDirection
    changes = [m for m in at.metric if m.delta]
    assert changes
    for metric in changes:
        if metric.delta.startswith("\u2212"):
            assert metric.proto.direction == directions.DOWN, metric.label
        elif metric.delta.startswith("+"):
            assert metric.proto.direction == directions.UP, metric.label
        assert metric.proto.delta_description.startswith("par rapport à ")


def test_overview_quarterly_through_the_url(app):
    at = open_page(app, granularite="trimestre")
    labels = [m.label for m in at.metric]
    assert any(re.match(r"T[1-4] 20\d\d", label) for label in labels)
    assert at.radio(key="flt_granularite").value == "trimestre"
    assert at.query_params["granularite"] == "trimestre"


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"ambition": "A1' OR 1=1--"}, "L'ambition « A1' OR 1=1-- » de l'adresse n'existe pas : le filtre est ignoré."),
        (
            {"territoires": "<script>alert(1)</script>"},
            "Le territoire « <script>alert(1)</script> » de l'adresse n'existe pas : il est ignoré.",
        ),
        ({"debut": "99999"}, "L'année de début « 99999 » de l'adresse n'est pas une année valide : ignorée."),
        (
            {"annee": "[x](javascript:alert(1))"},
            "L'année « [x](javascript:alert(1)) » de l'adresse n'est pas une année valide : ignorée.",
        ),
        (
            {"granularite": "'; DROP TABLE valeur; --"},
            "La granularité « '; DROP TABLE valeur; -- » de l'adresse n'est pas valide : année retenue.",
        ),
    ],
)
def test_hostile_urls_give_a_french_notice_and_no_error(app, demo_env, params, notice):
    at = open_page(app, **params)
    assert [w.value for w in at.warning] == [formatting.markdown(notice)]
    assert at.title[0].value == "Vue d'ensemble"
    assert_french(at)
    for key in params:
        assert key not in at.query_params  # the bad value is not written back into the URL
    assert sql(demo_env, "SELECT count(*) FROM valeur")[0][0] > 0


@pytest.mark.parametrize(
    "page", ["app_pages/ambition.py", "app_pages/territoire.py", "app_pages/indicateur.py", "app_pages/referentiel.py"]
)
def test_hostile_urls_on_every_page(app, page):
    at = open_page(
        app,
        page,
        ambition="A5'--",
        territoire="<img src=x onerror=alert(1)>",
        indicateur="../../etc/passwd",
        debut="-1",
    )
    assert len(at.warning) == 4
    assert_french(at)


# --- Ambition ----------------------------------------------------------------------------------------


def test_ambition_list(app):
    at = open_page(app, "app_pages/ambition.py")
    assert at.title[0].value == "Ambitions du schéma"
    assert not at.get("plotly_chart")
    assert_french(at)


def test_ambition_page_numbers_equal_the_database(app, demo_env):
    at = open_page(app, "app_pages/ambition.py", ambition="A5")
    assert at.title[0].value.startswith("Ambition 5 : ")
    assert [t.label for t in at.tabs] == ["Indicateurs", "Arborescence du schéma"]
    specs = charts(at)
    assert len(specs) == 2
    for spec in specs:
        assert spec["layout"]["separators"] == ", "
    assert specs[0]["layout"]["xaxis"]["title"]["text"] == "Période"
    assert specs[1]["layout"]["xaxis"]["title"]["text"] == "Territoire"
    colours = {t["name"]: t["line"]["color"] for t in specs[0]["data"]}
    assert colours["Département"] == "#1A1A1A" and colours["TAS MP"] == "#0072B2"
    latest = at.dataframe[0].value.set_index("Code")
    code = latest.index[0]
    year = int(latest.loc[code, "Période"])
    expected = tas_year_value(demo_env, code, year)
    assert latest.loc[code, "Département"] == f"{formatting.nombre(expected)} (calculé) *"
    ((mp,),) = sql(
        demo_env,
        "SELECT sum(valeur) FROM valeur WHERE indicateur = ? AND territoire = 'TAS MP' AND annee = ? AND mesure = 'valeur'",
        [code, year],
    )
    ((agregation,),) = sql(demo_env, "SELECT agregation FROM indicateur WHERE code = ?", [code])
    if agregation == "somme":
        assert latest.loc[code, "TAS MP"] == f"{formatting.nombre(mp)} *"
    assert any(c.value == formatting.markdown("* Données fictives de démonstration.") for c in at.caption)
    assert_french(at)


def test_ambition_filters_through_the_widgets_write_the_url(app):
    at = open_page(app, "app_pages/ambition.py", ambition="A5")
    at.radio(key="flt_granularite").set_value("trimestre").run()
    assert not at.exception
    assert at.query_params["granularite"] == "trimestre"
    periods = charts(at)[0]["layout"]["xaxis"]["categoryarray"]
    assert all(re.fullmatch(r"T[1-4] 20\d\d", p) for p in periods)
    at.selectbox(key="flt_ambition").set_value("A7").run()
    assert not at.exception
    assert at.title[0].value.startswith("Ambition 7 : ")
    assert at.query_params["ambition"] == "A7"
    # The same link opens the same view in a new session.
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    again.query_params.update(dict(at.query_params))
    again.run()
    again.switch_page("app_pages/ambition.py").run()
    assert again.title[0].value == at.title[0].value
    assert again.radio(key="flt_granularite").value == "trimestre"


def test_ambition_with_an_orientation_and_chosen_territories(app):
    at = open_page(app, "app_pages/ambition.py", ambition="A5", noeud="A5-O1", territoires="AUTUN,TAS MP")
    assert not at.warning
    names = [t["name"] for t in charts(at)[0]["data"]]
    assert names[0] == "Département"
    assert set(names) <= {"Département", "TAS MP", "Autun"}
    assert_french(at)


def test_ambition_at_a_year_without_values(app):
    at = open_page(app, "app_pages/ambition.py", ambition="A5", annee="2019", granularite="trimestre")
    assert_french(at)
    assert any("Pas de valeur de cet indicateur" in i.value or "Aucune valeur" in i.value for i in at.info)


# --- Territoire --------------------------------------------------------------------------------------


def test_territory_portrait(app, demo_env):
    at = open_page(app, "app_pages/territoire.py", territoire="TAS CL")
    assert at.title[0].value == "Portrait de territoire"
    assert at.header[0].value == "TAS Chalon\\-sur\\-Saône \\- Louhans"
    frames = [d.value for d in at.dataframe]
    assert frames
    first = frames[0]
    assert {"Indicateur", "Période", "TAS CL", "Département"} <= set(first.columns)
    assert_french(at)


def test_territory_without_data_shows_what_is_missing_and_how_to_add_it(app):
    at = open_page(app, "app_pages/territoire.py", territoire="LOUHANS", annee="2025")
    assert not at.dataframe
    info = at.info[0].value
    assert "Aucune valeur n'est enregistrée pour Secteur de Louhans en 2025." in info
    assert "import trimestriel" in info
    assert_french(at)


# --- Indicateur --------------------------------------------------------------------------------------


def test_indicator_page(app, demo_env):
    ((code,),) = sql(
        demo_env,
        "SELECT code FROM indicateur WHERE agregation = 'somme' AND additivite = 'somme' AND code NOT LIKE 'CTX-%' ORDER BY ordre LIMIT 1",
    )
    at = open_page(app, "app_pages/indicateur.py", indicateur=code)
    assert at.title[0].value == "Fiche indicateur"
    assert at.selectbox(key="flt_indicateur").value == code
    assert len(charts(at)) == 1
    values = at.dataframe[-1].value
    ((count,),) = sql(demo_env, "SELECT count(*) FROM valeur WHERE indicateur = ?", [code])
    assert len(values) == count
    assert values["Valeur"].str.endswith(" *").all()  # demo values carry the asterisk
    assert_french(at)


def test_indicator_page_yearly_table_equals_the_database(app, demo_env):
    ((code,),) = sql(
        demo_env,
        "SELECT code FROM indicateur WHERE agregation = 'somme' AND additivite = 'somme' AND code NOT LIKE 'CTX-%' ORDER BY ordre LIMIT 1",
    )
    at = open_page(app, "app_pages/indicateur.py", indicateur=code)
    table = at.dataframe[0].value.set_index("Période")
    for year in table.index:
        expected = tas_year_value(demo_env, code, int(year))
        assert table.loc[year, "Département"] == f"{formatting.nombre(expected)} (calculé) *"


# --- Référentiel -------------------------------------------------------------------------------------


def test_referential_search(app):
    at = open_page(app, "app_pages/referentiel.py", q="violences")
    assert at.text_input(key="flt_recherche").value == "violences"
    assert len(at.dataframe[0].value) > 0
    assert_french(at)
    at.text_input(key="flt_recherche").set_value("zzzzqqq").run()
    assert "Aucun résultat pour « zzzzqqq »." in at.info[0].value
    assert at.query_params["q"] == "zzzzqqq"


def test_referential_tree(app):
    at = open_page(app, "app_pages/referentiel.py")
    assert at.title[0].value == "Référentiel du schéma"
    assert len(at.main.expander) == 9  # 8 ambitions and the acronyms
    assert at.markdown[-1].value.startswith("- **Orientation 1**") or any(
        m.value.startswith("- **Orientation") for m in at.markdown
    )


# --- Navigation and empty database -------------------------------------------------------------------


def test_filters_survive_a_move_to_another_page(app):
    at = open_page(app, None, granularite="trimestre", ambition="A5")
    at.switch_page("app_pages/territoire.py")
    at.query_params.clear()  # the menu drops the query string
    at.run()
    assert not at.exception
    assert at.radio(key="flt_granularite").value == "trimestre"
    assert at.query_params["granularite"] == "trimestre"


def test_reset_button(app):
    at = open_page(app, None, granularite="trimestre", ambition="A5")
    at.button(key="flt__reset").click().run()
    at.run()
    assert at.radio(key="flt_granularite").value == "annee"
    assert "granularite" not in at.query_params


def test_empty_database_says_what_is_missing(tmp_path, monkeypatch):
    import streamlit as st

    from sus_data.config import get_config
    from sus_data.database import init_database
    from sus_data.store import Store

    db = tmp_path / "vide.duckdb"
    init_database(Store(db), get_config(), demo=False)
    with Store(db).write() as con:
        con.execute("DELETE FROM valeur")
    monkeypatch.setenv("SUS_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = open_page(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT))
        assert "Aucune valeur n'est encore enregistrée." in at.info[0].value
        assert not at.metric
        for page in ("app_pages/ambition.py", "app_pages/territoire.py", "app_pages/indicateur.py"):
            at.switch_page(page)
            at.query_params.update({"ambition": "A5"})
            at.run()
            assert not at.exception, page
            assert at.info, page
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_an_import_invalidates_the_caches(tmp_path, monkeypatch, demo_db):
    """A new import lands in the file: the next run shows it, without restarting the app."""
    import shutil
    import time

    import streamlit as st

    from sus_data.config import get_config
    from sus_data.ingest import Upload, import_files
    from sus_data.snapshot import CHECK_INTERVAL_S
    from sus_data.store import Store

    db = tmp_path / "copie.duckdb"
    shutil.copy(demo_db, db)
    monkeypatch.setenv("SUS_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = open_page(
            AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT),
            "app_pages/territoire.py",
            territoire="LOUHANS",
            annee="2025",
        )
        assert not at.dataframe
        data = b"code_indicateur;territoire;annee;trimestre;valeur\nCTX-RSA-BENEFICIAIRES;LOUHANS;2025;;1234\n"
        import_files(Store(db), get_config(), [Upload(data, "louhans.csv")], "test")
        time.sleep(CHECK_INTERVAL_S + 0.1)
        at.run()
        assert not at.exception
        table = at.dataframe[0].value
        assert table["Secteur de Louhans" if "Secteur de Louhans" in table else "Louhans"].tolist() == [
            f"1{formatting.NNBSP}234"
        ]
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
