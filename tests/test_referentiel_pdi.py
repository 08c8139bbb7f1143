"""The Saône-et-Loire's programme départemental d'insertion 2013-2018 (seed 004), an archived programme of
the 71 loaded under ambition 8 (insertion), its descendant in the schéma.

Its 3 axes and 23 fiches are appended to data/71/referentiel/noeuds.csv (levels `axe` and `fiche` of
config/71.toml), its 75 indicators live in data/71/referentiel/indicateurs_pdi.csv, read by the loader like
every `indicateurs*.csv` of the folder. The wording is checked against the copy of the livret in tests/sources/.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from sus_data.config import load_config
from sus_data.referential import indicator_files, read_referentiel

ROOT = Path(__file__).resolve().parents[1]
REFERENTIEL = ROOT / "data" / "71" / "referentiel"
SEED_NAME = "004_3881471b6b953c22.txt"
SEED = Path(__file__).resolve().parent / "sources" / SEED_NAME
ORIGINAL_SEED = Path("/work/shared/seeds") / SEED_NAME
PROGRAMME = "PDI-2013-2018"

# Counted in the livret: fiches per axis and indicators (one per « - » item of the « Indicateurs » rubric).
FICHES_PER_AXIS = {1: list(range(1, 10)), 2: list(range(10, 22)), 3: [22, 23]}
INDICATORS_PER_FICHE = {
    1: 2,
    2: 3,
    3: 2,
    4: 7,
    5: 3,
    6: 3,
    7: 5,
    8: 3,
    9: 3,
    10: 2,
    11: 2,
    12: 3,
    13: 1,
    14: 2,
    15: 5,
    16: 4,
    17: 3,
    18: 3,
    19: 4,
    20: 3,
    21: 3,
    22: 5,
    23: 4,
}


def normalise(text: str) -> str:
    text = re.sub(r"\s*<sup>(.*?)</sup>", r"\1", text)
    text = re.sub(r"</?(?:b|i|em|strong|span|u|sub)\b[^>]*>", "", text)
    text = re.sub(r"<[^>]+>", " ", text).replace("**", " ").replace("›", " ")
    text = html.unescape(text).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def read(name: str) -> pd.DataFrame:
    path = REFERENTIEL / name
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{name}: UTF-8 BOM attendu"
    assert raw.count(b"\n") == raw.count(b"\r\n"), f"{name}: fins de ligne CRLF attendues"
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def seed_indicators(seed_lines) -> dict[int, list[str]]:
    """The « Indicateurs » rubric of every fiche page, read from the livret independently of the CSV."""
    found: dict[int, list[str]] = {}
    fiche, inside = None, False
    for raw in seed_lines:
        text = raw.strip()
        if match := re.match(r"Fiche action n° (\d+)", text):
            fiche, inside = int(match.group(1)), False
            found[fiche] = []
        elif text in (
            "Objectifs",
            "Public concerné",
            "Plan d'action",
            "Partenaires",
            "Calendrier",
            "Conditions de réussite et de mise en œuvre",
            "Indicateurs",
        ):
            inside = text == "Indicateurs"
        elif text.startswith(("Axe ", "**Axe ")):
            inside = False
        elif inside and text.startswith("- "):
            found[fiche].append(normalise(text[2:]))
    return found


@pytest.fixture(scope="module")
def noeuds() -> pd.DataFrame:
    frame = read("noeuds.csv")
    return frame[frame["code"].str.startswith("A8-PDI-")].reset_index(drop=True)


@pytest.fixture(scope="module")
def indicateurs() -> pd.DataFrame:
    return read("indicateurs_pdi.csv")


def test_the_programme_is_archived():
    programmes = read("programmes.csv")
    assert programmes["code"].tolist() == ["PA1", PROGRAMME]
    row = programmes.set_index("code").loc[PROGRAMME]
    assert row["libelle"] == "Programme départemental d'insertion 2013-2018 (livret opérationnel)"
    assert (row["annee_debut"], row["annee_fin"], row["statut"]) == ("2013", "2018", "archivé")
    assert "Programme départemental d'insertion 2013 - 2018" in row["source"]


def test_levels_of_the_configuration():
    config = load_config(ROOT / "config" / "71.toml")
    assert [(lv.cle, lv.libelle, lv.prefixe) for lv in config.levels] == [
        ("ambition", "Ambition", "A"),
        ("orientation", "Orientation", "O"),
        ("objectif", "Objectif", "Obj"),
        ("action", "Action", "Ac"),
        ("axe", "Axe", "AX"),
        ("fiche", "Fiche action", "F"),
    ]
    assert config.niveau_action == "action"


def test_appended_after_the_programme_n1():
    frame = read("noeuds.csv")
    pdi = frame["code"].str.startswith("A8-PDI-")
    assert pdi.sum() == 26
    assert pdi.tolist() == [False] * 334 + [True] * 26, "les nœuds du PDI sont ajoutés à la fin"
    assert frame.iloc[:334]["niveau"].isin(["ambition", "orientation", "objectif", "action"]).all()


def test_three_axes_and_23_fiches(noeuds, seed_lines):
    assert noeuds["niveau"].value_counts().to_dict() == {"axe": 3, "fiche": 23}
    assert (noeuds["programmes"] == PROGRAMME).all()
    axes = noeuds[noeuds["niveau"] == "axe"]
    assert axes["code"].tolist() == ["A8-PDI-AX1", "A8-PDI-AX2", "A8-PDI-AX3"]
    assert (axes["parent"] == "A8").all() and axes["numero"].tolist() == ["1", "2", "3"]
    summary = [normalise(text) for text in seed_lines[12:56]]
    titles = [re.fullmatch(r"Axe I{1,3} – (.+)", t).group(1) for t in summary if t.startswith("Axe ")]
    assert axes["libelle"].tolist() == titles
    for axis, numbers in FICHES_PER_AXIS.items():
        fiches = noeuds[noeuds["parent"] == f"A8-PDI-AX{axis}"]
        # Fiches keep the number the livret gives them (« Fiche n°10 »…).
        assert fiches["code"].tolist() == [f"A8-PDI-AX{axis}-F{n}" for n in numbers]
        assert fiches["numero"].tolist() == [str(n) for n in numbers]
        assert (fiches["niveau"] == "fiche").all()


def test_fiche_titles_word_for_word(noeuds, seed_lines):
    """Titles of the summary table of the livret (« Fiche n°N <tab> title <tab> p.N »)."""
    table = {}
    for raw in seed_lines[12:56]:
        cells = raw.split("\t")
        if len(cells) == 4 and cells[1].startswith("Fiche n°"):
            table[int(cells[1].removeprefix("Fiche n°"))] = normalise(cells[2])
    assert sorted(table) == list(range(1, 24))
    fiches = noeuds[noeuds["niveau"] == "fiche"]
    assert dict(zip(fiches["numero"].astype(int), fiches["libelle"], strict=True)) == table
    by_code = noeuds.set_index("code")
    assert by_code.loc["A8-PDI-AX1-F1", "libelle"] == (
        "Assurer un service de qualité en consolidant le partenariat entre la Caisse d'allocations familiales, la "
        "Caisse régionale de mutualité sociale agricole de Bourgogne et les autres organismes instructeurs"
    )
    assert by_code.loc["A8-PDI-AX2-F17", "libelle"] == "S'appuyer sur les travaux de la CODAJE"
    assert by_code.loc["A8-PDI-AX3", "libelle"] == "Le PDI : un outil évolutif, atout du développement partenarial"
    assert "Mobiliser pleinement les dispositifs d'accès à l'emploi" in by_code.loc["A8-PDI-AX2-F12", "remarque"]


def test_75_indicators(indicateurs, noeuds):
    assert list(indicateurs.columns) == list(read("indicateurs.csv").columns)
    assert len(indicateurs) == 75 and indicateurs["code"].is_unique
    per_fiche = indicateurs.groupby("noeud", sort=False).size()
    expected = {f"A8-PDI-AX{a}-F{n}": INDICATORS_PER_FICHE[n] for a, ns in FICHES_PER_AXIS.items() for n in ns}
    assert per_fiche.to_dict() == expected
    assert [indicateurs["noeud"].str.startswith(f"A8-PDI-AX{a}-").sum() for a in (1, 2, 3)] == [31, 35, 9]
    for fiche, group in indicateurs.groupby("noeud", sort=False):
        assert group["code"].tolist() == [f"{fiche}-I{k}" for k in range(1, len(group) + 1)]
    assert set(indicateurs["noeud"]) == set(noeuds.loc[noeuds["niveau"] == "fiche", "code"])


def test_indicator_labels_word_for_word(indicateurs, seed_indicators):
    assert sum(len(v) for v in seed_indicators.values()) == 75
    for fiche, group in indicateurs.groupby("noeud", sort=False):
        number = int(fiche.rsplit("-F", 1)[1])
        # The livret ends each item with a full stop, left out of the label.
        assert [f"{label}." for label in group["libelle"]] == seed_indicators[number], fiche
    by_code = indicateurs.set_index("code")
    assert by_code.loc["A8-PDI-AX1-F2-I1", "libelle"] == "Taux de non-recours"
    assert (
        by_code.loc["A8-PDI-AX2-F12-I3", "libelle"] == "Situation des bénéficiaires à + 6 mois après la sortie du CUI"
    )
    assert by_code.loc["A8-PDI-AX3-F23-I4", "libelle"] == "Nombre de documents produits ou réactualisés"


def test_indicator_classification(indicateurs):
    assert set(indicateurs["unite"]) <= {"nombre", "%", "€", "oui/non", "qualitatif"}
    assert set(indicateurs["nature"]) <= {"réalisation", "résultat", "jalon"}
    jalons = indicateurs[indicateurs["nature"] == "jalon"]
    assert (jalons[["unite", "agregation", "additivite"]] == ["oui/non", "dernier", "aucune"]).all().all()
    rates = indicateurs[indicateurs["unite"] == "%"]
    assert (rates[["agregation", "additivite"]] == ["moyenne", "aucune"]).all().all()
    qualitative = indicateurs[indicateurs["unite"] == "qualitatif"]
    assert (qualitative[["agregation", "additivite", "sens"]] == ["aucune", "aucune", "neutre"]).all().all()
    assert (indicateurs["secret_seuil"] == "").all()
    assert (
        indicateurs["definition"]
        .str.contains("programme départemental d'insertion 2013-2018 (archivé)", regex=False)
        .all()
    )
    by_code = indicateurs.set_index("code")
    assert by_code.loc["A8-PDI-AX1-F2-I1", ["unite", "sens"]].tolist() == ["%", "baisse"]  # taux de non-recours


def test_the_loader_reads_every_indicator_file():
    config = load_config(ROOT / "config" / "71.toml")
    assert indicator_files(REFERENTIEL) == ["indicateurs.csv", "indicateurs_contexte.csv", "indicateurs_pdi.csv"]
    ref = read_referentiel(config)
    files = ref.indicateurs.groupby("fichier", sort=False).size()
    assert files.to_dict() == {"indicateurs.csv": 353, "indicateurs_contexte.csv": 74, "indicateurs_pdi.csv": 75}
    assert ref.indicateurs["fichier"].tolist()[0] == "indicateurs.csv"
    programmes = ref.programmes.set_index("code")["statut"].to_dict()
    assert programmes == {"PA1": "en cours", PROGRAMME: "archivé"}


def test_source_copy():
    assert SEED.exists(), f"copie manquante : {SEED}"
    if ORIGINAL_SEED.exists():
        assert SEED.read_bytes() == ORIGINAL_SEED.read_bytes()
