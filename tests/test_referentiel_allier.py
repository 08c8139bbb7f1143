"""The Allier's referential and real figures (config/03.toml, data/03/) against the source, seed 003.

The Allier's schéma (copy of the seed in tests/sources/) is a second département: nothing about the
Saône-et-Loire may be needed to load it. These tests load its configuration and referential with the
project's own loader, check the shape of the tree and the counts established by reading the source (see
data/03/README.md for the counting rules and the differences with the machine extraction), the exact wording
of the labels, the real figures against the lines they cite, and run `python -m sus_data init` on it.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from sus_data.config import load_config
from sus_data.referential import read_referentiel

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "03.toml"
REFERENTIEL = ROOT / "data" / "03" / "referentiel"
DONNEES = ROOT / "data" / "03" / "donnees"
SEED_NAME = "003_e87a6f9747f4e13b.txt"
SEED = Path(__file__).resolve().parent / "sources" / SEED_NAME
ORIGINAL_SEED = Path("/work/shared/seeds") / SEED_NAME

DATA_FILES = ("chiffres_cles.csv", "comparaisons_region_france.csv", "cibles_fiches.csv")
DATA_COLUMNS = ["code_indicateur", "territoire", "annee", "trimestre", "valeur", "cible", "commentaire", "source"]

# Counts established from the seed (data/03/README.md).
LEVEL_COUNTS = {"volet": 3, "politique": 5, "axe": 21, "objectif": 14, "fiche": 49}
# Per policy (the transversal volet V1 has no policy level): axes, fiches, evaluation criteria, linked
# indicators, measures written in the criteria column of the autonomy fiches.
PER_POLICY = {
    "V1": (7, 13, 27, 31, 0),
    "V2-P1": (5, 11, 38, 24, 0),
    "V2-P2": (5, 10, 50, 10, 0),
    "V2-P3": (4, 15, 0, 0, 97),
}
N_INDICATORS = 277
# Evaluation items per fiche, in document order: (criteria, linked indicators or measures).
PER_FICHE = {
    "V1-AX1-OB1-F2": (3, 4),
    "V1-AX1-OB2-F1": (2, 2),
    "V1-AX2-OB2-F1": (0, 2),
    "V1-AX3-OB1-F1": (1, 2),
    "V1-AX3-OB2-F1": (1, 1),
    "V1-AX3-OB2-F2": (1, 1),
    "V1-AX4-OB1-F1": (3, 5),
    "V1-AX4-OB1-F2": (3, 1),
    "V1-AX4-OB2-F1": (3, 5),
    "V1-AX5-OB1-F1": (2, 2),
    "V1-AX5-OB2-F1": (2, 3),
    "V1-AX6-OB1-F1": (3, 0),
    "V1-AX6-OB2-F1": (3, 3),
    "V2-P1-AX1-F1": (5, 8),
    "V2-P1-AX1-F2": (3, 4),
    "V2-P1-AX2-F1": (3, 0),
    "V2-P1-AX2-F2": (3, 2),
    "V2-P1-AX2-F3": (3, 2),
    "V2-P1-AX3-F1": (3, 3),
    "V2-P1-AX3-F2": (4, 1),
    "V2-P1-AX4-F1": (4, 1),
    "V2-P1-AX4-F2": (4, 0),
    "V2-P1-AX5-F1": (3, 2),
    "V2-P1-AX5-F2": (3, 1),
    **{f"V2-P2-AX{a}-F{f}": (5, 1) for a in range(1, 6) for f in (1, 2)},
    "V2-P3-AX1-F1": (0, 5),
    "V2-P3-AX1-F2": (0, 7),
    "V2-P3-AX1-F3": (0, 2),
    "V2-P3-AX1-F4": (0, 3),
    "V2-P3-AX1-F5": (0, 2),
    "V2-P3-AX1-F6": (0, 3),
    "V2-P3-AX2-F1": (0, 9),
    "V2-P3-AX2-F2": (0, 8),
    "V2-P3-AX2-F3": (0, 9),
    "V2-P3-AX2-F4": (0, 18),
    "V2-P3-AX3-F1": (0, 16),
    "V2-P3-AX3-F2": (0, 8),
    "V2-P3-AX4-F1": (0, 3),
    "V2-P3-AX4-F2": (0, 2),
    "V2-P3-AX4-F3": (0, 2),
}
# How the definition of an indicator says which column of the source's table it comes from.
CRITERION = "Critère d'évaluation de résultat (colonne"
LINKED = "Indicateur lié (colonne"
MEASURE = "Mesure inscrite dans la colonne"
CODE_PATTERN = re.compile(r"V[1-3](-P[1-3])?(-AX[1-7])?(-OB[12])?(-F[1-6])?")
LEVEL_OF_SEGMENT = {"V": "volet", "P": "politique", "AX": "axe", "OB": "objectif", "F": "fiche"}


def normalise(text: str) -> str:
    """Source text without markup (same rules as tests/test_referentiel_sources.py)."""
    text = re.sub(r"\s*<sup>(.*?)</sup>", r"\1", text)
    text = re.sub(r"</?(?:b|i|em|strong|span|u|sub)\b[^>]*>", "", text)
    text = re.sub(r"<[^>]+>", " ", text).replace("**", " ").replace("›", " ")
    text = html.unescape(text).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def read(path: Path) -> pd.DataFrame:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), f"{path.name}: UTF-8 BOM attendu"
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def config():
    return load_config(CONFIG)


@pytest.fixture(scope="module")
def ref(config):
    return read_referentiel(config)


@pytest.fixture(scope="module")
def noeuds(ref) -> pd.DataFrame:
    return ref.noeuds


@pytest.fixture(scope="module")
def indicateurs(ref) -> pd.DataFrame:
    frame = ref.indicateurs
    return frame[frame["fichier"] == "indicateurs.csv"].reset_index(drop=True)


@pytest.fixture(scope="module")
def contexte(ref) -> pd.DataFrame:
    frame = ref.indicateurs
    return frame[frame["fichier"] == "indicateurs_contexte.csv"].reset_index(drop=True)


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def seed_text(seed_lines) -> str:
    return normalise("\n".join(seed_lines))


@pytest.fixture(scope="module")
def donnees() -> dict[str, pd.DataFrame]:
    return {name: read(DONNEES / name) for name in DATA_FILES}


def policy_of(code: str) -> str:
    return code[:2] if code.startswith("V1") else code[:5]


def cited_line(definition: str) -> int:
    match = re.search(r"seed 003 l\. (\d+)\.", definition)
    assert match, definition
    return int(match.group(1))


# ------------------------------------------------------------------------------------------ configuration
def test_configuration(config):
    assert (config.code, config.nom) == ("03", "Allier")
    assert [lv.cle for lv in config.levels] == ["volet", "politique", "axe", "objectif", "fiche"]
    assert [lv.prefixe for lv in config.levels] == ["V", "P", "AX", "OB", "F"]
    assert config.niveau_action == "fiche" and config.prefixe_indicateur == "I"
    assert config.referentiel_dir == REFERENTIEL
    assert config.db_path.name == "sus_03.duckdb" or os.environ.get("SUS_DB")
    assert config.demo_annees == (2023, 2024, 2025)
    assert [p.name for p in config.donnees] == list(DATA_FILES)
    assert config.departement.code == "03" and config.departement.couleur == "#1A1A1A"
    assert config.departement.population == 331757 and config.departement.population_annee == 2022
    tsd = [t for t in config.territories if t.niveau == "tsd"]
    assert [t.libelle for t in tsd] == ["TSD Montluçon ouest Allier", "TSD Moulins nord Allier", "TSD Vichy sud Allier"]
    assert all(t.parent == "03" and t.population is None for t in tsd)
    comparators = [t for t in config.territories if t.niveau == "comparateur"]
    assert [t.libelle for t in comparators] == ["Auvergne-Rhône-Alpes", "France métropolitaine"]
    assert all(t.parent is None for t in comparators)
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert {t.couleur for t in config.territories if t.niveau != "departement"} <= okabe_ito
    owners: dict[str, set[str]] = {}
    for t in config.territories:
        for alias in (t.code, t.libelle, t.libelle_court, *t.alias):
            owners.setdefault(alias.casefold(), set()).add(t.code)
    shared = {alias: codes for alias, codes in owners.items() if len(codes) > 1}
    assert shared == {}, "un alias désigne deux territoires"
    # The TSD are the ones of the source.
    assert "Montluçon ouest allier, Moulins nord Allier et Vichy sud Allier" in SEED.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------ the tree
def test_counts_per_level(noeuds, indicateurs):
    assert noeuds["niveau"].value_counts().to_dict() == LEVEL_COUNTS
    assert len(indicateurs) == N_INDICATORS
    assert noeuds["code"].is_unique and indicateurs["code"].is_unique


@pytest.mark.parametrize("policy", sorted(PER_POLICY))
def test_counts_per_policy(noeuds, indicateurs, policy):
    mine = noeuds[noeuds["code"].map(policy_of) == policy]
    levels = mine["niveau"].value_counts()
    ind = indicateurs[indicateurs["noeud"].map(policy_of) == policy]
    criteria = ind["definition"].str.contains(CRITERION, regex=False).sum()
    linked = ind["definition"].str.contains(LINKED, regex=False).sum()
    measures = ind["definition"].str.contains(MEASURE, regex=False).sum()
    assert criteria + linked + measures == len(ind)
    assert (levels.get("axe", 0), levels.get("fiche", 0), criteria, linked, measures) == PER_POLICY[policy]


def test_counts_per_fiche(noeuds, indicateurs):
    fiches = noeuds.loc[noeuds["niveau"] == "fiche", "code"].tolist()
    assert fiches == list(PER_FICHE), "fiches dans l'ordre du document"
    got = {}
    for code in fiches:
        ind = indicateurs[indicateurs["noeud"] == code]
        criteria = int(ind["definition"].str.contains(CRITERION, regex=False).sum())
        got[code] = (criteria, len(ind) - criteria)
    assert got == PER_FICHE


def test_one_evaluation_table_per_fiche(noeuds, indicateurs, seed_lines):
    """The source has one table « Critères d'évaluation de résultat de l'action » per fiche action: the
    indicators of the k-th fiche cite lines of the k-th table."""
    tables = [
        i + 1 for i, text in enumerate(seed_lines) if text.startswith("Critères d'évaluation de résultat de l'action")
    ]
    fiches = noeuds.loc[noeuds["niveau"] == "fiche", "code"].tolist()
    assert len(tables) == len(fiches) == 49
    bounds = dict(zip(fiches, zip(tables, [*tables[1:], len(seed_lines)], strict=True), strict=True))
    for row in indicateurs.itertuples():
        start, end = bounds[row.noeud]
        assert start < cited_line(row.definition) < end, row.code


def test_codes_follow_the_scheme(noeuds, indicateurs, config):
    ranks = {lv.cle: rank for rank, lv in enumerate(config.levels)}
    niveau = dict(zip(noeuds["code"], noeuds["niveau"], strict=True))
    for row in noeuds.itertuples():
        assert CODE_PATTERN.fullmatch(row.code), row.code
        segment = re.fullmatch(r"([A-Z]+)(\d+)", row.code.rsplit("-", 1)[-1])
        assert LEVEL_OF_SEGMENT[segment.group(1)] == row.niveau, row.code
        assert row.numero == segment.group(2), row.code
        assert row.parent == (row.code.rsplit("-", 1)[0] if "-" in row.code else ""), row.code
        if row.parent:
            assert ranks[niveau[row.parent]] < ranks[row.niveau], row.code
    # Uneven depth: transversal fiches under an objective, sectoral fiches directly under their axis.
    fiches = noeuds[noeuds["niveau"] == "fiche"]
    parent_levels = Counter((policy_of(r.code)[:2], niveau[r.parent]) for r in fiches.itertuples())
    assert parent_levels == {("V1", "objectif"): 13, ("V2", "axe"): 36}
    assert set(noeuds.loc[noeuds["niveau"] == "politique", "parent"]) == {"V2", "V3"}
    # Only fiches carry the programme and the indicators; numbered 1, 2, … within their fiche.
    assert (fiches["programmes"] == "SUS-2023-2027").all()
    assert (noeuds.loc[noeuds["niveau"] != "fiche", "programmes"] == "").all()
    assert set(indicateurs["noeud"]) <= set(fiches["code"])
    for fiche, group in indicateurs.groupby("noeud", sort=False):
        assert group["code"].tolist() == [f"{fiche}-I{k}" for k in range(1, len(group) + 1)]


def test_fiches_numbered_as_the_source_cites_them(noeuds):
    by_code = noeuds.set_index("code")
    # « 1.1.1 cf. Volets sectoriels » is a reference, not a fiche: objective 1.1 holds only the fiche 1.1.2.
    assert noeuds.loc[noeuds["parent"] == "V1-AX1-OB1", "code"].tolist() == ["V1-AX1-OB1-F2"]
    assert "1.1.1" in by_code.loc["V1-AX1-OB1", "remarque"]
    for empty in ("V1-AX2-OB1", "V1-AX7-OB1", "V1-AX7-OB2"):
        assert empty not in set(noeuds["parent"]), empty
        assert "aucune fiche" in by_code.loc[empty, "remarque"], empty
    assert by_code.loc["V2-P3-AX2-F4", "libelle"] == "Créer et promouvoir l'EHPAD de demain"
    assert (
        by_code.loc["V1-AX3-OB2-F2", "libelle"] == "Renforcer l'intervention de conseillers numériques au sein des MSD"
    )


def test_every_label_is_in_the_source_line_it_cites(noeuds, indicateurs, seed_lines):
    missing = []
    for row in noeuds.itertuples():
        n = int(re.match(r"libellé : l\. (\d+)", row.remarque).group(1))
        if row.libelle != row.libelle.strip() or row.libelle not in normalise(seed_lines[n - 1]):
            missing.append((row.code, n, row.libelle))
    for row in indicateurs.itertuples():
        if row.libelle == "à définir":
            continue
        n = cited_line(row.definition)
        if row.libelle != row.libelle.strip() or row.libelle not in normalise(seed_lines[n - 1]):
            missing.append((row.code, n, row.libelle))
    assert missing == []


def test_empty_templates_are_loaded_as_a_definir(indicateurs, seed_lines):
    template = indicateurs[indicateurs["libelle"] == "à définir"]
    assert len(template) == 10
    assert set(template["noeud"].map(policy_of)) == {"V2-P2"} and template["noeud"].is_unique
    for row in template.itertuples():
        text = normalise(seed_lines[cited_line(row.definition) - 1])
        assert "Nom de l'indicateur(s)" in text and "Lien vers la fiche d'indicateur" in text, row.code


SAMPLES = [
    ("noeuds", "V1", "Volet transversalité au sein des Solidarités"),
    ("noeuds", "V2-P2", "Insertion Emploi et Lutte Contre la Pauvreté"),
    (
        "noeuds",
        "V1-AX3",
        "Garantir un accueil performant et accessible à toutes les bourbonnaises et tous les bourbonnais",
    ),
    ("noeuds", "V1-AX6-OB1", "Sécuriser la donnée, organiser son traitement et développer les diagnostics"),
    (
        "noeuds",
        "V1-AX4-OB1-F1",
        (
            "Réaffirmer les spécificités et l'importance du travail social départemental en créant un "
            "Comité Local en Travail Social"
        ),
    ),
    ("noeuds", "V2-P1-AX4", "Préparer leur avenir et sécuriser leur vie d'adulte"),
    (
        "noeuds",
        "V2-P2-AX5-F1",
        "Animer des groupes projets et instances collégiales transversales (PDILE, PTI, IAE, SPIE, SPE...)",
    ),
    (
        "noeuds",
        "V2-P3-AX4-F3",
        (
            "Développer l'animation et la coopération territoriale et organiser une instance de pilotage "
            "de la coordination gérontologique"
        ),
    ),
    ("indicateurs", "V1-AX1-OB1-F2-I5", "Taux de participation des personnes accompagnées"),
    ("indicateurs", "V1-AX3-OB2-F1-I2", "Nombre de MSD labellisées France Service en 2022-2023"),
    ("indicateurs", "V1-AX6-OB2-F1-I4", "Nombre de fiches saisies de manière dématérialisées (au moins 90%)"),
    ("indicateurs", "V2-P1-AX1-F1-I1", "Typologie et nombre de publics concernés"),
    ("indicateurs", "V2-P1-AX1-F1-I8", "Part d'enfants ayant bénéficié d'une VAD réalisée par la PMI (0-2 ans)"),
    ("indicateurs", "V2-P1-AX2-F2-I4", "Nombre de places en village d'enfants"),
    ("indicateurs", "V2-P2-AX3-F2-I3", "Poursuite de parcours rapide (sans couture)"),
    ("indicateurs", "V2-P2-AX3-F2-I6", "à définir"),
    ("indicateurs", "V2-P3-AX1-F1-I1", "Fiches infos secours : Nombre de communes équipées"),
    ("indicateurs", "V2-P3-AX2-F4-I8", "Calcul du ration d'encadrement, comparatif sur les années précédentes"),
    ("indicateurs", "V2-P3-AX4-F3-I1", "Nombre de réunions de coordination territoriale"),
]


@pytest.mark.parametrize(("table", "code", "attendu"), SAMPLES, ids=[s[1] for s in SAMPLES])
def test_sample_labels_word_for_word(noeuds, indicateurs, seed_text, table, code, attendu):
    frame = {"noeuds": noeuds, "indicateurs": indicateurs}[table]
    assert frame.set_index("code").loc[code, "libelle"] == attendu
    if attendu != "à définir":
        assert attendu in seed_text


def test_links(ref, seed_lines):
    """The only cross-reference between fiches of the source: autonomie 2.1 → « fiche action 2-2 »."""
    assert ref.liens[["code_source", "code_cible", "libelle_source"]].values.tolist() == [
        ["V2-P3-AX2-F1", "V2-P3-AX2-F2", "en lien avec la fiche action 2-2"]
    ]
    assert [i + 1 for i, text in enumerate(seed_lines) if "en lien avec la fiche action" in text] == [3330]


def test_glossary(ref, seed_lines):
    glossary = seed_lines[seed_lines.index("G L O S S A I R E") : seed_lines.index("TABLE DES MATIÈRES")]
    entries = {
        tuple(re.split(r"\t| ", text.strip(), maxsplit=1))
        for text in glossary
        if text.strip() and not re.fullmatch(r"[A-Z]|-+\t-+|G L O S S A I R E", text.strip())
    }
    pairs = list(ref.sigles.itertuples(index=False, name=None))
    assert len(pairs) == 78 and set(pairs) == entries
    assert dict(pairs)["TSD"] == "Territoire des Solidarités Départementales"


def test_indicator_classification(indicateurs):
    assert set(indicateurs["nature"]) == {"réalisation", "résultat", "jalon"}
    assert set(indicateurs["unite"]) <= {"nombre", "%", "€", "jours", "oui/non", "qualitatif", "ETP par résident"}
    assert (indicateurs["secret_seuil"] == "").all() and (indicateurs["source"] == "").all()
    jalons = indicateurs[indicateurs["nature"] == "jalon"]
    assert (jalons["unite"] == "oui/non").all() and (jalons["agregation"] == "dernier").all()
    assert (indicateurs.loc[indicateurs["unite"] == "oui/non", "nature"] == "jalon").all()
    rates = indicateurs[indicateurs["unite"] == "%"]
    assert (rates[["agregation", "additivite"]] == ["moyenne", "aucune"]).all().all()
    counts = indicateurs[indicateurs["unite"] == "nombre"]
    assert set(counts["agregation"]) <= {"somme", "dernier", "moyenne"}
    qualitative = indicateurs[indicateurs["unite"] == "qualitatif"]
    assert (qualitative[["agregation", "additivite", "sens"]] == ["aucune", "aucune", "neutre"]).all().all()
    # Evaluation criteria are « critères d'évaluation de résultat »: résultat (or a milestone).
    criteria = indicateurs[indicateurs["definition"].str.contains(CRITERION, regex=False)]
    assert set(criteria["nature"]) == {"résultat", "jalon"}
    by_code = indicateurs.set_index("code")
    assert by_code.loc["V2-P3-AX1-F4-I2", "sens"] == "baisse"  # démissions dans les SAAD
    assert by_code.loc["V2-P3-AX1-F1-I5", "unite"] == "€"  # crédits de la CFPPA utilisés


# ------------------------------------------------------------------------------------------ real figures
def test_context_indicators(contexte, noeuds, donnees):
    assert len(contexte) == 25 and contexte["code"].is_unique
    roots = set(noeuds.loc[noeuds["niveau"] == "volet", "code"])
    for row in contexte.itertuples():
        assert re.fullmatch(r"CTX-[A-Z0-9]+(-[A-Z0-9]+)*", row.code), row.code
        assert row.noeud in roots, f"{row.code} : rattaché à un volet"
        assert row.nature == "contexte" and len(row.definition) > 60 and len(row.source) > 20, row.code
        if row.unite == "%":
            assert row.additivite == "aucune", row.code
    used = set().union(*(set(f.code_indicateur) for name, f in donnees.items() if name != "cibles_fiches.csv"))
    assert used == set(contexte["code"]), "indicateur de contexte sans donnée ou donnée sans indicateur"


@pytest.mark.parametrize("name", DATA_FILES)
def test_data_files_follow_the_contract(name, donnees, ref, config):
    raw = (DONNEES / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = donnees[name]
    assert list(frame.columns) == DATA_COLUMNS and len(frame) > 0
    assert not frame.duplicated(["code_indicateur", "territoire", "annee", "trimestre"]).any()
    units = dict(zip(ref.indicateurs["code"], ref.indicateurs["unite"], strict=True))
    territories = {t.code: t for t in config.territories}
    for row in frame.itertuples(index=False):
        assert row.code_indicateur in units, row
        assert row.territoire in territories, row
        assert re.fullmatch(r"20\d\d", row.annee) and row.trimestre in ("", "1", "2", "3", "4"), row
        assert (row.valeur == "") != (row.cible == ""), f"valeur ou cible : {row}"
        for cell in (row.valeur, row.cible):
            if cell:
                assert re.fullmatch(r"\d+(,\d+)?", cell), f"nombre mal écrit : {cell!r}"
                if units[row.code_indicateur] == "nombre":
                    assert "," not in cell, row
        assert re.search(r"\bl\. \d+", row.source), f"ligne de la source non citée : {row.source}"


def test_real_figures_by_file(donnees, config):
    chiffres, comparaisons, cibles = (donnees[name] for name in DATA_FILES)
    assert set(chiffres["territoire"]) == {"03"} and len(chiffres) == 21
    assert (chiffres["cible"] == "").all() and (comparaisons["cible"] == "").all()
    comparators = {t.code for t in config.territories if t.niveau == "comparateur"}
    assert set(comparaisons["territoire"]) == comparators | {"03"} and len(comparaisons) == 28
    # Every comparator value is compared with a value of the Allier for the same indicator and year.
    allier = set(
        map(tuple, pd.concat([chiffres, comparaisons]).query("territoire == '03'")[["code_indicateur", "annee"]].values)
    )
    for row in comparaisons[comparaisons["territoire"] != "03"].itertuples():
        assert (row.code_indicateur, row.annee) in allier, row
    # The nine targets of the source, on fiche indicators, at the département.
    assert len(cibles) == 9 and (cibles["valeur"] == "").all() and set(cibles["territoire"]) == {"03"}
    assert not cibles["code_indicateur"].str.startswith("CTX-").any()
    targets = dict(zip(cibles["code_indicateur"], cibles["cible"], strict=True))
    assert targets == {
        "V1-AX3-OB2-F1-I2": "2",
        "V1-AX6-OB2-F1-I4": "90",
        "V1-AX6-OB2-F1-I5": "100",
        "V1-AX6-OB2-F1-I6": "2",
        "V2-P1-AX2-F2-I4": "80",
        "V2-P1-AX2-F2-I5": "8",
        "V2-P1-AX2-F3-I4": "100",
        "V2-P3-AX1-F3-I2": "1",
        "V2-P3-AX2-F4-I8": "0,7",
    }


_TAGS = re.compile(r"<[^>]+>")
_GROUPED = re.compile(r"(?<![\d,.])\d{1,3}(?: \d{3})+(?:[,.]\d+)?(?!\d)")
_PLAIN = re.compile(r"\d+(?:[,.]\d+)?")


_WORDS = {"un": 1, "une": 1, "deux": 2, "trois": 3}


def numbers_on(text: str) -> set[float]:
    """Every number written on a line of the source: `331 757`, `45.19`, `15,4%`, `7,8 %`, `0,7`, and the
    small numbers written in words (« de deux MSD », « au moins un GCSMS »)."""
    text = _TAGS.sub(" ", text).replace("\u00a0", " ").replace("\u202f", " ")
    tokens = _GROUPED.findall(text) + _PLAIN.findall(text)
    words = {_WORDS[w] for w in re.findall(r"\b\w+\b", text.lower()) if w in _WORDS}
    return {float(t.replace(" ", "").replace(",", ".")) for t in tokens} | words


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_number_is_on_the_line_it_cites(name, donnees, seed_lines):
    problems = []
    for row in donnees[name].itertuples(index=False):
        lines = [int(n) for n in re.findall(r"\bl\. (\d+)", row.source)]
        found = set().union(*(numbers_on(seed_lines[n - 1]) for n in lines))
        for cell in (row.valeur, row.cible):
            if cell and float(cell.replace(",", ".")) not in found:
                problems.append(f"{row.code_indicateur} {row.territoire} {row.annee} : {cell} absent des l. {lines}")
    assert problems == []


def test_source_copy():
    assert SEED.exists(), f"copie manquante : {SEED}"
    if ORIGINAL_SEED.exists():
        assert SEED.read_bytes() == ORIGINAL_SEED.read_bytes()


# ------------------------------------------------------------------------------------------ init
def test_init_loads_the_allier(tmp_path):
    env = {**os.environ, "SUS_CONFIG": str(CONFIG)}
    env.pop("SUS_DB", None)
    db = tmp_path / "allier.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "sus_data", "init", "--db", str(db)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Référentiel : 92 nœuds, 302 indicateurs, 6 territoires" in done.stdout
    for name, n in zip(DATA_FILES, (21, 28, 9), strict=True):
        assert re.search(rf"{re.escape(name)} : import n°\d+ — {n} nouvelle\(s\)", done.stdout), done.stdout
    out = tmp_path / "valeurs.csv"
    done = subprocess.run(
        [sys.executable, "-m", "sus_data", "export", "--out", str(out), "--db", str(db)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    values = pd.read_csv(out, dtype=str, keep_default_na=False)
    real = values[~values["source"].str.contains("fictives")]
    assert len(real) == 58
    assert set(real["territoire"]) == {"03", "REGION ARA", "FRANCE METRO"}
