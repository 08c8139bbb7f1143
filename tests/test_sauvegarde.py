"""`backup`, `restore` and `check` (sus_data/backup.py, check.py, the command line).

A restored database must export exactly the same values and history as the one saved; a damaged or
foreign backup is refused before anything is replaced; `check` finds what an inconsistent database
holds and says it in French.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import COUNT, MILESTONE, workbook_bytes

from sus_data.ingest import Upload, import_files, rollback

USER = "agent.sauvegarde"


def _activity(store, config):
    """Imports, a rollback and a re-import: a history with every kind of movement."""
    import_files(
        store,
        config,
        [Upload(workbook_bytes([[COUNT, "TAS MP", 2026, 1, 40], [MILESTONE, "71", 2026, 1, "oui"]]), "a.xlsx")],
        USER,
    )
    import_files(
        store,
        config,
        [Upload(workbook_bytes([[COUNT, "TAS MP", 2026, 1, 41], [COUNT, "TAS CL", 2025, 1, 7]]), "b.xlsx")],
        USER,
    )
    rollback(store, 6, USER)
    import_files(store, config, [Upload(workbook_bytes([[COUNT, "TAS MALC", 2026, 2, 3]]), "=HYPERLINK(x).xlsx")], USER)


def test_a_restored_database_exports_exactly_the_same_values_and_history(store, config, run_cli, tmp_path):
    _activity(store, config)
    backup = tmp_path / "sauvegardes" / "2026-01-02"
    made = run_cli("backup", "--out", backup)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"Sauvegarde écrite dans {backup} : ")
    restored_db = tmp_path / "ailleurs" / "restauree.duckdb"
    restored = run_cli("restore", backup, "--db", restored_db)
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith(f"Base {restored_db} restaurée : ")
    for args in (["export"], ["export", "--history"]):
        first = run_cli(*args, "--out", tmp_path / "origine.csv")
        second = run_cli(*args, "--out", tmp_path / "restauree.csv", "--db", restored_db)
        assert first.returncode == second.returncode == 0
        assert (tmp_path / "origine.csv").read_bytes() == (tmp_path / "restauree.csv").read_bytes(), args
    assert run_cli("imports").stdout == run_cli("imports", "--db", restored_db).stdout
    assert run_cli("check", "--db", restored_db).returncode == 0


def test_the_manifest_lists_every_file_with_its_digest_and_the_rows(store, config, run_cli, tmp_path, query):
    backup = tmp_path / "sauvegarde"
    assert run_cli("backup", "--out", backup).returncode == 0
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "sauvegarde-sus-duckdb"
    assert manifest["version_schema"] == "1"
    assert manifest["lignes"]["valeur"] == query("SELECT count(*) FROM valeur")[0][0]
    assert manifest["lignes"]["operation"] == 4
    files = sorted(p.name for p in backup.iterdir() if p.name != "manifest.json")
    assert sorted(manifest["fichiers"]) == files
    assert {"schema.sql", "load.sql", "valeur.parquet", "historique.parquet", "operation.parquet"} <= set(files)
    for name, digest in manifest["fichiers"].items():
        assert hashlib.sha256((backup / name).read_bytes()).hexdigest() == digest


def test_backup_refuses_a_folder_that_is_not_empty(run_cli, tmp_path):
    folder = tmp_path / "occupe"
    folder.mkdir()
    (folder / "autre.txt").write_text("à garder")
    result = run_cli("backup", "--out", folder)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Le dossier {folder} existe déjà et n'est pas vide")
    assert [p.name for p in folder.iterdir()] == ["autre.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no scratch folder left


def test_restore_refuses_to_replace_a_database_without_force(run_cli, db_path, db_digest, tmp_path):
    backup = tmp_path / "sauvegarde"
    assert run_cli("backup", "--out", backup).returncode == 0
    before = db_digest()
    result = run_cli("restore", backup)
    assert result.returncode == 1
    assert result.stderr == (
        f"La base {db_path} existe déjà : rien n'a été changé. Pour la remplacer par la sauvegarde, relancez avec "
        "--force (l'ancienne base sera conservée à côté, renommée).\n"
    )
    assert db_digest() == before


def test_restore_with_force_keeps_the_replaced_database_aside(store, config, run_cli, db_path, tmp_path, query):
    backup = tmp_path / "sauvegarde"
    assert run_cli("backup", "--out", backup).returncode == 0
    import_files(store, config, [Upload(workbook_bytes([[COUNT, "TAS MP", 2026, 1, 40]]), "apres.xlsx")], USER)
    assert query("SELECT count(*) FROM operation")[0][0] == 5
    result = run_cli("restore", backup, "--force")
    assert result.returncode == 0, result.stderr
    assert query("SELECT count(*) FROM operation")[0][0] == 4  # the state of the backup
    [kept] = [p for p in db_path.parent.iterdir() if ".remplacee-" in p.name and not p.name.endswith(".wal")]
    assert result.stdout.rstrip().endswith(f"L'ancienne base est conservée sous {kept.name}.")
    from sus_data.store import Store

    with Store(kept).read() as con:
        assert con.execute("SELECT count(*) FROM operation").fetchone()[0] == 5


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda b: (b / "valeur.parquet").write_bytes((b / "valeur.parquet").read_bytes()[:-10] + b"0123456789"),
         "est altérée : le fichier valeur.parquet ne correspond plus à son empreinte."),
        (lambda b: (b / "operation.parquet").unlink(), "est incomplète : le fichier operation.parquet manque."),
        (lambda b: (b / "manifest.json").unlink(), "n'est pas une sauvegarde de l'outil (manifest.json manquant)."),
        (lambda b: (b / "manifest.json").write_text("{pas du json"), "est endommagée."),
    ],
    ids=["fichier altéré", "fichier manquant", "sans manifeste", "manifeste illisible"],
)  # fmt: skip
def test_a_spoiled_backup_is_refused_and_nothing_is_replaced(run_cli, db_digest, tmp_path, spoil, message):
    backup = tmp_path / "sauvegarde"
    assert run_cli("backup", "--out", backup).returncode == 0
    spoil(backup)
    before = db_digest()
    result = run_cli("restore", backup, "--force")
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert db_digest() == before
    target = tmp_path / "neuve.duckdb"
    assert run_cli("restore", backup, "--db", target).returncode == 1
    assert not target.exists()


def test_restore_of_a_folder_that_does_not_exist(run_cli, tmp_path):
    result = run_cli("restore", tmp_path / "nulle_part", "--db", tmp_path / "x.duckdb")
    assert (result.returncode, result.stderr) == (
        1,
        f"Le dossier de sauvegarde {tmp_path / 'nulle_part'} n'existe pas.\n",
    )


# -------------------------------------------------------------------------------------------------- check
def test_check_passes_on_a_database_made_by_init_and_used(store, config, run_cli):
    _activity(store, config)
    result = run_cli("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Base cohérente (")


SPOILS = {
    "clé en double": (
        "INSERT INTO valeur SELECT * FROM valeur WHERE operation = 4 LIMIT 1",
        "1 valeur(s) en double pour la même clé (indicateur, territoire, année, trimestre, mesure)",
    ),
    "indicateur inconnu": (
        "UPDATE valeur SET indicateur = 'X-INCONNU' WHERE rowid IN (SELECT rowid FROM valeur LIMIT 1)",
        "1 valeur(s) d'un indicateur absent du référentiel : (X-INCONNU).",
    ),
    "territoire inconnu": (
        "UPDATE valeur SET territoire = 'DIJON' WHERE rowid IN (SELECT rowid FROM valeur LIMIT 2)",
        "1 valeur(s) d'un territoire inconnu : (DIJON).",
    ),
    "opération inconnue": (
        "UPDATE valeur SET operation = 99 WHERE rowid IN (SELECT rowid FROM valeur LIMIT 1)",
        "1 valeur(s) posée(s) par une opération qui n'existe pas : (99).",
    ),
    "valeur changée hors import": (
        "UPDATE valeur SET valeur = valeur + 1 WHERE rowid IN (SELECT rowid FROM valeur LIMIT 3)",
        "3 valeur(s) sans trace dans l'historique de l'opération qui les a posées",
    ),
    "compte d'un import faux": (
        "UPDATE operation SET nb_nouvelles = nb_nouvelles + 1 WHERE id = 4",
        "1 opération(s) dont les nombres de valeurs nouvelles ou modifiées diffèrent de l'historique : (4, demo, ",
    ),
    "historique orphelin": (
        "UPDATE historique SET ancienne_operation = 77 WHERE rowid IN (SELECT rowid FROM historique LIMIT 1)",
        "1 ligne(s) d'historique dont l'opération précédente n'existe pas",
    ),
    "annulation sans import": (
        "UPDATE operation SET annule_par = 3 WHERE id = 4",
        "annulation(s) qui ne correspondent pas à l'import annulé (annule / annule_par)",
    ),
    "parent disparu": (
        "UPDATE noeud SET parent = 'A9' WHERE code = 'A1-O1'",
        "1 nœud(s) dont le parent n'existe pas : (A1-O1, A9).",
    ),
    "alias orphelin": (
        "INSERT INTO territoire_alias VALUES ('dijon', 'DIJON')",
        "1 alias de territoire(s) vers un territoire qui n'existe pas : (dijon, DIJON).",
    ),
    "statut hors vocabulaire": (
        "UPDATE suivi_action SET statut = 'fini' WHERE rowid IN (SELECT rowid FROM suivi_action LIMIT 1)",
        "1 statut(s) d'action hors du vocabulaire (non démarrée, en cours, réalisée, abandonnée, reportée) : (fini).",
    ),
    "statut changé hors import": (
        "UPDATE suivi_action SET statut = 'abandonnée' WHERE rowid IN (SELECT rowid FROM suivi_action LIMIT 1)",
        "1 statut(s) d'action sans trace dans l'historique du suivi de l'opération qui les a posés",
    ),
    "statut d'un territoire inconnu": (
        (
            "INSERT INTO suivi_action SELECT action, 'DIJON', annee, statut, date_statut, commentaire, operation "
            "FROM suivi_action LIMIT 1"
        ),
        "1 statut(s) d'action d'un territoire inconnu : (DIJON).",
    ),
    "périmètre d'une action inconnue": (
        "INSERT INTO perimetre_action SELECT 'A9-O1-Obj1-Ac1', 'TAS MP', min(id) FROM operation",
        "1 périmètre(s) d'une action absente du référentiel : (A9-O1-Obj1-Ac1).",
    ),
}


@pytest.mark.parametrize("kind", list(SPOILS), ids=list(SPOILS))
def test_check_lists_what_is_inconsistent_in_french(store, run_cli, kind):
    sql, expected = SPOILS[kind]
    with store.write() as con:
        con.execute(sql)
    result = run_cli("check")
    assert result.returncode == 1
    assert result.stdout == ""
    first, *problems = result.stderr.strip().splitlines()
    assert first.startswith("Base incohérente : ")
    assert any(expected in p for p in problems), result.stderr


def test_check_reads_every_block_of_a_damaged_file(db_path, run_cli):
    """Bytes changed inside a data block: DuckDB's checksum catches it when check reads the block back."""
    from sus_data.store import Store

    with Store(db_path).read() as con:
        blocks = con.execute(
            "SELECT DISTINCT block_id FROM pragma_storage_info('valeur') WHERE block_id >= 0"
        ).fetchall()
        block_size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
    assert blocks
    data = bytearray(db_path.read_bytes())
    header = 3 * 4096  # the file header, then the two database headers
    block = blocks[len(blocks) // 2][0]
    at = header + block * block_size + 100
    data[at : at + 64] = bytes(64)
    db_path.write_bytes(bytes(data))
    result = run_cli("check")
    assert result.returncode == 1
    assert "endommagée" in result.stderr or "ne se relit pas" in result.stderr, result.stderr
