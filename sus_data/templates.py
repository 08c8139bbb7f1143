"""The entry workbook of a quarter: one row per indicator × territory expected, ready to fill.

Generated with openpyxl from the referential. Codes, labels, units and last period's values are
locked; territory and quarter cells offer drop-down lists; a filled template uploads as it is, because
it follows the contract (docs/contrat_tableur.md) and its helper columns are known to the validator.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from . import formatting
from .config import Config
from .exports import neutralise
from .periods import previous
from .templates_followup import add_followup_sheets
from .vocabulary import UNIT_COUNT, UNIT_PERCENT, UNIT_QUALITATIVE, UNIT_YESNO

HEADERS = [
    ("code_indicateur", 22),
    ("libelle_indicateur", 60),
    ("unite", 10),
    ("territoire", 14),
    ("annee", 8),
    ("trimestre", 10),
    ("valeur_precedente", 16),
    ("valeur", 14),
    ("cible", 12),
    ("commentaire", 40),
    ("source", 30),
]
EDITABLE = {"territoire", "trimestre", "valeur", "cible", "commentaire", "source"}
TITLE_ROWS = 3
HEADER_ROW = TITLE_ROWS + 1
FILL_LOCKED = PatternFill("solid", fgColor="F3F4F8")
FILL_INPUT = PatternFill("solid", fgColor="FFFFFF")
FILL_HEADER = PatternFill("solid", fgColor="000091")
QUARTER_LABELS = ["T1", "T2", "T3", "T4"]


def expected_rows(con, config: Config, annee: int, trimestre: int, territoire: str | None = None) -> pd.DataFrame:
    """Indicator × territory pairs expected for a period, with last period's value.

    Programme indicators of the programmes in progress (not qualitative ones). Values that add up are
    expected per TAS (the département is computed); rates and averages per TAS and for the
    département; other non-additive figures (a departmental event) for the département only.
    """
    dep = config.departement.code
    tas = [t.code for t in config.territories if t.parent == dep]
    indicators = con.execute(
        """
        SELECT DISTINCT i.code, i.libelle, i.unite, i.additivite, i.agregation, i.ordre
        FROM indicateur i
        JOIN noeud_programme np ON np.noeud = i.noeud
        JOIN programme p ON p.code = np.programme
        WHERE coalesce(p.statut, 'en cours') <> 'archivé' AND i.unite <> ?
        ORDER BY i.ordre
        """,
        [UNIT_QUALITATIVE],
    ).df()
    rows = []
    for ind in indicators.itertuples(index=False):
        if ind.additivite == "somme":
            places = tas
        elif ind.unite == UNIT_PERCENT or ind.agregation == "moyenne":
            places = [*tas, dep]
        else:
            places = [dep]
        if territoire is not None:
            places = [p for p in places if p == territoire]
        rows.extend({"code": ind.code, "libelle": ind.libelle, "unite": ind.unite, "territoire": p} for p in places)
    frame = pd.DataFrame(rows, columns=["code", "libelle", "unite", "territoire"])
    before = previous(annee, trimestre)
    last = con.execute(
        "SELECT indicateur, territoire, valeur FROM valeur WHERE mesure = 'valeur' AND annee = ? AND trimestre = ?",
        list(before),
    ).df()
    frame = frame.merge(last, left_on=["code", "territoire"], right_on=["indicateur", "territoire"], how="left")
    return frame.drop(columns=["indicateur"]).rename(columns={"valeur": "valeur_precedente"})


def entry_workbook(con, config: Config, annee: int, trimestre: int, territoire: str | None = None) -> bytes:
    """The xlsx template for a year and quarter (0: yearly values), optionally for one territory."""
    rows = expected_rows(con, config, annee, trimestre, territoire)
    territories = [t.code for t in config.territories if t.niveau != "comparateur"]
    book = Workbook()
    sheet = book.active
    sheet.title = "valeurs"
    period = formatting.periode(annee, trimestre)
    scope = f" — {config.territory(territoire).libelle}" if territoire else ""
    sheet["A1"] = f"{config.schema} — {config.nom}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"Saisie des indicateurs — {period}{scope}"
    sheet["A2"].font = Font(bold=True, size=12)
    sheet["A3"] = (
        "Remplissez les colonnes en blanc (valeur, cible, commentaire, source). Voir la feuille « instructions »."
    )
    sheet["A3"].font = Font(italic=True)
    for col, (name, width) in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=col, value=name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = FILL_HEADER
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.column_dimensions[cell.column_letter].width = width
    quarter = QUARTER_LABELS[trimestre - 1] if trimestre else None
    for offset, row in enumerate(rows.itertuples(index=False), start=1):
        r = HEADER_ROW + offset
        previous_value = None if pd.isna(row.valeur_precedente) else float(row.valeur_precedente)
        values = {
            "code_indicateur": row.code,
            "libelle_indicateur": neutralise(row.libelle),
            "unite": row.unite,
            "territoire": row.territoire,
            "annee": annee,
            "trimestre": quarter,
            "valeur_precedente": previous_value,
            "valeur": None,
            "cible": None,
            "commentaire": None,
            "source": None,
        }
        for col, (name, _width) in enumerate(HEADERS, start=1):
            cell = sheet.cell(row=r, column=col, value=values[name])
            editable = name in EDITABLE
            cell.protection = Protection(locked=not editable)
            cell.fill = FILL_INPUT if editable else FILL_LOCKED
            if name == "libelle_indicateur":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    last_row = HEADER_ROW + max(len(rows), 1)
    _validations(sheet, rows, territories, last_row)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{sheet.cell(row=HEADER_ROW, column=len(HEADERS)).column_letter}{last_row}"
    # Protection keeps codes and labels intact; rows may still be added, sorted and filtered.
    sheet.protection.sheet = True
    sheet.protection.insertRows = False
    sheet.protection.deleteRows = False
    sheet.protection.sort = False
    sheet.protection.autoFilter = False
    sheet.protection.formatColumns = False
    _instructions(book.create_sheet("instructions"), config, period, len(rows))
    add_followup_sheets(book, con, config, annee, territoire)  # optional sheets: targets, statuses of actions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _column(name: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter([h for h, _ in HEADERS].index(name) + 1)


def _validations(sheet, rows: pd.DataFrame, territories: list[str], last_row: int) -> None:
    first = HEADER_ROW + 1
    territory = DataValidation(
        type="list",
        formula1='"' + ",".join(territories) + '"',
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="Territoire inconnu",
        error="Choisissez un territoire dans la liste.",
    )
    territory.add(f"{_column('territoire')}{first}:{_column('territoire')}{last_row + 500}")
    quarter = DataValidation(
        type="list",
        formula1='"' + ",".join(QUARTER_LABELS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Trimestre",
        error="Choisissez T1, T2, T3 ou T4, ou laissez vide pour une valeur annuelle.",
    )
    quarter.add(f"{_column('trimestre')}{first}:{_column('trimestre')}{last_row + 500}")
    sheet.add_data_validation(territory)
    sheet.add_data_validation(quarter)
    counts = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Comptage",
        error="Un comptage est un nombre entier positif ou nul.",
    )
    yes_no = DataValidation(
        type="list",
        formula1='"oui,non"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Jalon",
        error="Saisissez oui ou non.",
    )
    value_col = _column("valeur")
    for offset, unite in enumerate(rows["unite"], start=first):
        if unite == UNIT_COUNT:
            counts.add(f"{value_col}{offset}")
        elif unite == UNIT_YESNO:
            yes_no.add(f"{value_col}{offset}")
    sheet.add_data_validation(counts)
    sheet.add_data_validation(yes_no)


def _instructions(sheet, config: Config, period: str, n_rows: int) -> None:
    lines = [
        (f"Saisie des indicateurs du {config.schema} — {config.nom}", True),
        (f"Période : {period}. Lignes attendues : {n_rows}.", False),
        ("", False),
        ("Comment remplir", True),
        (
            "1. Saisissez la valeur de chaque ligne dans la colonne « valeur » (nombre, ou oui / non pour un jalon).",
            False,
        ),
        ("2. Les pourcentages se saisissent en pour cent : 12,5 pour 12,5 %.", False),
        ("3. Laissez « valeur » vide si elle n'est pas connue : la ligne sera ignorée, rien ne sera effacé.", False),
        (
            "4. « cible » (facultatif) : la valeur visée pour la période. « commentaire » et « source » : texte libre.",
            False,
        ),
        ("5. Les colonnes grisées (code, libellé, unité, valeur précédente) ne se modifient pas.", False),
        ("6. Pour une valeur annuelle, laissez « trimestre » vide.", False),
        (
            "7. Vous pouvez ajouter des lignes (autre territoire, autre indicateur) en recopiant le code de l'indicateur.",
            False,
        ),
        ("8. N'ajoutez pas de formule : saisissez des valeurs.", False),
        (
            (
                "9. Feuilles facultatives : « cibles » (cibles et valeurs de référence) et « actions » (statut de "
                "chaque action : choisissez-le dans la liste ; une ligne sans statut est ignorée)."
            ),
            False,
        ),
        ("", False),
        ("Territoires", True),
        *[(f"{t.code} : {t.libelle}", False) for t in config.territories if t.niveau != "comparateur"],
        ("", False),
        ("Dépôt", True),
        (
            (
                "Déposez le fichier rempli sur la page Import du tableau de bord. Toutes les anomalies sont listées "
                "d'un coup ; un fichier qui contient une erreur n'est pas enregistré."
            ),
            False,
        ),
    ]
    for index, (text, bold) in enumerate(lines, start=1):
        cell = sheet.cell(row=index, column=1, value=text)
        cell.font = Font(bold=bold, size=12 if bold else 11)
    sheet.column_dimensions["A"].width = 120
