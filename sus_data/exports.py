"""Exports: the CLI's CSV (comma, dot decimal) and xlsx, and the pages' French CSV and xlsx downloads.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula
by a spreadsheet program: such cells get a leading apostrophe, whatever the export.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_FR = {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"}


def neutralise(value):
    """A text that a spreadsheet would read as a formula, made inert.

    A carriage return inside a text becomes a line feed: the program CSV (lines ended by `\n`) would
    leave a lone `\r` unquoted, and a spreadsheet would start a new row there, whose first cell could be
    a formula."""
    if isinstance(value, str):
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if value.startswith(FORMULA_TRIGGERS) or value.startswith("\n"):
            return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV for programs: UTF-8, comma, dot decimal."""
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


def csv_fr_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in the French Excel dialect: `;`, decimal comma, UTF-8 with BOM."""
    text = neutralise_frame(frame).to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def xlsx_bytes(sheets: dict[str, pd.DataFrame] | pd.DataFrame, sheet_name: str = "données") -> bytes:
    """An xlsx workbook with one sheet per frame, headers bold and columns sized to their content."""
    from openpyxl.styles import Font

    if isinstance(sheets, pd.DataFrame):
        sheets = {sheet_name: sheets}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe_name = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "feuille"
            neutralise_frame(frame).to_excel(writer, sheet_name=safe_name, index=False)
            sheet = writer.sheets[safe_name]
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for index, column in enumerate(frame.columns, start=1):
                width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
                sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(
                    max(width + 2, 8), 60
                )
            sheet.freeze_panes = "A2"
    return buffer.getvalue()


def write_file(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` to `.csv` (program CSV) or `.xlsx`, by the path's suffix."""
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        path.write_bytes(csv_bytes(frame))
    elif suffix == ".xlsx":
        path.write_bytes(xlsx_bytes(frame))
    else:
        raise ValueError(suffix)
