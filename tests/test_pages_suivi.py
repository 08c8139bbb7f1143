"""The Suivi du programme and Qualité des données pages, and the Import page's « Suivi des actions » tab, under
Streamlit's AppTest: what they show is checked against the view functions and the database."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from sus_data import evaluation, followup, formatting, quality
from sus_data.accounts import User
from sus_data.config import get_config

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 90
ENGLISH = re.compile(r"\b(Error|Exception|Traceback|not found|Invalid|None|nan|NaN)\b")
IMPORTER = User("marie.dupont", "Marie Dupont", frozenset({"import"}))


def open_page(at: AppTest, page: str, **params) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(page)
    at.query_params.clear()
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def assert_french(at: AppTest) -> None:
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "text"):
        for element in getattr(at, kind):
            assert not ENGLISH.search(str(element.value)), element.value


def read(db: Path):
    return duckdb.connect(str(db), read_only=True)


@pytest.fixture
def app(demo_env):
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def test_suivi_page_shows_the_progress_and_the_actions(app, demo_env):
    at = open_page(app, "app_pages/suivi.py")
    assert at.title[0].value == "Suivi du programme"
    assert [t.label for t in at.tabs] == ["Cibles et avancement", "Actions", "Jalons", "Périmètres des actions"]
    assert at.selectbox(key="suivi_annee").value == 2025
    assert at.selectbox(key="suivi_territoire").value == "71"
    con = read(demo_env)
    try:
        counts = evaluation.progress_view(con, 2025, "71")["counts"].drop(columns=["Code"])
        tas = followup.tas_counts(con, 2025)
    finally:
        con.close()
    shown = at.dataframe[0].value
    assert shown.to_dict("records") == counts.to_dict("records")
    per_tas = next(e.value for e in at.dataframe if list(e.value.columns)[:1] == ["Territoire"])
    assert per_tas.to_dict("records") == tas.to_dict("records")
    assert at.get("download_button")[0].proto.label == "Télécharger le rapport annuel 2025 — Saône-et-Loire (Excel)"
    assert any(c.value.startswith("✔ atteint : la dernière valeur a atteint la cible") for c in at.caption)
    assert_french(at)


def test_suivi_page_shows_the_calpae_objectives_in_2022(app):
    at = open_page(app, "app_pages/suivi.py")
    at.selectbox(key="suivi_annee").set_value(2022).run()
    assert not at.exception
    counts = at.dataframe[0].value.set_index("Ambition")
    a2 = next(label for label in counts.index if label.startswith("2. "))
    assert counts.loc[a2, "⚠ en retard"] == 2
    assert counts.loc[a2, "Total"] == 6
    assert_french(at)


def test_suivi_page_for_a_tas_and_an_ambition_from_the_sidebar(app):
    at = open_page(app, "app_pages/suivi.py", ambition="A1")
    at.selectbox(key="suivi_territoire").set_value("TAS CL").run()
    assert not at.exception
    detail = next(e.value for e in at.dataframe if "Périmètre" in e.value.columns and "Statut" in e.value.columns)
    assert detail["Action"].str.startswith("A1-").all()
    assert at.get("download_button")[0].proto.label.endswith("— TAS Chalon-sur-Saône - Louhans (Excel)")
    assert_french(at)


def test_suivi_page_follows_the_programme_chosen_in_the_sidebar(app):
    """The archived PDI: its 23 fiches are the actions followed (none has a status), and its indicators
    have no target; the page says which programme it shows and where the context targets went."""
    at = open_page(app, "app_pages/suivi.py", programme="PDI-2013-2018")
    assert re.sub(r"\\(.)", r"\1", at.info[0].value) == (  # as shown: without Markdown's escapes
        "Cibles et actions du programme choisi dans le panneau de gauche : Programme départemental d'insertion "
        "2013-2018 (livret opérationnel). Le rapport annuel porte sur les programmes en cours."
    )
    assert re.sub(r"\\(.)", r"\1", at.info[1].value) == (
        "**Aucune cible n'est enregistrée pour les indicateurs de ce programme (Saône-et-Loire).**\n\n"
        "Les indicateurs de contexte (dont les objectifs de la convention CALPAE) n'appartiennent à aucun programme : "
        "choisissez « Tous les programmes » dans le panneau de gauche pour voir leurs cibles."
    )
    detail = next(e.value for e in at.dataframe if "Périmètre" in e.value.columns and "Statut" in e.value.columns)
    assert len(detail) == 23
    assert detail["Action"].str.startswith("A8-PDI-").all()
    assert set(detail["Statut"]) == {"? sans statut"}
    assert_french(at)
    everything = open_page(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT), "app_pages/suivi.py")
    detail = next(
        e.value for e in everything.dataframe if "Périmètre" in e.value.columns and "Statut" in e.value.columns
    )
    assert len(detail) == 183 and not detail["Action"].str.startswith("A8-PDI-").any()


def test_quality_page_grid_and_flags(app, demo_env):
    at = open_page(app, "app_pages/qualite.py")
    assert at.title[0].value == "Qualité des données"
    con = read(demo_env)
    try:
        grid = quality.completeness(con, get_config(), 2025, 0)
        quarter = quality.quality_view(con, 2025, 3, get_config())
    finally:
        con.close()
    assert at.metric[0].label == "Données reçues pour 2025"
    assert at.metric[0].value == f"{grid['recues']} / {grid['attendues']}"
    assert at.dataframe[0].value.to_dict("records") == grid["grid"].to_dict("records")
    assert_french(at)
    at.selectbox(key="qualite_trimestre").set_value(3).run()
    assert not at.exception
    n = len(quarter["atypiques"]["display"])
    assert at.tabs[1].label == f"Évolutions atypiques ({n})"
    links = at.get("page_link")
    flagged = quarter["liens"]
    assert len([link for link in links if link.proto.page == "indicateur"]) == min(len(flagged), 40)
    if flagged:
        code, label = flagged[0]
        first = next(link for link in links if link.proto.label.startswith(code))
        assert first.proto.label == f"{code} — {formatting.markdown(label)}"
        assert "indicateur=" + code.replace(" ", "+") in first.proto.query_string


def test_import_page_records_a_status(db_path, monkeypatch):
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        at.session_state["auth_utilisateur"] = IMPORTER
        at = open_page(at, "app_pages/import_donnees.py")
        assert [t.label for t in at.tabs][:4] == [
            "Déposer des fichiers", "Télécharger le modèle", "Suivi des actions", "Historique et annulation",
        ]  # fmt: skip
        at.selectbox(key="status_action").set_value("A1-O1-Obj1-Ac1")
        at.selectbox(key="status_territory").set_value("TAS CL")
        at.selectbox(key="status_year").set_value(2025)
        at.selectbox(key="status_word").set_value("réalisée")
        at.text_area(key="status_comment").set_value("annuaire publié")
        next(b for b in at.button if b.label == "Enregistrer le statut").click().run()
        assert not at.exception, [e.value for e in at.exception]
        con = read(db_path)
        try:
            rows = con.execute(
                "SELECT action, territoire, annee, statut, commentaire, operation FROM suivi_action WHERE territoire = ?",
                ["TAS CL"],
            ).fetchall()
            nature = con.execute("SELECT nature, utilisateur FROM operation WHERE id = ?", [rows[0][-1]]).fetchall()
        finally:
            con.close()
        assert rows[0][:5] == ("A1-O1-Obj1-Ac1", "TAS CL", 2025, "réalisée", "annuaire publié")
        assert nature == [("saisie", "marie.dupont")]
        assert [s.value for s in at.success] == [
            (
                "Statut « réalisée » enregistré pour l'action A1-O1-Obj1-Ac1 (TAS Chalon-sur-Saône - Louhans, 2025) : "
                f"opération n°{rows[0][-1]}."
            )
        ]
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_import_page_is_refused_without_the_role(demo_env):
    at = AppTest.from_file(str(ROOT / "app_pages" / "import_donnees.py"), default_timeout=TIMEOUT)
    at.run()
    assert at.error[0].value.startswith("Cette page est réservée aux personnes autorisées à importer des données.")
