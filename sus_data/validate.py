"""Validation of a workbook against the spreadsheet contract and the referential.

Every problem of a file is collected at once in a `Report`; the checks are vectorised over columns
(most cells of a column share a handful of distinct values), so that a 100 000-row file validates in
a fraction of the time it takes to read it.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import numbers, periods, textnorm
from .config import Config, ImportLimits
from .report import COLUMNS, ERROR, WARNING, Report, shown
from .vocabulary import (
    ADDITIVITES,
    AGREGATIONS,
    CONTEXT_PREFIX,
    MESURE_CIBLE,
    MESURE_VALEUR,
    NATURES,
    SENS,
    UNIT_COUNT,
    UNIT_PERCENT,
    UNIT_QUALITATIVE,
    UNIT_YESNO,
)
from .workbook import FORMULA_MARK, Sheet, Workbook, column_letter

VALUES_SHEET = "valeurs"
INDICATORS_SHEET = "indicateurs"
HEADER_SEARCH_ROWS = 30
MAX_TEXT_LENGTH = 2000

# Accepted spellings of each column, as comparison keys (textnorm.key).
VALUE_COLUMNS = {
    "code_indicateur": {"codeindicateur", "code", "codeind", "indicateurcode", "codedelindicateur"},
    "territoire": {"territoire", "codeterritoire", "territory", "tas"},
    "annee": {"annee", "an", "year", "exercice"},
    "trimestre": {"trimestre", "trim", "quarter"},
    "valeur": {"valeur", "value", "valeurrealisee", "realise"},
    "cible": {"cible", "valeurcible", "target"},
    "commentaire": {"commentaire", "commentaires", "remarque", "observations", "observation"},
    "source": {"source", "sources"},
}
REQUIRED_VALUE_COLUMNS = ("code_indicateur", "territoire", "annee", "trimestre", "valeur")
# Columns of the downloadable template that are there to help the person filling it, not data.
HELPER_COLUMNS = {
    "libelle",
    "libelleindicateur",
    "indicateur",
    "unite",
    "valeurprecedente",
    "derniereValeur".lower(),
    "periodeprecedente",
    "ambition",
    "action",
    "libelleterritoire",
    "nature",
    "secret",
}
INDICATOR_COLUMNS = {
    "code_indicateur": {"codeindicateur", "code"},
    "libelle": {"libelle", "libelleindicateur", "intitule"},
    "ambition": {"ambition"},
    "unite": {"unite"},
    "nature": {"nature"},
    "agregation": {"agregation", "agregationtemporelle"},
    "additivite": {"additivite"},
    "sens": {"sens", "senssouhaite"},
    "source": {"source"},
    "definition": {"definition"},
}
REQUIRED_INDICATOR_COLUMNS = ("code_indicateur", "libelle", "ambition", "unite", "nature", "agregation", "sens")


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    unite: str
    origine: str


@dataclass
class Lookup:
    """What validation needs from the referential: indicators, territories and their aliases."""

    indicators: dict[str, IndicatorInfo]
    aliases: dict[str, str]  # textnorm.key(name) → territory code
    territories: list[str]
    ambitions: dict[str, str]  # number as text, code or label key → ambition code
    limits: ImportLimits = field(default_factory=ImportLimits)
    # For the follow-up sheets (validate_followup): the actions of the programmes in progress, every
    # node (to say why a code is not an action), the declared perimeters and the territories' parents.
    actions: dict[str, str] = field(default_factory=dict)  # upper-case code → action code
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)  # upper-case code → (code, level)
    niveau_action: str = "action"
    action_prefix: str = "Ac"
    perimetres: dict[str, frozenset[str]] = field(default_factory=dict)
    departement: str = ""
    parents: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def from_connection(cls, con, config: Config) -> Lookup:
        indicators = {
            code: IndicatorInfo(code, unite, origine)
            for code, unite, origine in con.execute("SELECT code, unite, origine FROM indicateur").fetchall()
        }
        aliases = dict(con.execute("SELECT alias, code FROM territoire_alias").fetchall())
        territories = [code for (code,) in con.execute("SELECT code FROM territoire ORDER BY ordre").fetchall()]
        ambitions: dict[str, str] = {}
        root = config.root_level
        for code, numero, libelle in con.execute(
            "SELECT code, numero, libelle FROM noeud WHERE rang = 0 ORDER BY ordre"
        ).fetchall():
            ambitions[textnorm.key(code)] = code
            if numero:
                ambitions[textnorm.key(numero)] = code
                ambitions[textnorm.key(f"{root.libelle} {numero}")] = code
            ambitions[textnorm.key(libelle)] = code
        lookup = cls(indicators, aliases, territories, ambitions, config.limites)
        lookup._read_followup(con, config)
        return lookup

    def _read_followup(self, con, config: Config) -> None:
        self.niveau_action = config.niveau_action
        self.action_prefix = config.level(config.niveau_action).prefixe
        self.departement = config.departement.code
        self.parents = dict(con.execute("SELECT code, parent FROM territoire").fetchall())
        for code, niveau, in_progress in con.execute(
            """SELECT n.code, n.niveau, coalesce(bool_or(coalesce(p.statut, 'en cours') <> 'archivé'), FALSE)
               FROM noeud n LEFT JOIN noeud_programme np ON np.noeud = n.code
               LEFT JOIN programme p ON p.code = np.programme
               GROUP BY n.code, n.niveau"""
        ).fetchall():
            self.nodes[code.upper()] = (code, niveau)
            if niveau == config.niveau_action and in_progress:
                self.actions[code.upper()] = code
        # A database made before the follow-up tables existed has no perimeter yet.
        if con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'perimetre_action'").fetchone()[0]:
            perimeters: dict[str, set[str]] = {}
            for action, territoire in con.execute("SELECT action, territoire FROM perimetre_action").fetchall():
                perimeters.setdefault(action, set()).add(territoire)
            self.perimetres = {action: frozenset(codes) for action, codes in perimeters.items()}

    def canonical_code(self) -> dict[str, str]:
        return {code.upper(): code for code in self.indicators}


@dataclass
class ValidatedFile:
    """A file after validation: the report and, when it has no error, the rows to write."""

    filename: str
    sha256: str
    report: Report
    valeurs: pd.DataFrame  # indicateur, territoire, annee, trimestre, mesure, valeur, commentaire, source
    indicateurs: pd.DataFrame  # definitions of context indicators to add or update
    n_lignes: int = 0
    n_ignorees: int = 0
    # Sheets `actions` and `perimetre` (validate_followup): statuses of actions, perimeters of actions.
    statuts: pd.DataFrame | None = None
    perimetres: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        from .validate_followup import empty_perimeters, empty_statuses  # the module imports this one

        if self.statuts is None:
            self.statuts = empty_statuses()
        if self.perimetres is None:
            self.perimetres = empty_perimeters()

    @property
    def ok(self) -> bool:
        return self.report.ok


def empty_values() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicateur": pd.Series(dtype=str),
            "territoire": pd.Series(dtype=str),
            "annee": pd.Series(dtype="int16"),
            "trimestre": pd.Series(dtype="int8"),
            "mesure": pd.Series(dtype=str),
            "valeur": pd.Series(dtype=float),
            "commentaire": pd.Series(dtype=object),
            "source": pd.Series(dtype=object),
        }
    )


def _is_blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def find_header(
    sheet: Sheet, columns: dict[str, set[str]], required: tuple[str, ...]
) -> tuple[int, dict[str, int], list[str]] | None:
    """The header row: the first of the top rows that names the two key columns.

    Returns (row index in sheet.rows, {column: index}, other non-empty header names) or None.
    """
    wanted = {alias: name for name, aliases in columns.items() for alias in aliases}
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        keys = [textnorm.key(cell) if isinstance(cell, str) else "" for cell in row]
        found = {wanted[k] for k in keys if k in wanted}
        if required[0] in found and ("valeur" in found or "libelle" in found or len(found) >= 3):
            mapping: dict[str, int] = {}
            others: list[str] = []
            for col, k in enumerate(keys):
                if k in wanted and wanted[k] not in mapping:
                    mapping[wanted[k]] = col
                elif k in wanted:
                    mapping.setdefault("__double__" + wanted[k], col)
                elif not _is_blank(row[col]):
                    others.append(str(row[col]))
            return index, mapping, others
    return None


class _Column:
    """One column of a sheet, factorised: the distinct cells (`uniques`) and, per row, which one it holds.

    A column of 100 000 cells holds a few dozen distinct codes, territories or years: every check runs
    once per distinct cell and is spread to the rows by integer indexing, so that the Python work is
    proportional to the distinct cells, not to the rows.
    """

    def __init__(self, codes: np.ndarray, uniques: list):
        self.codes = codes
        self.uniques = uniques

    @classmethod
    def of(cls, values) -> _Column:
        return cls(*_factorize(values))

    @classmethod
    def empty(cls, n: int) -> _Column:
        return cls(np.zeros(n, dtype=np.intp), [None])

    def take(self, positions: np.ndarray) -> _Column:
        return _Column(self.codes[positions], self.uniques)

    def each(self, func) -> list:
        return [func(cell) for cell in self.uniques]

    def spread(self, per_unique: list, dtype=object) -> np.ndarray:
        """Per-row array from one result per distinct cell."""
        if dtype is object:
            return _object_array(per_unique)[self.codes]
        return np.asarray(per_unique, dtype=dtype)[self.codes]

    def cells(self, where: np.ndarray) -> list:
        """The cells as read, at the rows selected by a mask or positions."""
        return [self.uniques[c] for c in self.codes[where]]

    def blank(self) -> np.ndarray:
        return self.spread(self.each(_is_blank), bool)


# Python hashes True like 1 and False like 0: factorised together, a VRAI cell would pass for the number
# 1 (or the reverse). Booleans are tagged while factorising a column that mixes them with numbers.
_BOOL_TAG = "cellule booléenne"


def _factorize(values) -> tuple[np.ndarray, list]:
    arr = _object_array(values)
    codes, uniques = pd.factorize(arr)
    uniques = list(uniques)
    if any(isinstance(u, (bool, int, float)) and u in (0, 1) for u in uniques) and bool in set(map(type, arr)):
        tagged = _object_array([(_BOOL_TAG, v) if type(v) is bool else v for v in arr])
        codes, uniques = pd.factorize(tagged)
        uniques = [u[1] if isinstance(u, tuple) and u[0] == _BOOL_TAG else u for u in uniques]
    if len(codes) and codes.min() < 0:  # empty cells (None, or NaN from a float column) share one code
        codes = np.where(codes < 0, len(uniques), codes)
        uniques.append(None)
    return codes, uniques


class _Checker:
    """Collects vectorised problems for one sheet of one file."""

    def __init__(
        self, fichier: str, sheet: Sheet, mapping: dict[str, int], columns: dict[str, _Column], lines: np.ndarray
    ):
        self.fichier = fichier
        self.sheet = sheet
        self.mapping = mapping
        self.frames: list[pd.DataFrame] = []
        self.columns = columns
        self.lines = lines
        self.n = len(lines)

    def column_label(self, name: str) -> str:
        col = self.mapping[name]
        return f"{column_letter(self.sheet.first_col + col)} ({name})"

    def column(self, name: str) -> _Column:
        return self.columns.get(name) or _Column.empty(self.n)

    def problems(self, where: np.ndarray, name: str | None, message, conseil, gravite=ERROR, values=None) -> None:
        """Add one problem per selected row (mask or positions), showing the cell as read unless `values`
        is given; `message` and `conseil` may be a string or a per-row sequence."""
        lines = self.lines[where]
        if len(lines) == 0:
            return
        if values is None:
            values = self.column(name).cells(where) if name else [""] * len(lines)
        frame = pd.DataFrame(
            {
                "fichier": self.fichier,
                "feuille": self.sheet.name,
                "ligne": lines,
                "colonne": self.column_label(name) if name else "",
                "valeur": [shown(v) for v in values],
                "message": message,
                "conseil": conseil,
                "gravite": gravite,
            }
        )
        self.frames.append(frame[COLUMNS])


def _object_array(values) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype == object:
        return np.ascontiguousarray(values)
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


NUMBER_MESSAGES = {
    numbers.EXCEL_ERROR: (
        "La cellule contient une erreur Excel au lieu d'une valeur.",
        "Corrigez la formule à l'origine de l'erreur ou saisissez la valeur à la main.",
    ),
    numbers.DATE: (
        "Une date a été saisie à la place d'un nombre.",
        "Saisissez un nombre ; vérifiez que le format de la cellule est « Nombre » et non « Date ».",
    ),
    numbers.NOT_FINITE: (
        "La valeur n'est pas un nombre fini.",
        "Saisissez un nombre, ou laissez la cellule vide si la valeur n'est pas connue.",
    ),
    numbers.AMBIGUOUS: (
        "Le point rend ce nombre ambigu (séparateur de milliers ou de décimales ?).",
        "Écrivez 1 234 pour mille deux cent trente-quatre, ou 1,234 pour un nombre décimal.",
    ),
    numbers.NOT_NUMBER: (
        "La valeur n'est pas un nombre.",
        "Saisissez un nombre (ex. 1 234,5 ou 12,5 %), ou laissez la cellule vide.",
    ),
}


def _number_problem(reason: str, cell) -> tuple[str, str]:
    if reason == numbers.WITH_UNIT:
        return (
            "La valeur contient du texte en plus du nombre.",
            f"Saisissez seulement le nombre ({numbers.leading_number(cell)}) ; l'unité est celle de l'indicateur.",
        )
    return NUMBER_MESSAGES[reason]


def _clean_text(value) -> str | None:
    if _is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "".join(c for c in str(value) if c.isprintable() or c in "\n\t").strip()
    return text[:MAX_TEXT_LENGTH] or None


def _parse_number(cell) -> tuple[float | None, str | None, str]:
    # Typed numbers are most cells of a value column: skip the text parsing for them.
    if type(cell) is float or type(cell) is int:
        return (float(cell), None, numbers.KIND_PLAIN) if math.isfinite(cell) else (None, numbers.NOT_FINITE, "")
    return numbers.parse_number(cell)


def _data_columns(rows: list, indexes: list[int]) -> list[np.ndarray]:
    """The cells of the given columns, as one object array per column."""
    if not rows:
        return [_object_array([]) for _ in indexes]
    width = max(max(indexes) + 1, max(map(len, rows)))
    if min(map(len, rows)) < width:  # CSV lines may be short; spreadsheets are rectangular
        rows = [row if len(row) == width else list(row) + [None] * (width - len(row)) for row in rows]
    # One 2-D array, then column slices: several times faster than transposing with zip.
    table = np.empty((len(rows), width), dtype=object)
    table[:] = rows
    return [table[:, index] for index in indexes]


def _check_values_sheet(
    fichier: str,
    sheet: Sheet,
    lookup: Lookup,
    report: Report,
    extra_codes: dict[str, IndicatorInfo],
) -> tuple[pd.DataFrame, int, int]:
    found = find_header(sheet, VALUE_COLUMNS, REQUIRED_VALUE_COLUMNS)
    if found is None:
        report.add(
            fichier,
            "La ligne d'en-tête est introuvable : aucune des 30 premières lignes ne contient les colonnes "
            "code_indicateur et valeur.",
            "Partez du modèle téléchargeable, ou ajoutez une ligne d'en-tête : code_indicateur, territoire, "
            "annee, trimestre, valeur.",
            feuille=sheet.name,
        )
        return empty_values(), 0, 0
    header_index, mapping, others = found
    header_line = sheet.first_row + header_index
    for name in [k for k in mapping if k.startswith("__double__")]:
        real = name.removeprefix("__double__")
        report.add(
            fichier,
            f"La colonne « {real} » apparaît deux fois dans l'en-tête.",
            "Supprimez ou renommez l'une des deux colonnes.",
            feuille=sheet.name,
            ligne=header_line,
            colonne=column_letter(sheet.first_col + mapping[name]),
            valeur=real,
        )
        del mapping[name]
    missing = [name for name in REQUIRED_VALUE_COLUMNS if name not in mapping]
    for name in missing:
        report.add(
            fichier,
            f"La colonne obligatoire « {name} » manque dans l'en-tête.",
            f"Ajoutez une colonne « {name} » à la ligne {header_line} (voir le modèle).",
            feuille=sheet.name,
            ligne=header_line,
        )
    unknown = [name for name in others if textnorm.key(name) not in HELPER_COLUMNS]
    if len(unknown) > lookup.limits.colonnes_max:
        report.add(
            fichier,
            f"L'en-tête compte {len(unknown) + len(mapping)} colonnes, au-delà de la limite de {lookup.limits.colonnes_max}.",
            "Gardez seulement les colonnes du modèle (code_indicateur, territoire, annee, trimestre, valeur…).",
            feuille=sheet.name,
            ligne=header_line,
        )
        return empty_values(), 0, 0
    if unknown:
        listed = ", ".join(f"« {shown(n)} »" for n in unknown[:10]) + (" …" if len(unknown) > 10 else "")
        report.add(
            fichier,
            f"Colonne(s) non reconnue(s), ignorée(s) : {listed}.",
            "Rien à faire si ces colonnes sont des notes ; sinon renommez-les comme dans le modèle.",
            feuille=sheet.name,
            ligne=header_line,
            gravite=WARNING,
        )
    if missing:
        return empty_values(), 0, 0

    total_rows = sheet.total_rows or len(sheet.rows)
    data_rows = sheet.rows[header_index + 1 :]
    if total_rows - header_index - 1 > lookup.limits.lignes_max:
        report.add(
            fichier,
            f"La feuille compte plus de {lookup.limits.lignes_max:,} lignes de données".replace(",", " ") + ".",
            "Découpez les données en plusieurs fichiers.",
            feuille=sheet.name,
        )
        return empty_values(), 0, 0
    names = list(mapping)
    columns = {
        name: _Column.of(values)
        for name, values in zip(names, _data_columns(data_rows, [mapping[name] for name in names]), strict=True)
    }
    blanks = {name: column.blank() for name, column in columns.items()}
    # Rows with nothing in any of the contract's columns are spacing, not data.
    filled = np.zeros(len(data_rows), dtype=bool)
    for blank in blanks.values():
        filled |= ~blank
    keep = np.flatnonzero(filled)
    if len(keep) < len(data_rows):
        columns = {name: column.take(keep) for name, column in columns.items()}
        blanks = {name: blank[keep] for name, blank in blanks.items()}
    lines = keep.astype(np.int64) + sheet.first_row + header_index + 1
    n = len(keep)
    checker = _Checker(fichier, sheet, mapping, columns, lines)
    if n == 0:
        report.add(
            fichier,
            "La feuille ne contient aucune ligne de données sous l'en-tête.",
            "Remplissez au moins une ligne, ou vérifiez que vous avez déposé le bon fichier.",
            feuille=sheet.name,
            ligne=header_line,
        )
        return empty_values(), 0, 0
    bad = np.zeros(n, dtype=bool)

    # Formulas saved without a computed value, and Excel errors, read as empty cells: say what they are.
    if any(blank.any() for blank in blanks.values()) and sheet.special_cells:
        bad |= _check_special_cells(checker, sheet, blanks)

    # Indicator codes.
    canonical = {**lookup.canonical_code(), **{c.upper(): c for c in extra_codes}}
    code_column = checker.column("code_indicateur")
    code_of = code_column.each(lambda c: None if _is_blank(c) else canonical.get(textnorm.clean_cell(c).upper()))
    codes = code_column.spread(code_of)
    empty_code = blanks["code_indicateur"]
    unknown_code = code_column.spread([c is None for c in code_of], bool) & ~empty_code
    checker.problems(
        empty_code,
        "code_indicateur",
        "Le code de l'indicateur est vide.",
        "Saisissez le code de l'indicateur (colonne A du modèle), ex. A1-O1-Obj1-Ac1-I1.",
        values=[""] * int(empty_code.sum()),
    )
    if unknown_code.any():
        known = list(canonical.values())
        advice_cache: dict[str, str] = {}

        def advice(cell) -> str:
            key = textnorm.clean_cell(cell)
            if key not in advice_cache:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.8)
                advice_cache[key] = (
                    f"Vérifiez le code : vouliez-vous dire {close[0]} ? Les codes valides sont dans le référentiel."
                    if close
                    else "Vérifiez le code dans le référentiel (page Référentiel) ; un nouvel indicateur de contexte "
                    "se déclare dans la feuille « indicateurs »."
                )
            return advice_cache[key]

        checker.problems(
            unknown_code,
            "code_indicateur",
            "Ce code d'indicateur n'existe pas dans le référentiel.",
            [advice(v) for v in code_column.cells(unknown_code)],
        )
    bad |= empty_code | unknown_code

    # Territories.
    terr_column = checker.column("territoire")
    terr_of = terr_column.each(lambda t: _territory(t, lookup))
    territories = terr_column.spread(terr_of)
    terr_missing = terr_column.spread([t is None for t in terr_of], bool)
    if terr_missing.any():
        valid = ", ".join(lookup.territories)
        checker.problems(
            terr_missing,
            "territoire",
            [
                "Le territoire est vide." if _is_blank(v) else "Ce territoire n'est pas reconnu."
                for v in terr_column.cells(terr_missing)
            ],
            f"Saisissez un code de territoire ({valid}) ou son nom complet.",
        )
    bad |= terr_missing

    # Years.
    year_column = checker.column("annee")
    year_of = year_column.each(periods.parse_year)
    year_reasons = year_column.spread([reason for _, reason in year_of])
    year_messages = {
        "vide": ("L'année est vide.", "Saisissez l'année sur 4 chiffres, ex. 2025."),
        "date": (
            "Une date a été saisie à la place d'une année.",
            "Saisissez l'année seule sur 4 chiffres (ex. 2025), dans une cellule au format « Nombre ».",
        ),
        "hors": (
            "L'année est hors de la période possible (2000 à 2100).",
            "Saisissez l'année sur 4 chiffres, ex. 2025.",
        ),
        "invalide": ("L'année n'est pas un nombre entier.", "Saisissez l'année sur 4 chiffres, ex. 2025."),
    }
    year_bad = year_column.spread([reason is not None for _, reason in year_of], bool)
    if year_bad.any():
        for reason, (message, conseil) in year_messages.items():
            checker.problems(year_reasons == reason, "annee", message, conseil)
    bad |= year_bad
    years = year_column.spread([year if year is not None else 0 for year, _ in year_of], np.int64)

    # Quarters.
    quarter_column = checker.column("trimestre")
    quarter_of = quarter_column.each(periods.parse_quarter)
    quarter_bad = quarter_column.spread([reason is not None for _, reason in quarter_of], bool)
    if quarter_bad.any():
        reasons = quarter_column.spread([reason for _, reason in quarter_of])
        hit = reasons == "mois"
        checker.problems(
            hit,
            "trimestre",
            "Un mois a été saisi à la place d'un trimestre.",
            [
                f"Saisissez le trimestre : « {v} » tombe au T{periods.month_quarter(v)}."
                for v in quarter_column.cells(hit)
            ],
        )
        checker.problems(
            reasons == "invalide",
            "trimestre",
            "Le trimestre n'est pas reconnu.",
            "Saisissez 1, 2, 3 ou 4 (ou T1 à T4) ; laissez vide pour une valeur annuelle.",
        )
    bad |= quarter_bad
    quarters = quarter_column.spread([q if q is not None else 0 for q, _ in quarter_of], np.int64)

    # Values and targets, checked against the unit of their indicator.
    def unit_is(unit: str) -> np.ndarray:
        return code_column.spread([_unit(c, extra_codes, lookup) == unit for c in code_of], bool)

    is_count, is_percent, is_yesno, is_qualitative = (
        unit_is(u) for u in (UNIT_COUNT, UNIT_PERCENT, UNIT_YESNO, UNIT_QUALITATIVE)
    )
    parsed: dict[str, np.ndarray] = {}
    skipped = np.zeros(n, dtype=bool)
    has_target = ~blanks["cible"] if "cible" in mapping else np.zeros(n, dtype=bool)
    for name in ("valeur", "cible"):
        if name not in mapping:
            parsed[name] = np.full(n, np.nan)
            continue
        column = checker.column(name)
        parsed_of = column.each(_parse_number)
        numeric = column.spread([np.nan if value is None else value for value, _, _ in parsed_of], float)
        empty = column.spread([reason == numbers.EMPTY for _, reason, _ in parsed_of], bool)
        if name == "valeur":
            # A row with a target and no value yet is a target row, not an empty one.
            skipped = empty & ~bad & ~has_target
            checker.problems(
                skipped,
                name,
                "La valeur est vide : la ligne est ignorée (aucune valeur enregistrée n'est effacée).",
                "Rien à faire si la valeur n'est pas encore connue ; sinon saisissez-la.",
                gravite=WARNING,
                values=[""] * int(skipped.sum()),
            )
        failing = column.spread([reason not in (None, numbers.EMPTY) for _, reason, _ in parsed_of], bool)
        if failing.any():
            idx = np.flatnonzero(failing)
            reasons = column.spread([reason for _, reason, _ in parsed_of])
            pairs = [_number_problem(reasons[i], cell) for i, cell in zip(idx, column.cells(idx), strict=True)]
            checker.problems(idx, name, [p[0] for p in pairs], [p[1] for p in pairs])
        ok = ~np.isnan(numeric)
        yes_no = column.spread([kind == numbers.KIND_YESNO for _, _, kind in parsed_of], bool)
        percent = column.spread([kind == numbers.KIND_PERCENT for _, _, kind in parsed_of], bool)
        rules = [
            (
                ok & is_count & (numeric < 0),
                "Un comptage ne peut pas être négatif.",
                "Saisissez un nombre positif ou nul ; pour signaler une baisse, saisissez la nouvelle valeur.",
            ),
            (
                ok & yes_no & ~is_yesno,
                "« oui » ou « non » n'est accepté que pour un jalon (unité oui/non).",
                "Saisissez un nombre.",
            ),
            (
                ok & is_yesno & (numeric != 0.0) & (numeric != 1.0),
                "Un jalon se renseigne par oui ou non.",
                "Saisissez « oui » (réalisé) ou « non » (pas encore réalisé).",
            ),
            (
                ok & percent & ~is_percent & ~is_qualitative,
                "Un pourcentage a été saisi pour un indicateur qui ne s'exprime pas en %.",
                "Saisissez la valeur dans l'unité de l'indicateur (voir la colonne unité du modèle).",
            ),
        ]
        cell_bad = failing.copy()
        for hit, message, conseil in rules:
            checker.problems(hit, name, message, conseil)
            cell_bad |= hit
        # Warnings only for cells that are not already in error: one problem per cell is enough.
        checker.problems(
            ok & ~cell_bad & is_count & (np.floor(numeric) != numeric),
            name,
            "Un comptage est normalement un nombre entier.",
            "Vérifiez la valeur ; si elle est juste (une moyenne, par exemple), rien à faire.",
            gravite=WARNING,
        )
        checker.problems(
            ok & ~cell_bad & is_percent & ~percent & (numeric > 0) & (numeric < 1),
            name,
            "Valeur entre 0 et 1 pour un indicateur en % : s'agit-il d'une fraction (0,125 pour 12,5 %) ?",
            "Les pourcentages se saisissent en nombre de pour cent : 12,5 pour 12,5 %. Corrigez si besoin.",
            gravite=WARNING,
        )
        bad |= cell_bad
        parsed[name] = numeric

    # Keys twice in the file: every repeat after the first is an error that names the first line.
    repeat, first = _repeated_keys(~bad, [(code_column, code_of), (terr_column, terr_of)], years, quarters)
    if len(repeat):
        checker.problems(
            repeat,
            "code_indicateur",
            [f"La même valeur (indicateur, territoire, année, trimestre) figure déjà ligne {f}." for f in lines[first]],
            "Gardez une seule ligne par indicateur, territoire et période.",
        )
        bad[repeat] = True

    for frame in checker.frames:
        report.add_frame(frame)
    if bad.any() and not report.ok:
        return empty_values(), n, int(skipped.sum())

    comments = checker.column("commentaire")
    comments = comments.spread(comments.each(_clean_text))
    sources = checker.column("source")
    sources = sources.spread(sources.each(_clean_text))
    parts = []
    for name, mesure in (("valeur", MESURE_VALEUR), ("cible", MESURE_CIBLE)):
        has = ~np.isnan(parsed[name]) & ~bad
        if has.any():
            parts.append(
                pd.DataFrame(
                    {
                        "indicateur": codes[has],
                        "territoire": territories[has],
                        "annee": years[has].astype("int16"),
                        "trimestre": quarters[has].astype("int8"),
                        "mesure": mesure,
                        "valeur": parsed[name][has],
                        "commentaire": comments[has] if mesure == MESURE_VALEUR else None,
                        "source": sources[has],
                    }
                )
            )
    if not parts:
        return empty_values(), n, int(skipped.sum())
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    out["commentaire"] = out["commentaire"].astype(object)
    return out[list(empty_values().columns)], n, int(skipped.sum())


def _territory(cell, lookup: Lookup) -> str | None:
    """The territory code of a cell, by code, name or alias. A number typed in Excel (71, or 3 for the
    département « 03 ») is read as a float: it is looked up as the integer, and zero-padded."""
    if _is_blank(cell):
        return None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and float(cell).is_integer():
        number = int(cell)
        return lookup.aliases.get(str(number)) or lookup.aliases.get(f"{number:02d}")
    return lookup.aliases.get(textnorm.key(cell))


def _unit(code: str | None, extra_codes: dict[str, IndicatorInfo], lookup: Lookup) -> str:
    if code is None:
        return ""
    return (extra_codes.get(code) or lookup.indicators[code]).unite


def _check_special_cells(checker: _Checker, sheet: Sheet, blanks: dict[str, np.ndarray]) -> np.ndarray:
    """Errors for the cells read as empty that hold a formula never computed or an Excel error."""
    bad = np.zeros(checker.n, dtype=bool)
    position_of_line = {int(line): i for i, line in enumerate(checker.lines)}
    name_of_column = {sheet.first_col + col: name for name, col in checker.mapping.items()}
    hits: dict[str, list[tuple[int, str]]] = {}
    for ref, mark in sheet.special_cells.items():
        letters = ref.rstrip("0123456789")
        name = name_of_column.get(_column_number(letters))
        position = position_of_line.get(int(ref[len(letters) :]))
        if name is not None and position is not None and blanks[name][position]:
            hits.setdefault(name, []).append((position, mark))
    for name, found in hits.items():
        found.sort()
        formulas = np.array([p for p, mark in found if mark == FORMULA_MARK], dtype=np.intp)
        errors = [(p, mark) for p, mark in found if mark != FORMULA_MARK]
        checker.problems(
            formulas,
            name,
            "La cellule contient une formule dont le résultat n'a pas été enregistré.",
            "Ouvrez le fichier dans Excel ou LibreOffice et enregistrez-le (le résultat sera calculé), "
            "ou remplacez la formule par sa valeur (copier, collage spécial « valeurs »).",
            values=[FORMULA_MARK] * len(formulas),
        )
        message, conseil = NUMBER_MESSAGES[numbers.EXCEL_ERROR]
        checker.problems(
            np.array([p for p, _ in errors], dtype=np.intp), name, message, conseil, values=[mark for _, mark in errors]
        )
        bad[[p for p, _ in found]] = True
    return bad


def _column_number(letters: str) -> int:
    """A → 1, AA → 27 (the reverse of column_letter)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _repeated_keys(candidates: np.ndarray, keyed: list[tuple[_Column, list]], years: np.ndarray, quarters: np.ndarray):
    """Positions of the rows whose key (indicator, territory, year, quarter) an earlier row already has,
    and the position of that earlier row. Only `candidates` rows (with a valid key) are compared."""
    key = np.zeros(len(candidates), dtype=np.int64)
    for column, canonical_of in keyed:
        # The same indicator or territory can be written several ways ("71", "Département"): compare the
        # canonical codes, numbered.
        ids, distinct = pd.factorize(_object_array(canonical_of))
        key = key * (len(distinct) + 1) + column.spread(list(ids + 1), np.int64)
    key = (key * (periods.MAX_YEAR + 1) + years) * 5 + quarters
    rows = np.flatnonzero(candidates)
    order = np.argsort(key[rows], kind="stable")  # stable: within a key, rows stay in file order
    ordered = key[rows][order]
    starts = np.ones(len(ordered), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(ordered)), 0))
    repeat = rows[order[~starts]]
    first = rows[order[group_start[~starts]]]
    return repeat, first


def _check_indicators_sheet(fichier: str, sheet: Sheet, lookup: Lookup, report: Report) -> pd.DataFrame:
    columns = [
        "code",
        "libelle",
        "ambition",
        "unite",
        "nature",
        "agregation",
        "additivite",
        "sens",
        "source",
        "definition",
    ]
    empty = pd.DataFrame(columns=columns)
    found = find_header(sheet, INDICATOR_COLUMNS, REQUIRED_INDICATOR_COLUMNS)
    if found is None:
        report.add(
            fichier,
            "La feuille « indicateurs » n'a pas de ligne d'en-tête reconnue.",
            "Mettez en en-tête : code_indicateur, libelle, ambition, unite, nature, agregation, sens, source, definition.",
            feuille=sheet.name,
        )
        return empty
    header_index, mapping, _others = found
    header_line = sheet.first_row + header_index
    for name in REQUIRED_INDICATOR_COLUMNS:
        if name not in mapping:
            report.add(
                fichier,
                f"La colonne obligatoire « {name} » manque dans la feuille « indicateurs ».",
                f"Ajoutez une colonne « {name} » à la ligne {header_line}.",
                feuille=sheet.name,
                ligne=header_line,
            )
    if any(name not in mapping for name in REQUIRED_INDICATOR_COLUMNS):
        return empty
    out = []
    seen: dict[str, int] = {}
    for offset, row in enumerate(sheet.rows[header_index + 1 :]):
        line = header_line + 1 + offset

        def cell(name: str, row=row):
            col = mapping.get(name)
            return textnorm.clean_cell(row[col]) if col is not None and col < len(row) else ""

        if not any(cell(name) for name in mapping):
            continue

        def problem(name: str, message: str, conseil: str, line=line, row=row) -> None:
            col = mapping[name]
            report.add(
                fichier,
                message,
                conseil,
                feuille=sheet.name,
                ligne=line,
                colonne=f"{column_letter(sheet.first_col + col)} ({name})",
                valeur=row[col] if col < len(row) else "",
            )

        errors_before = report.n_errors
        code = cell("code_indicateur").upper()
        if not code.startswith(CONTEXT_PREFIX) or len(code) <= len(CONTEXT_PREFIX):
            existing = lookup.canonical_code().get(code)
            if existing and lookup.indicators[existing].origine == "referentiel":
                problem(
                    "code_indicateur",
                    "Cet indicateur appartient au programme : sa définition ne se modifie que dans le référentiel.",
                    "Retirez cette ligne de la feuille « indicateurs » ; demandez à l'observatoire de corriger le référentiel.",
                )
            else:
                problem(
                    "code_indicateur",
                    f"Le code d'un indicateur de contexte doit commencer par {CONTEXT_PREFIX}.",
                    f"Saisissez un code comme {CONTEXT_PREFIX}RSA-BENEFICIAIRES.",
                )
        elif code in seen:
            problem(
                "code_indicateur",
                f"Cet indicateur est déjà défini ligne {seen[code]}.",
                "Gardez une seule ligne par indicateur.",
            )
        else:
            existing = lookup.canonical_code().get(code)
            if existing and lookup.indicators[existing].origine == "referentiel":
                problem(
                    "code_indicateur",
                    "Cet indicateur de contexte est défini par le référentiel : il ne se modifie pas par import.",
                    "Retirez cette ligne, ou demandez à l'observatoire de corriger le référentiel.",
                )
        seen.setdefault(code, line)
        if not cell("libelle"):
            problem("libelle", "Le libellé est vide.", "Saisissez le libellé de l'indicateur.")
        # A number typed in Excel (5) is read as 5.0: look it up as the integer it is.
        ambition = lookup.ambitions.get(textnorm.key(cell("ambition").removesuffix(".0")))
        if ambition is None:
            problem(
                "ambition",
                "L'ambition n'est pas reconnue.",
                f"Saisissez le numéro de l'ambition (1 à {len({v for v in lookup.ambitions.values()})}).",
            )
        if not cell("unite"):
            problem("unite", "L'unité est vide.", "Saisissez l'unité : nombre, %, €, jours…")
        values = {}
        for name, allowed in (
            ("nature", NATURES),
            ("agregation", AGREGATIONS),
            ("sens", SENS),
            ("additivite", ADDITIVITES),
        ):
            raw = cell(name)
            match = next((a for a in allowed if textnorm.key(a) == textnorm.key(raw)), None)
            if name == "additivite" and not raw:
                match = "somme" if cell("unite") == UNIT_COUNT else "aucune"
            if match is None:
                problem(name, f"Valeur non permise pour « {name} ».", f"Saisissez l'une de : {', '.join(allowed)}.")
            values[name] = match
        if report.n_errors == errors_before:
            out.append(
                {
                    "code": code,
                    "libelle": cell("libelle"),
                    "ambition": ambition,
                    "unite": cell("unite"),
                    **values,
                    "source": cell("source") or None,
                    "definition": cell("definition") or None,
                }
            )
    return pd.DataFrame(out, columns=columns)


def validate_workbook(workbook: Workbook, lookup: Lookup) -> ValidatedFile:
    """Check a workbook; the report lists every problem, with its place."""
    from . import validate_followup as followup  # the module imports this one

    report = Report()
    fichier = workbook.filename
    indicators = pd.DataFrame()
    extra: dict[str, IndicatorInfo] = {}
    ind_sheet = workbook.sheet(INDICATORS_SHEET)
    if ind_sheet is not None:
        indicators = _check_indicators_sheet(fichier, ind_sheet, lookup, report)
        extra = {row.code: IndicatorInfo(row.code, row.unite, "import") for row in indicators.itertuples(index=False)}
    # The optional sheets of the follow-up; a CSV (one sheet, no name) says which it is by its header.
    optional = {kind: workbook.sheet(kind) for kind in followup.FOLLOWUP_SHEETS}
    if workbook.format == ".csv" and len(workbook.sheets) == 1:
        kind = followup.csv_sheet_kind(workbook.sheets[0])
        if kind is not None:
            optional[kind] = workbook.sheets[0]
    optional = {kind: sheet for kind, sheet in optional.items() if sheet is not None}
    values_sheet = workbook.sheet(VALUES_SHEET)
    if values_sheet is None or any(values_sheet is sheet for sheet in optional.values()):
        candidates = [s for s in workbook.sheets if s is not ind_sheet and all(s is not o for o in optional.values())]
        values_sheet = candidates[0] if candidates else None
    if values_sheet is None and not optional:
        report.add(
            fichier,
            "Le classeur n'a pas de feuille « valeurs ».",
            "Renommez la feuille des valeurs en « valeurs », ou partez du modèle.",
        )
        return ValidatedFile(fichier, workbook.sha256, report, empty_values(), indicators)
    valeurs, n_lines, n_skipped = empty_values(), 0, 0
    if values_sheet is not None:
        valeurs, n_lines, n_skipped = _check_values_sheet(fichier, values_sheet, lookup, report, extra)
    if followup.TARGETS_SHEET in optional:
        targets = followup.check_targets_sheet(fichier, optional[followup.TARGETS_SHEET], lookup, report, extra)
        valeurs = _with_targets(fichier, optional[followup.TARGETS_SHEET], valeurs, targets, report)
    perimetres = None
    if followup.PERIMETER_SHEET in optional:
        perimetres = followup.check_perimeter_sheet(fichier, optional[followup.PERIMETER_SHEET], lookup, report)
    statuts = None
    if followup.ACTIONS_SHEET in optional:
        statuts = followup.check_actions_sheet(fichier, optional[followup.ACTIONS_SHEET], lookup, report, perimetres)
    if not report.ok:
        return ValidatedFile(fichier, workbook.sha256, report, empty_values(), indicators, n_lines, n_skipped)
    return ValidatedFile(fichier, workbook.sha256, report, valeurs, indicators, n_lines, n_skipped, statuts, perimetres)


def _with_targets(
    fichier: str, sheet: Sheet, valeurs: pd.DataFrame, targets: pd.DataFrame, report: Report
) -> pd.DataFrame:
    """The values with the `cibles` sheet's rows; a target also given in the `valeurs` sheet is an error."""
    if targets.empty:
        return valeurs
    key = ["indicateur", "territoire", "annee", "trimestre", "mesure"]
    both = targets.merge(valeurs[key], on=key, how="inner")
    for row in both.itertuples(index=False):
        report.add(
            fichier,
            f"La cible {row.annee} de {row.indicateur} pour {row.territoire} figure aussi dans la feuille « valeurs ».",
            "Gardez la cible dans une seule des deux feuilles.",
            feuille=sheet.name,
            ligne=int(row.ligne),
            colonne="cible",
        )
    rows = targets.drop(columns="ligne")
    return pd.concat([valeurs, rows], ignore_index=True) if len(valeurs) else rows.reset_index(drop=True)
