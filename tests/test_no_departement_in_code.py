"""Nothing about Saône-et-Loire is hard-wired: its territories and ambitions come from configuration.

Every string literal of the pages, the Streamlit glue and the data package (docstrings aside: they may
cite examples) is checked against the names of the 71's territories and ambitions.
"""

import ast
import csv
import tomllib
from pathlib import Path

import pytest

from sus_data import textnorm

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    [
        ROOT / "app.py",
        *(ROOT / "app_pages").glob("*.py"),
        *(ROOT / "ui").glob("*.py"),
        *(ROOT / "sus_data").glob("*.py"),
    ]
)
# Generic words that a territory of the configuration also uses as its short label.
GENERIC = {"departement", "total", "dept"}
MIN_NAME_LENGTH = 4  # shorter aliases ("MP", "CL") are too common as substrings to be meaningful


def _names() -> set[str]:
    config = tomllib.loads((ROOT / "config" / "71.toml").read_text(encoding="utf-8"))
    names = {config["departement"]["nom"]}
    for territory in config["territoires"]["liste"]:
        if territory["niveau"] == "comparateur":  # France, the région: not the département's own
            continue
        names |= {territory["code"], territory["libelle"], territory["libelle_court"], *territory.get("alias", [])}
    with (ROOT / "data" / "71" / "referentiel" / "noeuds.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            if not row["parent"]:
                names |= {row["libelle"], row["libelle_court"]}
    keys = {textnorm.key(n) for n in names if n}
    return {k for k in keys if len(k) >= MIN_NAME_LENGTH and k not in GENERIC}


NAMES = _names()


def _literals(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_the_names_to_look_for_are_there():
    assert textnorm.key("TAS MALC") in NAMES
    assert textnorm.key("Saône-et-Loire") in NAMES
    assert textnorm.key("Renforcer l'action sociale départementale") in NAMES


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_territory_or_ambition_of_the_71_in_code(path):
    found = []
    for line, text in _literals(path):
        key = textnorm.key(text)
        found += [f"ligne {line} : « {text[:60]} »" for name in NAMES if name in key]
    assert not found, f"{path.name} nomme un territoire ou une ambition de la Saône-et-Loire :\n" + "\n".join(found)
