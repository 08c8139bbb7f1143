"""Targets and progress: the `cibles` sheet, statuses of rising and falling indicators, missing targets, and
the CALPAE 2022 objectives of seed 002 against their achieved values."""

from __future__ import annotations

import pytest
from conftest import CONTRACT_HEADER, workbook_bytes

from sus_data import evaluation, queries
from sus_data.errors import ImportRejected
from sus_data.filters import Filters
from sus_data.ingest import Upload, import_files, rollback

NBSP = "\u00a0"
RISING = "CTX-TEST-HAUSSE"  # nombre, rising: baseline 100 in 2023, target 200 in 2027
FALLING = "CTX-TEST-BAISSE"  # %, falling: baseline 40 % in 2023, target 20 % in 2027
NO_TARGET = "CTX-TEST-SANS-CIBLE"  # a baseline, no target
INDICATORS = [
    ["code_indicateur", "libelle", "ambition", "unite", "nature", "agregation", "additivite", "sens"],
    [RISING, "Personnes accompagnées", 5, "nombre", "résultat", "somme", "somme", "hausse"],
    [FALLING, "Part des demandes en attente", 5, "%", "résultat", "moyenne", "aucune", "baisse"],
    [NO_TARGET, "Délai moyen", 5, "jours", "résultat", "moyenne", "aucune", "baisse"],
]
VALUES = [
    [RISING, "TAS MP", 2025, None, 150],  # half the way after half the time: on track
    [RISING, "TAS CL", 2025, None, 130],  # 30 % of the way after 50 % of the time: late
    [RISING, "TAS MALC", 2025, None, 210],  # reached
    [FALLING, "TAS MP", 2025, None, "25 %"],  # 75 % of the way: on track
    [FALLING, "TAS CL", 2025, None, "19 %"],  # below the target: reached
    [FALLING, "TAS MALC", 2025, None, "38 %"],  # 10 % of the way: late
    [NO_TARGET, "TAS MP", 2025, None, 30],
]
TARGETS = [
    ["code_indicateur", "territoire", "annee", "cible", "reference", "annee_reference"],
    *[[RISING, t, 2027, 200, 100, 2023] for t in ("TAS MP", "TAS CL", "TAS MALC")],
    *[[FALLING, t, 2027, "20 %", "40 %", 2023] for t in ("TAS MP", "TAS CL", "TAS MALC")],
    [NO_TARGET, "TAS MP", None, None, 45, 2023],
]


def _import(store, config, targets=TARGETS, name="cibles.xlsx"):
    data = workbook_bytes(VALUES, header=CONTRACT_HEADER, other_sheets={"indicateurs": INDICATORS, "cibles": targets})
    return import_files(store, config, [Upload(data, name)], "test")


def test_targets_and_baselines_are_stored_as_yearly_values(store, config, query):
    [result] = _import(store, config)
    assert query(
        "SELECT mesure, annee, trimestre, valeur FROM valeur WHERE indicateur = ? AND territoire = 'TAS MP' ORDER BY mesure",
        RISING,
    ) == [("cible", 2027, 0, 200.0), ("reference", 2023, 0, 100.0), ("valeur", 2025, 0, 150.0)]
    assert query("SELECT count(*) FROM valeur WHERE mesure = 'reference'") == [(7,)]
    # Undone like any import: the targets and baselines go with it.
    rollback(store, result.operation_id, "test")
    assert query(
        "SELECT count(*) FROM valeur WHERE mesure IN ('cible', 'reference') AND indicateur LIKE 'CTX-TEST-%'"
    ) == [(0,)]


@pytest.mark.parametrize(
    ("code", "territoire", "statut", "shown"),
    [
        (RISING, "TAS MP", "en bonne voie", "150 (2025)"),
        (RISING, "TAS CL", "en retard", "130 (2025)"),
        (RISING, "TAS MALC", "atteint", "210 (2025)"),
        (FALLING, "TAS MP", "en bonne voie", f"25{NBSP}% (2025)"),
        (FALLING, "TAS CL", "atteint", f"19{NBSP}% (2025)"),
        (FALLING, "TAS MALC", "en retard", f"38{NBSP}% (2025)"),
        (NO_TARGET, "TAS MP", "sans cible", f"30{NBSP}jours (2025)"),
    ],
)
def test_status_follows_the_desired_direction(store, config, code, territoire, statut, shown):
    _import(store, config)
    with store.read() as con:
        view = evaluation.progress_view(con, 2025, territoire)
    section = next(s for s in view["sections"] if s["code"] == "A5")
    row = section["display"].set_index("Code").loc[code]
    assert row["Statut"] == f"{evaluation.progress.ICONS[statut]} {statut}"
    assert row["Dernière valeur"] == shown


def test_rising_indicator_row_in_full(store, config):
    _import(store, config)
    with store.read() as con:
        view = evaluation.progress_view(con, 2025, "TAS MP")
    section = next(s for s in view["sections"] if s["code"] == "A5")
    assert section["display"].set_index("Code").loc[RISING].to_dict() == {
        "Indicateur": "Personnes accompagnées",
        "Sens souhaité": "à la hausse",
        "Référence": "100 (2023)",
        "Dernière valeur": "150 (2025)",
        "Cible": "200 (2027)",
        "Chemin parcouru": f"50{NBSP}%",
        "Statut": "↗ en bonne voie",
    }
    data = section["data"].set_index("Code").loc[RISING]
    assert (data["Valeur de référence"], data["Dernière valeur"], data["Cible"], data["Année de la cible"]) == (
        100.0,
        150.0,
        200.0,
        2027,
    )


def test_a_missing_value_and_the_counts_per_ambition(store, config):
    _import(store, config)
    with store.read() as con:
        rows = evaluation.progress_rows(con, 2025, "TAS MP", tolerance=0.9)
        counts = evaluation.progress_view(con, 2025, "TAS MP")["counts"].set_index("Code")
        # Before its first value, an indicator with a target has no value to judge.
        early = evaluation.progress_rows(con, 2024, "TAS MP", tolerance=0.9).set_index("code")
    assert set(rows["code"]) == {RISING, FALLING, NO_TARGET}
    assert early.loc[RISING, "statut"] == "pas de valeur"
    assert counts.loc["A5"].to_dict() == {
        "Ambition": "5. Action sociale départementale",
        "✔ atteint": 0,
        "↗ en bonne voie": 2,
        "⚠ en retard": 0,
        "○ sans cible": 1,
        "? pas de valeur": 0,
        "– sans objet": 0,
        "Total": 3,
    }


def test_a_2027_target_is_not_the_current_period_of_the_overview(store, config):
    _import(store, config)
    with store.read() as con:
        assert queries.completeness_by_ambition(con, Filters())[None]["periode"] == "2025"


CALPAE = {
    # code: (achieved 2022, objective 2022, status) — seed 002, CALPAE 2022, annex A and action sheets
    "CTX-PASI-TAUX-COUVERTURE": (92.0, 95.0, "en retard"),
    "CTX-PASI-STRUCTURES-ENGAGEES": (40.0, 50.0, "en retard"),
    "CTX-INFOPUBLIC-CONTRIBUTEURS": (49.0, 60.0, "en retard"),
    "CTX-RSA-AG-DELAI-DEMARRAGE": (17.0, 21.0, "atteint"),  # days, falling: below 21 is reached
    "CTX-RSA-AG-PERSONNES-PAR-CONSEILLER": (56.0, 70.0, "sans objet"),  # no desired direction
    "CTX-RSA-TAUX-ORIENTES-1MOIS": (None, 80.0, "pas de valeur"),  # the source gives no achieved rate
}


def test_calpae_2022_objectives_against_their_achieved_values(store):
    with store.read() as con:
        rows = evaluation.progress_rows(con, 2022, "71", tolerance=0.9).set_index("code")
    for code, (achieved, objective, statut) in CALPAE.items():
        row = rows.loc[code]
        assert row["annee_cible"] == 2022, code
        assert row["cible"] == objective, code
        assert (None if row["valeur"] != row["valeur"] else row["valeur"]) == achieved, code
        assert row["statut"] == statut, code
    assert rows.loc["CTX-PASI-TAUX-COUVERTURE", "reference"] == 80.0  # first value, 2018
    assert rows.loc["CTX-PASI-TAUX-COUVERTURE", "annee_reference"] == 2018


def test_calpae_counts_and_display_in_2022(store):
    with store.read() as con:
        view = evaluation.progress_view(con, 2022, "71")
    counts = view["counts"].set_index("Code")
    assert counts.loc["A2", ["⚠ en retard", "? pas de valeur", "Total"]].tolist() == [2, 4, 6]
    assert counts.loc["A8", ["✔ atteint", "? pas de valeur", "– sans objet", "Total"]].tolist() == [1, 12, 1, 14]
    a2 = next(s for s in view["sections"] if s["code"] == "A2")["display"].set_index("Code")
    assert a2.loc["CTX-PASI-TAUX-COUVERTURE", ["Référence", "Dernière valeur", "Cible", "Statut"]].tolist() == [
        f"80{NBSP}% (2018)",
        f"92{NBSP}% (2022)",
        f"95{NBSP}% (2022)",
        "⚠ en retard",
    ]
    # Later years keep showing the 2022 objective against the 2022 value: nothing newer was set.
    with store.read() as con:
        later = evaluation.progress_rows(con, 2025, "71").set_index("code")
    assert later.loc["CTX-RSA-AG-DELAI-DEMARRAGE", ["annee_cible", "annee_valeur", "statut"]].tolist() == [
        2022,
        2022,
        "atteint",
    ]


def test_targets_sheet_problems_are_reported_with_their_place(store, config, db_digest):
    before = db_digest()
    bad = [
        ["code_indicateur", "territoire", "annee", "cible", "reference", "annee_reference"],
        ["A1-O1-Obj1-Ac1-I9", "TAS MP", 2027, 10, None, None],
        ["A1-O1-Obj1-Ac1-I1", "TAS MP", 2027, -3, None, None],
        ["A1-O1-Obj1-Ac1-I1", "TAS CL", 2027, 10, 5, None],
        ["A1-O1-Obj1-Ac1-I1", "TAS MALC", 2027, 10, None, None],
        ["A1-O1-Obj1-Ac1-I1", "Malc", 2027, 12, None, None],
    ]
    with pytest.raises(ImportRejected) as caught:
        import_files(store, config, [Upload(workbook_bytes([], other_sheets={"cibles": bad}), "cibles.xlsx")], "test")
    frame = caught.value.report.frame()
    errors = frame[frame["feuille"] == "cibles"][["ligne", "colonne", "valeur", "message"]].to_dict("records")
    assert errors == [
        {"ligne": 2, "colonne": "A (code_indicateur)", "valeur": "A1-O1-Obj1-Ac1-I9",
         "message": "Ce code d'indicateur n'existe pas dans le référentiel."},
        {"ligne": 3, "colonne": "D (cible)", "valeur": "-3", "message": "Un comptage ne peut pas être négatif."},
        {"ligne": 4, "colonne": "F (annee_reference)", "valeur": "", "message": "La valeur de référence n'a pas d'année."},
        {"ligne": 6, "colonne": "D (cible)", "valeur": "12",
         "message": "Cette cible (indicateur, territoire, année) figure déjà ligne 5."},
    ]  # fmt: skip
    assert db_digest() == before
