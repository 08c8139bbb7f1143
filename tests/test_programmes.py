"""Successive programmes of actions: a programme n°2 added beside the n°1 without renaming anything.

An action carried over from the n°1 to the n°2 keeps its code, so its values and their history stay
with it; the pages can show one programme or all of them.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from sus_data import queries
from sus_data.config import load_config
from sus_data.database import init_database
from sus_data.filters import Filters
from sus_data.snapshot import open_snapshot
from sus_data.store import Store

ROOT = Path(__file__).resolve().parents[1]
CARRIED = "A5-O5-Obj1-Ac1"  # an action of the programme n°1, carried over to the n°2
NEW_ACTION = "A5-O5-Obj1-Ac9"


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        return list(reader.fieldnames), list(reader)


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, header, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def two_programmes(tmp_path) -> Path:
    """A copy of the 71's configuration and referential with a programme n°2."""
    folder = tmp_path / "referentiel"
    shutil.copytree(ROOT / "data" / "71" / "referentiel", folder)
    header, rows = _rows(folder / "programmes.csv")
    rows.append(
        {
            **rows[0],
            "code": "PA2",
            "libelle": "Programme d'actions n°2 (2025)",
            "annee_debut": "2025",
            "annee_fin": "2025",
        }
    )
    _write(folder / "programmes.csv", header, rows)
    header, rows = _rows(folder / "noeuds.csv")
    for row in rows:
        if row["code"] == CARRIED:
            row["programmes"] = "PA1 | PA2"
            carried = row
    new = {
        **carried,
        "code": NEW_ACTION,
        "numero": "9",
        "libelle": "Nouvelle action du programme n°2",
        "programmes": "PA2",
    }
    rows.insert(rows.index(carried) + 1, new)
    _write(folder / "noeuds.csv", header, rows)
    header, rows = _rows(folder / "indicateurs.csv")
    template = next(r for r in rows if r["noeud"] == CARRIED)
    rows.append(
        {
            **template,
            "code": NEW_ACTION + "-I1",
            "noeud": NEW_ACTION,
            "libelle": "Nombre de personnes accompagnées (programme n°2)",
        }
    )
    _write(folder / "indicateurs.csv", header, rows)
    config_text = (ROOT / "config" / "71.toml").read_text(encoding="utf-8")
    config_text = config_text.replace('dossier = "data/71/referentiel"', f'dossier = "{folder.as_posix()}"')
    config_path = tmp_path / "71_pa2.toml"
    config_path.write_text(config_text, encoding="utf-8")
    return config_path


def test_programme_two_beside_one_keeps_the_carried_action_history(tmp_path, two_programmes):
    store = Store(tmp_path / "base.duckdb")
    # The database starts with the programme n°1 only, and its demo values.
    init_database(store, load_config(ROOT / "config" / "71.toml"), demo=True)
    with store.read() as con:
        before = con.execute(
            "SELECT count(*), sum(valeur) FROM valeur v JOIN indicateur i ON i.code = v.indicateur WHERE i.noeud = ?",
            [CARRIED],
        ).fetchone()
    assert before[0] > 0
    # The referential gains the programme n°2: nothing renamed, the carried action keeps its values.
    init_database(store, load_config(two_programmes), demo=False)
    snapshot = open_snapshot(store)
    try:
        con = snapshot.cursor()
        after = con.execute(
            "SELECT count(*), sum(valeur) FROM valeur v JOIN indicateur i ON i.code = v.indicateur WHERE i.noeud = ?",
            [CARRIED],
        ).fetchone()
        assert after == before
        programmes = con.execute(
            "SELECT programme FROM noeud_programme WHERE noeud = ? ORDER BY 1", [CARRIED]
        ).fetchall()
        assert programmes == [("PA1",), ("PA2",)]
        one = set(queries.indicators(con, Filters(ambition="A5", programme="PA1"))["noeud"])
        two = set(queries.indicators(con, Filters(ambition="A5", programme="PA2"))["noeud"])
        every = set(queries.indicators(con, Filters(ambition="A5"))["noeud"])
    finally:
        snapshot.close()
    assert two == {CARRIED, NEW_ACTION}
    assert CARRIED in one and NEW_ACTION not in one
    assert {CARRIED, NEW_ACTION} <= every and "A5" in every  # all programmes, and the context indicators


def test_archived_programme_is_listed_and_filterable(demo_env):
    snapshot = open_snapshot(Store(demo_env))
    try:
        con = snapshot.cursor()
        programmes = queries.programmes(con)
        pdi = queries.indicators(con, Filters(programme="PDI-2013-2018"))
    finally:
        snapshot.close()
    assert programmes.set_index("code").loc["PDI-2013-2018", "statut"] == "archivé"
    assert len(pdi) == 75
    assert set(pdi["ambition"]) == {"A8"}
