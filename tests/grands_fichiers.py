"""Large workbooks written fast, for the tests of size, faults and load (not a test module).

openpyxl takes about a minute for 200 000 rows; a sheet's XML written by hand with inline strings takes
a second, and python-calamine (hence the import) reads it like any xlsx Excel saves.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

from conftest import CONTRACT_HEADER

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _column(index: int) -> str:
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell(ref: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def xlsx_bytes(rows: Iterable[list], sheet: str = "valeurs", header: list | None = CONTRACT_HEADER) -> bytes:
    """An xlsx of one sheet: the header on row 1, then the rows."""
    lines = [header] if header is not None else []
    parts = [
        (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        )
    ]
    letters: list[str] = []
    for number, row in enumerate(_chain(lines, rows), start=1):
        while len(letters) < len(row):
            letters.append(_column(len(letters) + 1))
        cells = "".join(_cell(f"{letters[i]}{number}", value) for i, value in enumerate(row))
        parts.append(f'<row r="{number}">{cells}</row>')
    parts.append("</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.format(name=escape(sheet, {'"': "&quot;"})))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", "".join(parts))
    return out.getvalue()


def _chain(first: list, rest: Iterable[list]):
    yield from first
    yield from rest


def distinct_rows(con, n: int, *, first_year: int = 2000, value=lambda i: i % 5000, units=("nombre",)) -> list[list]:
    """`n` rows with distinct keys (indicator × territory × year × quarter), valid for the referential:
    counting indicators, every territory but the comparators, years from `first_year`."""
    placeholders = ", ".join("?" for _ in units)
    codes = [
        c
        for (c,) in con.execute(
            f"SELECT code FROM indicateur WHERE unite IN ({placeholders}) ORDER BY ordre", list(units)
        ).fetchall()
    ]
    territories = [
        t for (t,) in con.execute("SELECT code FROM territoire WHERE niveau <> 'comparateur' ORDER BY ordre").fetchall()
    ]
    rows = []
    year = first_year
    while len(rows) < n:
        for code in codes:
            for territory in territories:
                for quarter in (1, 2, 3, 4):
                    rows.append([code, territory, year, quarter, value(len(rows))])
                    if len(rows) == n:
                        return rows
        year += 1
        if year > 2100:
            raise ValueError(f"pas assez de clés distinctes pour {n} lignes")
    return rows
