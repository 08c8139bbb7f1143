"""Whatever staff upload: the catalogue of bad (or merely odd) input, each kind through the whole import.

Every kind below goes through `ingest.import_files` on a fresh copy of the demo database, as the Import
page and the command line do. Each gets either a correct import (what is stored is checked) or a refusal
whose first error names its place (file, sheet, row, column) with the exact French message, and then the
database file is byte for byte the same (sha256). The lower layers test the same kinds in more detail:
`test_workbook.py` (reading, limits, hostile files, names), `test_validate.py` (every message word for
word), `test_ingest.py` (the spine's 24 kinds of bad file, counts, rollback).

| #  | kind                                                          | outcome            | test (here, unless said) |
| -- | ------------------------------------------------------------- | ------------------ | ------------------------ |
| 1  | XML DOCTYPE declaring an external entity (XXE)                | refused, no leak   | CASES["XXE : entité externe"], test_workbook::test_doctype_and_entity_… |
| 2  | nested entities (« billion laughs ») in the styles part       | refused            | CASES["entités en cascade"] |
| 3  | zip bomb: 20 Mo of zeros in the sheet                         | refused            | CASES["bombe zip"], test_workbook::test_real_compression_bomb_is_refused |
| 4  | zip declaring 300 Mo once inflated                            | refused            | CASES["décompressé trop gros"], test_ingest BAD_FILES["bombe zip"] |
| 5  | workbook encrypted with a password (Excel « Protéger »)       | refused            | CASES["chiffré par mot de passe"] |
| 6  | old binary .xls (Excel 97-2003, written by LibreOffice)       | imported           | test_old_binary_xls_is_imported |
| 7  | text file named .xls                                          | refused            | CASES["faux .xls"] |
| 8  | truncated workbook                                            | refused            | CASES["classeur tronqué"] |
| 9  | CSV in Latin-1 (Windows-1252)                                 | imported           | CASES["CSV Latin-1"] |
| 10 | CSV in UTF-8 with a BOM                                       | imported           | CASES["CSV avec BOM"] |
| 11 | CSV in UTF-16 with `;` (Excel « Texte Unicode »)              | imported           | CASES["CSV UTF-16"] |
| 12 | CSV in UTF-16 with tabs                                       | refused            | CASES["CSV UTF-16 à tabulations"] |
| 13 | CSV with a comment over two lines (quoted)                    | imported           | CASES["CSV commentaire sur deux lignes"] |
| 14 | formula with its computed value saved                         | imported (value)   | CASES["formule avec résultat"] |
| 15 | formula without a computed value                              | refused            | CASES["formule sans résultat"] |
| 16 | merged cells and hidden rows above the header                 | imported           | CASES["fusion et lignes masquées en tête"] |
| 17 | territory merged over two data rows                           | refused            | CASES["territoire fusionné"] |
| 18 | a date where the year is expected                             | refused            | CASES["date au lieu de l'année"] |
| 19 | Excel error cell `#DIV/0!`                                    | refused            | CASES["#DIV/0!"] |
| 20 | Excel error `#N/A`                                            | refused            | CASES["#N/A"] |
| 21 | `NaN` written in the cell                                     | refused            | CASES["NaN écrit"] |
| 22 | an infinite number in the sheet's XML (`1e999`)               | refused            | CASES["nombre infini"] |
| 23 | a NaN number in the sheet's XML                               | ignored, warned    | CASES["NaN numérique"] |
| 24 | a negative count                                              | refused            | CASES["comptage négatif"] |
| 25 | a value with its unit written in (`12 personnes`)             | refused            | CASES["unité écrite"] |
| 26 | a quarter written as a month name (`mars`)                    | refused            | CASES["mois au lieu du trimestre"] |
| 27 | quarter 5                                                     | refused            | CASES["trimestre 5"] |
| 28 | sheet named `Valeurs ` (trailing space), after another sheet  | imported           | CASES["feuille « Valeurs  »"] |
| 29 | 200 000 rows                                                  | imported           | test_200000_rows_are_imported |
| 30 | 1 000 columns                                                 | refused            | CASES["1 000 colonnes"] |
| 31 | 0-byte file                                                   | refused            | CASES["fichier de 0 octet"] |
| 32 | file name with `../`                                          | imported, renamed  | CASES["nom avec ../"] |
| 33 | file name with control characters                             | imported, renamed  | CASES["nom avec caractères de contrôle"] |
| 34 | file name with nothing left once cleaned                      | refused            | CASES["nom réduit à rien"] |
| 35 | invisible characters (U+200B) pasted with code, place, value  | imported           | CASES["caractères invisibles"] |
| 36 | the header copied again among the data                        | refused            | CASES["en-tête recopié"] |
| 37 | SQL in a code cell                                            | refused            | CASES["SQL dans un code"], test_attack.py |
| 38 | a dot that could be thousands (`1.234`)                       | refused            | CASES["point ambigu"] |
| 39 | TRUE (VRAI) for a count                                       | refused            | CASES["VRAI pour un comptage"] |
| 40 | the same key twice, written differently                       | refused            | CASES["même clé écrite autrement"] |
| 41 | one cell far away (XFD1048576)                                | refused            | CASES["cellule très éloignée"] |
| 42 | no header row                                                 | refused            | CASES["sans en-tête"] |
| 43 | a date where a number is expected                             | refused            | CASES["date au lieu d'un nombre"] |
| 44 | a comment of 100 000 characters                               | imported, cut      | CASES["commentaire de 100 000 caractères"] |
| 45 | control characters in a comment                               | imported, removed  | CASES["contrôles dans le commentaire"] |
| 46 | HTML, Markdown and script in a comment                        | imported verbatim  | CASES["HTML et script dans le commentaire"], test_attack.py |
| 47 | emoji and non-Latin scripts in a comment                      | imported verbatim  | CASES["emoji et écritures non latines"] |
| 48 | protected sheet (no opening password)                         | imported           | CASES["feuille protégée"] |
| 49 | macro workbook (.xlsm with vbaProject.bin): never run         | imported           | CASES["classeur à macros"] |
| 50 | numbers as text with spaces, year 2025.0 and « 2025 »         | imported           | CASES["nombres en texte"] |
| 51 | 5 000 formatted empty rows after the data                     | imported           | CASES["lignes vides mises en forme"] |
| 52 | an XML part with an endless prolog                            | refused            | CASES["prologue sans fin"] |

Also tested elsewhere, at their layer: other formats (.pdf, .txt, no extension), binary named .csv,
CSV with commas, file over 25 Mo, part larger than declared, DOCTYPE in the relationships, OpenDocument
repeats (test_workbook.py); empty code, territory or year, year as text, ambiguous dot, yes for a count,
milestone with a number, percentage for a count, unknown or duplicated or missing columns, too many rows
(test_validate.py); context indicator sheet errors (test_ingest.py, test_validate.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import CONTRACT_HEADER, COUNT, PERCENT, needs_soffice, workbook_bytes
from grands_fichiers import distinct_rows, xlsx_bytes

from sus_data.errors import ImportRejected
from sus_data.ingest import Upload, import_files

USER = "agent.saisie"
NEW_OPERATION = 5  # the demo database holds operations 1 to 4
WITH_COMMENT = [*CONTRACT_HEADER, "commentaire"]
DOCTYPE = "Le classeur contient une déclaration DOCTYPE ou ENTITY ({}), interdite pour des raisons de sécurité."
MACHINE_SECRET = "SECRET-DE-LA-MACHINE-7105"


@dataclass(frozen=True)
class Refused:
    """The first error: sheet, row, column and message (a string, or a pattern for a number that varies)."""

    feuille: str
    ligne: int | None
    colonne: str
    message: str | re.Pattern
    conseil: str | None = None


@dataclass(frozen=True)
class Imported:
    """What must be stored: (code, territory, year, quarter) → (value, comment), and the file name kept."""

    values: dict[tuple, tuple] = field(default_factory=dict)
    fichier: str | None = None
    nouvelles: int | None = None
    check: Callable | None = None  # more checks: check(query, results)


@dataclass(frozen=True)
class Case:
    filename: str
    content: Callable[[Path], bytes]  # given a scratch folder
    expect: Refused | Imported


# ------------------------------------------------------------------------------------------------ builders
def _rows(*rows, header=CONTRACT_HEADER, **options) -> Callable[[Path], bytes]:
    return lambda _tmp: workbook_bytes([list(r) for r in rows], header=header, **options)


def _patched(data: bytes, member: str, transform) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            target.writestr(name, transform(content) if name == member else content)
    return out.getvalue()


def _with_cell_xml(cell_xml: bytes) -> Callable[[Path], bytes]:
    """A workbook (header on row 1) whose cell E2 is written as given in the sheet's XML."""

    def build(_tmp: Path) -> bytes:
        data = workbook_bytes([[COUNT, "TAS MP", 2025, 1, "MARQUE"]], titles=())
        return _patched(
            data, "xl/worksheets/sheet1.xml", lambda xml: re.sub(rb'<c r="E2"[^>]*>.*?</c>', cell_xml, xml, count=1)
        )

    return build


def _declare(xml: bytes, declaration: bytes) -> bytes:
    """The declaration where XML allows it: after the XML declaration, before the root element."""
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + b"\n" + declaration + xml[end:]
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + declaration + xml


def _xxe(tmp: Path) -> bytes:
    secret = tmp / "secret.txt"
    secret.write_text(MACHINE_SECRET, encoding="utf-8")
    data = workbook_bytes([[COUNT, "71", 2025, 1, "MARQUE"]], titles=())
    declaration = f'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "{secret.as_uri()}">]>'.encode()
    return _patched(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: _declare(xml, declaration).replace(b"MARQUE", b"&secret;"),
    )


def _laughs(_tmp: Path) -> bytes:
    entities = b'<!ENTITY a "hahahahahaha">' + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9)
    )
    return _patched(
        workbook_bytes([[COUNT, "71", 2025, 1, 3]]),
        "xl/styles.xml",
        lambda xml: _declare(xml, b"<!DOCTYPE styleSheet [" + entities + b"]>"),
    )


def _bomb(_tmp: Path) -> bytes:
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes([[COUNT, "71", 2025, 1, 3]])))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</worksheet>", b"<!--" + b" " * 20_000_000 + b"--></worksheet>")
            bomb.writestr(name, content)
    return out.getvalue()


def _declaring(size: int, compressed: int) -> Callable[[Path], bytes]:
    """The zip's headers announce other sizes for the sheet: what a crafted bomb looks like before inflating."""

    def build(_tmp: Path) -> bytes:
        data = bytearray(workbook_bytes([[COUNT, "71", 2025, 1, 3]]))
        member = b"xl/worksheets/sheet1.xml"
        at = data.find(b"PK\x01\x02")
        while at != -1:
            length = struct.unpack("<H", data[at + 28 : at + 30])[0]
            if data[at + 46 : at + 46 + length] == member:
                data[at + 20 : at + 24] = struct.pack("<I", compressed)
                data[at + 24 : at + 28] = struct.pack("<I", size)
            at = data.find(b"PK\x01\x02", at + 4)
        return bytes(data)

    return build


def _encrypted(_tmp: Path) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(workbook_bytes([[COUNT, "71", 2025, 1, 3]]))).encrypt("motdepasse-du-service", out)
    return out.getvalue()


def _csv(lines: list[str], encoding: str, sep: str = ";") -> Callable[[Path], bytes]:
    return lambda _tmp: ("\r\n".join(line.replace(";", sep) for line in lines) + "\r\n").encode(encoding)


CSV_HEADER = ";".join(WITH_COMMENT)


def _header_merged_and_hidden(_tmp: Path) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "valeurs"
    sheet.append(["Schéma unique des solidarités — saisie du trimestre"])
    sheet.merge_cells("A1:F1")
    sheet.append(["ligne de travail masquée", "=1/0"])
    sheet.row_dimensions[2].hidden = True
    sheet.append(["Clé", None, "Période", None, "Mesure"])
    sheet.merge_cells("A3:B3")
    sheet.merge_cells("C3:D3")
    sheet.append(CONTRACT_HEADER)
    sheet.append([COUNT, "TAS MP", 2025, 1, 15])
    sheet.append([COUNT, "TAS CL", 2025, 1, 16])
    return _saved(book)


def _territory_merged(_tmp: Path) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "valeurs"
    for row in (["Saisie"], [], CONTRACT_HEADER, [COUNT, "TAS MP", 2025, 1, 15], [COUNT, None, 2025, 2, 16]):
        sheet.append(row)
    sheet.merge_cells("B4:B5")  # what people do to avoid typing the territory twice
    return _saved(book)


def _values_sheet_second(_tmp: Path) -> bytes:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Consignes du service", "ne pas importer"])
    sheet = book.create_sheet("Valeurs ")
    sheet.append(CONTRACT_HEADER)
    sheet.append([COUNT, "TAS MALC", 2025, 2, 21])
    return _saved(book)


def _thousand_columns(_tmp: Path) -> bytes:
    header = [*CONTRACT_HEADER, *(f"note {i}" for i in range(1, 996))]
    return xlsx_bytes([[COUNT, "TAS MP", 2025, 1, 5, *("x" * 995)]], header=header)


def _protected(_tmp: Path) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "valeurs"
    sheet.append(CONTRACT_HEADER)
    sheet.append([COUNT, "TAS CL", 2025, 3, 33])
    sheet.protection.sheet = True
    sheet.protection.password = "verrou"
    return _saved(book)


def _macros(_tmp: Path) -> bytes:
    data = workbook_bytes([[COUNT, "TAS CL", 2025, 4, 44]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
        # A VBA project (an OLE2 container): calamine never runs it, the import never looks at it.
        target.writestr(
            "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b'Sub Auto_Open() Shell "rm -rf /"' * 50
        )
    return out.getvalue()


def _formatted_empty_rows(_tmp: Path) -> bytes:
    from openpyxl.styles import PatternFill

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "valeurs"
    sheet.append(CONTRACT_HEADER)
    sheet.append([COUNT, "TAS MP", 2025, 2, 8])
    fill = PatternFill("solid", fgColor="FFFF00")
    for row in range(3, 5003):
        for column in range(1, 6):
            sheet.cell(row=row, column=column).fill = fill  # styled, empty
    return _saved(book)


def _far_cell(_tmp: Path) -> bytes:
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    return _patched(
        workbook_bytes([[COUNT, "71", 2025, 1, 3]]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"</sheetData>", far),
    )


def _endless_prolog(_tmp: Path) -> bytes:
    return _patched(
        workbook_bytes([[COUNT, "71", 2025, 1, 3]]),
        "xl/workbook.xml",
        lambda xml: b"<!--" + b"x" * 70_000 + b"-->" + xml,
    )


def _saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------- the catalogue
NUMBER_ADVICE = "Saisissez un nombre (ex. 1 234,5 ou 12,5 %), ou laissez la cellule vide."
EXCEL_ERROR = "La cellule contient une erreur Excel au lieu d'une valeur."
NOT_FINITE = "La valeur n'est pas un nombre fini."
REBUILD = "Recréez le classeur à partir du modèle et redéposez-le."
SCRIPT = "<script>alert(1)</script> <img src=x onerror=alert(1)> **gras** [lien](javascript:alert(1))"

CASES: dict[str, Case] = {
    # ---- the container: refused before anything is parsed
    "XXE : entité externe": Case("xxe.xlsx", _xxe, Refused("", None, "", DOCTYPE.format("xl/worksheets/sheet1.xml"), REBUILD)),
    "entités en cascade": Case("rires.xlsx", _laughs, Refused("", None, "", DOCTYPE.format("xl/styles.xml"))),
    "bombe zip": Case(
        "bombe.xlsx",
        _bomb,
        Refused("", None, "", re.compile(r"Le classeur contient une partie anormalement compressée \(xl/worksheets/sheet1\.xml, "
                                         r"taux \d+ pour 1\) : il est refusé par sécurité\.")),
    ),
    "décompressé trop gros": Case(
        "gonfle.xlsx",
        _declaring(300 * 1024 * 1024, 2 * 1024 * 1024),
        Refused("", None, "", "Le classeur décompressé occuperait 300,1 Mo, au-delà de la limite de 250 Mo."),
    ),
    "chiffré par mot de passe": Case(
        "protégé.xlsx",
        _encrypted,
        Refused("", None, "", "Le classeur est chiffré ou protégé par un mot de passe.",
                "Retirez le mot de passe (Fichier > Informations > Protéger le classeur), enregistrez, puis redéposez-le."),
    ),
    "faux .xls": Case(
        "ancien.xls", lambda _t: b"code_indicateur;valeur\n",
        Refused("", None, "", "Le fichier porte l'extension .xls mais n'est pas un classeur Excel 97-2003."),
    ),
    "classeur tronqué": Case(
        "coupé.xlsx", lambda _t: workbook_bytes([[COUNT, "71", 2025, 1, 3]])[:600],
        Refused("", None, "", "Le fichier est endommagé : ce n'est pas un classeur lisible."),
    ),
    "cellule très éloignée": Case(
        "loin.xlsx", _far_cell,
        Refused("", None, "", "Le classeur s'étend trop loin (xl/worksheets/sheet1.xml, jusqu'à XFD1048576) : sa lecture "
                              "occuperait trop de mémoire."),
    ),
    "prologue sans fin": Case(
        "prologue.xlsx", _endless_prolog,
        Refused("", None, "", "Le classeur contient une partie XML anormale (xl/workbook.xml) : il est refusé par sécurité."),
    ),
    "fichier de 0 octet": Case("vide.xlsx", lambda _t: b"", Refused("", None, "", "Le fichier est vide (0 octet).")),
    "nom réduit à rien": Case(
        "../\x07\x1b", lambda _t: workbook_bytes([[COUNT, "71", 2025, 1, 3]]),
        Refused("", None, "", "Le format « sans extension » n'est pas accepté."),
    ),
    "CSV UTF-16 à tabulations": Case(
        "texte_unicode.csv",
        _csv([";".join(CONTRACT_HEADER), f"{COUNT};TAS MP;2025;1;5"], "utf-16", sep="\t"),
        Refused("", None, "", "Le fichier CSV n'est pas séparé par des points-virgules (;)."),
    ),
    # ---- the sheet: refused with the cell
    "formule sans résultat": Case(
        "formule.xlsx", _rows([COUNT, "71", 2025, 1, "=B4*2"]),
        Refused("valeurs", 4, "E (valeur)", "La cellule contient une formule dont le résultat n'a pas été enregistré."),
    ),
    "territoire fusionné": Case("fusion.xlsx", _territory_merged, Refused("valeurs", 5, "B (territoire)", "Le territoire est vide.")),
    "date au lieu de l'année": Case(
        "annee.xlsx", _rows([COUNT, "71", dt.datetime(2025, 3, 31), 1, 3]),
        Refused("valeurs", 4, "C (annee)", "Une date a été saisie à la place d'une année."),
    ),
    "#DIV/0!": Case("div0.xlsx", _rows([COUNT, "71", 2025, 1, "#DIV/0!"]), Refused("valeurs", 4, "E (valeur)", EXCEL_ERROR)),
    "#N/A": Case("na.xlsx", _rows([COUNT, "71", 2025, 1, "#N/A"]), Refused("valeurs", 4, "E (valeur)", EXCEL_ERROR)),
    "NaN écrit": Case("nan.xlsx", _rows([COUNT, "71", 2025, 1, "NaN"]), Refused("valeurs", 4, "E (valeur)", NOT_FINITE)),
    "nombre infini": Case("infini.xlsx", _with_cell_xml(b'<c r="E2"><v>1e999</v></c>'), Refused("valeurs", 2, "E (valeur)", NOT_FINITE)),
    "comptage négatif": Case(
        "negatif.xlsx", _rows([COUNT, "TAS MP", 2025, 1, -12]),
        Refused("valeurs", 4, "E (valeur)", "Un comptage ne peut pas être négatif."),
    ),
    "unité écrite": Case(
        "unite.xlsx", _rows([COUNT, "TAS MP", 2025, 1, "12 personnes"]),
        Refused("valeurs", 4, "E (valeur)", "La valeur contient du texte en plus du nombre.",
                "Saisissez seulement le nombre (12) ; l'unité est celle de l'indicateur."),
    ),
    "mois au lieu du trimestre": Case(
        "mois.xlsx", _rows([COUNT, "TAS MP", 2025, "mars", 12]),
        Refused("valeurs", 4, "D (trimestre)", "Un mois a été saisi à la place d'un trimestre.",
                "Saisissez le trimestre : « mars » tombe au T1."),
    ),
    "trimestre 5": Case(
        "t5.xlsx", _rows([COUNT, "TAS MP", 2025, 5, 12]), Refused("valeurs", 4, "D (trimestre)", "Le trimestre n'est pas reconnu.")
    ),
    "1 000 colonnes": Case(
        "large.xlsx", _thousand_columns,
        Refused("valeurs", 1, "", "L'en-tête compte 1000 colonnes, au-delà de la limite de 200."),
    ),
    "en-tête recopié": Case(
        "copie.xlsx", _rows([COUNT, "TAS MP", 2025, 1, 3], CONTRACT_HEADER, [COUNT, "TAS CL", 2025, 1, 4]),
        Refused("valeurs", 5, "A (code_indicateur)", "Ce code d'indicateur n'existe pas dans le référentiel."),
    ),
    "SQL dans un code": Case(
        "sql.xlsx", _rows(["A1'; DROP TABLE valeur;--", "TAS MP", 2025, 1, 3]),
        Refused("valeurs", 4, "A (code_indicateur)", "Ce code d'indicateur n'existe pas dans le référentiel."),
    ),
    "point ambigu": Case(
        "point.xlsx", _rows([COUNT, "TAS MP", 2025, 1, "1.234"]),
        Refused("valeurs", 4, "E (valeur)", "Le point rend ce nombre ambigu (séparateur de milliers ou de décimales ?)."),
    ),
    "VRAI pour un comptage": Case(
        "vrai.xlsx", _rows([COUNT, "TAS MP", 2025, 1, True]),
        Refused("valeurs", 4, "E (valeur)", "« oui » ou « non » n'est accepté que pour un jalon (unité oui/non)."),
    ),
    "même clé écrite autrement": Case(
        "doublon.xlsx", _rows([COUNT, "71", 2025, 1, 3], [COUNT, "Département", 2025, "T1", 4]),
        Refused("valeurs", 5, "A (code_indicateur)", "La même valeur (indicateur, territoire, année, trimestre) figure déjà ligne 4."),
    ),
    "sans en-tête": Case(
        "brut.xlsx", _rows([COUNT, "71", 2025, 1, 3], header=None),
        Refused("valeurs", None, "", "La ligne d'en-tête est introuvable : aucune des 30 premières lignes ne contient les "
                                     "colonnes code_indicateur et valeur."),
    ),
    "date au lieu d'un nombre": Case(
        "date.xlsx", _rows([COUNT, "TAS MP", 2025, 1, dt.date(2025, 1, 12)]),
        Refused("valeurs", 4, "E (valeur)", "Une date a été saisie à la place d'un nombre."),
    ),
    # ---- accepted: what is stored is checked
    "CSV Latin-1": Case(
        "saisie_latin1.csv",
        _csv([CSV_HEADER, f"{COUNT};Mâcon;2025;T1;1 234;été chargé à l'accueil"], "latin-1"),
        Imported({(COUNT, "MACON", 2025, 1): (1234.0, "été chargé à l'accueil")}),
    ),
    "CSV avec BOM": Case(
        "saisie_bom.csv",
        _csv([CSV_HEADER, f"{COUNT};Chalon-sur-Saône - Louhans;2025;2;17;"], "utf-8-sig"),
        Imported({(COUNT, "TAS CL", 2025, 2): (17.0, None)}),
    ),
    "CSV UTF-16": Case(
        "saisie_utf16.csv",
        _csv([CSV_HEADER, f"{COUNT};TAS MALC;2025;3;18;œuvre"], "utf-16"),
        Imported({(COUNT, "TAS MALC", 2025, 3): (18.0, "œuvre")}),
    ),
    "CSV commentaire sur deux lignes": Case(
        "multiligne.csv",
        _csv([CSV_HEADER, f'{COUNT};TAS MP;2025;3;19;"première ligne\r\nseconde ligne"'], "utf-8"),
        Imported({(COUNT, "TAS MP", 2025, 3): (19.0, "première ligne\nseconde ligne")}),
    ),
    "formule avec résultat": Case(
        "formule_calculee.xlsx", _with_cell_xml(b'<c r="E2"><f>2+3</f><v>5</v></c>'),
        Imported({(COUNT, "TAS MP", 2025, 1): (5.0, None)}),
    ),
    "fusion et lignes masquées en tête": Case(
        "mise_en_forme.xlsx", _header_merged_and_hidden,
        Imported({(COUNT, "TAS MP", 2025, 1): (15.0, None), (COUNT, "TAS CL", 2025, 1): (16.0, None)}),
    ),
    "NaN numérique": Case(
        "nan_numerique.xlsx", _with_cell_xml(b'<c r="E2"><v>NaN</v></c>'),
        Imported(nouvelles=0, check=lambda query, results: _nothing_written(results)),
    ),
    "feuille « Valeurs  »": Case(
        "deux_feuilles.xlsx", _values_sheet_second, Imported({(COUNT, "TAS MALC", 2025, 2): (21.0, None)})
    ),
    "nom avec ../": Case(
        "../../etc/passwd.xlsx", _rows([COUNT, "TAS MP", 2025, 4, 22]),
        Imported({(COUNT, "TAS MP", 2025, 4): (22.0, None)}, fichier="passwd.xlsx"),
    ),
    "nom avec caractères de contrôle": Case(
        "sai\x00sie\x07\x1b[31m\r\n.xlsx", _rows([COUNT, "TAS MP", 2025, 4, 23]),
        Imported({(COUNT, "TAS MP", 2025, 4): (23.0, None)}, fichier="saisie[31m.xlsx"),
    ),
    "caractères invisibles": Case(
        "web.xlsx", _rows([COUNT + "\u200b", "TAS\u200b MP", 2025, 1, "12\u200b"]),
        Imported({(COUNT, "TAS MP", 2025, 1): (12.0, None)}),
    ),
    "commentaire de 100 000 caractères": Case(
        "long.xlsx", _rows([COUNT, "TAS MP", 2025, 1, 7, "é" * 100_000], header=WITH_COMMENT),
        Imported({(COUNT, "TAS MP", 2025, 1): (7.0, "é" * 2000)}),
    ),
    "contrôles dans le commentaire": Case(
        "controles.csv",
        _csv([CSV_HEADER, f"{COUNT};TAS MP;2025;1;8;a\x07b\x1b[31mc\x7fd"], "utf-8"),
        Imported({(COUNT, "TAS MP", 2025, 1): (8.0, "ab[31mcd")}),
    ),
    "HTML et script dans le commentaire": Case(
        "script.xlsx", _rows([COUNT, "TAS MP", 2025, 1, 9, SCRIPT], header=WITH_COMMENT),
        Imported({(COUNT, "TAS MP", 2025, 1): (9.0, SCRIPT)}),
    ),
    "emoji et écritures non latines": Case(
        "unicode.xlsx", _rows([COUNT, "TAS MP", 2025, 1, 10, "👍 مرحبا 你好 Ωμέγα"], header=WITH_COMMENT),
        Imported({(COUNT, "TAS MP", 2025, 1): (10.0, "👍 مرحبا 你好 Ωμέγα")}),
    ),
    "feuille protégée": Case("protegee.xlsx", _protected, Imported({(COUNT, "TAS CL", 2025, 3): (33.0, None)})),
    "classeur à macros": Case("macros.xlsm", _macros, Imported({(COUNT, "TAS CL", 2025, 4): (44.0, None)})),
    "nombres en texte": Case(
        "texte.xlsx", _rows([COUNT, "TAS MP", 2025.0, "1", "  42 "], [PERCENT, "71", "2025", "T2", " 12,5 % "]),
        Imported({(COUNT, "TAS MP", 2025, 1): (42.0, None), (PERCENT, "71", 2025, 2): (12.5, None)}),
    ),
    "lignes vides mises en forme": Case(
        "formatee.xlsx", _formatted_empty_rows, Imported({(COUNT, "TAS MP", 2025, 2): (8.0, None)}, nouvelles=1)
    ),
}  # fmt: skip

# Kinds tested by their own function below (they need a fixture or a large file).
OWN_TESTS = {
    "ancien .xls binaire": "test_old_binary_xls_is_imported",
    "200 000 lignes": "test_200000_rows_are_imported",
}


def _nothing_written(results) -> None:
    [result] = results
    assert result.operation_id is None
    assert result.nb_ignorees == 1
    warnings = result.report.frame()
    assert [(w.feuille, int(w.ligne), w.colonne) for w in warnings.itertuples()] == [("valeurs", 2, "E (valeur)")]
    assert warnings.iloc[0]["gravite"] == "avertissement"


# ------------------------------------------------------------------------------------------------- the tests
def stored(query, code, territory, year, quarter) -> tuple | None:
    rows = query(
        """SELECT valeur, commentaire, operation FROM valeur WHERE indicateur = ? AND territoire = ? AND annee = ?
           AND trimestre = ? AND mesure = 'valeur'""",
        code,
        territory,
        year,
        quarter,
    )
    return rows[0] if rows else None


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", list(CASES), ids=list(CASES))
def test_each_kind_gets_a_correct_import_or_a_french_message_with_its_place(
    kind, store, config, query, db_digest, tmp_path
):
    case = CASES[kind]
    data = case.content(tmp_path)
    upload = Upload(data, case.filename)
    before = db_digest()
    if isinstance(case.expect, Refused):
        with pytest.raises(ImportRejected) as rejected:
            import_files(store, config, [upload], USER)
        frame = rejected.value.report.frame()
        first = frame[frame["gravite"] == "erreur"].iloc[0]
        expected = case.expect
        line = None if pd.isna(first["ligne"]) else int(first["ligne"])
        assert (first["fichier"], first["feuille"], line, first["colonne"]) == (
            upload.name,
            expected.feuille,
            expected.ligne,
            expected.colonne,
        )
        if isinstance(expected.message, re.Pattern):
            assert expected.message.fullmatch(first["message"]), first["message"]
        else:
            assert first["message"] == expected.message
        if expected.conseil is not None:
            assert first["conseil"] == expected.conseil
        assert rejected.value.message.startswith(f"1 fichier(s) refusé(s) ({upload.name}) : ")
        assert rejected.value.message.endswith(" Aucune donnée n'a été enregistrée.")
        assert MACHINE_SECRET not in rejected.value.message + rejected.value.report.to_text()
        assert db_digest() == before  # byte for byte
    else:
        results = import_files(store, config, [upload], USER)
        expected = case.expect
        for (code, territory, year, quarter), (value, comment) in expected.values.items():
            assert stored(query, code, territory, year, quarter) == (value, comment, NEW_OPERATION)
        if expected.values:
            [(fichier, user, written)] = query(
                "SELECT fichier, utilisateur, nb_nouvelles + nb_modifiees FROM operation WHERE id = ?", NEW_OPERATION
            )
            assert (fichier, user) == (expected.fichier or case.filename, USER)
            assert written == (expected.nouvelles if expected.nouvelles is not None else len(expected.values))
        if expected.check:
            expected.check(query, results)


def test_nothing_from_the_machine_reaches_the_database_either(store, config, query, tmp_path):
    with pytest.raises(ImportRejected):
        import_files(store, config, [Upload(_xxe(tmp_path), "xxe.xlsx")], USER)
    assert query(
        "SELECT count(*) FROM valeur WHERE commentaire LIKE ? OR source LIKE ?",
        f"%{MACHINE_SECRET}%",
        f"%{MACHINE_SECRET}%",
    ) == [(0,)]


@needs_soffice
def test_old_binary_xls_is_imported(libreoffice_files, store, config, query):
    """The French example workbook saved by LibreOffice as Excel 97-2003 (.xls, a binary OLE2 file)."""
    path = libreoffice_files["xls"]
    assert path.read_bytes().startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    [result] = import_files(store, config, [Upload(path)], USER)
    assert (result.fichier, result.nb_nouvelles + result.nb_modifiees) == ("saisie_t1.xls", 10)
    assert stored(query, COUNT, "TAS MP", 2025, 1) == (1234.0, "saisie du service", NEW_OPERATION)
    assert stored(query, COUNT, "TAS CL", 2025, 1) == (2345.0, None, NEW_OPERATION)  # under a header in words


def test_200000_rows_are_imported(store, config, query, tmp_path):
    with store.read() as con:
        rows = distinct_rows(con, 200_000, first_year=2000)
    path = tmp_path / "deux_cent_mille.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    before = query("SELECT count(*) FROM valeur")[0][0]
    [result] = import_files(store, config, [Upload(path)], USER)
    assert (result.operation_id, result.nb_nouvelles, result.nb_modifiees) == (NEW_OPERATION, 200_000, 0)
    assert query("SELECT count(*) FROM valeur")[0][0] == before + 200_000
    assert query("SELECT count(*), sum(valeur) FROM valeur WHERE operation = ?", NEW_OPERATION) == [
        (200_000, float(sum(r[4] for r in rows)))
    ]


def test_the_catalogue_has_at_least_40_kinds():
    names = {*CASES, *OWN_TESTS}
    assert len(names) >= 40
    for function in OWN_TESTS.values():
        assert callable(globals()[function])
    assert len(re.findall(r"^\| \d+ ", __doc__, re.MULTILINE)) == len(names)
