"""Reading uploaded spreadsheets safely (sus_data/workbook.py): formats, limits, hostile files, names."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from conftest import CONTRACT_HEADER as HEADER
from conftest import COUNT, FRENCH_HEADER, needs_soffice, workbook_bytes

from sus_data.config import ImportLimits
from sus_data.workbook import FORMULA_MARK, WorkbookError, column_letter, read_workbook, safe_filename

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ROWS = [[COUNT, "TAS MP", 2025, 1, 12], [COUNT, "Mâcon", 2025, 2, "1 234,5"]]
REBUILD = "Recréez le classeur à partir du modèle et redéposez-le."
RESAVE = "Ouvrez-le dans Excel ou LibreOffice, enregistrez-le au format .xlsx, puis redéposez-le."
PASSWORD = "Retirez le mot de passe (Fichier > Informations > Protéger le classeur), enregistrez, puis redéposez-le."


def refused(data: bytes | Path, filename: str | None = None, limits: ImportLimits | None = None) -> tuple[str, str]:
    with pytest.raises(WorkbookError) as caught:
        read_workbook(data, filename, limits)
    return caught.value.message, caught.value.conseil


def with_member(data: bytes, member: str, transform) -> bytes:
    """The same xlsx with one part rewritten."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            target.writestr(name, transform(content) if name == member else content)
    return out.getvalue()


def declaring(data: bytes, member: str, file_size: int, compress_size: int | None = None) -> bytes:
    """The same zip whose headers declare other sizes for `member`: what a crafted zip bomb looks like
    before anything is inflated."""
    data = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(member)
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:  # central directory entry: sizes at offsets 20 (compressed) and 24 (uncompressed)
        length = struct.unpack("<H", data[at + 28 : at + 30])[0]
        if data[at + 46 : at + 46 + length] == name:
            data[at + 24 : at + 28] = struct.pack("<I", file_size)
            if compress_size is not None:
                data[at + 20 : at + 24] = struct.pack("<I", compress_size)
            break
        at = data.find(b"PK\x01\x02", at + 4)
    local = info.header_offset  # local file header: sizes at offsets 18 and 22
    data[local + 22 : local + 26] = struct.pack("<I", file_size)
    return bytes(data)


# ------------------------------------------------------------------------------------------------- formats
def test_xlsx_written_by_openpyxl_is_read_with_its_title_rows():
    book = read_workbook(workbook_bytes(ROWS), "saisie.xlsx")
    assert book.format == ".xlsx"
    [sheet] = book.sheets
    assert sheet.name == "valeurs"
    assert sheet.rows[0][0] == "Schéma unique des solidarités 2023-2027 — valeurs du trimestre"
    assert sheet.rows[2] == HEADER
    assert sheet.rows[3] == [COUNT, "TAS MP", 2025, 1, 12]
    assert sheet.rows[4] == [COUNT, "Mâcon", 2025, 2, "1 234,5"]
    assert len(book.sha256) == 64


def test_xlsm_is_read():
    book = read_workbook(workbook_bytes(ROWS, titles=()), "saisie.xlsm")
    assert book.format == ".xlsm"
    assert book.sheets[0].rows[1] == [COUNT, "TAS MP", 2025, 1, 12]


@needs_soffice
@pytest.mark.parametrize("fmt", ["xls", "ods", "xlsx"])
def test_formats_written_by_libreoffice_are_read(libreoffice_files, fmt):
    book = read_workbook(libreoffice_files[fmt])
    assert book.format == f".{fmt}"
    sheet = book.sheet("valeurs")
    assert sheet.name == "Valeurs "
    assert sheet.rows[2] == FRENCH_HEADER
    code, territory, year, quarter, value, comment = sheet.rows[3]
    assert (code, territory, year, quarter, value, comment) == (
        COUNT,
        "Mâcon - Paray-le-Monial",
        2025,
        "T1",
        "1 234",
        "saisie du service",
    )
    assert sheet.rows[4][4] == "2\u00a0345"  # the no-break space survives the round trip
    assert sheet.rows[5][4] == "3\u202f456"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1", "cp1252"])
def test_csv_encodings(csv_file, encoding):
    path = csv_file(
        [[COUNT, "Mâcon - Paray-le-Monial", "2025", "T1", "1 234,5"]],
        header=["code_indicateur", "territoire", "Année", "trimestre", "valeur"],
        encoding=encoding,
    )
    [sheet] = read_workbook(path).sheets
    assert sheet.rows == [
        ["code_indicateur", "territoire", "Année", "trimestre", "valeur"],
        [COUNT, "Mâcon - Paray-le-Monial", "2025", "T1", "1 234,5"],
    ]


def test_csv_with_commas_is_refused():
    data = b"code_indicateur,territoire,annee,trimestre,valeur\nA1,71,2025,1,3\n"
    assert refused(data, "valeurs.csv") == (
        "Le fichier CSV n'est pas séparé par des points-virgules (;).",
        "Enregistrez-le depuis Excel en « CSV (séparateur : point-virgule) », ou déposez le classeur .xlsx.",
    )


def test_binary_file_named_csv_is_refused():
    assert refused(b"\x00\x01\x02binaire", "valeurs.csv") == (
        "Le fichier porte l'extension .csv mais n'est pas un fichier texte.",
        "Enregistrez-le depuis Excel en « CSV UTF-8 (délimité par des points-virgules) ».",
    )


@pytest.mark.parametrize(
    ("name", "shown"), [("rapport.pdf", ".pdf"), ("valeurs.txt", ".txt"), ("valeurs", "sans extension")]
)
def test_other_formats_are_refused(name, shown):
    assert refused(b"contenu", name) == (
        f"Le format « {shown} » n'est pas accepté.",
        "Déposez un fichier .csv, .ods, .xls, .xlsm, .xlsx.",
    )


def test_text_named_xlsx_is_refused():
    assert refused(b"code_indicateur;valeur\n", "valeurs.xlsx") == (
        "Le fichier porte l'extension .xlsx mais n'est pas un classeur de ce format.",
        RESAVE,
    )


def test_xlsx_named_xls_is_refused():
    assert refused(workbook_bytes(ROWS), "valeurs.xls") == (
        "Le fichier porte l'extension .xls mais n'est pas un classeur Excel 97-2003.",
        RESAVE,
    )


def test_truncated_xlsx_is_refused():
    assert refused(workbook_bytes(ROWS)[:400], "coupé.xlsx") == (
        "Le fichier est endommagé : ce n'est pas un classeur lisible.",
        "Ouvrez-le dans Excel ou LibreOffice, enregistrez-le de nouveau au format .xlsx, puis redéposez-le.",
    )


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "vide.xlsx"
    path.write_bytes(b"")
    assert refused(path) == (
        "Le fichier est vide (0 octet).",
        "Vérifiez que vous avez déposé le bon fichier, enregistré après saisie.",
    )


# --------------------------------------------------------------------------------------------------- limits
def test_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "enorme.xlsx"
    with path.open("wb") as handle:  # 30 Mo of nothing (a sparse file): only its size is looked at
        handle.truncate(30 * 1024 * 1024)
    assert refused(path) == (
        "Le fichier pèse 30 Mo, au-delà de la limite de 25 Mo.",
        "Découpez les données en plusieurs fichiers, ou supprimez les feuilles et mises en forme inutiles.",
    )


def test_size_limit_of_the_configuration_applies_to_uploaded_bytes():
    data = workbook_bytes(ROWS) + b"\x00" * 600_000
    message, _ = refused(data, "gros.xlsx", ImportLimits(taille_max_mo=0.5))
    assert message == "Le fichier pèse 0,6 Mo, au-delà de la limite de 0,5 Mo."


def test_zip_bomb_declaring_a_huge_part_is_refused_before_inflating():
    data = declaring(workbook_bytes(ROWS), "xl/worksheets/sheet1.xml", 3_000_000_000)
    message, conseil = refused(data, "bombe.xlsx")
    assert message.startswith(
        "Le classeur contient une partie anormalement compressée (xl/worksheets/sheet1.xml, taux "
    )
    assert message.endswith(" pour 1) : il est refusé par sécurité.")
    assert conseil == REBUILD


def test_workbook_declaring_more_than_the_inflated_limit_is_refused():
    # 300 Mo declared for 2 Mo compressed: a ratio of 150, plausible, but too big once inflated.
    data = declaring(workbook_bytes(ROWS), "xl/worksheets/sheet1.xml", 300 * 1024 * 1024, 2 * 1024 * 1024)
    assert refused(data, "gonflé.xlsx") == (
        "Le classeur décompressé occuperait 300,1 Mo, au-delà de la limite de 250 Mo.",
        "Découpez les données en plusieurs fichiers ou supprimez les feuilles inutiles.",
    )


def test_part_larger_than_declared_is_refused_as_damaged():
    # Headers that under-declare a part: inflating it would go past what was announced.
    data = declaring(workbook_bytes(ROWS), "xl/worksheets/sheet1.xml", 100)
    assert refused(data, "menteur.xlsx") == (
        "Le fichier est endommagé : ce n'est pas un classeur lisible.",
        "Ouvrez-le dans Excel ou LibreOffice, enregistrez-le de nouveau au format .xlsx, puis redéposez-le.",
    )


def test_real_compression_bomb_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("xl/worksheets/sheet1.xml", b"\x00" * 20_000_000)
    message, conseil = refused(out.getvalue(), "zeros.xlsx")
    assert message.startswith("Le classeur contient une partie anormalement compressée (xl/worksheets/sheet1.xml")
    assert conseil == REBUILD


# -------------------------------------------------------------------------------------------- hostile files
def test_encrypted_workbook_is_refused_from_its_ole2_header():
    # Excel saves a password-protected xlsx as an OLE2 container holding the encrypted package.
    assert refused(OLE2_MAGIC + b"\x00" * 1024, "protégé.xlsx") == (
        "Le classeur est chiffré ou protégé par un mot de passe.",
        PASSWORD,
    )


def test_workbook_encrypted_with_a_password_is_refused():
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(workbook_bytes(ROWS))).encrypt("secret", encrypted)
    assert msoffcrypto.OfficeFile(io.BytesIO(encrypted.getvalue())).is_encrypted()
    assert refused(encrypted.getvalue(), "protégé.xlsx") == (
        "Le classeur est chiffré ou protégé par un mot de passe.",
        PASSWORD,
    )


def _with_entity(secret: Path, before: bytes = b"") -> bytes:
    """An xlsx whose sheet declares an external entity reading `secret`, and uses it in a cell."""
    data = workbook_bytes([[COUNT, "71", 2025, 1, "MARQUE"]], titles=())
    declaration = f'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "{secret.as_uri()}">]>'.encode()
    return with_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: (
            b'<?xml version="1.0" encoding="UTF-8"?>\n' + before + declaration + xml.replace(b"MARQUE", b"&secret;")
        ),
    )


@pytest.mark.parametrize(
    "before",
    [b"", b"<!--" + b" commentaire " * 500 + b"-->\n", b" " * 5000, b"<?mso-application progid='Excel.Sheet'?>\n"],
    ids=["en tête", "après un long commentaire", "après 5000 espaces", "après une instruction"],
)
def test_doctype_and_entity_are_refused_and_nothing_from_the_machine_comes_back(tmp_path, before):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-DE-LA-MACHINE-42", encoding="utf-8")
    message, conseil = refused(_with_entity(secret, before), "xxe.xlsx")
    assert message == (
        "Le classeur contient une déclaration DOCTYPE ou ENTITY (xl/worksheets/sheet1.xml), "
        "interdite pour des raisons de sécurité."
    )
    assert conseil == REBUILD
    assert "SECRET" not in message + conseil


def test_doctype_in_the_relationships_is_refused():
    data = with_member(
        workbook_bytes(ROWS),
        "_rels/.rels",
        lambda xml: b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + xml,
    )
    message, _ = refused(data, "rires.xlsx")
    assert message == (
        "Le classeur contient une déclaration DOCTYPE ou ENTITY (_rels/.rels), interdite pour des raisons de sécurité."
    )


def test_xml_part_with_an_endless_prolog_is_refused():
    data = with_member(workbook_bytes(ROWS), "xl/workbook.xml", lambda xml: b"<!--" + b"x" * 70_000 + b"-->" + xml)
    assert refused(data, "prologue.xlsx") == (
        "Le classeur contient une partie XML anormale (xl/workbook.xml) : il est refusé par sécurité.",
        REBUILD,
    )


# --------------------------------------------------------------------------------------- far-flung cells
FAR = (
    "Le classeur s'étend trop loin (xl/worksheets/sheet1.xml, jusqu'à XFD1048576) : sa lecture occuperait trop "
    "de mémoire."
)
TRIM = (
    "Supprimez les lignes et colonnes vides au-delà des données (sélectionnez-les, clic droit, Supprimer), "
    "enregistrez, puis redéposez-le."
)


@pytest.mark.parametrize(
    "far_cell",
    [
        b'<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',
        b"<c r='XFD1048576' t='inlineStr'><is><t>x</t></is></c>",  # single quotes
        b'<c\nr = "xfd1048576" t="inlineStr"><is><t>x</t></is></c>',  # spaces, lower case: calamine accepts them
    ],
    ids=["guillemets", "apostrophes", "espaces et minuscules"],
)
def test_a_cell_far_away_is_refused_before_calamine_lays_out_the_grid(far_cell):
    # A1 and XFD1048576 in a 5 Ko file: laid out by calamine, 17 billion cells (hundreds of Go).
    data = with_member(
        workbook_bytes([["x"]], header=None, titles=()),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"</row>", b'</row><row r="1048576">' + far_cell + b"</row>", 1),
    )
    assert refused(data, "loin.xlsx") == (FAR, TRIM)


def test_a_note_beyond_column_z_is_fine():
    book = __import__("openpyxl").Workbook()
    sheet = book.active
    sheet.title = "valeurs"
    sheet.append(HEADER)
    sheet.append([COUNT, "71", 2025, 1, 3])
    sheet["AB12"] = "note"
    buffer = io.BytesIO()
    book.save(buffer)
    [read] = read_workbook(buffer.getvalue(), "note.xlsx").sheets
    assert read.rows[11][27] == "note"


@needs_soffice
def test_ods_value_below_a_million_empty_rows_is_refused(libreoffice_files):
    # LibreOffice ends a sheet with ~1 million repeated empty rows; a value after them sits in the last row.
    data = _ods_with(
        libreoffice_files["ods"],
        lambda xml: xml.replace(
            b"</table:table>",
            b'<table:table-row><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'
            b"</table:table-cell></table:table-row></table:table>",
            1,
        ),
    )
    message, conseil = refused(data, "bas.ods")
    assert message == (
        "Le classeur s'étend trop loin (content.xml, jusqu'à 1048562 lignes répétées) : sa lecture occuperait "
        "trop de mémoire."
    )
    assert conseil == TRIM


@needs_soffice
def test_ods_value_repeated_over_thousands_of_cells_is_refused(libreoffice_files):
    data = _ods_with(
        libreoffice_files["ods"],
        lambda xml: xml.replace(
            b"<table:table-row ",
            b'<table:table-row table:number-rows-repeated="50"><table:table-cell table:number-columns-repeated="9999" '
            b'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
            b"<table:table-row ",
            1,
        ),
    )
    message, _ = refused(data, "repete.ods")
    assert message == (
        "Le classeur s'étend trop loin (content.xml, jusqu'à 9999 cellules répétées) : sa lecture occuperait "
        "trop de mémoire."
    )


def _ods_with(path: Path, transform) -> bytes:
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():  # `mimetype` first and stored, as OpenDocument requires
            content = source.read(name)
            kind = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(name, transform(content) if name == "content.xml" else content, compress_type=kind)
    return out.getvalue()


# ------------------------------------------------------------------------------- cells calamine reads as empty
def test_formula_without_computed_value_and_excel_error_are_found():
    book = __import__("openpyxl").Workbook()
    sheet = book.active
    sheet.title = "valeurs"
    sheet.append(HEADER)
    sheet.append([COUNT, "71", 2025, 1, "=SUM(B9:B12)"])  # openpyxl saves the formula, never its result
    sheet.append([COUNT, "71", 2025, 2, "#DIV/0!"])  # openpyxl saves this text as an error cell
    buffer = io.BytesIO()
    book.save(buffer)
    [read] = read_workbook(buffer.getvalue(), "formules.xlsx").sheets
    assert read.rows[1][4] == "" and read.rows[2][4] == ""
    assert read.special_cells == {"E2": FORMULA_MARK, "E3": "#DIV/0!"}


# ------------------------------------------------------------------------------------------------ file names
@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("valeurs T1.xlsx", "valeurs T1.xlsx"),
        ("../../etc/passwd.xlsx", "passwd.xlsx"),
        ("..\\..\\Windows\\valeurs.xlsx", "valeurs.xlsx"),
        ("C:\\Users\\agent\\Bureau\\saisie.xlsx", "saisie.xlsx"),
        ("/tmp/../../root/.ssh/id_rsa.xlsx", "id_rsa.xlsx"),
        ("sai\x00sie\x07\x1b.xlsx", "saisie.xlsx"),
        ("ligne1\nligne2\r.xlsx", "ligne1ligne2.xlsx"),
        ("retour\u202egnp.xlsx", "retourgnp.xlsx"),  # right-to-left override, used to disguise extensions
        (".cache.xlsx", "cache.xlsx"),
        ("..", "fichier"),
        ("", "fichier"),
        ("\x01\x02", "fichier"),
    ],
)
def test_file_names_are_sanitised(given, kept):
    assert safe_filename(given) == kept


def test_long_file_names_keep_their_extension():
    name = safe_filename("a" * 300 + ".xlsx")
    assert len(name) == 120
    assert name.endswith("….xlsx")


def test_read_workbook_records_the_sanitised_name():
    book = read_workbook(workbook_bytes(ROWS), "../../../tmp/sai\x07sie.xlsx")
    assert book.filename == "saisie.xlsx"


@pytest.mark.parametrize(("index", "letters"), [(1, "A"), (5, "E"), (26, "Z"), (27, "AA"), (52, "AZ"), (703, "AAA")])
def test_column_letters(index, letters):
    assert column_letter(index) == letters
