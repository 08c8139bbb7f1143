"""Shared fixtures of the dashboard tests: a small hand-built database and the demo database.

Both are built once per test session in a temporary folder, never in data/.

The data spine's tests (second part of this file) get: `SUS_CONFIG`/`SUS_DB` isolation for the whole
session, a template database made once by `init` and copied per test (`db_path`, `store`), workbook
builders that write rows under title rows, and the command line in a subprocess (`run_cli`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HEADER = "code_indicateur;territoire;annee;trimestre;valeur;cible;commentaire;source"


@dataclass(frozen=True)
class Codes:
    """Indicators of the referential picked by their rules, so that the tests follow the referential."""

    flux: str  # somme over the year, adds up between territories
    stock: str  # last quarter, adds up
    taux: str  # mean of the quarters, in %, does not add up
    dep: str  # somme over the year, does not add up


def pick_codes(con) -> Codes:
    def one(agregation: str, additivite: str, unite: str) -> str:
        row = con.execute(
            """SELECT code FROM indicateur WHERE agregation = ? AND additivite = ? AND unite = ?
               AND code NOT LIKE 'CTX-%' ORDER BY ordre LIMIT 1""",
            [agregation, additivite, unite],
        ).fetchone()
        assert row, f"aucun indicateur {agregation}/{additivite}/{unite} dans le référentiel"
        return row[0]

    return Codes(
        flux=one("somme", "somme", "nombre"),
        stock=one("dernier", "somme", "nombre"),
        taux=one("moyenne", "aucune", "%"),
        dep=one("somme", "aucune", "nombre"),
    )


def small_workbook(c: Codes) -> str:
    """The values of tests/test_queries.py and tests/test_views.py (see the expected numbers there)."""
    rows = []

    def add(code, territory, year, quarter, value, cible="", comment="", source=""):
        rows.append(f"{code};{territory};{year};{quarter};{value};{cible};{comment};{source}")

    for q, (mp, cl, malc) in enumerate([(10, 1, 5), (20, 2, 5), (30, 3, 5), (40, 4, None)], start=1):
        add(c.flux, "TAS MP", 2024, q, mp)
        add(c.flux, "TAS CL", 2024, q, cl)
        if malc is not None:
            add(c.flux, "TAS MALC", 2024, q, malc)
    add(c.flux, "TAS MP", 2025, 1, 7)
    add(c.flux, "TAS CL", 2025, 1, 8)
    add(c.flux, "TAS MALC", 2025, 1, 9, comment="=1+1 saisie provisoire")
    add(c.flux, "MACON", 2025, 2, 3)
    add(c.flux, "PARAY", 2025, 2, 4)
    add(c.flux, "CHALON", 2025, 2, 5)
    for q, value in enumerate([50, 52, 54, 56], start=1):
        add(c.stock, "TAS MP", 2024, q, value)
    add(c.stock, "TAS CL", 2024, 2, 30)
    add(c.stock, "TAS CL", 2024, 4, 33)
    add(c.stock, "TAS MALC", 2024, "", 70)
    add(c.stock, "TAS MALC", 2024, 4, 71)
    for q, value in enumerate([10, 20, 30, 42], start=1):
        add(c.taux, "71", 2024, q, str(value), cible="40" if q == 4 else "")
        add(c.taux, "TAS MP", 2024, q, "12,5")
    for territory, value in (("TAS MP", 6), ("TAS CL", 7), ("TAS MALC", 8)):
        add(c.dep, territory, 2024, 1, value, source="Service des solidarités")
    return "\n".join([HEADER, *rows]) + "\n"


@dataclass(frozen=True)
class SmallDb:
    path: Path
    codes: Codes


@pytest.fixture(scope="session")
def small_db(tmp_path_factory) -> SmallDb:
    """init (referential and the real figures, no demo) then one small quarterly file imported."""
    from sus_data.config import get_config
    from sus_data.database import init_database
    from sus_data.ingest import Upload, import_files
    from sus_data.store import Store

    path = tmp_path_factory.mktemp("petite_base") / "petite.duckdb"
    store = Store(path)
    config = get_config()
    init_database(store, config, demo=False)
    with store.read() as con:
        codes = pick_codes(con)
    data = small_workbook(codes).encode("utf-8")
    import_files(store, config, [Upload(data, "trimestre_test.csv")], "test")
    return SmallDb(path, codes)


@pytest.fixture(scope="session")
def small_snapshot(small_db):
    from sus_data.snapshot import open_snapshot
    from sus_data.store import Store

    snapshot = open_snapshot(Store(small_db.path))
    yield snapshot
    snapshot.close()


@pytest.fixture
def con(small_snapshot):
    """A cursor on the in-memory copy, as the app's queries get."""
    cursor = small_snapshot.cursor()
    yield cursor
    cursor.close()


@pytest.fixture(scope="session")
def codes(small_db) -> Codes:
    return small_db.codes


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A database as `python -m sus_data init` makes it: referential, real figures and demo values."""
    from sus_data.config import get_config
    from sus_data.database import init_database
    from sus_data.store import Store

    path = tmp_path_factory.mktemp("base_demo") / "demo.duckdb"
    init_database(Store(path), get_config(), demo=True)
    return path


@pytest.fixture
def demo_env(demo_db, monkeypatch):
    """SUS_DB pointing at the demo database, with Streamlit's caches cleared before and after."""
    import streamlit as st

    monkeypatch.setenv("SUS_DB", str(demo_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield demo_db
    st.cache_data.clear()
    st.cache_resource.clear()


# ====================================================================================================
# The data spine's tests (test_workbook, test_validate, test_ingest, test_cli, test_libreoffice…)
# ====================================================================================================

CONFIG_FILE = ROOT / "config" / "71.toml"
CONTRACT_HEADER = ["code_indicateur", "territoire", "annee", "trimestre", "valeur"]
TITLES = ("Schéma unique des solidarités 2023-2027 — valeurs du trimestre", "")

# Indicators of the referential used throughout the tests, one per unit that matters.
COUNT = "A1-O1-Obj1-Ac1-I1"  # nombre, additive over the TAS (demo values for 2023-2025)
COUNT_NOT_ADDITIVE = "A1-O1-Obj2-Ac1-I1"  # nombre, départemental only
PERCENT = "A2-O2-Obj2-Ac2-I2"  # %
MONEY = "A4-O1-Obj2-Ac2-I4"  # €
MILESTONE = "A1-O1-Obj2-Ac1-I3"  # oui/non
CONTEXT = "CTX-SSD-MENAGES"  # nombre, context indicator with a real 2021 figure


# ------------------------------------------------------------------------------------------ isolation
@pytest.fixture(scope="session", autouse=True)
def isolated_environment(tmp_path_factory) -> Iterable[Path]:
    """The project's configuration, and a scratch database path, for every test of the session:
    nothing ever opens data/sus.duckdb."""
    scratch = tmp_path_factory.mktemp("isolation") / "jamais_utilisee.duckdb"
    saved = {name: os.environ.get(name) for name in ("SUS_CONFIG", "SUS_DB")}
    os.environ["SUS_CONFIG"] = str(CONFIG_FILE)
    os.environ["SUS_DB"] = str(scratch)
    yield scratch
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def config():
    from sus_data.config import get_config

    return get_config()


# ------------------------------------------------------------------------------------------ databases
@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """A database made once by `init` (referential, real figures, demo values): never written to."""
    from sus_data.config import get_config
    from sus_data.database import init_database
    from sus_data.store import Store

    path = tmp_path_factory.mktemp("modele") / "modele.duckdb"
    init_database(Store(path), get_config(), demo=True)
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path, monkeypatch) -> Path:
    """A fresh copy of the template database, also made the default one (`SUS_DB`) for the test."""
    path = tmp_path / "base" / "sus.duckdb"
    path.parent.mkdir()
    shutil.copyfile(template_db, path)
    monkeypatch.setenv("SUS_DB", str(path))
    return path


@pytest.fixture
def store(db_path: Path):
    from sus_data.store import Store

    return Store(db_path)


@pytest.fixture
def db_digest(db_path: Path) -> Callable[[], tuple[str, bool]]:
    """The sha256 of the database file, and whether a write-ahead log sits beside it."""

    def digest() -> tuple[str, bool]:
        wal = db_path.with_name(db_path.name + ".wal")
        return hashlib.sha256(db_path.read_bytes()).hexdigest(), wal.exists()

    return digest


@pytest.fixture
def query(store) -> Callable[..., list[tuple]]:
    """Rows of a SQL query on the test's database (a short read-only connection)."""

    def run(sql: str, *params) -> list[tuple]:
        with store.read() as con:
            return con.execute(sql, list(params)).fetchall()

    return run


# ------------------------------------------------------------------------------------------- workbooks
def workbook_bytes(
    rows: list[list],
    *,
    header: list | None = CONTRACT_HEADER,
    titles: Iterable[str] = TITLES,
    sheet: str = "valeurs",
    other_sheets: dict[str, list[list]] | None = None,
) -> bytes:
    """An xlsx written by openpyxl: title rows (an empty string makes an empty row), header, rows."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for title in titles:
        ws.append([title] if title else [])
    if header is not None:
        ws.append(header)
    for row in rows:
        ws.append(row)
    for name, sheet_rows in (other_sheets or {}).items():
        extra = book.create_sheet(name)
        for row in sheet_rows:
            extra.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write a workbook (see workbook_bytes) as `tmp_path/fichiers/NAME` and return its path."""
    folder = tmp_path / "fichiers"
    folder.mkdir(exist_ok=True)

    def write(rows: list[list], name: str = "valeurs.xlsx", **options) -> Path:
        path = folder / name
        path.write_bytes(workbook_bytes(rows, **options))
        return path

    return write


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., Path]:
    """Write rows as a `;` CSV in the given encoding (`utf-8`, `utf-8-sig`, `latin-1`…)."""
    folder = tmp_path / "fichiers"
    folder.mkdir(exist_ok=True)

    def write(
        rows: list[list], name: str = "valeurs.csv", encoding: str = "utf-8", header: list = CONTRACT_HEADER
    ) -> Path:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
        path = folder / name
        path.write_bytes(buffer.getvalue().encode(encoding))
        return path

    return write


# The file of the observatory's example: title rows, French number text with the three kinds of
# thousands spaces, full territory names with and without accents, quarters written several ways.
FRENCH_ROWS = [
    [COUNT, "Mâcon - Paray-le-Monial", 2025, "T1", "1 234", "saisie du service"],
    [COUNT, "Chalon-sur-Saône - Louhans", 2025, "1er trimestre", "2\u00a0345", None],
    [COUNT, "Montceau-les-Mines - Autun - Le Creusot", 2025, "Q1", "3\u202f456", None],
    [COUNT, "Autun - Le Creusot - Montceau", 2024, "4e trimestre", "1 002", "ancien nom du TAS"],
    [COUNT_NOT_ADDITIVE, "Département", 2025, None, 7035, None],
    [PERCENT, "Saône-et-Loire", 2025, 2, "12,5 %", None],
    [MONEY, "Chalon - Louhans", 2024, "T2", "1 234,50 €", "montant des aides"],
    [PERCENT, "Saone et Loire", 2024, "T2", "9,75", None],
    [MILESTONE, "Departement", 2025, "T2", "oui", None],
    [COUNT, "Macon", 2025, "T1", 17, "secteur sans accent"],
]
FRENCH_HEADER = ["Code indicateur", "Territoire", "Année", "Trimestre", "Valeur", "Commentaire"]
# What the export gives for them: code, territory code, year, quarter ('' when yearly), value (dot decimal).
FRENCH_EXPECTED = [
    (COUNT, "TAS MP", "2025", "1", "1234.0", "saisie du service"),
    (COUNT, "TAS CL", "2025", "1", "2345.0", ""),
    (COUNT, "TAS MALC", "2025", "1", "3456.0", ""),
    (COUNT, "TAS MALC", "2024", "4", "1002.0", "ancien nom du TAS"),
    (COUNT_NOT_ADDITIVE, "71", "2025", "", "7035.0", ""),
    (PERCENT, "71", "2025", "2", "12.5", ""),
    (MONEY, "TAS CL", "2024", "2", "1234.5", "montant des aides"),
    (PERCENT, "71", "2024", "2", "9.75", ""),
    (MILESTONE, "71", "2025", "2", "1.0", ""),
    (COUNT, "MACON", "2025", "1", "17.0", "secteur sans accent"),
]


def french_workbook_bytes() -> bytes:
    return workbook_bytes(FRENCH_ROWS, header=FRENCH_HEADER, sheet="Valeurs ")


# ------------------------------------------------------------------------------------------ LibreOffice
SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) n'est pas installé")


def soffice_convert(source: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    """Convert with `soffice --headless --convert-to FMT`, in a profile of its own (no clash with a
    LibreOffice already open on the machine)."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    target = outdir / f"{source.stem}.{fmt}"
    assert target.is_file(), f"soffice n'a pas produit {target.name}"
    return target


@pytest.fixture(scope="session")
def libreoffice_files(tmp_path_factory) -> dict[str, Path]:
    """The French example workbook written by openpyxl, and as LibreOffice saves it in xlsx, ods and xls."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) n'est pas installé")
    folder = tmp_path_factory.mktemp("libreoffice")
    source = folder / "openpyxl" / "saisie_t1.xlsx"
    source.parent.mkdir()
    source.write_bytes(french_workbook_bytes())
    profile = folder / "profil"
    files = {"openpyxl": source}
    for fmt in ("xlsx", "ods", "xls"):
        files[fmt] = soffice_convert(source, fmt, folder / fmt, profile)
    return files


# ------------------------------------------------------------------------------------------ command line
@pytest.fixture
def run_cli(db_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """Run `python -m sus_data ARGS…` in a subprocess, on the test's database (by `SUS_DB`)."""

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        env = {**os.environ, "SUS_CONFIG": str(CONFIG_FILE), "SUS_DB": str(db_path), "PYTHONPATH": str(ROOT)}
        return subprocess.run(
            [sys.executable, "-m", "sus_data", *map(str, args)],
            check=False,  # the exit code is what the tests look at
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


def read_export(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
