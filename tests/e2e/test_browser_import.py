"""End to end: sign in, upload a workbook through the real Import page, commit, and see the new value
on the dashboard."""

from __future__ import annotations

import openpyxl
import pytest

from sus_data import accounts

from .helpers import CHROMIUM, assert_no_error, running_app, settle, shot, sidebar

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium absent (/usr/bin/chromium)"),
]
PASSWORD = "un-mot-de-passe-assez-long"
CONTEXT = "CTX-SSD-MENAGES"  # households met by the departmental social service (15 547 in 2021)


@pytest.fixture(scope="module")
def app_with_account(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e_import")
    comptes = folder / "comptes.toml"
    accounts.add_account("alice", "Alice Martin", PASSWORD, ["import"], comptes)
    with running_app(folder, extra_env={"SUS_COMPTES": str(comptes)}) as app:
        yield app


def test_upload_commit_and_see_the_value(app_with_account, page, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "valeurs"
    sheet.append(["code_indicateur", "territoire", "annee", "trimestre", "valeur", "commentaire"])
    sheet.append([CONTEXT, "Saône-et-Loire", 2022, "", "16 203", "chiffre saisi dans le navigateur"])
    path = tmp_path / "ssd_2022.xlsx"
    book.save(path)

    url = app_with_account["url"]
    page.goto(url)
    settle(page)
    side = sidebar(page)
    side.get_by_text("Connexion (import des données)").click()
    side.get_by_label("Identifiant").fill("alice")
    side.get_by_label("Mot de passe").fill(PASSWORD)
    side.get_by_role("button", name="Se connecter").click()
    # Signing in reruns the script twice (check, then st.rerun): wait for its outcome, not for a pause.
    side.get_by_text("Connecté : Alice Martin").wait_for(timeout=60_000)
    settle(page)
    side.get_by_role("link", name="Import").click()
    page.get_by_role("heading", name="Import des données").wait_for(timeout=60_000)
    settle(page)
    page.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_text("Ce que l'import va changer").wait_for(timeout=60_000)
    settle(page)
    assert_no_error(page, "aperçu")
    page.get_by_text("Je confirme l'enregistrement").click()
    settle(page)
    page.get_by_role("button", name="Enregistrer l'import").click()
    page.get_by_text("ssd_2022.xlsx : import n°").wait_for(timeout=60_000)
    settle(page)
    shot(page, app_with_account, "import_fait")

    page.goto(f"{url}/indicateur?indicateur={CONTEXT}")
    settle(page)
    assert_no_error(page, "fiche après import")
    # The values table is a data grid: its cells are in its accessible table, not in the visible text.
    table = page.locator('[data-testid="stDataFrame"] table').last.text_content()
    assert "16\u202f203" in table
    assert "chiffre saisi dans le navigateur" in table
