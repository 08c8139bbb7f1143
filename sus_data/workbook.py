"""Reading uploaded spreadsheets safely: size and zip-bomb limits, format detection, python-calamine.

The result is a `Workbook`: for each sheet, its rows as Python lists and the position of its first
cell, so that problems can be reported at the cell the user sees in Excel.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
import unicodedata
import zipfile
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
_FORMULA_WITHOUT_VALUE = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*>\s*<f[ >][^<]*(?:</f>)?\s*(?:<v\s*/>|<v></v>)?\s*</c>')
_ERROR_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*\bt="e"[^>]*>(?:\s*<f[^>]*>[^<]*</f>|\s*<f[^>]*/>)?\s*<v>([^<]*)</v>')
FORMULA_MARK = "(formule)"


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
        raise WorkbookError(
            "Le fichier est endommagé : ce n'est pas un classeur lisible.",
            "Ouvrez-le dans Excel ou LibreOffice, enregistrez-le de nouveau au format .xlsx, puis redéposez-le.",
        ) from exc
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
            f"Le classeur décompressé occuperait {total / 1024 / 1024:.0f} Mo, au-delà de la limite de "
            f"{limits.decompresse_max_mo:.0f} Mo.",
            "Découpez les données en plusieurs fichiers ou supprimez les feuilles inutiles.",
        )
    for member in members:
        if member.filename.endswith((".xml", ".rels")) and member.file_size:
            with archive.open(member) as handle:
                head = handle.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise WorkbookError(
                    f"Le classeur contient une déclaration DOCTYPE ou ENTITY ({member.filename}), "
                    "interdite pour des raisons de sécurité.",
                    "Recréez le classeur à partir du modèle et redéposez-le.",
                )
    return archive


def _sheet_xml_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → XML part inside an xlsx, to look for formulas that have no computed value."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
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
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


def _special_cells(archive: zipfile.ZipFile, xml_path: str) -> dict[str, str]:
    try:
        data = archive.read(xml_path)
    except KeyError:
        return {}
    cells: dict[str, str] = {}
    if b"<f" in data:
        cells.update({ref.decode(): FORMULA_MARK for ref in _FORMULA_WITHOUT_VALUE.findall(data)})
    if b't="e"' in data:
        cells.update({ref.decode(): value.decode("utf-8", "replace") for ref, value in _ERROR_CELL.findall(data)})
    return cells


def _read_calamine(data: bytes, suffix: str, archive: zipfile.ZipFile | None, limits: ImportLimits) -> list[Sheet]:
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
    xml_paths = _sheet_xml_paths(archive) if archive is not None and suffix in {".xlsx", ".xlsm"} else {}
    sheets = []
    for meta in book.sheets_metadata:
        if str(meta.typ) != str(calamine.SheetTypeEnum.WorkSheet):
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False, nrows=limits.lignes_max + 50)
        except Exception as exc:
            raise WorkbookError(
                f"La feuille « {meta.name} » n'a pas pu être lue ({type(exc).__name__}).",
                "Ouvrez le classeur, vérifiez la feuille, enregistrez-le au format .xlsx, puis redéposez-le.",
            ) from exc
        loader = functools.partial(_special_cells, archive, xml_paths[meta.name]) if meta.name in xml_paths else None
        end = sheet.end
        total = end[0] + 1 if end else len(rows)
        sheets.append(Sheet(name=meta.name, rows=rows, total_rows=total, special_loader=loader))
    return sheets


def _decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise WorkbookError("Le fichier CSV n'est pas du texte lisible.", "Enregistrez-le en CSV UTF-8 (séparateur ;).")


def _read_csv(data: bytes) -> list[Sheet]:
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


def read_workbook(source: bytes | str | Path, filename: str | None = None, limits: ImportLimits | None = None) -> Workbook:
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
        raise WorkbookError("Le fichier est vide (0 octet).", "Vérifiez que vous avez déposé le bon fichier, enregistré après saisie.")
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
        raise WorkbookError("Le classeur ne contient aucune feuille de calcul.", "Déposez le classeur rempli à partir du modèle.")
    return Workbook(filename=name, sha256=digest, size=size, sheets=sheets, format=suffix)


def _too_big(size: int, limits: ImportLimits) -> WorkbookError:
    return WorkbookError(
        f"Le fichier pèse {size / 1024 / 1024:.1f} Mo, au-delà de la limite de {limits.taille_max_mo:.0f} Mo.",
        "Découpez les données en plusieurs fichiers, ou supprimez les feuilles et mises en forme inutiles.",
    )
