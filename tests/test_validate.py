"""Validation against the spreadsheet contract and the referential (sus_data/validate.py, report.py).

Every message is checked word for word, with the row and the column letter the user sees in Excel:
two title rows then the header (row 3), so the first data row is row 4.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from conftest import CONTRACT_HEADER as HEADER
from conftest import COUNT, COUNT_NOT_ADDITIVE, MILESTONE, PERCENT, workbook_bytes

from sus_data.config import ImportLimits
from sus_data.report import COLUMNS
from sus_data.store import Store
from sus_data.validate import Lookup, validate_workbook
from sus_data.workbook import read_workbook

FILE = "saisie.xlsx"
TERRITORIES = "71, TAS MP, TAS CL, TAS MALC, AUTUN, LE CREUSOT, MONTCEAU, CHALON, LOUHANS, MACON, PARAY, BFC, FRANCE"
YEAR_ADVICE = "Saisissez l'année sur 4 chiffres, ex. 2025."
NUMBER_ADVICE = "Saisissez un nombre (ex. 1 234,5 ou 12,5 %), ou laissez la cellule vide."


@pytest.fixture(scope="module")
def lookup(template_db):
    from sus_data.config import get_config

    with Store(template_db).read() as con:
        return Lookup.from_connection(con, get_config())


def check(lookup, rows, name=FILE, **options):
    return validate_workbook(read_workbook(workbook_bytes(rows, **options), name), lookup)


def problems(validated, gravite=None) -> list[tuple]:
    """(sheet, row, column, value found, message, advice) of each problem, in report order."""
    frame = validated.report.frame()
    if gravite:
        frame = frame[frame["gravite"] == gravite]
    return [
        (r.feuille, None if pd.isna(r.ligne) else int(r.ligne), r.colonne, r.valeur, r.message, r.conseil)
        for r in frame.itertuples(index=False)
    ]


def stored(validated) -> list[tuple]:
    return [
        (r.indicateur, r.territoire, int(r.annee), int(r.trimestre), r.mesure, r.valeur)
        for r in validated.valeurs.itertuples(index=False)
    ]


# ----------------------------------------------------------------------------------------------- headers
def test_header_is_found_under_title_rows(lookup):
    validated = check(
        lookup,
        [[COUNT, "TAS MP", 2025, 1, 12]],
        titles=("Département de Saône-et-Loire", "Observatoire des solidarités", "", "Saisie du T1 2025", ""),
    )
    assert validated.ok
    assert stored(validated) == [(COUNT, "TAS MP", 2025, 1, "valeur", 12.0)]
    assert validated.n_lignes == 1


def test_rows_are_numbered_as_in_the_spreadsheet_under_title_rows(lookup):
    validated = check(lookup, [[COUNT, "TAS MP", 2025, 1, 12], [COUNT, "Dijon", 2025, 1, 12]], titles=("Titre", "", ""))
    assert [(ligne, colonne) for _, ligne, colonne, *_ in problems(validated)] == [(6, "B (territoire)")]


def test_header_starting_in_another_column_gives_that_column_letter(lookup):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "valeurs"
    sheet["C4"] = "Saisie"
    for offset, name in enumerate(HEADER):
        sheet.cell(row=6, column=3 + offset, value=name)
    for offset, value in enumerate([COUNT, "TAS MP", 2025, "T9", 12]):
        sheet.cell(row=7, column=3 + offset, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    validated = validate_workbook(read_workbook(buffer.getvalue(), FILE), lookup)
    assert [(ligne, colonne, valeur) for _, ligne, colonne, valeur, *_ in problems(validated)] == [
        (7, "F (trimestre)", "T9")
    ]


@pytest.mark.parametrize(
    "header",
    [
        ["Code indicateur", "Territoire", "Année", "Trimestre", "Valeur"],
        ["CODE_INDICATEUR", "TERRITOIRE", "ANNEE", "TRIMESTRE", "VALEUR"],
        [" code_indicateur ", "territoire ", " année", "trimestre", "valeur\u00a0"],
        ["Code-Indicateur", "Territoire", "ANNÉE", "Trim.", "Valeur"],
        ["Code", "TAS", "An", "Trimestre", "Valeur réalisée"],
    ],
)
def test_header_names_ignore_case_accents_spaces_and_underscores(lookup, header):
    validated = check(lookup, [[COUNT, "TAS MP", 2025, 1, 12]], header=header)
    assert problems(validated) == []
    assert stored(validated) == [(COUNT, "TAS MP", 2025, 1, "valeur", 12.0)]


def test_columns_in_another_order_with_helper_columns(lookup):
    header = ["valeur", "Libellé indicateur", "Unité", "trimestre", "annee", "territoire", "code_indicateur"]
    validated = check(lookup, [[12, "Nombre de réseaux", "nombre", 1, 2025, "TAS MP", COUNT]], header=header)
    assert problems(validated) == []
    assert stored(validated) == [(COUNT, "TAS MP", 2025, 1, "valeur", 12.0)]


def test_values_sheet_with_a_trailing_space_is_found_among_other_sheets(lookup):
    validated = check(
        lookup,
        [["notes de l'agent"]],
        header=["Mode d'emploi"],
        titles=(),
        sheet="Notice",
        other_sheets={"Valeurs ": [HEADER, [COUNT, "TAS MP", 2025, 1, 12]]},
    )
    assert problems(validated) == []
    assert stored(validated) == [(COUNT, "TAS MP", 2025, 1, "valeur", 12.0)]


def test_first_sheet_is_used_when_none_is_named_valeurs(lookup):
    validated = check(lookup, [[COUNT, "TAS MP", 2025, 1, 12]], sheet="Saisie T1")
    assert stored(validated) == [(COUNT, "TAS MP", 2025, 1, "valeur", 12.0)]


# ----------------------------------------------------------------------------------------------- territories
@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("71", "71"),
        (71, "71"),
        ("Département", "71"),
        ("departement", "71"),
        ("DÉPARTEMENT", "71"),
        ("Saône-et-Loire", "71"),
        ("Saone et Loire", "71"),
        ("Total", "71"),
        ("TAS MP", "TAS MP"),
        ("tas_mp", "TAS MP"),
        ("Mâcon - Paray-le-Monial", "TAS MP"),
        ("Macon - Paray le Monial", "TAS MP"),
        ("Territoire d'action sociale de Mâcon - Paray-le-Monial", "TAS MP"),
        ("TAS Chalon-sur-Saône - Louhans", "TAS CL"),
        ("Chalon-sur-Saône - Louhans", "TAS CL"),
        ("Chalon - Louhans", "TAS CL"),  # name of the diagnostic 2019
        ("Montceau-les-Mines - Autun - Le Creusot", "TAS MALC"),
        ("Autun - Le Creusot - Montceau", "TAS MALC"),  # old name
        ("TAS_MAC", "TAS MALC"),  # old code
        ("Chalon", "CHALON"),
        ("Chalon-sur-Saône", "CHALON"),
        ("Secteur de Chalon-sur-Saône", "CHALON"),
        ("Le Creusot", "LE CREUSOT"),
        ("Montceau-les-Mines", "MONTCEAU"),
        ("Mâcon", "MACON"),
        ("macon", "MACON"),
        ("Paray-le-Monial", "PARAY"),
        ("Secteur Autun", "AUTUN"),
    ],
)
def test_territory_codes_names_and_aliases(lookup, written, code):
    validated = check(lookup, [[COUNT, written, 2025, 1, 12]])
    assert problems(validated) == []
    assert stored(validated)[0][1] == code


# ----------------------------------------------------------------------------------------- what is stored
def test_french_numbers_quarters_and_targets_are_stored(lookup):
    header = [*HEADER, "cible", "commentaire", "source"]
    rows = [
        [COUNT, "TAS MP", 2025, "T1", "1\u202f234", 1500, "  saisie  ", "SI social"],
        [PERCENT, "71", "2025", "1er trimestre", "12,5 %", "15 %", None, None],
        [MILESTONE, "71", 2025, "Q2", "oui", None, None, None],
        [COUNT_NOT_ADDITIVE, "71", 2025, None, 4, None, None, None],  # yearly
        [COUNT, "TAS CL", 2025, 2, None, 90, "cible seule", None],  # a target row, no value yet
    ]
    validated = check(lookup, rows, header=header)
    assert problems(validated) == []
    assert stored(validated) == [
        (COUNT, "TAS MP", 2025, 1, "valeur", 1234.0),
        (PERCENT, "71", 2025, 1, "valeur", 12.5),
        (MILESTONE, "71", 2025, 2, "valeur", 1.0),
        (COUNT_NOT_ADDITIVE, "71", 2025, 0, "valeur", 4.0),
        (COUNT, "TAS MP", 2025, 1, "cible", 1500.0),
        (PERCENT, "71", 2025, 1, "cible", 15.0),
        (COUNT, "TAS CL", 2025, 2, "cible", 90.0),
    ]
    assert validated.valeurs["commentaire"].tolist()[0] == "saisie"
    assert validated.valeurs["source"].tolist()[0] == "SI social"
    assert validated.n_ignorees == 0


def test_codes_are_matched_whatever_their_case(lookup):
    validated = check(lookup, [[" a1-o1-obj1-ac1-i1 ", "TAS MP", 2025, 1, 3]])
    assert stored(validated) == [(COUNT, "TAS MP", 2025, 1, "valeur", 3.0)]


def test_blank_rows_between_data_are_spacing(lookup):
    validated = check(
        lookup, [[COUNT, "TAS MP", 2025, 1, 3], [None] * 5, ["", " ", None, "", None], [COUNT, "TAS CL", 2025, 1, 4]]
    )
    assert problems(validated) == []
    assert validated.n_lignes == 2


# ------------------------------------------------------------------------------------- every error message
ERRORS = {
    "code inconnu, proche d'un code": (
        ["A1-O1-Obj1-Ac1-I9", "TAS MP", 2025, 1, 3],
        ("A (code_indicateur)", "A1-O1-Obj1-Ac1-I9", "Ce code d'indicateur n'existe pas dans le référentiel.",
         "Vérifiez le code : vouliez-vous dire A1-O1-Obj1-Ac1-I1 ? Les codes valides sont dans le référentiel."),
    ),
    "code inconnu": (
        ["NBRE-VISITES", "TAS MP", 2025, 1, 3],
        ("A (code_indicateur)", "NBRE-VISITES", "Ce code d'indicateur n'existe pas dans le référentiel.",
         ("Vérifiez le code dans le référentiel (page Référentiel) ; un nouvel indicateur de contexte se déclare "
         "dans la feuille « indicateurs ».")),
    ),
    "code vide": (
        [None, "TAS MP", 2025, 1, 3],
        ("A (code_indicateur)", "", "Le code de l'indicateur est vide.",
         "Saisissez le code de l'indicateur (colonne A du modèle), ex. A1-O1-Obj1-Ac1-I1."),
    ),
    "territoire inconnu": (
        [COUNT, "Dijon", 2025, 1, 3],
        ("B (territoire)", "Dijon", "Ce territoire n'est pas reconnu.",
         f"Saisissez un code de territoire ({TERRITORIES}) ou son nom complet."),
    ),
    "territoire vide": (
        [COUNT, None, 2025, 1, 3],
        ("B (territoire)", "", "Le territoire est vide.", f"Saisissez un code de territoire ({TERRITORIES}) ou son nom complet."),
    ),
    "année vide": ([COUNT, "71", None, 1, 3], ("C (annee)", "", "L'année est vide.", YEAR_ADVICE)),
    "année en date": (
        [COUNT, "71", dt.datetime(2025, 3, 31), 1, 3],
        ("C (annee)", "31/03/2025", "Une date a été saisie à la place d'une année.",
         "Saisissez l'année seule sur 4 chiffres (ex. 2025), dans une cellule au format « Nombre »."),
    ),
    "année hors période": (
        [COUNT, "71", 1999, 1, 3],
        ("C (annee)", "1999", "L'année est hors de la période possible (2000 à 2100).", YEAR_ADVICE),
    ),
    "année en texte": ([COUNT, "71", "2025-26", 1, 3], ("C (annee)", "2025-26", "L'année n'est pas un nombre entier.", YEAR_ADVICE)),
    "mois au lieu du trimestre": (
        [COUNT, "71", 2025, "Août", 3],
        ("D (trimestre)", "Août", "Un mois a été saisi à la place d'un trimestre.", "Saisissez le trimestre : « Août » tombe au T3."),
    ),
    "trimestre inconnu": (
        [COUNT, "71", 2025, "T5", 3],
        ("D (trimestre)", "T5", "Le trimestre n'est pas reconnu.",
         "Saisissez 1, 2, 3 ou 4 (ou T1 à T4) ; laissez vide pour une valeur annuelle."),
    ),
    "trimestre VRAI": (
        [COUNT, "71", 2025, True, 3],
        ("D (trimestre)", "VRAI", "Le trimestre n'est pas reconnu.",
         "Saisissez 1, 2, 3 ou 4 (ou T1 à T4) ; laissez vide pour une valeur annuelle."),
    ),
    "texte au lieu d'un nombre": (
        [COUNT, "71", 2025, 1, "en attente"],
        ("E (valeur)", "en attente", "La valeur n'est pas un nombre.", NUMBER_ADVICE),
    ),
    "nombre et unité": (
        [COUNT, "71", 2025, 1, "12 personnes"],
        ("E (valeur)", "12 personnes", "La valeur contient du texte en plus du nombre.",
         "Saisissez seulement le nombre (12) ; l'unité est celle de l'indicateur."),
    ),
    "point ambigu": (
        [COUNT, "71", 2025, 1, "1.234"],
        ("E (valeur)", "1.234", "Le point rend ce nombre ambigu (séparateur de milliers ou de décimales ?).",
         "Écrivez 1 234 pour mille deux cent trente-quatre, ou 1,234 pour un nombre décimal."),
    ),
    "erreur Excel": (
        [COUNT, "71", 2025, 1, "#N/A"],
        ("E (valeur)", "#N/A", "La cellule contient une erreur Excel au lieu d'une valeur.",
         "Corrigez la formule à l'origine de l'erreur ou saisissez la valeur à la main."),
    ),
    "formule sans résultat": (
        [COUNT, "71", 2025, 1, "=B4*2"],
        ("E (valeur)", "(formule)", "La cellule contient une formule dont le résultat n'a pas été enregistré.",
         ("Ouvrez le fichier dans Excel ou LibreOffice et enregistrez-le (le résultat sera calculé), ou remplacez "
         "la formule par sa valeur (copier, collage spécial « valeurs »).")),
    ),
    "date au lieu d'un nombre": (
        [COUNT, "71", 2025, 1, dt.date(2025, 1, 12)],
        ("E (valeur)", "12/01/2025", "Une date a été saisie à la place d'un nombre.",
         "Saisissez un nombre ; vérifiez que le format de la cellule est « Nombre » et non « Date »."),
    ),
    "infini": (
        [COUNT, "71", 2025, 1, "inf"],
        ("E (valeur)", "inf", "La valeur n'est pas un nombre fini.",
         "Saisissez un nombre, ou laissez la cellule vide si la valeur n'est pas connue."),
    ),
    "comptage négatif": (
        [COUNT, "71", 2025, 1, -4],
        ("E (valeur)", "-4", "Un comptage ne peut pas être négatif.",
         "Saisissez un nombre positif ou nul ; pour signaler une baisse, saisissez la nouvelle valeur."),
    ),
    "pourcentage pour un comptage": (
        [COUNT, "71", 2025, 1, "12,5 %"],
        ("E (valeur)", "12,5 %", "Un pourcentage a été saisi pour un indicateur qui ne s'exprime pas en %.",
         "Saisissez la valeur dans l'unité de l'indicateur (voir la colonne unité du modèle)."),
    ),
    "oui pour un comptage": (
        [COUNT, "71", 2025, 1, "oui"],
        ("E (valeur)", "oui", "« oui » ou « non » n'est accepté que pour un jalon (unité oui/non).", "Saisissez un nombre."),
    ),
    "VRAI pour un comptage": (
        [COUNT, "71", 2025, 1, True],
        ("E (valeur)", "VRAI", "« oui » ou « non » n'est accepté que pour un jalon (unité oui/non).", "Saisissez un nombre."),
    ),
    "jalon chiffré": (
        [MILESTONE, "71", 2025, 1, 2],
        ("E (valeur)", "2", "Un jalon se renseigne par oui ou non.",
         "Saisissez « oui » (réalisé) ou « non » (pas encore réalisé)."),
    ),
}  # fmt: skip


@pytest.mark.parametrize(("row", "expected"), list(ERRORS.values()), ids=list(ERRORS))
def test_error_messages_word_for_word_with_their_place(lookup, row, expected):
    validated = check(lookup, [row])
    assert not validated.ok
    assert problems(validated) == [("valeurs", 4, *expected)]
    assert validated.valeurs.empty


def test_error_in_the_target_column(lookup):
    validated = check(lookup, [[COUNT, "71", 2025, 1, 3, "beaucoup"]], header=[*HEADER, "cible"])
    assert problems(validated) == [
        ("valeurs", 4, "F (cible)", "beaucoup", "La valeur n'est pas un nombre.", NUMBER_ADVICE)
    ]


def test_same_key_twice_is_an_error_naming_the_first_line(lookup):
    rows = [
        [COUNT, "71", 2025, 1, 3],
        [COUNT, "TAS MP", 2025, 1, 4],
        [COUNT, "Département", 2025, "T1", 5],  # the same key as row 4, written otherwise
        [COUNT.lower(), "Saône-et-Loire", "2025", "1er trimestre", 6],
        [COUNT, "71", 2025, None, 7],  # yearly: another key
    ]
    validated = check(lookup, rows)
    message = "La même valeur (indicateur, territoire, année, trimestre) figure déjà ligne 4."
    conseil = "Gardez une seule ligne par indicateur, territoire et période."
    assert problems(validated) == [
        ("valeurs", 6, "A (code_indicateur)", COUNT, message, conseil),
        ("valeurs", 7, "A (code_indicateur)", COUNT.lower(), message, conseil),
    ]


def test_boolean_and_number_cells_are_not_confused(lookup):
    # Python hashes True like 1: the VRAI cell must not pass for quarter 1, whichever comes first.
    for rows in (
        [[COUNT, "71", 2025, 1, 3], [COUNT, "71", 2024, True, 3]],
        [[COUNT, "71", 2024, True, 3], [COUNT, "71", 2025, 1, 3]],
    ):
        validated = check(lookup, rows)
        assert [(ligne, valeur, message) for _, ligne, _, valeur, message, _ in problems(validated)] == [
            (4 + [r[3] is True for r in rows].index(True), "VRAI", "Le trimestre n'est pas reconnu.")
        ]


# ------------------------------------------------------------------------------------------------- warnings
def test_empty_value_is_skipped_with_a_warning(lookup):
    validated = check(lookup, [[COUNT, "TAS MP", 2025, 1, None], [COUNT, "TAS CL", 2025, 1, 5]])
    assert validated.ok
    assert problems(validated) == [
        ("valeurs", 4, "E (valeur)", "", "La valeur est vide : la ligne est ignorée (aucune valeur enregistrée n'est effacée).",
         "Rien à faire si la valeur n'est pas encore connue ; sinon saisissez-la."),
    ]  # fmt: skip
    assert stored(validated) == [(COUNT, "TAS CL", 2025, 1, "valeur", 5.0)]
    assert validated.n_ignorees == 1


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            [COUNT, "71", 2025, 1, 2.5],
            ("E (valeur)", "2.5", "Un comptage est normalement un nombre entier.",
             "Vérifiez la valeur ; si elle est juste (une moyenne, par exemple), rien à faire."),
        ),
        (
            [PERCENT, "71", 2025, 1, 0.125],
            ("E (valeur)", "0.125", "Valeur entre 0 et 1 pour un indicateur en % : s'agit-il d'une fraction (0,125 pour 12,5 %) ?",
             "Les pourcentages se saisissent en nombre de pour cent : 12,5 pour 12,5 %. Corrigez si besoin."),
        ),
    ],
)  # fmt: skip
def test_warnings_keep_the_value(lookup, row, expected):
    validated = check(lookup, [row])
    assert validated.ok
    assert problems(validated) == [("valeurs", 4, *expected)]
    assert len(validated.valeurs) == 1


def test_one_problem_per_cell(lookup):
    # A percentage for a count is an error; the cell is not also warned about being a decimal.
    validated = check(lookup, [[COUNT, "71", 2025, 1, "12,5 %"]])
    assert validated.report.summary() == "1 erreur"


def test_unknown_columns_are_ignored_with_a_warning(lookup):
    validated = check(lookup, [[COUNT, "71", 2025, 1, 3, "x", "y"]], header=[*HEADER, "Note perso", "Visa"])
    assert validated.ok
    assert problems(validated) == [
        ("valeurs", 3, "", "", "Colonne(s) non reconnue(s), ignorée(s) : « Note perso », « Visa ».",
         "Rien à faire si ces colonnes sont des notes ; sinon renommez-les comme dans le modèle."),
    ]  # fmt: skip


# ------------------------------------------------------------------------------------------ sheet structure
def test_missing_required_column(lookup):
    validated = check(lookup, [[COUNT, "71", 2025, 3]], header=["code_indicateur", "territoire", "annee", "valeur"])
    assert problems(validated) == [
        ("valeurs", 3, "", "", "La colonne obligatoire « trimestre » manque dans l'en-tête.",
         "Ajoutez une colonne « trimestre » à la ligne 3 (voir le modèle)."),
    ]  # fmt: skip


def test_header_not_found(lookup):
    validated = check(lookup, [[COUNT, "71", 2025, 1, 3]], header=None)
    assert problems(validated) == [
        ("valeurs", None, "", "",
         "La ligne d'en-tête est introuvable : aucune des 30 premières lignes ne contient les colonnes code_indicateur et valeur.",
         "Partez du modèle téléchargeable, ou ajoutez une ligne d'en-tête : code_indicateur, territoire, annee, trimestre, valeur."),
    ]  # fmt: skip


def test_column_twice_in_the_header(lookup):
    validated = check(lookup, [[COUNT, "71", 2025, 1, 3, 4]], header=[*HEADER, "Valeur"])
    assert problems(validated) == [
        ("valeurs", 3, "F", "valeur", "La colonne « valeur » apparaît deux fois dans l'en-tête.",
         "Supprimez ou renommez l'une des deux colonnes."),
    ]  # fmt: skip


def test_no_data_under_the_header(lookup):
    validated = check(lookup, [])
    assert problems(validated) == [
        ("valeurs", 3, "", "", "La feuille ne contient aucune ligne de données sous l'en-tête.",
         "Remplissez au moins une ligne, ou vérifiez que vous avez déposé le bon fichier."),
    ]  # fmt: skip


def test_too_many_rows(lookup):
    small = Lookup(lookup.indicators, lookup.aliases, lookup.territories, lookup.ambitions, ImportLimits(lignes_max=3))
    validated = check(small, [[COUNT, "71", 2020 + i, 1, i] for i in range(4)])
    assert problems(validated) == [
        (
            "valeurs",
            None,
            "",
            "",
            "La feuille compte plus de 3 lignes de données.",
            "Découpez les données en plusieurs fichiers.",
        ),
    ]


def test_the_report_lists_every_problem_at_once(lookup):
    rows = [
        [COUNT, "TAS MP", 2025, 1, 10],
        ["A9-INCONNU", "TAS MP", 2025, 1, 10],
        [COUNT, "Dijon", 2025, 1, 10],
        [COUNT, "TAS MP", 1999, 1, 10],
        [COUNT, "TAS MP", 2025, "mars", 10],
        [COUNT, "TAS CL", 2025, 1, "dix"],
        [COUNT, "TAS CL", 2025, 2, None],
        [COUNT, "TAS MP", 2025, 1, 11],
    ]
    validated = check(lookup, rows)
    assert validated.report.summary() == "6 erreurs et 1 avertissement"
    assert [(ligne, colonne, gravite) for ligne, colonne, gravite in _places(validated)] == [
        (5, "A (code_indicateur)", "erreur"),
        (6, "B (territoire)", "erreur"),
        (7, "C (annee)", "erreur"),
        (8, "D (trimestre)", "erreur"),
        (9, "E (valeur)", "erreur"),
        (11, "A (code_indicateur)", "erreur"),  # repeats row 4
        (10, "E (valeur)", "avertissement"),
    ]
    assert validated.valeurs.empty  # one error: nothing to write
    text = validated.report.to_text()
    assert text.splitlines()[0] == (
        "[erreur] saisie.xlsx, feuille « valeurs », ligne 5, colonne A (code_indicateur) : Ce code d'indicateur "
        "n'existe pas dans le référentiel. (valeur trouvée : « A9-INCONNU ») → Vérifiez le code dans le référentiel "
        "(page Référentiel) ; un nouvel indicateur de contexte se déclare dans la feuille « indicateurs »."
    )


def _places(validated):
    frame = validated.report.frame()
    assert list(frame.columns) == COLUMNS
    return [(int(r.ligne), r.colonne, r.gravite) for r in frame.itertuples(index=False)]


# ------------------------------------------------------------------------------------ sheet « indicateurs »
INDICATOR_HEADER = [
    "code_indicateur",
    "libelle",
    "ambition",
    "unite",
    "nature",
    "agregation",
    "sens",
    "source",
    "definition",
]


def test_context_indicator_declared_and_filled_in_the_same_file(lookup):
    validated = check(
        lookup,
        [["ctx-visites-domicile", "TAS MP", 2025, 1, 40]],
        other_sheets={
            "indicateurs": [
                INDICATOR_HEADER,
                [
                    "CTX-VISITES-DOMICILE",
                    "Visites à domicile",
                    "Ambition 6",
                    "nombre",
                    "Contexte",
                    "somme",
                    "hausse",
                    "SI",
                    "",
                ],
            ]
        },
    )
    assert problems(validated) == []
    assert validated.indicateurs.to_dict("records") == [
        {
            "code": "CTX-VISITES-DOMICILE",
            "libelle": "Visites à domicile",
            "ambition": "A6",
            "unite": "nombre",
            "nature": "contexte",
            "agregation": "somme",
            "additivite": "somme",
            "sens": "hausse",
            "source": "SI",
            "definition": None,
        }
    ]
    assert stored(validated) == [("CTX-VISITES-DOMICILE", "TAS MP", 2025, 1, "valeur", 40.0)]


def test_indicators_sheet_errors(lookup):
    validated = check(
        lookup,
        [[COUNT, "TAS MP", 2025, 1, 40]],
        other_sheets={
            "indicateurs": [
                INDICATOR_HEADER,
                [COUNT, "Réseaux", "1", "nombre", "réalisation", "dernier", "hausse", "", ""],
                ["VISITES", "Visites", "1", "nombre", "contexte", "somme", "hausse", "", ""],
                ["CTX-A", "", "12", "", "inconnue", "somme", "hausse", "", ""],
                ["CTX-B", "B", "1", "nombre", "contexte", "somme", "vers le haut", "", ""],
                ["CTX-B", "B bis", "1", "nombre", "contexte", "somme", "hausse", "", ""],
            ]
        },
    )
    assert [(f, ligne, colonne, message) for f, ligne, colonne, _, message, _ in problems(validated)] == [
        ("indicateurs", 2, "A (code_indicateur)",
         "Cet indicateur appartient au programme : sa définition ne se modifie que dans le référentiel."),
        ("indicateurs", 3, "A (code_indicateur)", "Le code d'un indicateur de contexte doit commencer par CTX-."),
        ("indicateurs", 4, "B (libelle)", "Le libellé est vide."),
        ("indicateurs", 4, "C (ambition)", "L'ambition n'est pas reconnue."),
        ("indicateurs", 4, "D (unite)", "L'unité est vide."),
        ("indicateurs", 4, "E (nature)", "Valeur non permise pour « nature »."),
        ("indicateurs", 5, "G (sens)", "Valeur non permise pour « sens »."),
        ("indicateurs", 6, "A (code_indicateur)", "Cet indicateur est déjà défini ligne 5."),
    ]  # fmt: skip
    advice = {(ligne, colonne): conseil for _, ligne, colonne, _, _, conseil in problems(validated)}
    assert advice[(4, "C (ambition)")] == "Saisissez le numéro de l'ambition (1 à 8)."
    assert advice[(5, "G (sens)")] == "Saisissez l'une de : hausse, baisse, neutre."


# ------------------------------------------------------------------------------------------------------ CSV
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_csv_file_with_short_lines_and_french_text(lookup, csv_file, encoding):
    path = csv_file(
        [
            [COUNT, "Mâcon - Paray-le-Monial", "2025", "1er trimestre", "1 234", "données du SI"],
            [PERCENT, "Département", "2025", "", "12,5 %"],  # a short line: no comment
            [COUNT, "Chalon", "2025", "T2"],  # shorter still: no value, skipped with a warning
        ],
        header=["Code indicateur", "Territoire", "Année", "Trimestre", "Valeur", "Commentaire"],
        encoding=encoding,
    )
    validated = validate_workbook(read_workbook(path), lookup)
    assert [(ligne, colonne, message) for _, ligne, colonne, _, message, _ in problems(validated)] == [
        (4, "E (valeur)", "La valeur est vide : la ligne est ignorée (aucune valeur enregistrée n'est effacée)."),
    ]
    assert stored(validated) == [(COUNT, "TAS MP", 2025, 1, "valeur", 1234.0), (PERCENT, "71", 2025, 0, "valeur", 12.5)]
    assert validated.valeurs["commentaire"].tolist() == ["données du SI", None]
