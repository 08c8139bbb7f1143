"""The Import page under AppTest: upload good and bad workbooks, read the report word for word, check the
preview's counts, commit, roll back to the exact previous values; and refuse it to anyone without the
`import` role, whatever way they try."""

from __future__ import annotations

import io
import shutil
import threading
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from sus_data import accounts, actions
from sus_data.accounts import User
from sus_data.config import get_config
from sus_data.errors import AccessDenied
from sus_data.ingest import Upload, validate_uploads
from sus_data.store import Store

ROOT = Path(__file__).resolve().parents[1]
PAGE = "app_pages/import_donnees.py"
TIMEOUT = 120
COUNT = "A1-O1-Obj1-Ac1-I1"  # additive count with demo values per TAS
PASSWORD = "un-mot-de-passe-assez-long"
ALICE = User("alice", "Alice Martin", frozenset({"import"}))
BOB = User("bob", "Bob Lecteur", frozenset())


@pytest.fixture
def import_env(demo_db, tmp_path, monkeypatch):
    """A private copy of the demo database, an account file with one importer and one reader."""
    import streamlit as st

    db = tmp_path / "import.duckdb"
    shutil.copy(demo_db, db)
    comptes = tmp_path / "comptes.toml"
    monkeypatch.setenv("SUS_DB", str(db))
    monkeypatch.setenv("SUS_COMPTES", str(comptes))
    accounts.add_account("alice", "Alice Martin", PASSWORD, ["import"], comptes)
    accounts.add_account("bob", "Bob Lecteur", PASSWORD, [], comptes)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield db
    st.cache_data.clear()
    st.cache_resource.clear()


def workbook(rows: list[list], title: bool = True) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "valeurs"
    if title:
        sheet.append(["Saisie du T1 2026"])
    sheet.append(["code_indicateur", "territoire", "annee", "trimestre", "valeur", "commentaire"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def signed_in(user: User | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if user is not None:
        at.session_state["auth_utilisateur"] = user
    at.run()
    return at


def open_import(user: User = ALICE) -> AppTest:
    at = signed_in(user)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def report_tables(at: AppTest) -> list:
    """The report's tables as shown: errors first, then warnings (AppTest does not expose their keys)."""
    return [d.value for d in at.dataframe if list(d.value.columns)[:3] == ["Fichier", "Feuille", "Ligne"]]


def value(db: Path, territory: str, year: int, quarter: int) -> tuple | None:
    with Store(db).read() as con:
        return con.execute(
            """SELECT valeur, commentaire, operation FROM valeur WHERE indicateur = ? AND territoire = ?
               AND annee = ? AND trimestre = ? AND mesure = 'valeur'""",
            [COUNT, territory, year, quarter],
        ).fetchone()


def test_sign_in_through_the_sidebar_form_shows_the_import_page(import_env):
    at = signed_in(None)
    with pytest.raises(ValueError):
        at.switch_page(PAGE)  # not even registered for a reader who is not signed in
    at.text_input(key="auth_login_name").input("alice")
    at.text_input(key="auth_password").input(PASSWORD)
    at.button[0].click().run()
    assert "Connecté : Alice Martin (import)" in [c.value for c in at.sidebar.caption]
    at.switch_page(PAGE).run()
    assert at.title[0].value == "Import des données"


def test_wrong_password_is_refused_in_french(import_env):
    at = signed_in(None)
    at.text_input(key="auth_login_name").input("alice")
    at.text_input(key="auth_password").input("faux")
    at.button[0].click().run()
    assert "Identifiant ou mot de passe incorrect." in [e.value for e in at.error]


def test_a_reader_can_neither_see_nor_open_nor_trigger_import_or_rollback(import_env):
    at = signed_in(BOB)
    with pytest.raises(ValueError):
        at.switch_page(PAGE)
    # The page script refuses on its own too, if reached some other way.
    bare = AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT)
    bare.session_state["auth_utilisateur"] = BOB
    bare.run()
    assert [e.value for e in bare.error] == [
        "Votre compte (bob) n'a pas le rôle « import » : cette page vous est refusée."
    ]
    assert not bare.get("file_uploader")
    # And the write path itself checks the role.
    store = Store(import_env)
    files = validate_uploads(store, get_config(), [Upload(workbook([[COUNT, "TAS MP", 2026, 1, 10]]), "a.xlsx")])
    with pytest.raises(AccessDenied) as refused:
        actions.commit_import(BOB, store, get_config(), files)
    assert refused.value.message == "Votre compte (bob) n'a pas le rôle « import » nécessaire pour cette action."
    with pytest.raises(AccessDenied):
        actions.rollback_import(None, store, 1)
    assert value(import_env, "TAS MP", 2026, 1) is None


def test_bad_workbook_report_word_for_word_and_nothing_committed(import_env):
    at = open_import()
    bad = workbook([[COUNT, "TAS MP", 2026, "mars", 10], ["A9-X", "Dijon", 2026, 1, "12 personnes"]])
    at.get("file_uploader")[0].upload("mauvais.xlsx", bad).run()
    assert not at.exception
    errors = report_tables(at)[0]
    assert list(errors["Ligne"]) == [3, 4, 4, 4]
    assert list(errors["Problème"]) == [
        "Un mois a été saisi à la place d'un trimestre.",
        "Ce code d'indicateur n'existe pas dans le référentiel.",
        "Ce territoire n'est pas reconnu.",
        "La valeur contient du texte en plus du nombre.",
    ]
    assert list(errors["Colonne"]) == ["D (trimestre)", "A (code_indicateur)", "B (territoire)", "E (valeur)"]
    assert errors["Que faire"].iloc[0] == "Saisissez le trimestre : « mars » tombe au T1."
    assert any("Import impossible : 4 erreurs." in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "commit"]
    assert value(import_env, "TAS MP", 2026, 1) is None


def test_preview_counts_commit_and_exact_rollback(import_env):
    before = value(import_env, "TAS MP", 2025, 4)
    assert before is not None
    at = open_import()
    good = workbook(
        [
            [COUNT, "TAS MP", 2025, "T4", before[0] + 100, "révisé"],  # changes a stored demo value
            [COUNT, "Chalon-sur-Saône - Louhans", 2026, "1er trimestre", 41, ""],  # new
            [COUNT, "TAS MALC", 2026, "T1", "", ""],  # empty: skipped with a warning
        ]
    )
    at.get("file_uploader")[0].upload("bon.xlsx", good).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Nouvelles"] == "1"
    assert metrics["Modifiées"] == "1"
    assert metrics["Révisions de périodes passées"] == "0"
    (warnings,) = report_tables(at)
    assert list(warnings["Problème"]) == [
        "La valeur est vide : la ligne est ignorée (aucune valeur enregistrée n'est effacée)."
    ]
    at.checkbox[0].check().run()
    at.button(key="commit").click().run()
    assert not at.exception
    assert any("bon.xlsx : import n°" in s.value for s in at.success)
    assert value(import_env, "TAS MP", 2025, 4)[:2] == (before[0] + 100, "révisé")
    assert value(import_env, "TAS CL", 2026, 1)[0] == 41
    # Rollback from the history tab restores the exact previous value and removes the new one.
    with Store(import_env).read() as con:
        (operation,) = con.execute("SELECT max(id) FROM operation").fetchone()
    at.selectbox(key="history_pick").select(operation).run()
    at.checkbox(key=f"rollback_confirm_{operation}").check().run()
    at.button(key="rollback").click().run()
    assert not at.exception
    assert value(import_env, "TAS MP", 2025, 4) == before
    assert value(import_env, "TAS CL", 2026, 1) is None


def test_two_commits_at_the_same_moment_both_land(import_env):
    store = Store(import_env)
    first = validate_uploads(store, get_config(), [Upload(workbook([[COUNT, "TAS MP", 2026, 2, 11]]), "un.xlsx")])
    second = validate_uploads(store, get_config(), [Upload(workbook([[COUNT, "TAS CL", 2026, 2, 22]]), "deux.xlsx")])
    barrier = threading.Barrier(2)
    results = []

    def commit(files):
        barrier.wait()
        results.append(actions.commit_import(ALICE, store, get_config(), files))

    threads = [threading.Thread(target=commit, args=(f,)) for f in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    assert value(import_env, "TAS MP", 2026, 2)[0] == 11
    assert value(import_env, "TAS CL", 2026, 2)[0] == 22
    ids = sorted(r[0].operation_id for r in results)
    assert ids[1] == ids[0] + 1
