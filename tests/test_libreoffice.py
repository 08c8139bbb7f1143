"""Good workbooks from two writers: openpyxl, and LibreOffice (`soffice --headless --convert-to`).

The same French workbook — title rows, a `Valeurs ` sheet, `Code indicateur`/`Année` headers, French
number text with normal, no-break and narrow no-break thousands spaces, `12,5 %`, `1 234,50 €`, `oui`,
full territory names with and without accents, quarters as `T1`, `1er trimestre`, `Q1` — is imported, and
the values that come out of the export are checked.
"""

from __future__ import annotations

import csv
import io

import pytest
from conftest import FRENCH_EXPECTED, needs_soffice, read_export

from sus_data import catalogue, exports
from sus_data.ingest import Upload, import_files

pytestmark = needs_soffice


def exported(rows: list[dict[str, str]]) -> list[tuple]:
    wanted = {(code, territory, year, quarter) for code, territory, year, quarter, *_ in FRENCH_EXPECTED}
    found = {
        (r["code_indicateur"], r["territoire"], r["annee"], r["trimestre"]): (r["valeur"], r["commentaire"])
        for r in rows
        if (r["code_indicateur"], r["territoire"], r["annee"], r["trimestre"]) in wanted
    }
    return [(*key, *found[key]) for key in [e[:4] for e in FRENCH_EXPECTED] if key in found]


@pytest.mark.parametrize("writer", ["openpyxl", "xlsx", "ods", "xls"])
def test_french_workbook_from_each_writer_gives_the_same_values(libreoffice_files, store, config, writer):
    [result] = import_files(store, config, [Upload(libreoffice_files[writer])], "agent")
    assert result.report.ok
    assert result.nb_nouvelles + result.nb_modifiees == len(FRENCH_EXPECTED)
    with store.read() as con:
        rows = list(csv.DictReader(io.StringIO(exports.csv_bytes(catalogue.current_values(con)).decode("utf-8"))))
    assert exported(rows) == FRENCH_EXPECTED


def test_libreoffice_xlsx_through_the_command_line(libreoffice_files, run_cli, tmp_path):
    imported = run_cli("import", libreoffice_files["xlsx"], "--user", "agent")
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("saisie_t1.xlsx : import n°5 — ")
    assert imported.stderr == ""
    out = tmp_path / "export.csv"
    assert run_cli("export", "--out", out).returncode == 0
    assert exported(read_export(out)) == FRENCH_EXPECTED


def test_libreoffice_ods_through_the_command_line_changes_nothing_after_the_xlsx(libreoffice_files, run_cli):
    assert run_cli("import", libreoffice_files["xlsx"]).returncode == 0
    again = run_cli("import", libreoffice_files["ods"])
    assert again.returncode == 0
    assert again.stdout == (
        f"saisie_t1.ods : aucune modification ({len(FRENCH_EXPECTED)} valeur(s) déjà enregistrée(s) à l'identique).\n"
    )
