"""The annual report: an xlsx workbook that LibreOffice turns into a PDF, whose figures are those of the
Suivi and Territoire pages, with native charts, small counts masked and formula-looking text made inert."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from conftest import CONTRACT_HEADER, MILESTONE, needs_soffice, soffice_convert, workbook_bytes

from sus_data import annual_report, evaluation, followup
from sus_data.ingest import Upload, import_files, rollback

RISING = "CTX-TEST-HAUSSE"
SMALL = "CTX-TEST-PETIT"
ACTION = "A1-O1-Obj1-Ac1"
INDICATORS = [
    ["code_indicateur", "libelle", "ambition", "unite", "nature", "agregation", "additivite", "sens"],
    [RISING, "Personnes accompagnées", 5, "nombre", "résultat", "somme", "somme", "hausse"],
    [SMALL, "Jeunes accompagnés", 5, "nombre", "contexte", "somme", "somme", "neutre"],
]
VALUES = [
    [RISING, "TAS MP", 2025, None, 150],
    [SMALL, "TAS MP", 2025, None, 3],
    [SMALL, "TAS CL", 2025, None, 12],
    [SMALL, "TAS MALC", 2025, None, 0],
    [MILESTONE, "71", 2025, 2, "oui"],
]
TARGETS = [
    ["code_indicateur", "territoire", "annee", "cible", "reference", "annee_reference"],
    [RISING, "TAS MP", 2027, 200, 100, 2023],
]
ACTIONS = [
    ["code_action", "territoire", "annee", "statut", "commentaire"],
    [ACTION, "TAS MP", 2025, "en cours", "=1+1"],
    ["A1-O1-Obj2-Ac1", "71", 2024, "réalisée", None],
]


@pytest.fixture
def report_db(store, config):
    # Start without the demo (its action statuses would blur the counts checked below): the observatory
    # removes it with one rollback once real figures arrive.
    with store.read() as con:
        (demo,) = con.execute("SELECT id FROM operation WHERE nature = 'demo'").fetchone()
    rollback(store, demo, "test")
    book = workbook_bytes(
        VALUES,
        header=CONTRACT_HEADER,
        other_sheets={"indicateurs": INDICATORS, "cibles": TARGETS, "actions": ACTIONS},
    )
    import_files(store, config, [Upload(book, "rapport.xlsx")], "test")
    # A comment that a spreadsheet would run as a formula, on the milestone shown in the report.
    # (A CSV: openpyxl would write the text as a formula.)
    line = f"code_indicateur;territoire;annee;trimestre;valeur;commentaire\n{MILESTONE};71;2025;2;oui;=SOMME(A1:A9)\n"
    import_files(store, config, [Upload(line.encode(), "jalon.csv")], "test")
    return store


def _table_after(sheet, title: str) -> pd.DataFrame:
    """The table written under the section `title` (header row, then rows until an empty row)."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == title)
    header = [c for c in rows[start + 1] if c is not None]
    body = []
    for row in rows[start + 2 :]:
        if all(c is None for c in row):
            break
        body.append(list(row[: len(header)]))
    return pd.DataFrame(body, columns=header)


def _build(store, config, annee=2025, territoire="TAS MP"):
    with store.read() as con:
        content = annual_report.report_content(con, config, annee, territoire)
        book = openpyxl.load_workbook(io.BytesIO(annual_report.build(con, config, annee, territoire)))
    return content, book


def test_sheets_summary_and_charts(report_db, config):
    content, book = _build(report_db, config)
    assert book.sheetnames == ["Synthèse", *[f"Ambition {n}" for n in range(1, 9)]]
    summary = book["Synthèse"]
    assert summary["A1"].value == f"{config.schema} — {config.nom}"
    assert summary["A2"].value == "Rapport annuel 2025 — TAS Mâcon - Paray-le-Monial"
    progress = _table_after(summary, "Avancement vers les cibles (nombre d'indicateurs par statut)")
    expected = content["progress"]["counts"].drop(columns=["Code"])
    assert progress.to_dict("records") == expected.to_dict("records")
    actions = _table_after(summary, "Suivi des actions (nombre d'actions par statut)")
    heads = content["action_counts"]
    heads = heads[heads["Niveau"] == "ambition"].drop(columns=["Niveau", "Orientation"])
    assert actions.to_dict("records") == heads.to_dict("records")
    assert actions.iloc[0]["◐ en cours"] == 1 and actions.iloc[0]["✔ réalisée"] == 1  # inherited from the département
    assert len(summary._charts) == 2
    assert all(len(book[f"Ambition {n}"]._charts) == 1 for n in range(1, 9))


def test_ambition_sheet_holds_the_figures_the_pages_show(report_db, config):
    _, book = _build(report_db, config)
    sheet = book["Ambition 5"]
    progress = _table_after(sheet, "Cibles et avancement").set_index("Code")
    with report_db.read() as con:
        view = evaluation.progress_view(con, 2025, "TAS MP")
        actions = followup.actions_view(con, 2025, "TAS MP")
    section = next(s for s in view["sections"] if s["code"] == "A5")["data"].set_index("Code")
    row = progress.loc[RISING]
    assert (row["Valeur de référence"], row["Dernière valeur"], row["Cible"], row["Année de la cible"]) == (
        100,
        150,
        200,
        2027,
    )
    assert row["Statut"] == section.loc[RISING, "Statut"] == "↗ en bonne voie"
    assert row["Chemin parcouru (%)"] == section.loc[RISING, "Chemin parcouru (%)"] == 50
    figures = _table_after(sheet, "Chiffres 2025").set_index("Code")
    assert figures.loc[SMALL, "TAS MP"] == "< 5"  # masked as on the pages
    assert figures.loc[SMALL, "Département"] == 15
    assert figures.loc[SMALL, "Note"] == "calculé à partir des TAS ; secret statistique"
    assert figures.loc[RISING, "TAS MP"] == 150
    counts = _table_after(book["Ambition 1"], "Suivi des actions (nombre d'actions par statut et par orientation)")
    page = actions["ambitions"]
    page = page[(page["Niveau"] == "orientation") & page["Ambition"].str.startswith("1. ")]
    assert counts.to_dict("records") == page.drop(columns=["Niveau", "Ambition"]).to_dict("records")


def test_formula_looking_text_is_inert_and_small_counts_never_appear(report_db, config):
    _, book = _build(report_db, config, territoire="71")
    milestones = _table_after(book["Ambition 1"], "Jalons").set_index("Code")
    assert milestones.loc[MILESTONE, "Date ou commentaire"] == "'=SOMME(A1:A9)"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


@needs_soffice
def test_libreoffice_turns_the_report_into_a_pdf(report_db, config, tmp_path):
    with report_db.read() as con:
        data = annual_report.build(con, config, 2025, "TAS MP")
    source = tmp_path / "rapport_annuel_2025.xlsx"
    source.write_bytes(data)
    pdf = soffice_convert(source, "pdf", tmp_path / "pdf", tmp_path / "profil")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 10_000


def test_calpae_report_of_2022(store, config):
    with store.read() as con:
        book = openpyxl.load_workbook(io.BytesIO(annual_report.build(con, config, 2022, "71")))
    progress = _table_after(book["Ambition 8"], "Cibles et avancement").set_index("Code")
    row = progress.loc["CTX-RSA-AG-DELAI-DEMARRAGE"]
    assert (row["Dernière valeur"], row["Cible"], row["Statut"]) == (17, 21, "✔ atteint")
