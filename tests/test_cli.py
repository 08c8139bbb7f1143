"""The command line, as the observatory runs it: `python -m sus_data …` in a subprocess (sus_data/cli.py,
exports.py, catalogue.py). Exit codes: 0 done, 1 rejected or refused (reason on stderr, nothing written),
2 usage error."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from conftest import CONTEXT, COUNT, COUNT_NOT_ADDITIVE, PERCENT, read_export
from conftest import CONTRACT_HEADER as HEADER

from sus_data.ingest import Upload, import_files

TERRITORIES = "71, TAS MP, TAS CL, TAS MALC, AUTUN, LE CREUSOT, MONTCEAU, CHALON, LOUHANS, MACON, PARAY, BFC, FRANCE"


def test_import_prints_the_counts_and_the_warnings(run_cli, xlsx, query):
    path = xlsx(
        [[COUNT, "Mâcon - Paray-le-Monial", 2026, "T1", "1 234"], [COUNT, "TAS CL", 2026, 1, None]], name="T1.xlsx"
    )
    result = run_cli("import", path, "--user", "agent")
    assert result.returncode == 0
    assert (
        result.stdout
        == "T1.xlsx : import n°5 — 1 nouvelle(s), 0 modifiée(s), 0 inchangée(s), 1 ligne(s) vide(s) ignorée(s).\n"
    )
    assert result.stderr == (
        "[avertissement] T1.xlsx, feuille « valeurs », ligne 5, colonne E (valeur) : La valeur est vide : la ligne est "
        "ignorée (aucune valeur enregistrée n'est effacée). → Rien à faire si la valeur n'est pas encore connue ; "
        "sinon saisissez-la.\n"
    )
    assert query("SELECT valeur, operation FROM valeur WHERE annee = 2026") == [(1234.0, 5)]
    assert query("SELECT utilisateur FROM operation WHERE id = 5") == [("agent",)]


def test_rejected_import_exits_1_with_the_report_on_stderr_and_writes_nothing(run_cli, xlsx, db_digest):
    before = db_digest()
    path = xlsx([[COUNT, "Dijon", 2026, 1, 3], [COUNT, "TAS MP", 2026, "juillet", 4]], name="mauvais.xlsx")
    result = run_cli("import", path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "1 fichier(s) refusé(s) (mauvais.xlsx) : 2 erreurs. Aucune donnée n'a été enregistrée.",
        (
            "[erreur] mauvais.xlsx, feuille « valeurs », ligne 4, colonne B (territoire) : Ce territoire n'est pas "
            f"reconnu. (valeur trouvée : « Dijon ») → Saisissez un code de territoire ({TERRITORIES}) ou son nom complet."
        ),
        (
            "[erreur] mauvais.xlsx, feuille « valeurs », ligne 5, colonne D (trimestre) : Un mois a été saisi à la place "
            "d'un trimestre. (valeur trouvée : « juillet ») → Saisissez le trimestre : « juillet » tombe au T3."
        ),
    ]
    assert db_digest() == before


def test_dry_run_writes_nothing(run_cli, xlsx, db_digest):
    before = db_digest()
    result = run_cli("import", xlsx([[COUNT, "TAS MP", 2026, 1, 3]]), "--dry-run")
    assert result.returncode == 0
    assert result.stdout == (
        "[essai, rien n'est écrit] valeurs.xlsx : aucune modification (0 valeur(s) déjà enregistrée(s) à l'identique).\n"
    )
    assert db_digest() == before


@pytest.mark.parametrize(
    ("args", "stderr_end"),
    [
        ((), None),
        (("bonjour",), "Erreur d'utilisation : argument COMMANDE: choix invalide: 'bonjour'"),
        (("import",), "Erreur d'utilisation : arguments obligatoires manquants: FICHIER\n"),
        (("import", "absent.xlsx"), "Erreur d'utilisation : fichier introuvable : absent.xlsx\n"),
        (("export", "--out", "valeurs.txt"), "Erreur d'utilisation : --out doit finir par .csv ou .xlsx\n"),
        (("rollback", "cinq"), "Erreur d'utilisation : argument IMPORT_ID: nombre entier attendu, reçu: 'cinq'\n"),
    ],
)
def test_usage_errors_exit_2(run_cli, db_digest, args, stderr_end):
    before = db_digest()
    result = run_cli(*args)
    assert result.returncode == 2
    if stderr_end is None:
        assert result.stderr.startswith("usage: python -m sus_data")
    elif stderr_end.endswith("\n"):
        assert result.stderr.endswith(stderr_end)
    else:
        assert stderr_end in result.stderr
    assert db_digest() == before


def test_tests_never_use_the_project_database(db_path, run_cli):
    from sus_data.config import PROJECT_ROOT, get_config

    assert get_config().db_path == db_path
    assert not db_path.is_relative_to(PROJECT_ROOT)
    listing = run_cli("imports")  # without --db: the test's copy (made by init: 4 operations)
    assert listing.stdout.splitlines()[-1].startswith("n°4 ")


def test_missing_database_is_reported(run_cli, tmp_path):
    missing = tmp_path / "absente.duckdb"
    result = run_cli("imports", "--db", missing)
    assert result.returncode == 1
    assert result.stderr == (
        f"La base {missing} n'existe pas encore. Créez-la avec : python -m sus_data init --db {missing} ; "
        f"ou restaurez une sauvegarde : python -m sus_data restore DOSSIER --db {missing}\n"
    )


# -------------------------------------------------------------------------------------------------- export
def _import(store, config, rows, name="valeurs.xlsx", header=HEADER):
    from conftest import workbook_bytes

    return import_files(store, config, [Upload(workbook_bytes(rows, header=header), name)], "agent")


def test_export_csv_for_programs(run_cli, store, config, tmp_path):
    _import(
        store,
        config,
        [
            [COUNT, "Mâcon - Paray-le-Monial", 2026, "T1", "1 234", "+15 % sur le trimestre"],
            [COUNT_NOT_ADDITIVE, "Département", 2026, None, 12, None],
            [PERCENT, "Saône-et-Loire", 2026, 2, "12,5 %", None],
        ],
        header=[*HEADER, "commentaire"],
    )
    out = tmp_path / "export.csv"
    result = run_cli("export", "--out", out)
    assert result.returncode == 0
    rows = read_export(out)
    assert result.stdout == f"{len(rows)} ligne(s) écrites dans {out}\n"
    assert out.read_text(encoding="utf-8").startswith("code_indicateur,territoire,annee,trimestre,valeur")
    mine = {
        (r["code_indicateur"], r["territoire"], r["annee"], r["trimestre"]): r for r in rows if r["annee"] == "2026"
    }
    assert {key: (r["valeur"], r["commentaire"], r["import"]) for key, r in mine.items()} == {
        (COUNT, "TAS MP", "2026", "1"): ("1234.0", "'+15 % sur le trimestre", "5"),  # would be a formula: made inert
        (COUNT_NOT_ADDITIVE, "71", "2026", ""): ("12.0", "", "5"),  # yearly: empty quarter
        (PERCENT, "71", "2026", "2"): ("12.5", "", "5"),  # percent points, dot decimal
    }
    real = next(r for r in rows if r["code_indicateur"] == CONTEXT)
    assert (real["territoire"], real["annee"], real["trimestre"], real["valeur"]) == ("71", "2021", "", "15547.0")


def test_export_history_keeps_every_value_and_what_it_replaced(run_cli, store, config, query, tmp_path):
    old = query(
        "SELECT valeur FROM valeur WHERE indicateur = ? AND territoire = 'TAS MP' AND annee = 2025 AND trimestre = 1",
        COUNT,
    )[0][0]
    _import(store, config, [[COUNT, "TAS MP", 2025, 1, 999]], name="correction.xlsx")
    out = tmp_path / "historique.csv"
    result = run_cli("export", "--out", out, "--history")
    assert result.returncode == 0
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "code_indicateur,territoire,annee,trimestre,valeur,mesure,import,nature,mouvement,ancienne_valeur,"
        "import_precedent,commentaire,source,horodatage,utilisateur,fichier"
    )
    key = [
        r
        for r in read_export(out)
        if (r["code_indicateur"], r["territoire"], r["annee"], r["trimestre"]) == (COUNT, "TAS MP", "2025", "1")
    ]
    assert [(r["import"], r["nature"], r["mouvement"], r["valeur"], r["ancienne_valeur"], r["import_precedent"], r["fichier"]) for r in key] == [
        ("4", "demo", "nouvelle", f"{old}", "", "", "données fictives de démonstration"),
        ("5", "import", "modifiée", "999.0", f"{old}", "4", "correction.xlsx"),
    ]  # fmt: skip


def test_export_xlsx(run_cli, tmp_path):
    out = tmp_path / "export.xlsx"
    result = run_cli("export", "--out", out)
    assert result.returncode == 0
    sheet = openpyxl.load_workbook(out, read_only=True).active
    first = next(sheet.iter_rows(max_row=1, values_only=True))
    assert first[:5] == ("code_indicateur", "territoire", "annee", "trimestre", "valeur")


# ---------------------------------------------------------------------------------------------- referential
def test_referentiel_lists_the_schema_and_its_353_programme_indicators(run_cli, tmp_path):
    out = tmp_path / "referentiel.csv"
    result = run_cli("referentiel", "--out", out)
    assert result.returncode == 0
    counts, written = result.stdout.splitlines()
    assert counts.startswith("8 ambitions, 31 orientations, 112 objectifs, 183 actions, ")
    rows = read_export(out)
    assert written == f"{len(rows)} indicateur(s) écrits dans {out}"
    # The schéma's programme indicators measure its actions; context (CTX-) and other programmes' ones do not.
    schema = [r for r in rows if r["action"] and not r["code_indicateur"].startswith("CTX-")]
    assert len(schema) == 353
    assert len({r["action"] for r in schema}) <= 183
    assert {r["ambition"] for r in schema} == {f"A{n}" for n in range(1, 9)}
    first = rows[0]
    assert (first["code_indicateur"], first["ambition"], first["orientation"], first["objectif"], first["action"]) == (
        "A1-O1-Obj1-Ac1-I1",
        "A1",
        "A1-O1",
        "A1-O1-Obj1",
        "A1-O1-Obj1-Ac1",
    )


# -------------------------------------------------------------------------------------- imports and rollback
def test_imports_lists_every_operation(run_cli, store, config):
    _import(store, config, [[COUNT, "TAS MP", 2026, 1, 3]], name="T1 2026.xlsx")
    result = run_cli("imports")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    date = r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"
    assert re.fullmatch(
        rf"n°1 {date} import « chiffres_cles_2021\.csv » par initialisation : 9 nouvelle\(s\), 0 modifiée\(s\), 0 inchangée\(s\)",
        lines[0],
    )
    assert re.fullmatch(
        rf"n°4 {date} demo « données fictives de démonstration » par initialisation : \d+ nouvelle\(s\), .*", lines[3]
    )
    assert re.fullmatch(
        rf"n°5 {date} import « T1 2026\.xlsx » par agent : 1 nouvelle\(s\), 0 modifiée\(s\), 0 inchangée\(s\)", lines[4]
    )


def test_rollback_from_the_command_line(run_cli, store, config, query):
    before = query("SELECT * FROM valeur ORDER BY ALL")
    _import(store, config, [[COUNT, "TAS MP", 2025, 1, 999], [COUNT, "TAS MP", 2026, 1, 3]])
    result = run_cli("rollback", "5", "--user", "responsable")
    assert result.returncode == 0
    assert result.stdout == (
        "Import n°5 annulé (opération n°6) : 1 valeur(s) restaurée(s) à leur état antérieur, 1 valeur(s) retirée(s).\n"
    )
    assert query("SELECT * FROM valeur ORDER BY ALL") == before
    listing = run_cli("imports").stdout.splitlines()
    assert listing[4].endswith(" — annulé par l'opération n°6")
    assert listing[5].endswith(" — annulation de l'import n°5")

    again = run_cli("rollback", "5")
    assert again.returncode == 1
    assert again.stderr == "L'import n°5 a déjà été annulé (opération n°6).\n"


def test_rapport_writes_the_annual_report_the_suivi_page_offers(run_cli, db_path, tmp_path):
    from sus_data.annual_report import build
    from sus_data.config import get_config
    from sus_data.store import Store

    out = tmp_path / "rapports" / "rapport_2022_tas_mp.xlsx"
    result = run_cli("rapport", "--annee", "2022", "--territoire", "TAS MP", "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Rapport annuel 2022 (TAS Mâcon - Paray-le-Monial) écrit dans {out}\n"
    written = openpyxl.load_workbook(out)
    assert written.sheetnames == ["Synthèse", *[f"Ambition {n}" for n in range(1, 9)]]
    with Store(db_path).read() as con:
        expected = openpyxl.load_workbook(io.BytesIO(build(con, get_config(), 2022, "TAS MP")))
    for name in written.sheetnames:
        cells = [[c.value for c in row] for row in written[name].iter_rows()]
        assert cells == [[c.value for c in row] for row in expected[name].iter_rows()], name


def test_rapport_defaults_to_the_departement_and_refuses_an_unknown_territory(run_cli, tmp_path):
    out = tmp_path / "rapport.xlsx"
    result = run_cli("rapport", "--annee", "2022", "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Rapport annuel 2022 (Saône-et-Loire) écrit dans {out}\n"
    result = run_cli("rapport", "--annee", "2022", "--territoire", "AUTUN", "--out", tmp_path / "autre.xlsx")
    assert result.returncode == 2
    assert result.stderr == (
        "Erreur d'utilisation : territoire inconnu « AUTUN » (le département ou un TAS : 71, TAS MP, TAS CL, "
        "TAS MALC).\n"
    )
    assert not (tmp_path / "autre.xlsx").exists()
