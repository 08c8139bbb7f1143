"""The annual report: one xlsx workbook for a year and a territory, to hand to the steering committee.

- « Synthèse »: per ambition, the progress statuses towards the targets, the statuses of the actions
  and the share of the expected data received, with native Excel bar charts;
- one sheet per ambition: the year's figures for the territory and the département (those of the
  Territoire page), the targets and their statuses (those of the Suivi page), the counts of actions per
  status and orientation with a chart, the milestones.

Numbers are written as numbers (French display comes from the reader's spreadsheet settings); a status
is written as an icon and a word. The workbook is a reader's document: small counts are masked
(« < 5 ») as on the pages, and every text cell is neutralised against formula injection.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import evaluation, followup, quality, queries, secret, views
from .config import Config, get_config
from .exports import neutralise
from .filters import Filters

SUMMARY_SHEET = "Synthèse"
HEADER_FILL = PatternFill("solid", fgColor="000091")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=12)
NOTE_FONT = Font(italic=True, size=9)
MAX_WIDTH = 70
CHART_HEIGHT_CM = 7.5
CHART_WIDTH_CM = 18
NUMBER_FORMATS = {"%": '0.0" %"', "€": '#,##0.00" €"'}


def _number_format(unite: str | None, value: float) -> str:
    if unite in NUMBER_FORMATS:
        return NUMBER_FORMATS[unite]
    return "#,##0" if float(value).is_integer() else "#,##0.00"


class _Writer:
    """Writes blocks (titles, tables) one under the other in a sheet, and remembers the widths."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.row = 1
        self.widths: dict[int, int] = {}

    def text(self, value: str, font: Font | None = None) -> None:
        cell = self.sheet.cell(row=self.row, column=1, value=neutralise(value))
        if font is not None:
            cell.font = font
        self.row += 1

    def skip(self, n: int = 1) -> None:
        self.row += n

    def table(self, frame: pd.DataFrame, units: list[str | None] | None = None) -> tuple[int, int]:
        """Write a header and rows; returns (header row, last row). Numbers stay numbers; `units` gives
        each row's unit for the number format of its numeric cells."""
        header = self.row
        for col, name in enumerate(frame.columns, start=1):
            cell = self.sheet.cell(row=header, column=col, value=neutralise(str(name)))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            self._width(col, str(name))
        for offset, values in enumerate(frame.itertuples(index=False), start=1):
            unite = units[offset - 1] if units else None
            for col, value in enumerate(values, start=1):
                cell = self.sheet.cell(row=header + offset, column=col)
                if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
                    continue
                if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
                    whole = isinstance(value, (int, np.integer))
                    cell.value = int(value) if whole else float(value)
                    cell.number_format = "0" if whole else _number_format(unite, float(value))
                else:
                    cell.value = neutralise(str(value))
                    cell.alignment = Alignment(wrap_text=len(str(value)) > MAX_WIDTH, vertical="top")
                self._width(col, str(value))
        self.row = header + len(frame) + 2
        return header, header + len(frame)

    def _width(self, col: int, text: str) -> None:
        self.widths[col] = min(max(self.widths.get(col, 8), len(text) + 2), MAX_WIDTH)

    def finish(self) -> None:
        for col, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(col)].width = width


def _bar_chart(sheet, title: str, header: int, last: int, first_col: int, last_col: int, anchor: str) -> None:
    """A stacked bar chart of the counts in columns first_col..last_col (categories in column 1 or 2)."""
    if last <= header:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = title
    chart.y_axis.title = "Nombre"
    chart.height, chart.width = CHART_HEIGHT_CM + 0.4 * (last - header), CHART_WIDTH_CM
    data = Reference(sheet, min_col=first_col, max_col=last_col, min_row=header, max_row=last)
    categories = Reference(sheet, min_col=1, max_col=1, min_row=header + 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    # The count on each segment (not zero, not the names: the legend says which status is which).
    chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False)
    chart.dataLabels.numFmt = "0;-0;;@"
    chart.legend.position = "b"
    sheet.add_chart(chart, anchor)


def report_content(con, config: Config, annee: int, territoire: str) -> dict:
    """Everything the workbook holds, as frames: the same view functions as the pages."""
    context = queries.territoires_context(con)
    progress = evaluation.progress_view(con, annee, territoire)
    actions = followup.status_table(con, annee, territoire, config.niveau_action)
    portrait = views.territory_portrait(con, territoire, Filters(annee=annee))
    completude = quality.completeness(con, config, annee, 0)
    milestones = followup.milestones(con, annee, territoire, config.niveau_action, table=actions)
    return {
        "context": context,
        "progress": progress,
        "actions": actions,
        "action_counts": followup.ambition_counts(actions),
        "portrait": portrait,
        "completude": completude,
        "milestones": milestones,
    }


def _figures(portrait: dict, ambition_title: str, territoire_label: str, dep_label: str) -> tuple[pd.DataFrame, list]:
    """The year's figures of one ambition for the territory and the département: numbers, or « < 5 »."""
    display, data = portrait["display"], portrait["data"]
    if display is None or len(display) == 0:
        return pd.DataFrame(), []
    rows = display["Ambition"] == ambition_title
    columns = list(dict.fromkeys([territoire_label, dep_label]))
    out = pd.DataFrame(
        {
            "Code": data.loc[rows, "Code"],
            "Indicateur": display.loc[rows, "Indicateur"],
            "Période": display.loc[rows, "Période"],
        }
    )
    for column in columns:
        out[column] = [
            shown if isinstance(shown, str) and shown.startswith("< ") else (None if pd.isna(number) else float(number))
            for shown, number in zip(display.loc[rows, column], data.loc[rows, column], strict=True)
        ]
    out["Unité"] = display.loc[rows, "Unité"]
    out["Note"] = [
        _marks(list(cells), note)
        for cells, note in zip(
            display.loc[rows, columns].itertuples(index=False), display.loc[rows, "Note"], strict=True
        )
    ]
    return out.reset_index(drop=True), list(display.loc[rows, "Unité"])


def _marks(cells: list[str], note: str) -> str:
    """The page's marks of a row in words: computed from the TAS, incomplete year, demo values."""
    marks = [
        words
        for words, on in (
            (f"calculé à partir des {get_config().sigle_territoires}", any("(calculé)" in str(c) for c in cells)),
            (note, bool(note)),
            ("données fictives de démonstration", any(str(c).endswith(" *") for c in cells)),
            ("secret statistique", any(str(c).startswith("< ") for c in cells)),
        )
        if on
    ]
    return " ; ".join(marks)


def build(con, config: Config, annee: int, territoire: str) -> bytes:
    """The annual report of `territoire` for `annee`, as xlsx bytes."""
    content = report_content(con, config, annee, territoire)
    context = content["context"]
    libelle = context.table.set_index("code").loc[territoire, "libelle"]
    ambitions = queries.ambitions(con)
    book = Workbook()
    summary = book.active
    summary.title = SUMMARY_SHEET
    _summary_sheet(summary, content, config, annee, libelle, ambitions, territoire)
    for amb in ambitions.itertuples(index=False):
        _ambition_sheet(book.create_sheet(f"Ambition {amb.numero}"[:31]), content, amb, annee, territoire)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _summary_sheet(sheet, content: dict, config: Config, annee: int, libelle: str, ambitions, territoire: str) -> None:
    out = _Writer(sheet)
    out.text(f"{config.schema} — {config.nom}", TITLE_FONT)
    out.text(f"Rapport annuel {annee} — {libelle}", SECTION_FONT)
    out.text(
        f"Édité le {dt.date.today():%d/%m/%Y} par le tableau de bord de l'{config.observatoire[0].lower()}{config.observatoire[1:]}."
    )
    out.skip()
    out.text("Avancement vers les cibles (nombre d'indicateurs par statut)", SECTION_FONT)
    counts = content["progress"]["counts"].drop(columns=["Code"])
    if counts.empty:
        out.text("Aucune cible n'est enregistrée pour ce territoire.")
        out.skip()
    else:
        header, last = out.table(counts)
        _bar_chart(sheet, "Indicateurs par statut d'avancement", header, last, 2, len(counts.columns) - 1, f"K{header}")
        out.row = max(out.row, header + 16)
    out.text("Suivi des actions (nombre d'actions par statut)", SECTION_FONT)
    action_counts = content["action_counts"]
    heads = action_counts[action_counts["Niveau"] == "ambition"].drop(columns=["Niveau", "Orientation"])
    if heads.empty:
        out.text("Aucune action suivie pour ce territoire.")
        out.skip()
    else:
        header, last = out.table(heads)
        _bar_chart(sheet, "Actions par statut", header, last, 2, len(heads.columns) - 1, f"K{header}")
        out.row = max(out.row, header + 16)
    completude = content["completude"]
    grid = completude["grid_data"]
    label = content["context"].libelles[territoire]
    own = (
        grid[grid["Territoire"] == label]
        if label in set(grid["Territoire"])
        else grid[grid["Territoire"] == "Ensemble"]
    )
    out.text(f"Données reçues pour {annee} ({own['Territoire'].iloc[0] if len(own) else label})", SECTION_FONT)
    if own.empty:
        out.text("Aucune donnée attendue pour ce territoire.")
    else:
        out.table(own.drop(columns=["Territoire"]))
    out.text("Notes", SECTION_FONT)
    seuil = secret.default_threshold()
    notes = [
        "Statuts d'avancement : " + evaluation.legend(config.seuils.tolerance_trajectoire),
        "Statuts des actions : " + " ; ".join(followup.status_label(s) for s in followup.STATUS_ORDER) + ".",
    ]
    if seuil:
        notes.append(secret.caption(seuil))
    if content["progress"]["demo"] or content["portrait"].get("demo"):
        notes.append("* Une partie des chiffres sont des données fictives de démonstration.")
    for note in notes:
        out.text(note, NOTE_FONT)
    out.finish()
    sheet.column_dimensions["A"].width = 45


def _ambition_sheet(sheet, content: dict, amb, annee: int, territoire: str) -> None:
    out = _Writer(sheet)
    context = content["context"]
    out.text(f"Ambition {amb.numero} : {amb.libelle}", TITLE_FONT)
    out.text(f"Rapport annuel {annee} — {context.table.set_index('code').loc[territoire, 'libelle']}")
    out.skip()
    out.text(f"Chiffres {annee}", SECTION_FONT)
    title = f"{amb.numero}. {amb.libelle_court}"
    # The portrait's ambition column holds the short label (see queries.portrait).
    figures, units = _figures(
        content["portrait"], amb.libelle_court, context.libelles[territoire], context.libelles[context.departement]
    )
    if figures.empty:
        out.text(f"Aucune valeur enregistrée pour {annee}.")
        out.skip()
    else:
        out.table(figures, units)
    out.text("Cibles et avancement", SECTION_FONT)
    section = next((s for s in content["progress"]["sections"] if s["code"] == amb.code), None)
    if section is None:
        out.text("Aucune cible enregistrée pour cette ambition et ce territoire.")
        out.skip()
    else:
        out.table(section["data"], list(section["rows"]["unite"]))
    out.text("Suivi des actions (nombre d'actions par statut et par orientation)", SECTION_FONT)
    counts = content["action_counts"]
    own = counts[(counts["Ambition"] == title) & (counts["Niveau"] == "orientation")].drop(
        columns=["Niveau", "Ambition"]
    )
    if own.empty:
        out.text("Aucune action suivie pour cette ambition et ce territoire.")
        out.skip()
    else:
        header, last = out.table(own)
        _bar_chart(sheet, "Actions par statut et par orientation", header, last, 2, len(own.columns) - 1, f"A{out.row}")
        out.row += int(CHART_HEIGHT_CM * 2 + 0.8 * (last - header)) + 2
    milestones = content["milestones"]
    own_milestones = milestones[milestones["Code"].str.startswith(f"{amb.code}-")] if len(milestones) else milestones
    if len(own_milestones):
        out.text("Jalons", SECTION_FONT)
        out.table(own_milestones)
    out.finish()
