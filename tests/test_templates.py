"""The entry workbook: one row per indicator × territory expected, locked codes, drop-down lists, and a
filled template that imports with no error and no edit to its structure."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from sus_data.config import get_config
from sus_data.ingest import Upload, import_files
from sus_data.templates import HEADER_ROW, entry_workbook, expected_rows

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def template(store):
    with store.read() as con:
        return entry_workbook(con, get_config(), 2026, 1), expected_rows(con, get_config(), 2026, 1)


def _fill(content: bytes, value_for) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["valeurs"]
    header = [c.value for c in sheet[HEADER_ROW]]
    col = {name: header.index(name) + 1 for name in header}
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        unite = sheet.cell(row, col["unite"]).value
        if sheet.cell(row, col["code_indicateur"]).value:
            sheet.cell(row, col["valeur"]).value = value_for(unite, row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_one_row_per_expected_pair_with_locked_codes_and_lists(template):
    content, expected = template
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["valeurs"]
    assert sheet["A2"].value == "Saisie des indicateurs — T1 2026"
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header[:6] == ["code_indicateur", "libelle_indicateur", "unite", "territoire", "annee", "trimestre"]
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert len(rows) == len(expected) > 300
    assert {r[5] for r in rows} == {"T1"} and {r[4] for r in rows} == {2026}
    # Codes and labels are locked on a protected sheet; values are open to input.
    assert sheet.protection.sheet
    first = HEADER_ROW + 1
    assert sheet.cell(first, 1).protection.locked and sheet.cell(first, 2).protection.locked
    assert not sheet.cell(first, header.index("valeur") + 1).protection.locked
    lists = {dv.formula1 for dv in sheet.data_validations.dataValidation if dv.type == "list"}
    assert '"T1,T2,T3,T4"' in lists
    assert any("TAS MP" in formula for formula in lists)
    assert "instructions" in book.sheetnames
    # Last period's value sits beside each row (T4 2025 of the demo series).
    previous = [r[header.index("valeur_precedente")] for r in rows]
    assert sum(v is not None for v in previous) > 100


def test_a_filled_template_imports_with_no_error(store, template, query):
    content, expected = template
    filled = _fill(content, lambda unite, row: "oui" if unite == "oui/non" else (12.5 if unite == "%" else row))
    results = import_files(store, get_config(), [Upload(filled, "modele_T1_2026_rempli.xlsx")], "test")
    assert results[0].report.n_errors == 0
    assert results[0].nb_nouvelles == len(expected)
    ((count,),) = query("SELECT count(*) FROM valeur WHERE annee = 2026 AND trimestre = 1")
    assert count == len(expected)


def test_cli_writes_the_same_template_for_one_territory(tmp_path, db_path, store):
    out = tmp_path / "modele.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "sus_data", "modele", "--annee", "2026", "--trimestre", "2", "--territoire", "TAS MP",
         "--out", str(out), "--db", str(db_path)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(out)["valeurs"]
    header = [c.value for c in sheet[HEADER_ROW]]
    territories = {r[header.index("territoire")] for r in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert territories == {"TAS MP"}
    with store.read() as con:
        assert sheet.max_row - HEADER_ROW == len(expected_rows(con, get_config(), 2026, 2, "TAS MP"))
