"""The follow-up sheets of the entry workbook: `cibles` (empty, with its header) and `actions` (one row per
action of the programmes in progress that applies to the territory, the status to choose from a list).

Rows of `actions` left without a status are ignored at import (one warning says how many), so the sheet can
travel back untouched.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from . import followup
from .config import Config
from .exports import neutralise
from .vocabulary import ACTION_STATUSES

TITLE_ROWS = 3
HEADER_ROW = TITLE_ROWS + 1
FILL_LOCKED = PatternFill("solid", fgColor="F3F4F8")
FILL_HEADER = PatternFill("solid", fgColor="000091")
TARGET_HEADERS = [
    ("code_indicateur", 22),
    ("territoire", 14),
    ("annee", 8),
    ("cible", 12),
    ("reference", 12),
    ("annee_reference", 16),
    ("commentaire", 40),
]
ACTION_HEADERS = [
    ("code_action", 18),
    ("libelle_action", 70),
    ("territoire", 12),
    ("annee", 8),
    ("statut", 16),
    ("date", 12),
    ("commentaire", 40),
]
ACTION_EDITABLE = {"territoire", "statut", "date", "commentaire"}
EXTRA_ROWS = 200  # room for added rows under the drop-down lists


def _header(sheet, config: Config, title: str, hint: str, headers: list[tuple[str, int]]) -> None:
    sheet["A1"] = f"{config.schema} — {config.nom}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = title
    sheet["A2"].font = Font(bold=True, size=12)
    sheet["A3"] = hint
    sheet["A3"].font = Font(italic=True)
    for col, (name, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=col, value=name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = FILL_HEADER
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)


def add_followup_sheets(book, con, config: Config, annee: int, territoire: str | None = None) -> None:
    """Add the `cibles` and `actions` sheets to the entry workbook."""
    targets = book.create_sheet("cibles")
    _header(
        targets,
        config,
        "Cibles et valeurs de référence (facultatif)",
        "Une ligne par indicateur et territoire : la cible d'une année (ex. 2027) et, si elle est connue, la valeur "
        "de référence avec son année.",
        TARGET_HEADERS,
    )
    place = territoire or config.departement.code
    actions = book.create_sheet("actions")
    _header(
        actions,
        config,
        f"Statut des actions en {annee} (facultatif)",
        "Choisissez un statut dans la liste ; une ligne sans statut est ignorée. La date se saisit JJ/MM/AAAA.",
        ACTION_HEADERS,
    )
    table = followup.status_table(con, annee, place, config.niveau_action)
    for offset, row in enumerate(table.to_dict("records"), start=1):
        values = {
            "code_action": row["code"],
            "libelle_action": neutralise(row["libelle"]),
            "territoire": place,
            "annee": annee,
            "statut": None,
            "date": None,
            "commentaire": None,
        }
        for col, (name, _width) in enumerate(ACTION_HEADERS, start=1):
            cell = actions.cell(row=HEADER_ROW + offset, column=col, value=values[name])
            editable = name in ACTION_EDITABLE
            cell.protection = Protection(locked=not editable)
            if not editable:
                cell.fill = FILL_LOCKED
            if name == "libelle_action":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    last = HEADER_ROW + len(table) + EXTRA_ROWS
    statuses = DataValidation(
        type="list",
        formula1='"' + ",".join(ACTION_STATUSES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Statut",
        error="Choisissez un statut dans la liste : " + ", ".join(ACTION_STATUSES) + ".",
    )
    statuses.add(f"E{HEADER_ROW + 1}:E{last}")
    actions.add_data_validation(statuses)
    actions.protection.sheet = True
    actions.protection.insertRows = False
    actions.protection.autoFilter = False
    actions.protection.sort = False
