"""Follow-up of the actions: the `actions` and `perimetre` sheets, statuses counted per ambition, orientation
and TAS, milestones, the entry on the Import page, and rollbacks that restore the previous status exactly."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import pytest
from conftest import CONTRACT_HEADER, MILESTONE, workbook_bytes

from sus_data import actions, followup
from sus_data.accounts import User
from sus_data.database import init_database
from sus_data.errors import AccessDenied, ImportRejected, RollbackRefused
from sus_data.ingest import Upload, import_files, rollback
from sus_data.store import Store


@pytest.fixture(autouse=True)
def without_demo_statuses(store):
    """The demo gives every action a département status; these tests count from a blank follow-up, as
    an observatory does once it has removed the demo."""
    with store.write() as con:
        con.execute(
            "DELETE FROM suivi_action_historique WHERE operation IN (SELECT id FROM operation WHERE nature = 'demo')"
        )
        con.execute("DELETE FROM suivi_action WHERE operation IN (SELECT id FROM operation WHERE nature = 'demo')")


HEADER = ["code_action", "territoire", "annee", "statut", "date", "commentaire"]
OBJ1 = "A1-O1-Obj1-Ac1"  # orientation 1 of ambition 1
OBJ2 = "A1-O1-Obj2-Ac1"  # orientation 1 of ambition 1, perimeter: TAS MP only
O2 = "A1-O2-Obj1-Ac1"  # orientation 2 of ambition 1
STATUSES = [
    HEADER,
    [OBJ1, "71", 2024, "en cours", None, None],
    [OBJ1, "Département", 2025, "Réalisé", "15/12/2025", "annuaire publié"],
    [OBJ2, "Mâcon - Paray-le-Monial", 2025, "EN COURS", dt.datetime(2025, 3, 1), "première réunion"],
    [O2, "71", 2024, "reportée", None, None],
    [O2, "TAS CL", 2025, "abandonnee", None, None],
]
PERIMETER = [["code_action", "territoire"], [OBJ2, "TAS MP"]]
IMPORTER = User("marie.dupont", "Marie Dupont", frozenset({"import"}))
READER = User("paul.lecteur", "Paul Lecteur", frozenset({"lecture"}))


def _upload(sheets: dict, name: str = "suivi.xlsx") -> Upload:
    first, *others = sheets.items()
    book = workbook_bytes(first[1][1:], header=first[1][0], titles=(), sheet=first[0], other_sheets=dict(others))
    return Upload(book, name)


def _import(store, config, sheets=None, name="suivi.xlsx"):
    sheets = sheets or {"actions": STATUSES, "perimetre": PERIMETER}
    return import_files(store, config, [_upload(sheets, name)], "test")


def test_statuses_are_stored_with_their_date_and_comment(store, config, query):
    [result] = _import(store, config)
    assert result.nb_statuts == 5 and result.nb_perimetres == 1
    assert result.summary() == (
        f"suivi.xlsx : import n°{result.operation_id} — 0 nouvelle(s), 0 modifiée(s), 0 inchangée(s), "
        "0 ligne(s) vide(s) ignorée(s) ; 5 statut(s) d'action, 1 périmètre(s) d'action."
    )
    assert query(
        "SELECT action, territoire, annee, statut, date_statut, commentaire FROM suivi_action ORDER BY action, territoire, annee"
    ) == [
        (OBJ1, "71", 2024, "en cours", None, None),
        (OBJ1, "71", 2025, "réalisée", dt.date(2025, 12, 15), "annuaire publié"),
        (OBJ2, "TAS MP", 2025, "en cours", dt.date(2025, 3, 1), "première réunion"),
        (O2, "71", 2024, "reportée", None, None),
        (O2, "TAS CL", 2025, "abandonnée", None, None),
    ]
    assert query("SELECT action, territoire FROM perimetre_action") == [(OBJ2, "TAS MP")]
    # Importing the same file again changes nothing and says so.
    [again] = _import(store, config)
    assert again.operation_id is None
    assert again.summary() == (
        "suivi.xlsx : aucune modification (0 valeur(s) et 5 statut(s) d'action déjà enregistrée(s) à l'identique)."
    )


def test_counts_per_ambition_and_orientation(store, config):
    _import(store, config)
    with store.read() as con:
        view = followup.actions_view(con, 2025, "71")
    counts = view["ambitions"]
    a1 = counts[counts["Ambition"].str.startswith("1. ")]
    by_level = {(row["Niveau"], row["Orientation"][:2]): row for row in a1.to_dict("records")}
    head = by_level[("ambition", "")]
    assert (head["✔ réalisée"], head["↷ reportée"], head["◐ en cours"], head["? sans statut"], head["Total"]) == (
        1,
        1,
        0,
        8,
        10,
    )
    o1, o2 = by_level[("orientation", "1.")], by_level[("orientation", "2.")]
    assert (o1["✔ réalisée"], o1["? sans statut"], o1["Total"]) == (1, 4, 5)
    assert (o2["↷ reportée"], o2["? sans statut"], o2["Total"]) == (1, 2, 3)
    # 2024: the status of that year, before the action was done.
    with store.read() as con:
        earlier = followup.ambition_counts(followup.status_table(con, 2024, "71"))
    head = earlier[(earlier["Niveau"] == "ambition") & earlier["Ambition"].str.startswith("1. ")].iloc[0]
    assert (head["◐ en cours"], head["✔ réalisée"], head["↷ reportée"]) == (1, 0, 1)


def test_counts_per_tas_follow_perimeters_and_the_departement_status(store, config):
    _import(store, config)
    with store.read() as con:
        tas = followup.tas_counts(con, 2025).set_index("Territoire")
        n_actions = len(followup.programme_actions(con))
    columns = ["✔ réalisée", "◐ en cours", "↷ reportée", "✖ abandonnée", "? sans statut", "Total"]
    assert n_actions == 183
    assert tas.loc["Département", columns].tolist() == [1, 0, 1, 0, 181, 183]
    assert tas.loc["TAS MP", columns].tolist() == [1, 1, 1, 0, 180, 183]  # its own « en cours » for OBJ2
    assert tas.loc["TAS CL", columns].tolist() == [1, 0, 0, 1, 180, 182]  # OBJ2 does not apply to it
    assert tas.loc["TAS MALC", columns].tolist() == [1, 0, 1, 0, 180, 182]


def test_status_table_says_where_a_status_comes_from(store, config):
    _import(store, config)
    with store.read() as con:
        table = followup.status_table(con, 2025, "TAS CL").set_index("code")
        display, _ = followup.actions_tables(followup.status_table(con, 2025, "71"))
    assert OBJ2 not in table.index
    assert (table.loc[OBJ1, "statut"], table.loc[OBJ1, "herite_de"]) == ("réalisée", "71")
    assert (table.loc[O2, "statut"], table.loc[O2, "herite_de"]) == ("abandonnée", None)
    row = display.set_index("Action").loc[OBJ1]
    assert (row["Statut"], row["Date"], row["Commentaire"]) == ("✔ réalisée (2025)", "15/12/2025", "annuaire publié")
    assert display.set_index("Action").loc[OBJ2, "Périmètre"] == "TAS MP"
    assert display.set_index("Action").loc[OBJ2, "Statuts des TAS"] == "TAS MP : en cours"


def test_a_status_outside_the_perimeter_is_kept_with_a_warning(store, config):
    sheets = {"actions": [HEADER, [OBJ2, "TAS CL", 2025, "en cours", None, None]], "perimetre": PERIMETER}
    [result] = _import(store, config, sheets)
    warnings = result.report.frame()
    assert warnings[["feuille", "ligne", "colonne", "message"]].to_dict("records") == [
        {
            "feuille": "actions",
            "ligne": 2,
            "colonne": "B (territoire)",
            "message": "Ce territoire n'est pas dans le périmètre de l'action (TAS MP) : le statut est tout de même enregistré.",
        }
    ]
    assert result.nb_statuts == 1


def test_actions_sheet_problems_are_reported_with_their_place(store, config, db_digest):
    before = db_digest()
    bad = [
        HEADER,
        ["A1-O1", "71", 2025, "en cours", None, None],
        ["A1-O1-Obj1-Ac9", "71", 2025, "en cours", None, None],
        [OBJ1, "71", 2025, "terminée", None, None],
        [OBJ1, "71", 2024, "en cours", "31/02/2024", None],
        [OBJ1, "Nulle part", 2023, "en cours", None, None],
        [OBJ1, "71", 2025, "réalisée", None, None],
        [OBJ1, "71", 2025, "réalisée", None, None],
    ]
    comparators = [t.code for t in config.territories if t.niveau == "comparateur"]
    if comparators:
        bad.append([OBJ1, comparators[0], 2025, "en cours", None, None])
    with pytest.raises(ImportRejected) as caught:
        _import(store, config, {"actions": bad})
    OWN_TERRITORIES = ", ".join(t.code for t in config.territories if t.niveau != "comparateur")
    frame = caught.value.report.frame()
    assert frame[["ligne", "colonne", "valeur", "message", "conseil"]].to_dict("records") == [
        {"ligne": 2, "colonne": "A (code_action)", "valeur": "A1-O1",
         "message": "« A1-O1 » n'est pas une action (c'est un nœud de niveau orientation) : un statut se donne à une action.",
         "conseil": "Saisissez le code d'une action, qui se termine par Ac1, Ac2…"},
        {"ligne": 3, "colonne": "A (code_action)", "valeur": "A1-O1-Obj1-Ac9",
         "message": "Ce code d'action n'existe pas dans le référentiel.",
         "conseil": "Vérifiez le code : vouliez-vous dire A1-O1-Obj1-Ac1 ?"},
        {"ligne": 4, "colonne": "D (statut)", "valeur": "terminée", "message": "Ce statut n'est pas reconnu.",
         "conseil": "Saisissez l'un de : non démarrée, en cours, réalisée, abandonnée, reportée."},
        {"ligne": 5, "colonne": "E (date)", "valeur": "31/02/2024", "message": "La date n'est pas reconnue.",
         "conseil": "Saisissez la date au format JJ/MM/AAAA (ex. 15/03/2025), ou laissez la cellule vide."},
        {"ligne": 6, "colonne": "B (territoire)", "valeur": "Nulle part", "message": "Ce territoire n'est pas reconnu.",
         "conseil": f"Saisissez un code de territoire ({OWN_TERRITORIES}) ou son nom complet."},
        {"ligne": 8, "colonne": "A (code_action)", "valeur": OBJ1,
         "message": "Le statut de cette action pour ce territoire et cette année figure déjà ligne 7.",
         "conseil": "Gardez une seule ligne par action, territoire et année."},
    ] + [
        {"ligne": 9, "colonne": "B (territoire)", "valeur": comparators[0],
         "message": "Ce territoire est un point de comparaison, pas un territoire du département.",
         "conseil": f"Saisissez le département ou l'un de ses territoires ({OWN_TERRITORIES})."}
    ] * bool(comparators)  # fmt: skip
    assert db_digest() == before


def test_an_actions_csv_is_recognised_by_its_header(store, config, query):
    data = b"code_action;territoire;annee;statut\r\nA1-O1-Obj1-Ac1;71;2025;en cours\r\n"
    [result] = import_files(store, config, [Upload(data, "actions.csv")], "test")
    assert result.nb_statuts == 1
    assert query("SELECT statut FROM suivi_action") == [("en cours",)]


def test_rollback_restores_the_previous_status_exactly(store, config, query):
    [first] = _import(store, config)
    table = (
        "SELECT action, territoire, annee, statut, date_statut, commentaire, operation FROM suivi_action ORDER BY ALL"
    )
    before = query(table)
    change = [HEADER, [OBJ1, "71", 2025, "abandonnée", None, None], [O2, "TAS MP", 2025, "en cours", None, None]]
    [second] = _import(
        store, config, {"actions": change, "perimetre": [["code_action", "territoire"], [OBJ2, "71"]]}, "suite.xlsx"
    )
    assert query(
        "SELECT statut, date_statut, commentaire FROM suivi_action WHERE action = ? AND annee = 2025 AND territoire = '71'",
        OBJ1,
    ) == [("abandonnée", None, None)]
    with pytest.raises(RollbackRefused) as refused:
        rollback(store, first.operation_id, "test")
    assert refused.value.message == (
        f"Impossible d'annuler l'import n°{first.operation_id} : des opérations plus récentes ont modifié le même suivi "
        f"des actions (n°{second.operation_id} (1 statut(s) d'action), périmètre de l'action {OBJ2} modifié depuis). "
        "Annulez d'abord ces opérations, du plus récent au plus ancien."
    )
    undone = rollback(store, second.operation_id, "test")
    assert undone.summary() == (
        f"Import n°{second.operation_id} annulé (opération n°{undone.operation_id}) : 0 valeur(s) restaurée(s) à leur "
        "état antérieur, 0 valeur(s) retirée(s) ; 1 statut(s) d'action restauré(s), 1 statut(s) d'action retiré(s)."
    )
    assert query(table) == before  # the date, the comment and the operation that had set it
    assert query("SELECT action, territoire, operation FROM perimetre_action") == [(OBJ2, "TAS MP", first.operation_id)]
    rollback(store, first.operation_id, "test")
    assert query("SELECT count(*) FROM suivi_action") == [(0,)]
    assert query("SELECT count(*) FROM perimetre_action") == [(0,)]


def test_a_status_set_on_the_import_page(store, config, query):
    with pytest.raises(AccessDenied) as denied:
        actions.set_action_status(READER, store, config, OBJ1, "71", 2025, "en cours")
    assert (
        denied.value.message == "Votre compte (paul.lecteur) n'a pas le rôle « import » nécessaire pour cette action."
    )
    with pytest.raises(AccessDenied):
        actions.set_action_status(None, store, config, OBJ1, "71", 2025, "en cours")
    result = actions.set_action_status(
        IMPORTER, store, config, OBJ1, "TAS CL", 2025, "réalisée", dt.date(2025, 6, 30), "clos en juin"
    )
    assert query(
        "SELECT nature, fichier, utilisateur, commentaire FROM operation WHERE id = ?", result.operation_id
    ) == [("saisie", f"saisie du statut de l'action {OBJ1}", "marie.dupont", "1 statut(s) d'action")]
    assert query("SELECT territoire, statut, date_statut, commentaire FROM suivi_action") == [
        ("TAS CL", "réalisée", dt.date(2025, 6, 30), "clos en juin")
    ]
    again = actions.set_action_status(IMPORTER, store, config, OBJ1, "TAS CL", 2025, "réalisée")
    assert again.operation_id is None  # same status: the empty date and comment keep the stored ones
    with pytest.raises(ImportRejected) as rejected:
        actions.set_action_status(IMPORTER, store, config, OBJ1, "TAS CL", 1999, "réalisée")
    assert rejected.value.report.frame()["message"].tolist() == [
        "L'année est hors de la période possible (2000 à 2100)."
    ]
    # A status typed on the page is undone like an import.
    actions.rollback_import(IMPORTER, store, result.operation_id)
    assert query("SELECT count(*) FROM suivi_action") == [(0,)]


def test_milestones_show_their_value_and_the_date_of_the_action(store, config):
    book = workbook_bytes(
        [[MILESTONE, "71", 2025, 2, "oui"]],
        header=CONTRACT_HEADER,
        other_sheets={"actions": [HEADER, [OBJ2, "71", 2025, "réalisée", "20/06/2025", None]]},
    )
    import_files(store, config, [Upload(book, "jalon.xlsx")], "test")
    with store.read() as con:
        milestones = followup.milestones(con, 2025, "71").set_index("Code")
    assert milestones.loc[MILESTONE].to_dict() == {
        "Action": f"{OBJ2} — Organisation d'une journée départementale annuelle des solidarités",
        "Jalon": "Supports de communication réalisés",
        "Réalisé": "oui",
        "Période": "T2 2025",
        "Date ou commentaire": "20/06/2025",
    }
    with store.read() as con:
        before = followup.milestones(con, 2024, "71").set_index("Code")
    assert before.loc[MILESTONE, "Réalisé"] == "pas encore renseigné"


def test_init_loads_the_perimeters_of_the_referential(tmp_path, config, query):
    folder = tmp_path / "referentiel"
    shutil.copytree(config.referentiel_dir, folder)
    (folder / "perimetres.csv").write_text(
        "\ufeffcode_action;territoire\r\nA1-O1-Obj2-Ac1;TAS MP\r\nA1-O1-Obj2-Ac1;TAS CL\r\n", encoding="utf-8"
    )
    own = dataclasses.replace(config, referentiel_dir=folder, donnees=())
    store = Store(tmp_path / "base.duckdb")
    result = init_database(store, own, demo=False)
    assert [r.summary().split(" : ")[0] for r in result.imports] == ["cibles.csv", "perimetres.csv"]
    with store.read() as con:
        assert con.execute("SELECT action, territoire FROM perimetre_action ORDER BY territoire").fetchall() == [
            (OBJ2, "TAS CL"),
            (OBJ2, "TAS MP"),
        ]
        assert con.execute("SELECT fichier, utilisateur FROM operation").fetchall() == [
            ("perimetres.csv", "initialisation")
        ]
    again = init_database(store, own, demo=False)
    assert all(r.operation_id is None for r in again.imports)


def test_the_entry_template_carries_the_actions_to_fill(store, config, query):
    import io

    import openpyxl

    from sus_data.templates import entry_workbook

    with store.read() as con:
        content = entry_workbook(con, config, 2025, 2)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["valeurs", "instructions", "cibles", "actions"]
    sheet = book["actions"]
    header = [c.value for c in sheet[4]]
    assert header == ["code_action", "libelle_action", "territoire", "annee", "statut", "date", "commentaire"]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 183 and rows[0][:4] == (OBJ1, rows[0][1], "71", 2025)
    lists = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert '"non démarrée,en cours,réalisée,abandonnée,reportée"' in lists
    sheet["E5"] = "réalisée"  # one status chosen; the other rows stay empty
    buffer = io.BytesIO()
    book.save(buffer)
    [result] = import_files(store, config, [Upload(buffer.getvalue(), "modele_rempli.xlsx")], "test")
    assert result.nb_statuts == 1
    assert query("SELECT action, territoire, annee, statut FROM suivi_action") == [(OBJ1, "71", 2025, "réalisée")]
    warnings = result.report.frame()
    assert warnings[warnings["feuille"] == "actions"]["message"].tolist() == [
        "182 ligne(s) sans statut : ignorée(s) (aucun statut déjà enregistré n'est effacé)."
    ]


def test_a_database_made_before_the_follow_up_tables_still_works(store, config, query):
    from sus_data.schema_upgrade import FOLLOWUP_TABLES
    from sus_data.snapshot import open_snapshot

    with store.write() as con:
        for table in FOLLOWUP_TABLES:
            con.execute(f"DROP TABLE {table}")
    snapshot = open_snapshot(store)
    try:
        view = followup.actions_view(snapshot.cursor(), 2025, "71")
    finally:
        snapshot.close()
    assert view["nb_statuts"] == 0 and len(view["table"]) == 183
    [result] = _import(store, config)  # the first write creates the missing tables
    assert result.nb_statuts == 5
    assert query("SELECT count(*) FROM suivi_action") == [(5,)]
    rollback(store, result.operation_id, "test")
    assert query("SELECT count(*) FROM suivi_action") == [(0,)]
