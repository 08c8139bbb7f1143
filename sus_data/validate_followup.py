"""Validation of the optional sheets of the follow-up: `cibles`, `actions` and `perimetre`.

Same rules as the `valeurs` sheet: every problem of the sheet at once, each with its file, sheet, line,
column, the value found and what to do; one error rejects the whole file. These sheets are small (one
row per indicator target, per action status), so they are checked row by row.

- `cibles`: targets (`cible` for `annee`) and baselines (`reference` observed in `annee_reference`) per
  indicator and territory; they become values of mesure 'cible' and 'reference' (yearly, trimestre 0).
- `actions`: the status of an action of a programme in progress, per territory and year, with an
  optional date and comment.
- `perimetre`: the territories where an action applies; each action listed gets exactly the listed
  territories (an action never listed applies to the whole département).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass

import pandas as pd

from . import numbers, periods, textnorm
from .report import WARNING, Report
from .validate import (
    HEADER_SEARCH_ROWS,
    VALUE_COLUMNS,
    IndicatorInfo,
    Lookup,
    _clean_text,
    _is_blank,
    _number_problem,
    _territory,
    empty_values,
)
from .vocabulary import (
    ACTION_STATUSES,
    MESURE_CIBLE,
    MESURE_REFERENCE,
    UNIT_COUNT,
    UNIT_PERCENT,
    UNIT_QUALITATIVE,
    UNIT_YESNO,
    YEARLY,
)
from .workbook import Sheet, column_letter

TARGETS_SHEET = "cibles"
ACTIONS_SHEET = "actions"
PERIMETER_SHEET = "perimetre"
FOLLOWUP_SHEETS = (TARGETS_SHEET, ACTIONS_SHEET, PERIMETER_SHEET)

_CODE_ACTION = {"codeaction", "action", "codedelaction", "code"}
TARGET_COLUMNS = {
    "code_indicateur": VALUE_COLUMNS["code_indicateur"],
    "territoire": VALUE_COLUMNS["territoire"],
    "annee": {"annee", "anneecible", "an", "year"},
    "cible": VALUE_COLUMNS["cible"],
    "reference": {"reference", "valeurreference", "valeurdereference", "baseline"},
    "annee_reference": {"anneereference", "anneedereference", "anneeref"},
    "commentaire": VALUE_COLUMNS["commentaire"],
    "source": VALUE_COLUMNS["source"],
}
REQUIRED_TARGET_COLUMNS = ("code_indicateur", "territoire", "annee", "cible")
ACTION_COLUMNS = {
    "code_action": _CODE_ACTION,
    "territoire": VALUE_COLUMNS["territoire"],
    "annee": {"annee", "an", "year", "exercice"},
    "statut": {"statut", "etat", "avancement", "statutdelaction"},
    "date": {"date", "datestatut", "datedustatut", "datedelaction"},
    "commentaire": VALUE_COLUMNS["commentaire"],
}
REQUIRED_ACTION_COLUMNS = ("code_action", "territoire", "annee", "statut")
PERIMETER_COLUMNS = {"code_action": _CODE_ACTION, "territoire": VALUE_COLUMNS["territoire"]}
REQUIRED_PERIMETER_COLUMNS = ("code_action", "territoire")

# A status is matched without regard to case, accents or spaces; the masculine forms are accepted too
# (« réalisé », « non démarré »), since people write about « le projet » as often as « l'action ».
STATUS_SPELLINGS = {textnorm.key(s): s for s in ACTION_STATUSES} | {
    textnorm.key(s.removesuffix("e")): s for s in ACTION_STATUSES if s.endswith("ée")
}
DATE_TEXT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
ISO_DATE_TEXT = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?")
STATUS_COLUMNS = ["action", "territoire", "annee", "statut", "date_statut", "commentaire"]
PERIMETER_FRAME_COLUMNS = ["action", "territoire"]


def empty_statuses() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int16" if c == "annee" else object) for c in STATUS_COLUMNS})


def empty_perimeters() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PERIMETER_FRAME_COLUMNS})


@dataclass
class _Rows:
    """A sheet's data rows under its header, with helpers that report a problem at a cell."""

    fichier: str
    sheet: Sheet
    header_line: int
    mapping: dict[str, int]
    report: Report

    def each(self, header_index: int):
        for offset, row in enumerate(self.sheet.rows[header_index + 1 :]):
            cells = {name: (row[col] if col < len(row) else None) for name, col in self.mapping.items()}
            if all(_is_blank(v) for v in cells.values()):
                continue  # spacing rows are not data
            yield self.header_line + 1 + offset, cells

    def problem(self, line: int, name: str, value, message: str, conseil: str, gravite: str = "erreur") -> None:
        col = self.mapping.get(name)
        colonne = f"{column_letter(self.sheet.first_col + col)} ({name})" if col is not None else name
        self.report.add(
            self.fichier, message, conseil, feuille=self.sheet.name, ligne=line, colonne=colonne, valeur=value,
            gravite=gravite,
        )  # fmt: skip


def find_sheet_header(sheet: Sheet, columns: dict[str, set[str]], required: tuple[str, ...]):
    """(row index, {column: index}, doubled column names) of the first top row that names every
    required column, or None."""
    wanted = {alias: name for name, aliases in columns.items() for alias in aliases}
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        keys = [textnorm.key(cell) if isinstance(cell, str) else "" for cell in row]
        found = {wanted[k] for k in keys if k in wanted}
        if all(name in found for name in required):
            mapping: dict[str, int] = {}
            doubled: list[str] = []
            for col, k in enumerate(keys):
                if k not in wanted:
                    continue
                if wanted[k] in mapping:
                    doubled.append(wanted[k])
                else:
                    mapping[wanted[k]] = col
            return index, mapping, doubled
    return None


def _open(fichier, sheet, columns, required, report) -> tuple[_Rows, int] | None:
    found = find_sheet_header(sheet, columns, required)
    if found is None:
        report.add(
            fichier,
            f"La feuille « {sheet.name} » n'a pas de ligne d'en-tête reconnue.",
            f"Mettez en en-tête, sur une même ligne : {', '.join(required)} (voir docs/contrat_tableur.md).",
            feuille=sheet.name,
        )
        return None
    index, mapping, doubled = found
    header_line = sheet.first_row + index
    for name in doubled:
        report.add(
            fichier,
            f"La colonne « {name} » apparaît deux fois dans l'en-tête.",
            "Supprimez ou renommez l'une des deux colonnes.",
            feuille=sheet.name,
            ligne=header_line,
            valeur=name,
        )
    return _Rows(fichier, sheet, header_line, mapping, report), index


def _year(rows: _Rows, line: int, name: str, cell) -> int | None:
    year, reason = periods.parse_year(cell)
    if reason is None:
        return year
    messages = {
        "vide": f"L'année est vide (colonne {name}).",
        "date": "Une date a été saisie à la place d'une année.",
        "hors": "L'année est hors de la période possible (2000 à 2100).",
        "invalide": "L'année n'est pas un nombre entier.",
    }
    rows.problem(line, name, cell, messages[reason], "Saisissez l'année sur 4 chiffres, ex. 2027.")
    return None


def _territory_code(rows: _Rows, line: int, cell, lookup: Lookup, own_only: bool = False) -> str | None:
    """The territory of a row. `own_only`: the département or one of its territories, not a comparator
    (an action of the schéma is carried out in the département)."""
    code = _territory(cell, lookup)
    own = [t for t in lookup.territories if _in_departement(t, lookup)] if own_only else lookup.territories
    if code is None:
        rows.problem(
            line,
            "territoire",
            cell,
            "Le territoire est vide." if _is_blank(cell) else "Ce territoire n'est pas reconnu.",
            f"Saisissez un code de territoire ({', '.join(own)}) ou son nom complet.",
        )
    elif own_only and code not in own:
        rows.problem(
            line,
            "territoire",
            cell,
            "Ce territoire est un point de comparaison, pas un territoire du département.",
            f"Saisissez le département ou l'un de ses territoires ({', '.join(own)}).",
        )
        return None
    return code


def _in_departement(code: str, lookup: Lookup) -> bool:
    seen = set()
    while code is not None and code not in seen:
        if code == lookup.departement:
            return True
        seen.add(code)
        code = lookup.parents.get(code)
    return False


def _number(rows: _Rows, line: int, name: str, cell, unite: str) -> float | None:
    """A target or baseline in the indicator's unit, with the rules of the `valeurs` sheet."""
    value, reason, kind = numbers.parse_number(cell)
    if reason is not None:  # the cell is not blank here: the reason is one the `valeurs` sheet words too
        message, conseil = _number_problem(reason, cell)
        rows.problem(line, name, cell, message, conseil)
        return None
    rules = [
        (
            unite == UNIT_COUNT and value < 0,
            "Un comptage ne peut pas être négatif.",
            "Saisissez un nombre positif ou nul.",
        ),
        (
            kind == numbers.KIND_YESNO and unite != UNIT_YESNO,
            "« oui » ou « non » n'est accepté que pour un jalon (unité oui/non).",
            "Saisissez un nombre.",
        ),
        (
            unite == UNIT_YESNO and value not in (0.0, 1.0),
            "Un jalon se renseigne par oui ou non.",
            "Saisissez « oui » ou « non ».",
        ),
        (
            kind == numbers.KIND_PERCENT and unite not in (UNIT_PERCENT, UNIT_QUALITATIVE),
            "Un pourcentage a été saisi pour un indicateur qui ne s'exprime pas en %.",
            "Saisissez la valeur dans l'unité de l'indicateur.",
        ),
    ]
    for hit, message, conseil in rules:
        if hit:
            rows.problem(line, name, cell, message, conseil)
            return None
    return value


def check_targets_sheet(
    fichier: str, sheet: Sheet, lookup: Lookup, report: Report, extra: dict[str, IndicatorInfo]
) -> pd.DataFrame:
    """Rows of the `cibles` sheet as values (mesure 'cible' at `annee`, 'reference' at `annee_reference`)."""
    opened = _open(fichier, sheet, TARGET_COLUMNS, REQUIRED_TARGET_COLUMNS, report)
    if opened is None:
        return empty_values()
    rows, header_index = opened
    canonical = {**lookup.canonical_code(), **{c.upper(): c for c in extra}}
    known = list(canonical.values())
    out: list[dict] = []
    seen: dict[tuple, int] = {}
    for line, cells in rows.each(header_index):
        errors_before = report.n_errors
        raw_code = cells.get("code_indicateur")
        code = None if _is_blank(raw_code) else canonical.get(textnorm.clean_cell(raw_code).upper())
        if _is_blank(raw_code):
            rows.problem(
                line,
                "code_indicateur",
                "",
                "Le code de l'indicateur est vide.",
                "Saisissez le code de l'indicateur, ex. A1-O1-Obj1-Ac1-I1.",
            )
        elif code is None:
            close = difflib.get_close_matches(textnorm.clean_cell(raw_code), known, n=1, cutoff=0.8)
            rows.problem(
                line,
                "code_indicateur",
                raw_code,
                "Ce code d'indicateur n'existe pas dans le référentiel.",
                f"Vérifiez le code : vouliez-vous dire {close[0]} ?"
                if close
                else "Vérifiez le code dans le référentiel (page Référentiel).",
            )
        territoire = _territory_code(rows, line, cells.get("territoire"), lookup)
        unite = (extra.get(code) or lookup.indicators[code]).unite if code else ""
        has_target = not _is_blank(cells.get("cible"))
        has_baseline = not _is_blank(cells.get("reference"))
        if not has_target and not has_baseline:
            rows.problem(
                line,
                "cible",
                "",
                "Ni cible ni valeur de référence : la ligne est ignorée.",
                "Rien à faire si la cible n'est pas encore fixée ; sinon saisissez-la.",
                gravite=WARNING,
            )
            continue
        target = _number(rows, line, "cible", cells["cible"], unite) if has_target and code else None
        annee = _year(rows, line, "annee", cells.get("annee")) if has_target else None
        baseline = baseline_year = None
        if has_baseline:
            baseline = _number(rows, line, "reference", cells["reference"], unite) if code else None
            if "annee_reference" not in rows.mapping or _is_blank(cells.get("annee_reference")):
                rows.problem(
                    line,
                    "annee_reference",
                    "",
                    "La valeur de référence n'a pas d'année.",
                    "Saisissez dans la colonne annee_reference l'année où la valeur de référence a été observée.",
                )
            else:
                baseline_year = _year(rows, line, "annee_reference", cells["annee_reference"])
        elif not _is_blank(cells.get("annee_reference")):
            rows.problem(
                line,
                "reference",
                "",
                "Une année de référence est saisie sans valeur de référence.",
                "Saisissez la valeur de référence (colonne reference), ou videz la colonne annee_reference.",
            )
        if report.n_errors != errors_before:
            continue
        comment = _clean_text(cells.get("commentaire"))
        source = _clean_text(cells.get("source"))
        for mesure, value, year, column in (
            (MESURE_CIBLE, target, annee, "cible"),
            (MESURE_REFERENCE, baseline, baseline_year, "reference"),
        ):
            if value is None:
                continue
            key = (code, territoire, year, mesure)
            if key in seen:
                what = "Cette cible" if mesure == MESURE_CIBLE else "Cette valeur de référence"
                rows.problem(
                    line,
                    column,
                    cells[column],
                    f"{what} (indicateur, territoire, année) figure déjà ligne {seen[key]}.",
                    "Gardez une seule ligne par indicateur, territoire et année.",
                )
                continue
            seen[key] = line
            out.append(
                {
                    "indicateur": code,
                    "territoire": territoire,
                    "annee": year,
                    "trimestre": YEARLY,
                    "mesure": mesure,
                    "valeur": float(value),
                    "commentaire": comment,
                    "source": source,
                    "ligne": line,
                }
            )
    frame = pd.DataFrame(out, columns=[*empty_values().columns, "ligne"])
    return frame.astype(
        {"annee": "int16", "trimestre": "int8", "valeur": float, "commentaire": object, "source": object}
    )


def _action_code(rows: _Rows, line: int, cell, lookup: Lookup) -> str | None:
    if _is_blank(cell):
        rows.problem(
            line,
            "code_action",
            "",
            "Le code de l'action est vide.",
            "Saisissez le code de l'action, ex. A1-O1-Obj1-Ac1.",
        )
        return None
    typed = textnorm.clean_cell(cell).upper()
    code = lookup.actions.get(typed)
    if code is not None:
        return code
    node = lookup.nodes.get(typed)
    if node is not None and node[1] != lookup.niveau_action:
        rows.problem(
            line,
            "code_action",
            cell,
            f"« {node[0]} » n'est pas une action (c'est un nœud de niveau {node[1]}) : un statut se donne à une action.",
            f"Saisissez le code d'une action, qui se termine par {lookup.action_prefix}1, {lookup.action_prefix}2…",
        )
    elif node is not None:
        rows.problem(
            line,
            "code_action",
            cell,
            "Cette action appartient à un programme archivé : son suivi est clos.",
            "Retirez cette ligne ; seules les actions des programmes en cours se suivent.",
        )
    else:
        close = difflib.get_close_matches(textnorm.clean_cell(cell), list(lookup.actions.values()), n=1, cutoff=0.8)
        rows.problem(
            line,
            "code_action",
            cell,
            "Ce code d'action n'existe pas dans le référentiel.",
            f"Vérifiez le code : vouliez-vous dire {close[0]} ?"
            if close
            else "Vérifiez le code dans le référentiel (page Référentiel).",
        )
    return None


def parse_date(cell) -> tuple[dt.date | None, bool]:
    """A status date: a real date, or text JJ/MM/AAAA (or AAAA-MM-JJ). Returns (date, ok)."""
    if _is_blank(cell):
        return None, True
    if isinstance(cell, dt.datetime):
        return cell.date(), True
    if isinstance(cell, dt.date):
        return cell, True
    if not isinstance(cell, str):
        return None, False
    text = textnorm.clean_cell(cell)
    match = DATE_TEXT.fullmatch(text)
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    if parts is None:
        iso = ISO_DATE_TEXT.fullmatch(text)
        parts = iso.groups() if iso else None
    if parts is None:
        return None, False
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2])), True
    except ValueError:
        return None, False


def check_actions_sheet(
    fichier: str, sheet: Sheet, lookup: Lookup, report: Report, perimeters: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Rows of the `actions` sheet: one status per action, territory and year."""
    opened = _open(fichier, sheet, ACTION_COLUMNS, REQUIRED_ACTION_COLUMNS, report)
    if opened is None:
        return empty_statuses()
    rows, header_index = opened
    declared = _declared_perimeters(lookup, perimeters)
    out: list[dict] = []
    seen: dict[tuple, int] = {}
    unfilled = 0
    for line, cells in rows.each(header_index):
        if all(_is_blank(cells.get(name)) for name in ("statut", "date", "commentaire")):
            unfilled += 1  # a row of the template whose status was not chosen: nothing to record
            continue
        errors_before = report.n_errors
        action = _action_code(rows, line, cells.get("code_action"), lookup)
        territoire = _territory_code(rows, line, cells.get("territoire"), lookup, own_only=True)
        annee = _year(rows, line, "annee", cells.get("annee"))
        raw_status = cells.get("statut")
        statut = None if _is_blank(raw_status) else STATUS_SPELLINGS.get(textnorm.key(raw_status))
        if statut is None:
            rows.problem(
                line,
                "statut",
                raw_status,
                "Le statut est vide." if _is_blank(raw_status) else "Ce statut n'est pas reconnu.",
                f"Saisissez l'un de : {', '.join(ACTION_STATUSES)}.",
            )
        date, date_ok = parse_date(cells.get("date"))
        if not date_ok:
            rows.problem(
                line,
                "date",
                cells.get("date"),
                "La date n'est pas reconnue.",
                "Saisissez la date au format JJ/MM/AAAA (ex. 15/03/2025), ou laissez la cellule vide.",
            )
        if report.n_errors != errors_before:
            continue
        key = (action, territoire, annee)
        if key in seen:
            rows.problem(
                line,
                "code_action",
                cells.get("code_action"),
                f"Le statut de cette action pour ce territoire et cette année figure déjà ligne {seen[key]}.",
                "Gardez une seule ligne par action, territoire et année.",
            )
            continue
        seen[key] = line
        if not _covers(declared.get(action), territoire, lookup):
            listed = ", ".join(sorted(declared[action]))
            rows.problem(
                line,
                "territoire",
                cells.get("territoire"),
                f"Ce territoire n'est pas dans le périmètre de l'action ({listed}) : le statut est tout de même enregistré.",
                "Rien à faire si c'est voulu ; sinon corrigez le territoire, ou complétez le périmètre (feuille « perimetre »).",
                gravite=WARNING,
            )
        out.append(
            {
                "action": action,
                "territoire": territoire,
                "annee": annee,
                "statut": statut,
                "date_statut": date,
                "commentaire": _clean_text(cells.get("commentaire")),
            }
        )
    if unfilled:
        report.add(
            fichier,
            f"{unfilled} ligne(s) sans statut : ignorée(s) (aucun statut déjà enregistré n'est effacé).",
            "Rien à faire si ces actions n'ont pas de statut à déclarer ; sinon choisissez un statut.",
            feuille=sheet.name,
            gravite=WARNING,
        )
    frame = pd.DataFrame(out, columns=STATUS_COLUMNS)
    return frame.astype({"annee": "int16", "date_statut": object, "commentaire": object})


def _declared_perimeters(lookup: Lookup, perimeters: pd.DataFrame | None) -> dict[str, set[str]]:
    """Perimeters as they will be after the file: the stored ones, replaced by the file's `perimetre` sheet."""
    declared = {action: set(codes) for action, codes in lookup.perimetres.items()}
    if perimeters is not None and len(perimeters):
        for action, own in perimeters.groupby("action"):
            declared[action] = set(own["territoire"])
    return declared


def _covers(perimeter: set[str] | None, territoire: str, lookup: Lookup) -> bool:
    """An action without a declared perimeter, or listing the département, applies everywhere; else
    it applies to the listed territories, the sectors below them and the TAS above them."""
    if not perimeter or lookup.departement in perimeter or territoire == lookup.departement:
        return True
    parent = lookup.parents.get(territoire)
    children = {code for code, up in lookup.parents.items() if up == territoire}
    return territoire in perimeter or parent in perimeter or bool(children & perimeter)


def check_perimeter_sheet(fichier: str, sheet: Sheet, lookup: Lookup, report: Report) -> pd.DataFrame:
    """Rows of the `perimetre` sheet: (action, territory) pairs, repeats dropped."""
    opened = _open(fichier, sheet, PERIMETER_COLUMNS, REQUIRED_PERIMETER_COLUMNS, report)
    if opened is None:
        return empty_perimeters()
    rows, header_index = opened
    out: list[dict] = []
    seen: set[tuple] = set()
    for line, cells in rows.each(header_index):
        errors_before = report.n_errors
        action = _action_code(rows, line, cells.get("code_action"), lookup)
        territoire = _territory_code(rows, line, cells.get("territoire"), lookup, own_only=True)
        if report.n_errors != errors_before or (action, territoire) in seen:
            continue
        seen.add((action, territoire))
        out.append({"action": action, "territoire": territoire})
    return pd.DataFrame(out, columns=PERIMETER_FRAME_COLUMNS).astype(object)


def csv_sheet_kind(sheet: Sheet) -> str | None:
    """The kind of a CSV file's only sheet, from its header, when it is not a `valeurs` sheet: a CSV
    has no sheet names, so `cibles.csv` or `actions.csv` say what they are by their columns."""
    values = {"valeur": VALUE_COLUMNS["valeur"], "code_indicateur": VALUE_COLUMNS["code_indicateur"]}
    if find_sheet_header(sheet, values, ("code_indicateur", "valeur")):
        return None
    if find_sheet_header(sheet, ACTION_COLUMNS, ("code_action", "statut")):
        return ACTIONS_SHEET
    targets = find_sheet_header(sheet, TARGET_COLUMNS, ("code_indicateur", "territoire"))
    if targets and {"cible", "reference"} & set(targets[1]):
        return TARGETS_SHEET
    if find_sheet_header(sheet, PERIMETER_COLUMNS, REQUIRED_PERIMETER_COLUMNS):
        return PERIMETER_SHEET
    return None


def status_entry_sheet(action: str, territoire: str, annee, statut: str, date, commentaire: str | None) -> Sheet:
    """One status typed on the Import page, as a one-row `actions` sheet: checked by the same rules."""
    header = ["code_action", "territoire", "annee", "statut", "date", "commentaire"]
    return Sheet(name="saisie", rows=[header, [action, territoire, annee, statut, date, commentaire]])
