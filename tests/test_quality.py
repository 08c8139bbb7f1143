"""Data quality on a hand-built database: the completeness grid's exact percentages, atypical changes, a TAS
above the département, a département that is not the sum of its TAS, and the links to the indicators."""

from __future__ import annotations

import pandas as pd
import pytest

from sus_data import quality, views
from sus_data.config import get_config
from sus_data.ingest import Upload, import_files
from sus_data.referential import Referentiel, write_referentiel
from sus_data.store import Store, create_schema

FLUX = "A1-O1-Obj1-Ac1-I1"  # nombre, sum of quarters, adds up: expected per TAS (3 pairs)
DEP = "A1-O1-Obj1-Ac1-I2"  # nombre, does not add up: expected for the département only (1 pair)
TAUX = "A2-O1-Obj1-Ac1-I1"  # %, mean of quarters: expected per TAS and for the département (4 pairs)
QUALI = "A2-O1-Obj1-Ac1-I2"  # qualitative: never expected

# 2025: FLUX arrives for TAS MP (T1) and TAS CL (T2), and for TAS MALC through its three sectors (T1);
# TAUX for the département (yearly value) and TAS MP (T3); DEP never.
# 2024: FLUX département stored at 40 while its TAS make 46 + 20 + 30 = 96 (TAS MP above it, sum differs).
# TAS MP's quarters rise by 1 each quarter, then jump by 45 in T3 2025 (an atypical change).
VALUES = f"""code_indicateur;territoire;annee;trimestre;valeur
{FLUX};TAS MP;2024;1;10
{FLUX};TAS MP;2024;2;11
{FLUX};TAS MP;2024;3;12
{FLUX};TAS MP;2024;4;13
{FLUX};TAS MP;2025;1;14
{FLUX};TAS MP;2025;2;15
{FLUX};TAS MP;2025;3;60
{FLUX};TAS CL;2024;;20
{FLUX};TAS MALC;2024;;30
{FLUX};71;2024;;40
{FLUX};TAS CL;2025;2;21
{FLUX};AUTUN;2025;1;7
{FLUX};LE CREUSOT;2025;1;8
{FLUX};MONTCEAU;2025;1;9
{TAUX};71;2025;;12,5
{TAUX};TAS MP;2025;3;20
"""


def _referential() -> Referentiel:
    noeuds = pd.DataFrame(
        [
            ("A1", "", "ambition", "1", "Première ambition", "Première", ""),
            ("A1-O1", "A1", "orientation", "1", "Orientation un", "", ""),
            ("A1-O1-Obj1", "A1-O1", "objectif", "1", "Objectif un", "", ""),
            ("A1-O1-Obj1-Ac1", "A1-O1-Obj1", "action", "1", "Action un", "", "PA1"),
            ("A2", "", "ambition", "2", "Deuxième ambition", "Deuxième", ""),
            ("A2-O1", "A2", "orientation", "1", "Orientation deux", "", ""),
            ("A2-O1-Obj1", "A2-O1", "objectif", "1", "Objectif deux", "", ""),
            ("A2-O1-Obj1-Ac1", "A2-O1-Obj1", "action", "1", "Action deux", "", "PA1"),
        ],
        columns=["code", "parent", "niveau", "numero", "libelle", "libelle_court", "programmes"],
    )
    for column in ("role", "beneficiaires", "directions", "partenaires", "demarches_partenaires", "remarque"):
        noeuds[column] = ""
    indicateurs = pd.DataFrame(
        [
            (FLUX, "Flux", "A1-O1-Obj1-Ac1", "nombre", "réalisation", "somme", "somme", "hausse"),
            (DEP, "Événement départemental", "A1-O1-Obj1-Ac1", "nombre", "réalisation", "somme", "aucune", "hausse"),
            (TAUX, "Taux", "A2-O1-Obj1-Ac1", "%", "réalisation", "moyenne", "aucune", "hausse"),
            (QUALI, "Appréciation", "A2-O1-Obj1-Ac1", "qualitatif", "réalisation", "aucune", "aucune", "neutre"),
        ],
        columns=["code", "libelle", "noeud", "unite", "nature", "agregation", "additivite", "sens"],
    )
    indicateurs["source"] = indicateurs["definition"] = indicateurs["secret_seuil"] = ""
    programmes = pd.DataFrame(
        [("PA1", "Programme d'actions n°1", "2024", "2024", "en cours", "")],
        columns=["code", "libelle", "annee_debut", "annee_fin", "statut", "source"],
    )
    return Referentiel(
        programmes=programmes,
        noeuds=noeuds,
        liens=pd.DataFrame(columns=["code_source", "code_cible", "libelle_source", "remarque"]),
        indicateurs=indicateurs,
        sigles=pd.DataFrame(columns=["sigle", "definition"]),
    )


@pytest.fixture(scope="module")
def hand_built(tmp_path_factory):
    path = tmp_path_factory.mktemp("qualite") / "qualite.duckdb"
    store = Store(path)
    config = get_config()
    with store.write(create=True) as con:
        create_schema(con)
        write_referentiel(con, _referential(), config)
    import_files(store, config, [Upload(VALUES.encode("utf-8"), "qualite.csv")], "test")
    return store


@pytest.fixture
def con(hand_built):
    with hand_built.read() as connection:
        yield connection


def test_yearly_grid_counts_a_year_as_arrived_when_any_quarter_has(con):
    grid = quality.completeness(con, get_config(), 2025, 0)
    assert (grid["attendues"], grid["recues"], grid["taux"]) == (8, 5, 62.5)
    assert grid["grid"].to_dict("records") == [
        {
            "Ambition": "1. Première",
            "Département": "0 / 1 (0\u00a0%)",
            "TAS MP": "1 / 1 (100\u00a0%)",
            "TAS CL": "1 / 1 (100\u00a0%)",
            "TAS MALC": "1 / 1 (100\u00a0%)",  # its three sectors sent their figures: the TAS is their sum
            "Ensemble": "3 / 4 (75\u00a0%)",
        },
        {
            "Ambition": "2. Deuxième",
            "Département": "1 / 1 (100\u00a0%)",
            "TAS MP": "1 / 1 (100\u00a0%)",
            "TAS CL": "0 / 1 (0\u00a0%)",
            "TAS MALC": "0 / 1 (0\u00a0%)",
            "Ensemble": "2 / 4 (50\u00a0%)",
        },
    ]
    data = grid["grid_data"].set_index(["Ambition", "Territoire"])
    assert data.loc[("1. Première", "Ensemble"), "Taux de réception (%)"] == 75.0
    assert data.loc[("2. Deuxième", "TAS CL"), "Reçues"] == 0


def test_quarterly_grid_counts_the_quarter_only(con):
    grid = quality.completeness(con, get_config(), 2025, 1)
    assert (grid["attendues"], grid["recues"], grid["taux"]) == (8, 2, 25.0)
    rows = {row["Ambition"]: row for row in grid["grid"].to_dict("records")}
    assert rows["1. Première"]["Ensemble"] == "2 / 4 (50\u00a0%)"  # TAS CL sent T2 only
    assert rows["2. Deuxième"]["Ensemble"] == "0 / 4 (0\u00a0%)"  # a yearly value is not a quarter


def test_detail_grid_says_received_missing_or_not_expected(con):
    view = views.quality_view(con, 2025, 0)
    first = view["details"][0]
    assert first["titre"] == "1. Première"
    assert first["grille"].to_dict("records") == [
        {"Code": FLUX, "Indicateur": "Flux", "Département": "", "TAS MP": "✔ reçue", "TAS CL": "✔ reçue",
         "TAS MALC": "✔ reçue"},
        {"Code": DEP, "Indicateur": "Événement départemental", "Département": "✘ manquante", "TAS MP": "",
         "TAS CL": "", "TAS MALC": ""},
    ]  # fmt: skip
    assert QUALI not in set(view["details"][1]["grille"]["Code"])


def test_an_atypical_change_is_flagged_with_the_usual_change(con):
    view = views.quality_view(con, 2025, 3)
    shown = view["atypiques"]["display"]
    assert shown.to_dict("records") == [
        {
            "Code": FLUX,
            "Indicateur": "Flux",
            "Territoire": "TAS MP",
            "Valeur": "60",
            "Période précédente": "15",
            "Évolution": "+45",
            "Évolution habituelle": "1 ± 0",
        }
    ]
    assert views.quality_view(con, 2025, 2)["atypiques"]["display"].empty  # +1, as usual


def test_tas_above_the_departement_and_departement_not_the_sum_of_its_tas(con):
    view = views.quality_view(con, 2024, 0)
    assert view["tas_au_dessus"]["display"].to_dict("records") == [
        {"Code": FLUX, "Indicateur": "Flux", "TAS": "TAS MP", "Valeur du TAS": "46", "Valeur du département": "40"}
    ]
    assert view["somme_tas"]["display"].to_dict("records") == [
        {"Code": FLUX, "Indicateur": "Flux", "Département (valeur reçue)": "40", "Somme des TAS": "96", "Écart": "-56"}
    ]
    assert view["somme_tas"]["data"]["Écart"].tolist() == [-56.0]
    # Each flagged indicator once, with its label: the page links to its fiche.
    assert view["liens"] == [(FLUX, "Flux")]


@pytest.mark.parametrize("threshold", [1.0, 3.5])
def test_duckdb_and_pandas_flag_the_same_atypical_changes(demo_db, threshold):
    """The Qualité page computes atypical changes in DuckDB over the copy's derived series; the pandas
    computation over the same series gives the same flags, medians and spreads."""
    from sus_data.snapshot import open_snapshot

    snapshot = open_snapshot(Store(demo_db))
    try:
        cursor = snapshot.cursor()
        flagged = 0
        columns = ["indicateur", "territoire", "valeur", "precedente", "evolution", "median", "spread"]
        for annee, trimestre in [(2025, 0), (2024, 0), (2025, 2), (2024, 3), (2023, 4)]:
            by_sql = quality.outliers(cursor, annee, trimestre, threshold)
            frame = quality._series(cursor, trimestre)
            by_pandas = quality.outliers(cursor, annee, trimestre, threshold, frame=frame)
            pd.testing.assert_frame_equal(
                by_sql[columns].reset_index(drop=True),
                by_pandas[columns].reset_index(drop=True),
                check_dtype=False,
                check_exact=False,
                rtol=1e-9,
            )
            flagged += len(by_sql)
        assert flagged > 5
    finally:
        snapshot.close()
