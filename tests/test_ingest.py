"""The import pipeline and its rollback (sus_data/ingest.py, store.py): counts, history, all or nothing,
refused files leaving the database byte for byte unchanged, and several processes at once."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import time
import zipfile

import pandas as pd
import pytest
from conftest import CONFIG_FILE, CONTEXT, COUNT, MILESTONE, PERCENT, ROOT, workbook_bytes
from conftest import CONTRACT_HEADER as HEADER

from sus_data.errors import ImportRejected, RollbackRefused
from sus_data.ingest import Upload, import_files, rollback
from sus_data.vocabulary import DEMO_SOURCE

USER = "agent.observatoire"
DEMO_OPERATION = 4  # init: three files of real figures, then the demo values


def run_import(store, config, *files, user=USER, **options):
    uploads = [f if isinstance(f, Upload) else Upload(f) for f in files]
    return import_files(store, config, uploads, user, **options)


def stored_value(query, code, territory, year, quarter, mesure="valeur"):
    rows = query(
        """SELECT valeur, commentaire, source, operation FROM valeur
           WHERE indicateur = ? AND territoire = ? AND annee = ? AND trimestre = ? AND mesure = ?""",
        code,
        territory,
        year,
        quarter,
        mesure,
    )
    return rows[0] if rows else None


def all_values(query) -> list[tuple]:
    return query("SELECT * FROM valeur ORDER BY ALL")


# ------------------------------------------------------------------------------------------------ counts
def test_import_counts_new_changed_unchanged_and_skipped(store, config, query, xlsx):
    unchanged = stored_value(query, COUNT, "TAS MP", 2025, 2)[0]
    path = xlsx(
        [
            [COUNT, "TAS MP", 2026, 1, 40],  # new
            [COUNT, "TAS MP", 2025, 1, 999],  # replaces a demo value
            [COUNT, "TAS MP", 2025, 2, unchanged],  # the same as stored
            [COUNT, "TAS MP", 2025, 3, None],  # empty: skipped
        ],
        name="T1 2026.xlsx",
    )
    [result] = run_import(store, config, path)
    assert (
        result.operation_id,
        result.nb_nouvelles,
        result.nb_modifiees,
        result.nb_inchangees,
        result.nb_ignorees,
    ) == (
        5,
        1,
        1,
        1,
        1,
    )
    assert result.summary() == (
        "T1 2026.xlsx : import n°5 — 1 nouvelle(s), 1 modifiée(s), 1 inchangée(s), 1 ligne(s) vide(s) ignorée(s)."
    )
    [operation] = query(
        """SELECT nature, fichier, sha256, utilisateur, nb_nouvelles, nb_modifiees, nb_inchangees, nb_ignorees
           FROM operation WHERE id = 5"""
    )
    assert operation == ("import", "T1 2026.xlsx", hashlib.sha256(path.read_bytes()).hexdigest(), USER, 1, 1, 1, 1)
    assert stored_value(query, COUNT, "TAS MP", 2026, 1) == (40.0, None, None, 5)
    assert stored_value(query, COUNT, "TAS MP", 2025, 1) == (999.0, None, None, 5)
    assert stored_value(query, COUNT, "TAS MP", 2025, 2) == (unchanged, None, DEMO_SOURCE, DEMO_OPERATION)


def test_replaced_values_are_kept_in_the_history(store, config, query, xlsx):
    old = stored_value(query, COUNT, "TAS MP", 2025, 1)
    run_import(store, config, xlsx([[COUNT, "TAS MP", 2025, 1, 999], [COUNT, "TAS MP", 2026, 1, 40]], header=[*HEADER]))
    history = query(
        """SELECT indicateur, territoire, annee, trimestre, mesure, mouvement, ancienne_valeur, ancien_commentaire,
                  ancienne_source, ancienne_operation, nouvelle_valeur, nouveau_commentaire, nouvelle_source
           FROM historique WHERE operation = 5 ORDER BY annee"""
    )
    assert history == [
        (COUNT, "TAS MP", 2025, 1, "valeur", "modifiée", old[0], None, DEMO_SOURCE, DEMO_OPERATION, 999.0, None, None),
        (COUNT, "TAS MP", 2026, 1, "valeur", "nouvelle", None, None, None, None, 40.0, None, None),
    ]


def test_a_changed_value_does_not_keep_the_comment_and_source_of_the_old_one(store, config, query, xlsx):
    # A real figure replacing a demo one must not be labelled « Données fictives de démonstration ».
    run_import(store, config, xlsx([[COUNT, "TAS MP", 2025, 1, 999]]))
    assert stored_value(query, COUNT, "TAS MP", 2025, 1) == (999.0, None, None, 5)


def test_importing_the_same_file_twice_changes_nothing(store, config, query, xlsx, db_digest):
    path = xlsx([[COUNT, "TAS MP", 2026, 1, 40], [PERCENT, "71", 2026, 1, "12,5 %"]])
    [first] = run_import(store, config, path)
    assert first.operation_id == 5
    before = db_digest()
    [second] = run_import(store, config, path)
    assert second.operation_id is None
    assert (second.nb_nouvelles, second.nb_modifiees, second.nb_inchangees) == (0, 0, 2)
    assert second.summary() == "valeurs.xlsx : aucune modification (2 valeur(s) déjà enregistrée(s) à l'identique)."
    assert db_digest() == before
    assert query("SELECT max(id) FROM operation") == [(5,)]


def test_an_empty_value_never_erases_a_stored_value(store, config, query, xlsx):
    header = [*HEADER, "commentaire"]
    run_import(store, config, xlsx([[COUNT, "TAS MP", 2026, 1, 40, "premier envoi"]], header=header))
    [result] = run_import(
        store, config, xlsx([[COUNT, "TAS MP", 2026, 1, None, "valeur à venir"]], name="vide.xlsx", header=header)
    )
    assert result.operation_id is None
    assert result.nb_ignorees == 1
    assert result.report.n_warnings == 1
    assert stored_value(query, COUNT, "TAS MP", 2026, 1) == (40.0, "premier envoi", None, 5)


def test_an_empty_comment_keeps_the_stored_one_when_the_value_is_the_same(store, config, query, xlsx):
    header = [*HEADER, "commentaire", "source"]
    run_import(store, config, xlsx([[COUNT, "TAS MP", 2026, 1, 40, "premier envoi", "SI"]], header=header))
    [result] = run_import(
        store, config, xlsx([[COUNT, "TAS MP", 2026, 1, 40, None, None]], name="sans.xlsx", header=header)
    )
    assert (result.operation_id, result.nb_inchangees) == (None, 1)
    assert stored_value(query, COUNT, "TAS MP", 2026, 1) == (40.0, "premier envoi", "SI", 5)


def test_a_new_comment_on_the_same_value_is_a_change(store, config, query, xlsx):
    header = [*HEADER, "commentaire"]
    run_import(store, config, xlsx([[COUNT, "TAS MP", 2026, 1, 40, "premier envoi"]], header=header))
    [result] = run_import(
        store, config, xlsx([[COUNT, "TAS MP", 2026, 1, 40, "chiffre vérifié"]], name="b.xlsx", header=header)
    )
    assert (result.operation_id, result.nb_modifiees) == (6, 1)
    assert stored_value(query, COUNT, "TAS MP", 2026, 1) == (40.0, "chiffre vérifié", None, 6)


def test_dry_run_computes_the_counts_and_writes_nothing(store, config, xlsx, db_digest):
    before = db_digest()
    [result] = run_import(
        store, config, xlsx([[COUNT, "TAS MP", 2026, 1, 40], [COUNT, "TAS MP", 2025, 1, 999]]), dry_run=True
    )
    assert (result.operation_id, result.nb_nouvelles, result.nb_modifiees) == (None, 1, 1)
    assert db_digest() == before


# ---------------------------------------------------------------------------------------------- rollback
def test_rollback_restores_exactly_the_previous_values_and_comments(store, config, query, xlsx):
    original = all_values(query)
    header = [*HEADER, "cible", "commentaire", "source"]
    real = stored_value(query, CONTEXT, "71", 2021, 0)
    path = xlsx(
        [
            [COUNT, "TAS MP", 2025, 1, 999, 1000, "corrigé", "SI social"],  # changes a demo value, adds a target
            [COUNT, "TAS MP", 2026, 1, 40, None, None, None],  # new
            [CONTEXT, "71", 2021, None, 15550, None, "révisé", None],  # changes a real figure and its comment
        ],
        header=header,
    )
    [result] = run_import(store, config, path)
    assert (result.nb_nouvelles, result.nb_modifiees) == (2, 2)
    assert stored_value(query, CONTEXT, "71", 2021, 0) == (15550.0, "révisé", None, 5)

    undone = rollback(store, 5, "responsable")
    assert undone.summary() == (
        "Import n°5 annulé (opération n°6) : 2 valeur(s) restaurée(s) à leur état antérieur, 2 valeur(s) retirée(s)."
    )
    assert all_values(query) == original
    assert stored_value(query, CONTEXT, "71", 2021, 0) == real
    assert query("SELECT id, nature, annule, annule_par, utilisateur FROM operation WHERE id >= 5 ORDER BY id") == [
        (5, "import", None, 6, USER),
        (6, "annulation", 5, None, "responsable"),
    ]


def test_rollback_is_refused_while_a_later_import_changed_the_same_values(store, config, query, xlsx):
    original = all_values(query)
    run_import(store, config, xlsx([[COUNT, "TAS MP", 2025, 1, 999], [COUNT, "TAS MP", 2025, 2, 998]], name="a.xlsx"))
    run_import(store, config, xlsx([[COUNT, "TAS MP", 2025, 1, 1001]], name="b.xlsx"))
    with pytest.raises(RollbackRefused) as refused:
        rollback(store, 5, USER)
    assert refused.value.message == (
        "Impossible d'annuler l'import n°5 : des imports plus récents ont modifié les mêmes valeurs "
        "(n°6 (1 valeur(s))). Annulez d'abord ces imports, du plus récent au plus ancien."
    )
    assert stored_value(query, COUNT, "TAS MP", 2025, 1)[0] == 1001.0
    # From the most recent to the oldest, both undo exactly.
    rollback(store, 6, USER)
    assert stored_value(query, COUNT, "TAS MP", 2025, 1) == (999.0, None, None, 5)
    rollback(store, 5, USER)
    assert all_values(query) == original


def test_rollback_refusals(store, config, xlsx):
    run_import(store, config, xlsx([[COUNT, "TAS MP", 2026, 1, 40]]))
    rollback(store, 5, USER)
    for operation, message in [
        (99, "L'import n°99 n'existe pas."),
        (5, "L'import n°5 a déjà été annulé (opération n°6)."),
        (6, "L'opération n°6 n'est pas un import : elle ne peut pas être annulée."),
    ]:
        with pytest.raises(RollbackRefused) as refused:
            rollback(store, operation, USER)
        assert refused.value.message == message


def test_demo_values_are_undone_in_one_rollback(store, query):
    assert query("SELECT count(*) FROM valeur WHERE source = ?", DEMO_SOURCE)[0][0] > 1000
    rollback(store, DEMO_OPERATION, USER)
    assert query("SELECT count(*) FROM valeur WHERE source = ?", DEMO_SOURCE) == [(0,)]
    assert query("SELECT count(*) FROM valeur WHERE indicateur = ?", CONTEXT) == [(1,)]  # real figures stay


def test_indicators_sheet_adds_a_context_indicator_and_its_rollback_removes_it(store, config, query, xlsx):
    path = xlsx(
        [["CTX-VISITES-DOMICILE", "Mâcon - Paray-le-Monial", 2025, "T1", "1 204"]],
        other_sheets={
            "indicateurs": [
                ["code_indicateur", "libelle", "ambition", "unite", "nature", "agregation", "sens", "source"],
                ["CTX-VISITES-DOMICILE", "Visites à domicile", "6", "nombre", "contexte", "somme", "neutre", "SI APA"],
            ]
        },
    )
    [result] = run_import(store, config, path)
    assert (result.operation_id, result.nb_indicateurs, result.nb_nouvelles) == (5, 1, 1)
    assert query(
        "SELECT libelle, ambition, noeud, unite, additivite, origine FROM indicateur WHERE code = ?",
        "CTX-VISITES-DOMICILE",
    ) == [("Visites à domicile", "A6", "A6", "nombre", "somme", "import")]
    assert stored_value(query, "CTX-VISITES-DOMICILE", "TAS MP", 2025, 1) == (1204.0, None, None, 5)
    rollback(store, 5, USER)
    assert query("SELECT count(*) FROM indicateur WHERE code = ?", "CTX-VISITES-DOMICILE") == [(0,)]
    assert query("SELECT count(*) FROM valeur WHERE indicateur = ?", "CTX-VISITES-DOMICILE") == [(0,)]


# ------------------------------------------------------------------------------------------ all or nothing
def test_several_files_are_written_together(store, config, query, xlsx):
    results = run_import(
        store,
        config,
        xlsx([[COUNT, "TAS MP", 2026, 1, 40]], name="a.xlsx"),
        xlsx([[MILESTONE, "71", 2026, 1, "non"]], name="b.xlsx"),
    )
    assert [(r.fichier, r.operation_id) for r in results] == [("a.xlsx", 5), ("b.xlsx", 6)]
    assert stored_value(query, MILESTONE, "71", 2026, 1) == (0.0, None, None, 6)


def test_one_bad_file_rejects_them_all_and_writes_nothing(store, config, xlsx, db_digest):
    before = db_digest()
    good = xlsx([[COUNT, "TAS MP", 2026, 1, 40]], name="bon.xlsx")
    bad = xlsx([[COUNT, "TAS MP", 2026, 2, "quarante"]], name="mauvais.xlsx")
    with pytest.raises(ImportRejected) as rejected:
        run_import(store, config, good, bad)
    assert (
        rejected.value.message == "1 fichier(s) refusé(s) (mauvais.xlsx) : 1 erreur. Aucune donnée n'a été enregistrée."
    )
    assert db_digest() == before


# ----------------------------------------------------------------------------- at least 15 kinds of bad file
def _zip_declaring_huge_sheet() -> bytes:
    data = bytearray(workbook_bytes([[COUNT, "71", 2025, 1, 3]]))
    member = b"xl/worksheets/sheet1.xml"
    at = data.find(b"PK\x01\x02")
    while at != -1:
        length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + length] == member:  # 3 Go declared for 1 Mo compressed
            data[at + 20 : at + 24] = (1_000_000).to_bytes(4, "little")
            data[at + 24 : at + 28] = (3_000_000_000).to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def _with_doctype() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes([[COUNT, "71", 2025, 1, 3]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + content
            target.writestr(name, content)
    return out.getvalue()


def _far_cell() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes([[COUNT, "71", 2025, 1, 3]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
                content = content.replace(b"</sheetData>", far)
            target.writestr(name, content)
    return out.getvalue()


def _row(*cells) -> bytes:
    return workbook_bytes([list(cells)])


def _indicators_sheet_with_programme_code() -> bytes:
    return workbook_bytes(
        [[COUNT, "71", 2025, 1, 3]],
        other_sheets={
            "indicateurs": [
                ["code_indicateur", "libelle", "ambition", "unite", "nature", "agregation", "sens"],
                [COUNT, "Réseaux", "1", "nombre", "réalisation", "dernier", "hausse"],
            ]
        },
    )


# id: (file name, content, (sheet, row, column, message) of the first error)
BAD_FILES = {
    "format refusé": ("notes.txt", lambda: b"valeurs", ("", None, "", "Le format « .txt » n'est pas accepté.")),
    "fichier vide": ("vide.xlsx", lambda: b"", ("", None, "", "Le fichier est vide (0 octet).")),
    "trop gros": (
        "enorme.xlsx",
        lambda: b"PK\x03\x04" + b"\x00" * (26 * 1024 * 1024 - 4),
        ("", None, "", "Le fichier pèse 26 Mo, au-delà de la limite de 25 Mo."),
    ),
    "pas un classeur": (
        "texte.xlsx",
        lambda: b"code;valeur",
        ("", None, "", "Le fichier porte l'extension .xlsx mais n'est pas un classeur de ce format."),
    ),
    "chiffré": (
        "protégé.xlsx",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048,
        ("", None, "", "Le classeur est chiffré ou protégé par un mot de passe."),
    ),
    "bombe zip": (
        "bombe.xlsx",
        _zip_declaring_huge_sheet,
        ("", None, "", ("Le classeur contient une partie anormalement compressée (xl/worksheets/sheet1.xml, taux 3000 pour 1) : "
         "il est refusé par sécurité.")),
    ),
    "DOCTYPE": (
        "xxe.xlsx",
        _with_doctype,
        ("", None, "", ("Le classeur contient une déclaration DOCTYPE ou ENTITY (xl/worksheets/sheet1.xml), interdite "
         "pour des raisons de sécurité.")),
    ),
    "cellule très éloignée": (
        "loin.xlsx",
        _far_cell,
        ("", None, "", ("Le classeur s'étend trop loin (xl/worksheets/sheet1.xml, jusqu'à XFD1048576) : sa lecture "
         "occuperait trop de mémoire.")),
    ),
    "CSV à virgules": (
        "valeurs.csv",
        lambda: b"code_indicateur,territoire,annee,trimestre,valeur\nA1,71,2025,1,3\n",
        ("", None, "", "Le fichier CSV n'est pas séparé par des points-virgules (;)."),
    ),
    "sans en-tête": (
        "sans_entete.xlsx",
        lambda: workbook_bytes([[COUNT, "71", 2025, 1, 3]], header=None),
        ("valeurs", None, "", ("La ligne d'en-tête est introuvable : aucune des 30 premières lignes ne contient les "
         "colonnes code_indicateur et valeur.")),
    ),
    "colonne manquante": (
        "colonne.xlsx",
        lambda: workbook_bytes([[COUNT, "71", 2025, 3]], header=["code_indicateur", "territoire", "annee", "valeur"]),
        ("valeurs", 3, "", "La colonne obligatoire « trimestre » manque dans l'en-tête."),
    ),
    "aucune donnée": (
        "rien.xlsx",
        lambda: workbook_bytes([]),
        ("valeurs", 3, "", "La feuille ne contient aucune ligne de données sous l'en-tête."),
    ),
    "code inconnu": (
        "code.xlsx",
        lambda: _row("A1-O1-Obj1-Ac1-I99", "71", 2025, 1, 3),
        ("valeurs", 4, "A (code_indicateur)", "Ce code d'indicateur n'existe pas dans le référentiel."),
    ),
    "territoire inconnu": (
        "territoire.xlsx",
        lambda: _row(COUNT, "Dijon", 2025, 1, 3),
        ("valeurs", 4, "B (territoire)", "Ce territoire n'est pas reconnu."),
    ),
    "année hors période": (
        "annee.xlsx",
        lambda: _row(COUNT, "71", 1925, 1, 3),
        ("valeurs", 4, "C (annee)", "L'année est hors de la période possible (2000 à 2100)."),
    ),
    "mois au lieu du trimestre": (
        "mois.xlsx",
        lambda: _row(COUNT, "71", 2025, "janvier", 3),
        ("valeurs", 4, "D (trimestre)", "Un mois a été saisi à la place d'un trimestre."),
    ),
    "texte au lieu d'un nombre": (
        "texte.xlsx",
        lambda: _row(COUNT, "71", 2025, 1, "trois"),
        ("valeurs", 4, "E (valeur)", "La valeur n'est pas un nombre."),
    ),
    "comptage négatif": (
        "negatif.xlsx",
        lambda: _row(COUNT, "71", 2025, 1, -3),
        ("valeurs", 4, "E (valeur)", "Un comptage ne peut pas être négatif."),
    ),
    "pourcentage pour un comptage": (
        "pourcent.xlsx",
        lambda: _row(COUNT, "71", 2025, 1, "3 %"),
        ("valeurs", 4, "E (valeur)", "Un pourcentage a été saisi pour un indicateur qui ne s'exprime pas en %."),
    ),
    "jalon chiffré": (
        "jalon.xlsx",
        lambda: _row(MILESTONE, "71", 2025, 1, 3),
        ("valeurs", 4, "E (valeur)", "Un jalon se renseigne par oui ou non."),
    ),
    "erreur Excel": (
        "erreur.xlsx",
        lambda: _row(COUNT, "71", 2025, 1, "#DIV/0!"),
        ("valeurs", 4, "E (valeur)", "La cellule contient une erreur Excel au lieu d'une valeur."),
    ),
    "formule sans résultat": (
        "formule.xlsx",
        lambda: _row(COUNT, "71", 2025, 1, "=1+2"),
        ("valeurs", 4, "E (valeur)", "La cellule contient une formule dont le résultat n'a pas été enregistré."),
    ),
    "même clé deux fois": (
        "doublon.xlsx",
        lambda: workbook_bytes([[COUNT, "71", 2025, 1, 3], [COUNT, "Département", 2025, "T1", 4]]),
        ("valeurs", 5, "A (code_indicateur)", "La même valeur (indicateur, territoire, année, trimestre) figure déjà ligne 4."),
    ),
    "indicateur du programme redéfini": (
        "indicateurs.xlsx",
        _indicators_sheet_with_programme_code,
        ("indicateurs", 2, "A (code_indicateur)",
         "Cet indicateur appartient au programme : sa définition ne se modifie que dans le référentiel."),
    ),
}  # fmt: skip


@pytest.mark.parametrize(("name", "content", "expected"), list(BAD_FILES.values()), ids=list(BAD_FILES))
def test_bad_file_is_rejected_with_its_place_and_the_database_is_unchanged(
    store, config, db_digest, name, content, expected
):
    before = db_digest()
    with pytest.raises(ImportRejected) as rejected:
        run_import(store, config, Upload(content(), name))
    frame = rejected.value.report.frame()
    first = frame[frame["gravite"] == "erreur"].iloc[0]
    line = None if pd.isna(first["ligne"]) else int(first["ligne"])
    assert (first["fichier"], first["feuille"], line, first["colonne"], first["message"]) == (name, *expected)
    assert rejected.value.message.startswith(f"1 fichier(s) refusé(s) ({name}) : ")
    assert rejected.value.message.endswith(" Aucune donnée n'a été enregistrée.")
    assert db_digest() == before


def test_there_are_at_least_15_kinds_of_bad_file():
    assert len(BAD_FILES) >= 15


def test_the_recorded_file_name_is_sanitised(store, config, query):
    run_import(store, config, Upload(workbook_bytes([[COUNT, "TAS MP", 2026, 1, 40]]), "../../etc/sai\x1bsie\n.xlsx"))
    assert query("SELECT fichier FROM operation WHERE id = 5") == [("saisie.xlsx",)]


# ------------------------------------------------------------------------------------- several processes
def _python(code: str, *args: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "SUS_CONFIG": str(CONFIG_FILE), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, env=env, text=True, **popen)


IMPORT_AT = """
import sys, time
import sus_data.ingest  # the heavy imports before the start line, so that both start together
from sus_data.cli import main
start, path, db, user = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
time.sleep(max(0.0, start - time.time()))
sys.exit(main(["import", path, "--db", db, "--user", user]))
"""


def test_two_imports_started_at_the_same_moment_both_land_one_after_the_other(db_path, query, xlsx):
    files = [
        xlsx([[COUNT, "TAS MP", 2026, 1, 40], [COUNT, "TAS CL", 2026, 1, 41]], name="a.xlsx"),
        xlsx([[COUNT, "TAS MALC", 2026, 1, 42], [MILESTONE, "71", 2026, 1, "oui"]], name="b.xlsx"),
    ]
    start = time.time() + 4
    processes = [
        _python(IMPORT_AT, start, path, db_path, f"agent-{index}", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for index, path in enumerate(files)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert query("SELECT fichier, utilisateur, nb_nouvelles FROM operation WHERE id > 4 ORDER BY fichier") == [
        ("a.xlsx", "agent-0", 2),
        ("b.xlsx", "agent-1", 2),
    ]
    # Serialised by the lock file: two operations with consecutive numbers, nothing lost or doubled.
    assert [i for (i,) in query("SELECT id FROM operation ORDER BY id")] == [1, 2, 3, 4, 5, 6]
    assert query("SELECT count(*) FROM valeur WHERE annee = 2026") == [(4,)]


READ_LOOP = """
import sys, time
from pathlib import Path
from sus_data.store import Store
store, ready, stop = Store(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
reads = 0
while not stop.exists():
    with store.read() as con:
        con.execute("SELECT count(*), sum(valeur) FROM valeur").fetchone()
    reads += 1
    ready.touch()
    time.sleep(0.002)
print(reads)
"""


def test_import_lands_while_another_process_reads_in_a_loop(db_path, tmp_path, run_cli, query, xlsx):
    ready, stop = tmp_path / "pret", tmp_path / "stop"
    reader = _python(READ_LOOP, db_path, ready, stop, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while not ready.exists() and time.time() < deadline:
            time.sleep(0.05)
        path = xlsx([[COUNT, "TAS MP", 2026, 1, 40]])
        result = run_cli("import", path, "--user", USER)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("valeurs.xlsx : import n°5 — 1 nouvelle(s)")
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert int(out) > 0
    assert stored_value(query, COUNT, "TAS MP", 2026, 1) == (40.0, None, None, 5)


HOLD_WRITE = """
import sys, time
from pathlib import Path
from sus_data.store import Store
with Store(sys.argv[1]).write() as con:
    con.execute("INSERT OR REPLACE INTO meta VALUES ('essai', 'écriture longue')")
    Path(sys.argv[2]).touch()
    time.sleep(2.0)
"""


def test_the_command_line_waits_for_a_writer_in_another_process(db_path, tmp_path, run_cli):
    ready = tmp_path / "ecrit"
    writer = _python(HOLD_WRITE, db_path, ready, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while not ready.exists() and time.time() < deadline:
            time.sleep(0.02)
        assert ready.exists()
        result = run_cli("export", "--out", tmp_path / "export.csv")
    finally:
        _out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(f"écrites dans {tmp_path / 'export.csv'}\n")
