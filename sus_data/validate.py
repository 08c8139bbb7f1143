"""Validation of a workbook against the spreadsheet contract and the referential.

Every problem of a file is collected at once in a `Report`; the checks are vectorised over columns
(most cells of a column share a handful of distinct values), so that a 100 000-row file validates in
a fraction of the time it takes to read it.
"""

from __future__ import annotations

import difflib
import operator
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
        return cls(indicators, aliases, territories, ambitions, config.limites)

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


def find_header(sheet: Sheet, columns: dict[str, set[str]], required: tuple[str, ...]) -> tuple[int, dict[str, int], list[str]] | None:
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


class _Checker:
    """Collects vectorised problems for one sheet of one file."""

    def __init__(self, fichier: str, sheet: Sheet, mapping: dict[str, int], columns: dict[str, list], n: int):
        self.fichier = fichier
        self.sheet = sheet
        self.mapping = mapping
        self.frames: list[pd.DataFrame] = []
        self.columns = columns
        self.n = n

    def column_label(self, name: str) -> str:
        col = self.mapping[name]
        return f"{column_letter(self.sheet.first_col + col)} ({name})"

    def cell_ref(self, name: str, line: int) -> str:
        return f"{column_letter(self.sheet.first_col + self.mapping[name])}{line}"

    def column(self, name: str) -> list:
        return self.columns.get(name) or [None] * self.n

    def problems(self, lines: np.ndarray, name: str | None, values, message, conseil, gravite=ERROR) -> None:
        """Add one problem per line; `message` and `conseil` may be a string or a per-line sequence."""
        if len(lines) == 0:
            return
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
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


def _map_unique(values, func) -> tuple[np.ndarray, np.ndarray]:
    """Apply `func(cell) -> (result, reason)` once per distinct value, then spread the results.

    A column of 100 000 cells holds a few dozen distinct codes, territories or years: this keeps the
    Python work proportional to those, not to the rows.
    """
    index, uniques = pd.factorize(_object_array(values), use_na_sentinel=False)
    # factorize turns None into NaN: give the functions back the None the cell held.
    pairs = [func(None if isinstance(u, float) and u != u else u) for u in uniques]
    results = _object_array([p[0] for p in pairs])
    reasons = _object_array([p[1] for p in pairs])
    return results[index], reasons[index]


def _blank_mask(values) -> np.ndarray:
    blank, _ = _map_unique(values, lambda c: (_is_blank(c), None))
    return blank.astype(bool)


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


def _clean_text(value) -> tuple[str | None, None]:
    if _is_blank(value):
        return None, None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "".join(c for c in str(value) if c.isprintable() or c in "\n\t").strip()
    return text[:MAX_TEXT_LENGTH] or None, None


def _text_column(values: list) -> list:
    return list(_map_unique(values, _clean_text)[0])


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
    width = max(mapping.values()) + 1
    if any(len(row) < width for row in data_rows):  # CSV lines may be short; spreadsheets are rectangular
        data_rows = [row if len(row) >= width else list(row) + [None] * (width - len(row)) for row in data_rows]
    if data_rows:
        picked = map(operator.itemgetter(*[mapping[name] for name in names]), data_rows)
        raw_columns = [list(col) for col in zip(*picked, strict=True)] if len(names) > 1 else [[v for v in picked]]
    else:
        raw_columns = [[] for _ in names]
    blanks = [_blank_mask(values) for values in raw_columns]
    filled = np.zeros(len(data_rows), dtype=bool)
    for blank in blanks:
        filled |= ~blank
    keep = np.flatnonzero(filled)
    has_blank_cells = any(blank[keep].any() for blank in blanks)
    columns = {name: [values[i] for i in keep] if len(keep) < len(values) else values for name, values in zip(names, raw_columns, strict=True)}
    lines = keep.astype(np.int64) + sheet.first_row + header_index + 1
    n = len(keep)
    checker = _Checker(fichier, sheet, mapping, columns, n)
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
    if has_blank_cells and sheet.special_cells:
        for name in mapping:
            found_cells = [sheet.special_cells.get(checker.cell_ref(name, int(line))) for line in lines]
            hit = np.array([c is not None for c in found_cells])
            if not hit.any():
                continue
            marks = [c for c in found_cells if c is not None]
            formula = np.array([c == FORMULA_MARK for c in found_cells])
            checker.problems(
                lines[formula],
                name,
                [FORMULA_MARK] * int(formula.sum()),
                "La cellule contient une formule dont le résultat n'a pas été enregistré.",
                "Ouvrez le fichier dans Excel ou LibreOffice et enregistrez-le (le résultat sera calculé), "
                "ou remplacez la formule par sa valeur (copier, collage spécial « valeurs »).",
            )
            error = hit & ~formula
            message, conseil = NUMBER_MESSAGES[numbers.EXCEL_ERROR]
            checker.problems(lines[error], name, [c for c in marks if c != FORMULA_MARK], message, conseil)
            bad |= hit

    # Indicator codes.
    canonical = {**lookup.canonical_code(), **{c.upper(): c for c in extra_codes}}
    raw_codes = checker.column("code_indicateur")
    codes_arr, _ = _map_unique(
        raw_codes, lambda c: (None if _is_blank(c) else canonical.get(textnorm.clean_cell(c).upper()), None)
    )
    codes = list(codes_arr)
    empty_code = _blank_mask(raw_codes)
    unknown_code = (codes_arr == None) & ~empty_code  # noqa: E711 (element-wise comparison)
    checker.problems(
        lines[empty_code],
        "code_indicateur",
        [""] * int(empty_code.sum()),
        "Le code de l'indicateur est vide.",
        "Saisissez le code de l'indicateur (colonne A du modèle), ex. A1-O1-Obj1-Ac1-I1.",
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

        values = [raw_codes[i] for i in np.flatnonzero(unknown_code)]
        checker.problems(
            lines[unknown_code],
            "code_indicateur",
            values,
            "Ce code d'indicateur n'existe pas dans le référentiel.",
            [advice(v) for v in values],
        )
    bad |= empty_code | unknown_code

    # Territories.
    raw_terr = checker.column("territoire")
    terr_arr, _ = _map_unique(raw_terr, lambda t: (None if _is_blank(t) else lookup.aliases.get(textnorm.key(t)), None))
    terr_codes = list(terr_arr)
    terr_missing = terr_arr == None  # noqa: E711
    if terr_missing.any():
        valid = ", ".join(lookup.territories)
        values = [raw_terr[i] for i in np.flatnonzero(terr_missing)]
        checker.problems(
            lines[terr_missing],
            "territoire",
            values,
            ["Le territoire est vide." if _is_blank(v) else "Ce territoire n'est pas reconnu." for v in values],
            f"Saisissez un code de territoire ({valid}) ou son nom complet.",
        )
    bad |= terr_missing

    # Years.
    raw_years = checker.column("annee")
    years, reasons = _map_unique(raw_years, periods.parse_year)
    reasons_arr = np.array(reasons, dtype=object)
    year_messages = {
        "vide": ("L'année est vide.", "Saisissez l'année sur 4 chiffres, ex. 2025."),
        "date": (
            "Une date a été saisie à la place d'une année.",
            "Saisissez l'année seule sur 4 chiffres (ex. 2025), dans une cellule au format « Nombre ».",
        ),
        "hors": ("L'année est hors de la période possible (2000 à 2100).", "Saisissez l'année sur 4 chiffres, ex. 2025."),
        "invalide": ("L'année n'est pas un nombre entier.", "Saisissez l'année sur 4 chiffres, ex. 2025."),
    }
    for reason, (message, conseil) in year_messages.items():
        hit = reasons_arr == reason
        if hit.any():
            checker.problems(lines[hit], "annee", [raw_years[i] for i in np.flatnonzero(hit)], message, conseil)
    bad |= reasons_arr != None  # noqa: E711

    # Quarters.
    raw_quarters = checker.column("trimestre")
    quarters, reasons = _map_unique(raw_quarters, periods.parse_quarter)
    reasons_arr = np.array(reasons, dtype=object)
    hit = reasons_arr == "mois"
    if hit.any():
        values = [raw_quarters[i] for i in np.flatnonzero(hit)]
        checker.problems(
            lines[hit],
            "trimestre",
            values,
            "Un mois a été saisi à la place d'un trimestre.",
            [f"Saisissez le trimestre : « {v} » tombe au T{periods.month_quarter(v)}." for v in values],
        )
    hit = reasons_arr == "invalide"
    if hit.any():
        checker.problems(
            lines[hit],
            "trimestre",
            [raw_quarters[i] for i in np.flatnonzero(hit)],
            "Le trimestre n'est pas reconnu.",
            "Saisissez 1, 2, 3 ou 4 (ou T1 à T4) ; laissez vide pour une valeur annuelle.",
        )
    bad |= reasons_arr != None  # noqa: E711

    # Values and targets.
    units, _ = _map_unique(
        codes, lambda c: ((extra_codes.get(c) or lookup.indicators.get(c)).unite if c is not None else "", None)
    )
    parsed: dict[str, np.ndarray] = {}
    skipped = np.zeros(n, dtype=bool)
    has_target = ~_blank_mask(checker.column("cible")) if "cible" in mapping else np.zeros(n, dtype=bool)
    for name in ("valeur", "cible"):
        if name not in mapping:
            parsed[name] = np.full(n, np.nan)
            continue
        raw = checker.column(name)
        numeric = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(dtype=float)
        # Plain finite numbers (the usual case) need no further look; the rest is parsed one by one.
        kinds_of_cells, _ = _map_unique(raw, lambda v: (isinstance(v, (bool, str)), None))
        slow = ~np.isfinite(numeric) | kinds_of_cells.astype(bool)
        kinds = np.full(n, "", dtype=object)
        reason_arr = np.full(n, None, dtype=object)
        if slow.any():
            idx = np.flatnonzero(slow)
            results, reasons = _map_unique([raw[i] for i in idx], lambda c: _pair(numbers.parse_number(c)))
            numeric[idx] = [r[0] if r[0] is not None else np.nan for r in results]
            kinds[idx] = [r[1] for r in results]
            reason_arr[idx] = reasons
        empty = reason_arr == numbers.EMPTY
        if name == "valeur":
            # A row with a target and no value yet is a target row, not an empty one.
            skipped = empty & ~bad & ~has_target
            if skipped.any():
                checker.problems(
                    lines[skipped],
                    name,
                    [""] * int(skipped.sum()),
                    "La valeur est vide : la ligne est ignorée (aucune valeur enregistrée n'est effacée).",
                    "Rien à faire si la valeur n'est pas encore connue ; sinon saisissez-la.",
                    gravite=WARNING,
                )
        failing = (reason_arr != None) & ~empty  # noqa: E711
        if failing.any():
            idx = np.flatnonzero(failing)
            pairs = [_number_problem(reason_arr[i], raw[i]) for i in idx]
            checker.problems(lines[idx], name, [raw[i] for i in idx], [p[0] for p in pairs], [p[1] for p in pairs])
        bad |= failing
        ok = ~np.isnan(numeric)
        # Unit-specific rules.
        hit = ok & (units == UNIT_COUNT) & (numeric < 0)
        checker.problems(
            lines[hit],
            name,
            [raw[i] for i in np.flatnonzero(hit)],
            "Un comptage ne peut pas être négatif.",
            "Saisissez un nombre positif ou nul ; pour signaler une baisse, saisissez la nouvelle valeur.",
        )
        bad |= hit
        hit = ok & (units == UNIT_COUNT) & (numeric >= 0) & (np.floor(numeric) != numeric)
        checker.problems(
            lines[hit],
            name,
            [raw[i] for i in np.flatnonzero(hit)],
            "Un comptage est normalement un nombre entier.",
            "Vérifiez la valeur ; si elle est juste (une moyenne, par exemple), rien à faire.",
            gravite=WARNING,
        )
        hit = ok & (kinds == numbers.KIND_YESNO) & (units != UNIT_YESNO) & np.array([isinstance(v, str) for v in raw])
        checker.problems(
            lines[hit],
            name,
            [raw[i] for i in np.flatnonzero(hit)],
            "« oui » ou « non » n'est accepté que pour un jalon (unité oui/non).",
            "Saisissez un nombre.",
        )
        bad |= hit
        hit = ok & (units == UNIT_YESNO) & ~np.isin(numeric, (0.0, 1.0))
        checker.problems(
            lines[hit],
            name,
            [raw[i] for i in np.flatnonzero(hit)],
            "Un jalon se renseigne par oui ou non.",
            "Saisissez « oui » (réalisé) ou « non » (pas encore réalisé).",
        )
        bad |= hit
        hit = ok & (kinds == numbers.KIND_PERCENT) & (units != UNIT_PERCENT) & (units != UNIT_QUALITATIVE)
        checker.problems(
            lines[hit],
            name,
            [raw[i] for i in np.flatnonzero(hit)],
            "Un pourcentage a été saisi pour un indicateur qui ne s'exprime pas en %.",
            "Saisissez la valeur dans l'unité de l'indicateur (voir la colonne unité du modèle).",
        )
        bad |= hit
        hit = ok & (units == UNIT_PERCENT) & (kinds != numbers.KIND_PERCENT) & (numeric > 0) & (numeric < 1)
        checker.problems(
            lines[hit],
            name,
            [raw[i] for i in np.flatnonzero(hit)],
            "Valeur entre 0 et 1 pour un indicateur en % : s'agit-il d'une fraction (0,125 pour 12,5 %) ?",
            "Les pourcentages se saisissent en nombre de pour cent : 12,5 pour 12,5 %. Corrigez si besoin.",
            gravite=WARNING,
        )
        parsed[name] = numeric

    # Keys twice in the file: every repeat after the first is an error that names the first line.
    key_frame = pd.DataFrame({"i": codes, "t": terr_codes, "a": years, "q": quarters, "line": lines})
    complete = key_frame[["i", "t", "a", "q"]].notna().all(axis=1).to_numpy() & ~bad
    dup = np.zeros(n, dtype=bool)
    if complete.any():
        sub = key_frame[complete]
        first = sub.groupby(["i", "t", "a", "q"], sort=False)["line"].transform("min")
        repeat = (sub["line"] != first).to_numpy()
        if repeat.any():
            positions = sub.index.to_numpy()[repeat]
            checker.problems(
                lines[positions],
                "code_indicateur",
                [codes[i] for i in positions],
                [
                    f"La même valeur (indicateur, territoire, année, trimestre) figure déjà ligne {f}."
                    for f in first.to_numpy()[repeat]
                ],
                "Gardez une seule ligne par indicateur, territoire et période.",
            )
            dup[positions] = True
    bad |= dup

    for frame in checker.frames:
        report.add_frame(frame)
    if bad.any() and not report.ok:
        return empty_values(), n, int(skipped.sum())

    comments = _text_column(checker.column("commentaire"))
    sources = _text_column(checker.column("source"))
    base = pd.DataFrame(
        {
            "indicateur": codes,
            "territoire": terr_codes,
            "annee": pd.array(years, dtype="Int64"),
            "trimestre": pd.array(quarters, dtype="Int64"),
            "commentaire": comments,
            "source": sources,
        }
    )
    parts = []
    for name, mesure in (("valeur", MESURE_VALEUR), ("cible", MESURE_CIBLE)):
        has = ~np.isnan(parsed[name]) & ~bad
        if has.any():
            part = base[has].copy()
            part["mesure"] = mesure
            part["valeur"] = parsed[name][has]
            if mesure == MESURE_CIBLE:
                part["commentaire"] = None
            parts.append(part)
    if not parts:
        return empty_values(), n, int(skipped.sum())
    out = pd.concat(parts, ignore_index=True)
    out["annee"] = out["annee"].astype("int16")
    out["trimestre"] = out["trimestre"].astype("int8")
    return out[list(empty_values().columns)], n, int(skipped.sum())


def _pair(result: tuple) -> tuple:
    value, reason, kind = result
    return (value, kind), reason


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
        ambition = lookup.ambitions.get(textnorm.key(cell("ambition")))
        if ambition is None:
            problem(
                "ambition",
                "L'ambition n'est pas reconnue.",
                f"Saisissez le numéro de l'ambition (1 à {len({v for v in lookup.ambitions.values()})}).",
            )
        if not cell("unite"):
            problem("unite", "L'unité est vide.", "Saisissez l'unité : nombre, %, €, jours…")
        values = {}
        for name, allowed in (("nature", NATURES), ("agregation", AGREGATIONS), ("sens", SENS), ("additivite", ADDITIVITES)):
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
    report = Report()
    fichier = workbook.filename
    indicators = pd.DataFrame()
    extra: dict[str, IndicatorInfo] = {}
    ind_sheet = workbook.sheet(INDICATORS_SHEET)
    if ind_sheet is not None:
        indicators = _check_indicators_sheet(fichier, ind_sheet, lookup, report)
        extra = {row.code: IndicatorInfo(row.code, row.unite, "import") for row in indicators.itertuples(index=False)}
    values_sheet = workbook.sheet(VALUES_SHEET)
    if values_sheet is None:
        candidates = [s for s in workbook.sheets if s is not ind_sheet]
        values_sheet = candidates[0] if candidates else None
    if values_sheet is None:
        report.add(
            fichier,
            "Le classeur n'a pas de feuille « valeurs ».",
            "Renommez la feuille des valeurs en « valeurs », ou partez du modèle.",
        )
        return ValidatedFile(fichier, workbook.sha256, report, empty_values(), indicators)
    valeurs, n_lines, n_skipped = _check_values_sheet(fichier, values_sheet, lookup, report, extra)
    if not report.ok:
        valeurs = empty_values()
    return ValidatedFile(fichier, workbook.sha256, report, valeurs, indicators, n_lines, n_skipped)
