"""The Saône-et-Loire referential (data/71/referentiel/*.csv) against the source documents.

The CSVs are the canonical, hand-corrected referential of the schéma; these tests make sure they keep the
shape and the exact wording of the sources copied in tests/sources/ (the synthesis, seed 000, for the
ambition titles; the programme d'actions n°1, seed 001, for everything else). They use only pandas and
the copied texts, not the project package, so that they test the data on their own.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENTIEL = ROOT / "data" / "71" / "referentiel"
SOURCES = Path(__file__).resolve().parent / "sources"
SYNTHESE = SOURCES / "000_e20de151751e9b8f.txt"
PROGRAMME = SOURCES / "001_e26dc32b3669d8a3.txt"

# Per ambition: orientations, objectives, actions, indicators (stats.per_ambition of the reference
# extraction, confirmed by counting the source tables).
PER_AMBITION = {
    "A1": (3, 10, 10, 21),
    "A2": (4, 12, 25, 51),
    "A3": (3, 11, 14, 24),
    "A4": (3, 10, 19, 27),
    "A5": (5, 20, 25, 51),
    "A6": (5, 16, 29, 55),
    "A7": (4, 17, 40, 70),
    "A8": (4, 16, 21, 54),
}

CODE_PATTERNS = {
    "ambition": r"A\d+",
    "orientation": r"A\d+-O\d+",
    "objectif": r"A\d+-O\d+-Obj\d+",
    "action": r"A\d+-O\d+-Obj\d+-Ac\d+",
}

OBJECTIVES_WITHOUT_ACTION = {
    "A1-O2-Obj4",
    "A3-O1-Obj4",
    "A3-O3-Obj3",
    "A5-O2-Obj4",
    "A5-O5-Obj3",
    "A7-O4-Obj4",
    "A8-O1-Obj5",
    "A8-O4-Obj3",
    "A8-O4-Obj4",
}


def normalise(text: str) -> str:
    """Source text without markup: inline tags (<b>, <i>, <sup>) removed, block tags (<p>, <li>…) and
    "›" bullets and Markdown bold made spaces, white space collapsed."""
    text = re.sub(r"\s*<sup>(.*?)</sup>", r"\1", text)
    text = re.sub(r"</?(?:b|i|em|strong|span|u|sub)\b[^>]*>", "", text)
    text = re.sub(r"<[^>]+>", " ", text).replace("**", " ").replace("›", " ")
    text = html.unescape(text).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def read(name: str) -> pd.DataFrame:
    path = REFERENTIEL / name
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), f"{name}: UTF-8 BOM attendu"
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def noeuds() -> pd.DataFrame:
    """The nodes of the programme d'actions n°1 (seed 001). noeuds.csv also holds, under ambition 8, the axes
    and fiches of the archived PDI 2013-2018 (seed 004), checked by tests/test_referentiel_pdi.py."""
    frame = read("noeuds.csv")
    pa1 = frame[frame["niveau"].isin(CODE_PATTERNS)]
    others = frame.drop(pa1.index)
    assert set(others["niveau"]) <= {"axe", "fiche"} and others["code"].str.startswith("A8-PDI-").all()
    assert (others["programmes"] == "PDI-2013-2018").all()
    return pa1.reset_index(drop=True)


@pytest.fixture(scope="module")
def indicateurs() -> pd.DataFrame:
    return read("indicateurs.csv")


@pytest.fixture(scope="module")
def liens() -> pd.DataFrame:
    return read("liens.csv")


@pytest.fixture(scope="module")
def sigles() -> pd.DataFrame:
    return read("sigles.csv")


@pytest.fixture(scope="module")
def synthese_text() -> str:
    return normalise(SYNTHESE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def programme_text() -> str:
    return normalise(PROGRAMME.read_text(encoding="utf-8").split("## LISTE DES SIGLES")[0])


def test_columns_follow_the_documented_format(noeuds, indicateurs, liens, sigles):
    assert list(noeuds.columns) == [
        "code",
        "parent",
        "niveau",
        "numero",
        "libelle",
        "libelle_court",
        "programmes",
        "role",
        "beneficiaires",
        "directions",
        "partenaires",
        "demarches_partenaires",
        "remarque",
    ]
    assert list(indicateurs.columns) == [
        "code",
        "libelle",
        "noeud",
        "unite",
        "nature",
        "agregation",
        "additivite",
        "sens",
        "source",
        "definition",
        "secret_seuil",
    ]
    assert list(liens.columns) == ["code_source", "code_cible", "libelle_source", "remarque"]
    assert list(sigles.columns) == ["sigle", "definition"]
    programmes = read("programmes.csv")
    assert programmes[programmes["code"] == "PA1"].to_dict("records") == [
        {
            "code": "PA1",
            "libelle": "Programme d'actions n°1 (actions à engager en 2024)",
            "annee_debut": "2024",
            "annee_fin": "2024",
            "statut": "en cours",
            "source": "Solidarités 71 - Schéma unique des solidarités de Saône-et-Loire - Programme d'actions "
            "n°1 (actions à engager en 2024)",
        }
    ]


def test_counts_per_level(noeuds, indicateurs):
    assert noeuds["niveau"].value_counts().to_dict() == {
        "ambition": 8,
        "orientation": 31,
        "objectif": 112,
        "action": 183,
    }
    assert len(indicateurs) == 353
    assert noeuds["code"].is_unique and indicateurs["code"].is_unique


@pytest.mark.parametrize("ambition", sorted(PER_AMBITION))
def test_counts_per_ambition(noeuds, indicateurs, ambition):
    mine = noeuds[noeuds["code"].str.split("-").str[0] == ambition]
    counts = mine["niveau"].value_counts()
    n_ind = (indicateurs["code"].str.split("-").str[0] == ambition).sum()
    got = (counts.get("orientation", 0), counts.get("objectif", 0), counts.get("action", 0), n_ind)
    assert got == PER_AMBITION[ambition]


def test_codes_follow_the_pattern_and_parents_exist(noeuds, indicateurs):
    seen: set[str] = set()
    for row in noeuds.itertuples():
        assert re.fullmatch(CODE_PATTERNS[row.niveau], row.code), row.code
        expected_parent = row.code.rsplit("-", 1)[0] if "-" in row.code else ""
        assert row.parent == expected_parent, row.code
        assert not row.parent or row.parent in seen, f"{row.code}: parent absent ou après l'enfant"
        assert row.numero == re.search(r"(\d+)$", row.code).group(1), row.code
        seen.add(row.code)
    actions = set(noeuds.loc[noeuds["niveau"] == "action", "code"])
    for row in indicateurs.itertuples():
        match = re.fullmatch(r"(A\d+-O\d+-Obj\d+-Ac\d+)-I(\d+)", row.code)
        assert match, row.code
        assert match.group(1) == row.noeud and row.noeud in actions, row.code
    # Indicators are numbered 1, 2, … within their action, in source order.
    for action, group in indicateurs.groupby("noeud", sort=False):
        numbers = [int(code.rsplit("-I", 1)[1]) for code in group["code"]]
        assert numbers == list(range(1, len(numbers) + 1)), action
    # Every action is in the programme PA1.
    assert (noeuds.loc[noeuds["niveau"] == "action", "programmes"] == "PA1").all()


def test_every_node_label_is_in_the_source(noeuds, synthese_text, programme_text):
    missing = []
    for row in noeuds.itertuples():
        text = synthese_text if row.niveau == "ambition" else programme_text
        if not row.libelle or row.libelle != row.libelle.strip() or row.libelle not in text:
            missing.append((row.code, row.libelle))
    assert missing == []


def test_every_indicator_label_is_in_the_source(indicateurs, programme_text):
    missing = [(r.code, r.libelle) for r in indicateurs.itertuples() if r.libelle not in programme_text]
    assert missing == []


def test_indicators_of_each_action_follow_each_other_in_the_source(indicateurs, programme_text):
    """The indicators of one action, in order, are one cell of the source: a wrong split or merge of the
    extraction would break the sequence."""
    broken = []
    for action, group in indicateurs.groupby("noeud", sort=False):
        sequence = " ".join(group["libelle"])
        if sequence not in programme_text:
            broken.append((action, sequence))
    assert broken == []


def test_beneficiaries_and_partners_are_in_the_source(noeuds, programme_text):
    broken = []
    for row in noeuds[noeuds["niveau"] == "action"].itertuples():
        beneficiaires = " ".join(row.beneficiaires.split(" | ")) if row.beneficiaires else ""
        for value in (beneficiaires, row.directions, row.partenaires):
            if value and value not in programme_text:
                broken.append((row.code, value))
    assert broken == []


SAMPLES = [
    (
        "indicateurs",
        "A1-O1-Obj1-Ac1-I1",
        "libelle",
        "Nombre de réseaux référencés par thématique et territoire d'action sociale",
    ),
    ("indicateurs", "A4-O2-Obj3-Ac1-I1", "libelle", "1er livrable pour 2024 réalisé au 30/03/25"),
    ("indicateurs", "A7-O3-Obj5-Ac12-I1", "libelle", "État d'avancement, en fonction de la publication des décrets"),
    (
        "indicateurs",
        "A6-O4-Obj1-Ac2-I2",
        "libelle",
        "Nombre de ré-hospitalisation de moins 48H chez les patients de 75 ans et plus",
    ),
    (
        "noeuds",
        "A2",
        "libelle",
        ("Faciliter le parcours des bénéficiaires des services départementaux à tout âge de la vie"),
    ),
    (
        "noeuds",
        "A1-O3",
        "libelle",
        (
            "développer la plateforme InfoPublic71 pour permettre aux professionnels des solidarités de trouver les "
            "informations utiles à leur pratique et mieux mobiliser les aides et dispositifs existants"
        ),
    ),
    (
        "noeuds",
        "A8-O1",
        "libelle",
        (
            "garantir à chaque bénéficiaire du RSA un accompagnement à l'emploi adapté et un parcours sans rupture "
            "afin d'éviter aux personnes de s'installer dans l'inactivité, la précarité et la pauvreté"
        ),
    ),
    (
        "noeuds",
        "A7-O1-Obj1",
        "libelle",
        (
            "Définir la politique de prévention départementale dans le champ de l'enfance en réperant les besoins "
            "des familles et en coordonnant les différents acteurs"
        ),
    ),
    (
        "noeuds",
        "A5-O1-Obj2-Ac2",
        "libelle",
        'Lancement d\'une formation inter-institutionnelle aux " premiers secours en santé mentale "',
    ),
    (
        "noeuds",
        "A8-O2-Obj1-Ac1",
        "beneficiaires",
        (
            "Professionnels du Département | Partenaires de l'insertion | Partenaires du monde économique | "
            "In fine, les publics en insertion"
        ),
    ),
    ("noeuds", "A3-O2-Obj2-Ac1", "role", "Co-pilote"),
    ("noeuds", "A1", "libelle_court", "Chef de file de l'action sociale"),
]


@pytest.mark.parametrize(("fichier", "code", "colonne", "attendu"), SAMPLES, ids=[f"{s[1]}-{s[2]}" for s in SAMPLES])
def test_sample_rows_word_for_word(noeuds, indicateurs, fichier, code, colonne, attendu):
    table = {"noeuds": noeuds, "indicateurs": indicateurs}[fichier]
    assert table.set_index("code").loc[code, colonne] == attendu


def test_source_anomalies_are_recorded(noeuds, indicateurs):
    by_code = noeuds.set_index("code")
    objectives = noeuds[noeuds["niveau"] == "objectif"]
    with_actions = set(noeuds.loc[noeuds["niveau"] == "action", "parent"])
    assert set(objectives["code"]) - with_actions == OBJECTIVES_WITHOUT_ACTION
    for code in OBJECTIVES_WITHOUT_ACTION:
        assert "aucune action en 2024" in by_code.loc[code, "remarque"], code
    # The one action without indicator, the missing and the truncated beneficiaries.
    assert "A4-O3-Obj1-Ac2" not in set(indicateurs["noeud"])
    assert "indicateur" in by_code.loc["A4-O3-Obj1-Ac2", "remarque"]
    assert by_code.loc["A2-O1-Obj2-Ac1", "beneficiaires"] == ""
    assert "bénéficiaires" in by_code.loc["A2-O1-Obj2-Ac1", "remarque"].lower()
    assert by_code.loc["A5-O1-Obj2-Ac1", "beneficiaires"] == "Personnes majeures cumulant des problématiques"
    assert "tronqué" in by_code.loc["A5-O1-Obj2-Ac1", "remarque"]
    assert "TAS MALC" in by_code.loc["A8-O3", "remarque"]
    # Every ambition has a short label of 2 to 6 words for the tiles.
    for label in noeuds.loc[noeuds["niveau"] == "ambition", "libelle_court"]:
        assert 2 <= len(label.split()) <= 6, label


def test_indicator_classification_uses_known_values(indicateurs):
    assert set(indicateurs["unite"]) <= {"nombre", "%", "€", "jours", "mois", "oui/non", "qualitatif"}
    assert set(indicateurs["nature"]) <= {"réalisation", "jalon"}
    assert set(indicateurs["agregation"]) <= {"somme", "dernier", "moyenne", "aucune"}
    assert set(indicateurs["additivite"]) <= {"somme", "aucune"}
    assert set(indicateurs["sens"]) <= {"hausse", "baisse", "neutre"}
    assert (indicateurs["secret_seuil"] == "").all()
    jalons = indicateurs[indicateurs["nature"] == "jalon"]
    assert (jalons["unite"] == "oui/non").all() and (jalons["agregation"] == "dernier").all()
    assert (jalons["additivite"] == "aucune").all()
    rates = indicateurs[indicateurs["unite"] == "%"]
    assert (rates["additivite"] == "aucune").all()
    qualitative = indicateurs[indicateurs["unite"] == "qualitatif"]
    assert (qualitative[["agregation", "additivite"]] == "aucune").all().all()
    assert (qualitative["sens"] == "neutre").all()
    by_code = indicateurs.set_index("code")
    assert by_code.loc["A1-O1-Obj1-Ac1-I1", "agregation"] == "dernier"  # "référencés": a stock
    assert by_code.loc["A7-O2-Obj2-Ac1-I4", ["unite", "sens"]].tolist() == ["jours", "baisse"]
    assert by_code.loc["A8-O3-Obj1-Ac2-I2", "sens"] == "baisse"  # ruptures de contrats
    assert by_code.loc["A4-O1-Obj2-Ac2-I4", "unite"] == "€"


def test_links_resolve_to_nodes(noeuds, liens, programme_text):
    codes = set(noeuds["code"])
    assert set(liens["code_source"]) <= codes
    for row in liens.itertuples():
        assert row.libelle_source in programme_text, row.libelle_source
        if row.code_cible:
            assert row.code_cible in codes, row.code_cible
        else:
            assert row.remarque, f"{row.code_source}: cible vide sans remarque"
    unresolved = liens[liens["libelle_source"] == "Ambition 3 Orientation 3 Objectif 4"]
    assert unresolved[["code_source", "code_cible"]].values.tolist() == [["A6-O4-Obj3-Ac1", ""]]


def test_glossary(sigles):
    source = PROGRAMME.read_text(encoding="utf-8").split("## LISTE DES SIGLES")[1]
    pairs = re.findall(r"^\*\*(.+?)\*\* : (.+?)\s*$", source, flags=re.MULTILINE)
    assert len(sigles) == 139
    assert list(sigles.itertuples(index=False, name=None)) == pairs
    by_sigle = dict(pairs)
    assert by_sigle["TAS MP"] == "Territoire d'action sociale de Mâcon - Paray-le-Monial"
    assert by_sigle["TAS CL"] == "Territoire d'action sociale de Chalon-sur-Saône - Louhans"
    assert by_sigle["TAS MALC"] == "Territoire d'action sociale de Montceau-les-Mines - Autun - Le Creusot"
