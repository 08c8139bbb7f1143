"""Reading uploaded spreadsheets safely: size and zip-bomb limits, format detection, python-calamine.

The result is a `Workbook`: for each sheet, its rows as Python lists and the position of its first
cell, so that problems can be reported at the cell the user sees in Excel.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import math
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath

import python_calamine as calamine

from .config import ImportLimits

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_FORMATS = {".xlsx", ".xlsm", ".ods"}
CALAMINE_FORMATS = {".xlsx", ".xlsm", ".xls", ".ods"}
CSV_FORMATS = {".csv"}
ACCEPTED = ", ".join(sorted(CALAMINE_FORMATS | CSV_FORMATS))
# A compression ratio above this on a single member is the signature of a zip bomb, not of a workbook
# (real xlsx sheets compress about 5 to 20 times).
MAX_COMPRESSION_RATIO = 200
MAX_FILENAME_LENGTH = 120
_FORMULA_WITHOUT_VALUE = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"[^>]*>\s*<f[ >][^<]*(?:</f>)?\s*(?:<v\s*/>|<v></v>)?\s*</c>'
)
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"[^>]*\bt="e"[^>]*>(?:\s*<f[^>]*>[^<]*</f>|\s*<f[^>]*/>)?\s*<v>([^<]*)</v>'
)
FORMULA_MARK = "(formule)"
# XML declaration, processing instructions, comments and spaces before the root element of an XML part.
_PROLOG_ITEM = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)
PROLOG_MAX_BYTES = 64 * 1024
PROLOG_OK, PROLOG_DOCTYPE, PROLOG_ABNORMAL = "ok", "doctype", "anormal"
# A sheet laid out by calamine takes about 32 bytes per cell of its grid: 30 million cells, about 1 Go.
MAX_GRID_CELLS = 30_000_000
# Attribute values that are cell references with six digits or two letters (row ≥ 100 000 or column ≥ AA).
_FAR = rb"(?=[A-Za-z]{2,3}\d|[A-Za-z]?\d{6})([A-Za-z]*)(\d+)"
_FAR_REFERENCE = re.compile(rb'=\s*["\']' + _FAR + rb'["\']')
_ANY_ROW_NUMBER = re.compile(rb'=\s*["\'][A-Za-z]{0,3}(\d+)["\']')
_ODS_LONG_REPEAT = re.compile(rb'table:number-(rows|columns)-repeated="(\d{4,})"')


class WorkbookError(Exception):
    """The file cannot be read at all. `message` and `conseil` are French."""

    def __init__(self, message: str, conseil: str):
        super().__init__(message)
        self.message = message
        self.conseil = conseil


@dataclass
class Sheet:
    name: str
    rows: list[list]
    first_row: int = 1  # spreadsheet row number of rows[0]
    first_col: int = 1  # spreadsheet column number of rows[i][0]
    total_rows: int | None = None  # rows in the sheet, when more were left unread than `rows` holds
    special_loader: Callable[[], dict[str, str]] | None = None
    _special: dict[str, str] | None = None

    @property
    def special_cells(self) -> dict[str, str]:
        """Cells that calamine reads as empty but are not: a formula never computed ("(formule)") or an
        Excel error ("#DIV/0!"), by cell reference ("E7"). Looked for only when asked: it means reading
        the sheet's XML a second time, which a clean file never needs."""
        if self._special is None:
            self._special = self.special_loader() if self.special_loader else {}
        return self._special


@dataclass
class Workbook:
    filename: str
    sha256: str
    size: int
    sheets: list[Sheet]
    format: str

    def sheet(self, wanted: str) -> Sheet | None:
        """The sheet named `wanted`, ignoring case, accents and surrounding spaces."""
        from .textnorm import key

        for sheet in self.sheets:
            if key(sheet.name) == key(wanted):
                return sheet
        return None


def safe_filename(name: str) -> str:
    """The name to show and record: no folders, no control characters, bounded length."""
    name = str(name or "").replace("\\", "/")
    name = PurePath(name).name if name else ""
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".") or "fichier"
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_FILENAME_LENGTH - len(ext) - 2] + "…" + dot + ext) if dot else name[:MAX_FILENAME_LENGTH]
    return name


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _check_zip(data: bytes, limits: ImportLimits) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise _damaged() from exc
    total = 0
    for member in members:
        total += member.file_size
        if member.flag_bits & 0x1:
            raise WorkbookError(
                "Le classeur est chiffré ou protégé par un mot de passe.",
                "Retirez le mot de passe (Fichier > Informations > Protéger le classeur), enregistrez, puis redéposez-le.",
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1_000_000 and ratio > MAX_COMPRESSION_RATIO:
            raise WorkbookError(
                f"Le classeur contient une partie anormalement compressée ({member.filename}, "
                f"taux {int(ratio)} pour 1) : il est refusé par sécurité.",
                "Recréez le classeur à partir du modèle et redéposez-le.",
            )
    if total > limits.decompresse_max_octets:
        raise WorkbookError(
            f"Le classeur décompressé occuperait {_megabytes(total / 1024 / 1024, up=True)} Mo, au-delà de la limite de "
            f"{_megabytes(limits.decompresse_max_mo)} Mo.",
            "Découpez les données en plusieurs fichiers ou supprimez les feuilles inutiles.",
        )
    for member in members:
        if member.filename.endswith((".xml", ".rels")) and member.file_size:
            try:
                with archive.open(member) as handle:
                    prolog = _prolog(handle)
            except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
                raise _damaged() from exc
            if prolog == PROLOG_DOCTYPE:
                raise WorkbookError(
                    f"Le classeur contient une déclaration DOCTYPE ou ENTITY ({member.filename}), "
                    "interdite pour des raisons de sécurité.",
                    "Recréez le classeur à partir du modèle et redéposez-le.",
                )
            if prolog == PROLOG_ABNORMAL:
                raise WorkbookError(
                    f"Le classeur contient une partie XML anormale ({member.filename}) : il est refusé par sécurité.",
                    "Recréez le classeur à partir du modèle et redéposez-le.",
                )
    return archive


def _prolog(handle) -> str:
    """What precedes the root element of an XML part: PROLOG_OK, PROLOG_DOCTYPE or PROLOG_ABNORMAL.

    A DOCTYPE (the door to entity expansion and external entities) can only stand in the prolog, after
    the XML declaration, processing instructions and comments, however long they are: they are skipped
    rather than only the first bytes searched. A prolog longer than PROLOG_MAX_BYTES is no workbook's.
    """
    data = handle.read(PROLOG_MAX_BYTES + 1)
    position = 3 if data.startswith(codecs.BOM_UTF8) else 0
    while (match := _PROLOG_ITEM.match(data, position)) is not None:
        position = match.end()
    rest = data[position:].lstrip()
    if rest.startswith((b"<!DOCTYPE", b"<!ENTITY")):
        return PROLOG_DOCTYPE
    if rest.startswith((b"<?", b"<!")) or (not rest and len(data) > PROLOG_MAX_BYTES):
        return PROLOG_ABNORMAL  # an item left open, or cut by the bound
    return PROLOG_OK


def _sheet_xml_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → XML part inside an xlsx, to look for formulas that have no computed value."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, zlib.error, EOFError):  # calamine will say what is wrong
        return {}
    targets = {
        rid.decode(): target.decode()
        for rid, target in re.findall(rb'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels)
    }
    targets.update(
        {
            rid.decode(): target.decode()
            for target, rid in re.findall(rb'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)
        }
    )
    paths = {}
    for name, rid in re.findall(rb'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
        target = targets.get(rid.decode())
        if target:
            target = target.lstrip("/")
            paths[_xml_unescape(name.decode("utf-8"))] = target if target.startswith("xl/") else "xl/" + target
    return paths


def _xml_unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _special_cells(data: bytes) -> dict[str, str]:
    """Formulas without a computed value and Excel errors in a sheet's XML, by cell reference."""
    cells: dict[str, str] = {}
    if b"<f" in data:
        cells.update({ref.decode(): FORMULA_MARK for ref in _FORMULA_WITHOUT_VALUE.findall(data)})
    if b't="e"' in data:
        cells.update({ref.decode(): value.decode("utf-8", "replace") for ref, value in _ERROR_CELL.findall(data)})
    return cells


def _check_grids(archive: zipfile.ZipFile, suffix: str) -> dict[str, bytes]:
    """Refuse, before calamine reads anything, a sheet whose cells lie so far apart that laying them out
    would exhaust the memory; return the xlsx sheets' XML, inflated, by part name.

    Calamine lays each sheet out as a dense grid from its first to its farthest cell: a few hundred
    bytes of XML naming cells A1 and XFD1048576 would make it allocate 17 billion cells.
    """
    if suffix == ".ods":
        _check_ods_grid(archive.read("content.xml") if "content.xml" in archive.namelist() else b"")
        return {}
    parts = {}
    for member in archive.namelist():
        if member.startswith("xl/worksheets/") and member.endswith(".xml"):
            parts[member] = xml = archive.read(member)
            rows, columns, farthest = _xlsx_grid(xml)
            if rows * columns > MAX_GRID_CELLS:
                raise _grid_error(member, farthest)
    return parts


def _xlsx_grid(xml: bytes) -> tuple[int, int, str]:
    """Rows and columns of the grid calamine would allocate for a sheet's XML, at most, and the
    farthest reference met. One pass looks only at attribute values that are references with six
    digits or two letters (written as calamine accepts them: either quotes, spaces around `=`, any
    case): without any, the grid lies within 99 999 rows and 26 columns."""
    far_row, far_column = 0, 0
    for letters, digits in _FAR_REFERENCE.findall(xml):
        if len(digits) >= 6:
            far_row = max(far_row, int(digits))
        if len(letters) >= 2:
            far_column = max(far_column, _column_number(letters.upper().decode()))
    if far_column and not far_row:
        # A column beyond Z with no row beyond 99 999: count the rows exactly (rare, slower).
        far_row = max((int(d) for d in _ANY_ROW_NUMBER.findall(xml)), default=1)
    rows, columns = far_row or 99_999, far_column or 26
    return rows, columns, f"{column_letter(far_column or 1)}{far_row or 1}"


def _check_ods_grid(xml: bytes) -> None:
    """An OpenDocument sheet repeats identical rows and cells (`number-rows-repeated`); LibreOffice
    ends every row and every sheet with a long repeat of empty cells and rows, which calamine skips.
    A long repeat anywhere else (of values, or of empty rows or cells before values) would be laid out
    in full: refused."""
    for match in _ODS_LONG_REPEAT.finditer(xml):
        kind, count = match.group(1), int(match.group(2))
        start = xml.rfind(b"<", 0, match.start())
        end = xml.find(b">", match.end())
        tag = xml[start : end + 1]
        if not tag.startswith((b"<table:table-row", b"<table:table-cell", b"<table:covered-table-cell")):
            continue  # column styles (`table:table-column`) describe no cell
        repeated = f"{count} {'lignes' if kind == b'rows' else 'cellules'} répétées"
        if b"office:value-type" in tag:
            raise _grid_error("content.xml", repeated)
        if kind == b"columns" and tag.endswith(b"/>") and xml.startswith(b"</table:table-row>", end + 1):
            continue  # the empty cells that end a row
        closing = b"</table:table>" if kind == b"rows" else b"</table:table-row>"
        rest = xml[end + 1 : xml.find(closing, end)]
        if b"office:value-type" in rest or b"<text:p" in rest:
            raise _grid_error("content.xml", repeated)


def _damaged() -> WorkbookError:
    return WorkbookError(
        "Le fichier est endommagé : ce n'est pas un classeur lisible.",
        "Ouvrez-le dans Excel ou LibreOffice, enregistrez-le de nouveau au format .xlsx, puis redéposez-le.",
    )


def _grid_error(part: str, farthest: str) -> WorkbookError:
    return WorkbookError(
        f"Le classeur s'étend trop loin ({part}, jusqu'à {farthest}) : sa lecture occuperait trop de mémoire.",
        "Supprimez les lignes et colonnes vides au-delà des données (sélectionnez-les, clic droit, Supprimer), "
        "enregistrez, puis redéposez-le.",
    )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _read_calamine(data: bytes, suffix: str, archive: zipfile.ZipFile | None, limits: ImportLimits) -> list[Sheet]:
    try:
        parts = _check_grids(archive, suffix) if archive is not None else {}
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:  # a part that does not inflate
        raise _damaged() from exc
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError as exc:
        raise WorkbookError(
            "Le classeur est protégé par un mot de passe.",
            "Retirez le mot de passe, enregistrez, puis redéposez-le.",
        ) from exc
    except Exception as exc:  # calamine raises several types for unreadable content
        raise WorkbookError(
            f"Le fichier n'a pas pu être lu comme un classeur {suffix} ({type(exc).__name__}).",
            "Ouvrez-le dans Excel ou LibreOffice, enregistrez-le au format .xlsx, puis redéposez-le.",
        ) from exc
    names = [meta.name for meta in book.sheets_metadata if str(meta.typ) == str(calamine.SheetTypeEnum.WorkSheet)]
    paths = _sheet_xml_paths(archive) if parts else {}
    sheets = []
    for name in names:
        try:
            sheet = book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False, nrows=limits.lignes_max + 50)
        except Exception as exc:
            raise WorkbookError(
                f"La feuille « {name} » n'a pas pu être lue ({type(exc).__name__}).",
                "Ouvrez le classeur, vérifiez la feuille, enregistrez-le au format .xlsx, puis redéposez-le.",
            ) from exc
        end = sheet.end
        total = end[0] + 1 if end else len(rows)
        xml = parts.get(paths.get(name, ""))
        loader = functools.partial(_special_cells, xml) if xml is not None else None
        sheets.append(Sheet(name=name, rows=rows, total_rows=total, special_loader=loader))
    return sheets


def _decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise WorkbookError("Le fichier CSV n'est pas du texte lisible.", "Enregistrez-le en CSV UTF-8 (séparateur ;).")


def _read_csv(data: bytes) -> list[Sheet]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's « Texte Unicode »: UTF-16 with its byte order mark (and usually tabs, refused below).
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise WorkbookError(
            "Le fichier porte l'extension .csv mais n'est pas un fichier texte.",
            "Enregistrez-le depuis Excel en « CSV UTF-8 (délimité par des points-virgules) ».",
        )
    text = _decode_text(data)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    sample = [r for r in rows[:30] if any(cell.strip() for cell in r)]
    if sample and all(len(r) == 1 for r in sample) and any("," in r[0] or "\t" in r[0] for r in sample):
        raise WorkbookError(
            "Le fichier CSV n'est pas séparé par des points-virgules (;).",
            "Enregistrez-le depuis Excel en « CSV (séparateur : point-virgule) », ou déposez le classeur .xlsx.",
        )
    return [Sheet(name="valeurs", rows=rows)]


def read_workbook(
    source: bytes | str | Path, filename: str | None = None, limits: ImportLimits | None = None
) -> Workbook:
    """Read a spreadsheet from bytes or a path; raise WorkbookError with a French message and advice."""
    limits = limits or ImportLimits()
    if isinstance(source, (str, Path)):
        path = Path(source)
        filename = filename or path.name
        size = path.stat().st_size
        if size > limits.taille_max_octets:
            raise _too_big(size, limits)
        data = path.read_bytes()
    else:
        data = bytes(source)
    name = safe_filename(filename or "fichier")
    size = len(data)
    if size == 0:
        raise WorkbookError(
            "Le fichier est vide (0 octet).", "Vérifiez que vous avez déposé le bon fichier, enregistré après saisie."
        )
    if size > limits.taille_max_octets:
        raise _too_big(size, limits)
    suffix = Path(name).suffix.lower()
    digest = hashlib.sha256(data).hexdigest()
    if suffix not in CALAMINE_FORMATS | CSV_FORMATS:
        raise WorkbookError(
            f"Le format « {suffix or 'sans extension'} » n'est pas accepté.",
            f"Déposez un fichier {ACCEPTED}.",
        )
    archive = None
    if suffix in ZIP_FORMATS:
        if data.startswith(OLE2_MAGIC):
            raise WorkbookError(
                "Le classeur est chiffré ou protégé par un mot de passe.",
                "Retirez le mot de passe (Fichier > Informations > Protéger le classeur), enregistrez, puis redéposez-le.",
            )
        if not data.startswith(ZIP_MAGIC):
            raise WorkbookError(
                f"Le fichier porte l'extension {suffix} mais n'est pas un classeur de ce format.",
                "Ouvrez-le dans Excel ou LibreOffice, enregistrez-le au format .xlsx, puis redéposez-le.",
            )
        archive = _check_zip(data, limits)
    if suffix == ".xls" and not data.startswith(OLE2_MAGIC):
        raise WorkbookError(
            "Le fichier porte l'extension .xls mais n'est pas un classeur Excel 97-2003.",
            "Ouvrez-le dans Excel ou LibreOffice, enregistrez-le au format .xlsx, puis redéposez-le.",
        )
    if suffix in CSV_FORMATS:
        sheets = _read_csv(data)
    else:
        sheets = _read_calamine(data, suffix, archive, limits)
    if not sheets:
        raise WorkbookError(
            "Le classeur ne contient aucune feuille de calcul.", "Déposez le classeur rempli à partir du modèle."
        )
    return Workbook(filename=name, sha256=digest, size=size, sheets=sheets, format=suffix)


def _too_big(size: int, limits: ImportLimits) -> WorkbookError:
    return WorkbookError(
        f"Le fichier pèse {_megabytes(size / 1024 / 1024, up=True)} Mo, au-delà de la limite de "
        f"{_megabytes(limits.taille_max_mo)} Mo.",
        "Découpez les données en plusieurs fichiers, ou supprimez les feuilles et mises en forme inutiles.",
    )


def _megabytes(value: float, up: bool = False) -> str:
    """A size in Mo the French way, to one decimal: `25` → `25`, `0.5` → `0,5`. A size found in a file is
    rounded up (`up`), so that a file just over a 25 Mo limit never reads « 25 Mo »."""
    tenths = math.ceil(value * 10 - 1e-9) if up else round(value * 10)
    return f"{tenths / 10:.1f}".removesuffix(".0").replace(".", ",")
