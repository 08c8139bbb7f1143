"""The real figures of the sources (data/71/donnees/*.csv, data/71/referentiel/indicateurs_contexte.csv).

Checks the files against the spreadsheet contract (docs/contrat_tableur.md) and the referential format
(docs/referentiel.md), and every number against the line of the source document its `source` cites
(copies of the documents in tests/sources/). Standard library and pandas only: the application package
is not imported.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config/71.toml"
INDICATEURS = ROOT / "data/71/referentiel/indicateurs_contexte.csv"
NOEUDS = ROOT / "data/71/referentiel/noeuds.csv"
DONNEES = ROOT / "data/71/donnees"
FILES = ("chiffres_cles_2021.csv", "calpae_2018_2022.csv", "brsa_secteurs_diagnostic_2019.csv")
SOURCES = Path(__file__).resolve().parent / "sources"
SEED_SUS = "000_e20de151751e9b8f.txt"
SEED_DELIB = "002_6d0f682446c84194.txt"
ORIGINAL_SEEDS = Path("/work/shared/seeds")

DATA_COLUMNS = ["code_indicateur", "territoire", "annee", "trimestre", "valeur", "cible", "commentaire", "source"]
INDICATOR_COLUMNS = [
    "code", "libelle", "noeud", "unite", "nature", "agregation", "additivite", "sens", "source",
    "definition", "secret_seuil",
]  # fmt: skip
KEY = ["code_indicateur", "territoire", "annee", "trimestre"]
NON_DATE = "non daté dans la source (diagnostic 2019, données probablement 2018)"


# ------------------------------------------------------------------------------------------------ helpers
def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def number(cell: str) -> float | None:
    """A French number of the files (`15547`, `32,7`) → float; empty → None."""
    if cell == "":
        return None
    assert re.fullmatch(r"-?\d+(,\d+)?", cell), f"nombre mal écrit : {cell!r}"
    return float(cell.replace(",", "."))


@pytest.fixture(scope="module")
def config() -> dict:
    with CONFIG.open("rb") as handle:
        return tomllib.load(handle)


@pytest.fixture(scope="module")
def indicateurs() -> pd.DataFrame:
    return read_csv(INDICATEURS)


@pytest.fixture(scope="module")
def donnees() -> dict[str, pd.DataFrame]:
    return {name: read_csv(DONNEES / name) for name in FILES}


@pytest.fixture(scope="module")
def seeds() -> dict[str, list[str]]:
    return {name: (SOURCES / name).read_text(encoding="utf-8").splitlines() for name in (SEED_SUS, SEED_DELIB)}


def value(donnees, file, code, territoire, annee, column="valeur") -> str:
    frame = donnees[file]
    hit = frame[(frame.code_indicateur == code) & (frame.territoire == territoire) & (frame.annee == str(annee))]
    assert len(hit) == 1, f"{code} {territoire} {annee} : {len(hit)} lignes"
    return hit.iloc[0][column]


_TAGS = re.compile(r"<[^>]+>")
_GROUPED = re.compile(r"(?<![\d,])\d{1,3}(?: \d{3})+(?:,\d+)?(?!\d)")
_PLAIN = re.compile(r"\d+(?:,\d+)?")


def numbers_on(line: str) -> set[float]:
    """Every number written on a line of the source: `15 547`, `3 558`, `80%`, `32,7 jours`, `46165`."""
    text = _TAGS.sub(" ", line).replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    tokens = _GROUPED.findall(text) + _PLAIN.findall(text)
    return {float(t.replace(" ", "").replace(",", ".")) for t in tokens}


def cited_lines(source: str) -> tuple[str, list[int], list[int]]:
    """`source` → (seed file, lines of the valeur, lines of the cible)."""
    if "délibération n°203" in source:
        seed = SEED_DELIB
    elif "Schéma unique des solidarités" in source:
        seed = SEED_SUS
    else:
        raise AssertionError(f"document non reconnu : {source}")
    main, _, objectif = source.partition(" ; objectif : ")
    lines = [int(n) for n in re.findall(r"\bl\. (\d+)", main)]
    target = [int(n) for n in re.findall(r"\bl\. (\d+)", objectif)] or lines
    return seed, lines, target


# ------------------------------------------------------------------------------------------------ format
@pytest.mark.parametrize("path", [INDICATEURS, *(DONNEES / f for f in FILES)], ids=lambda p: p.name)
def test_fichier_csv_excel_francais(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 avec BOM attendu"
    raw.decode("utf-8")
    frame = read_csv(path)
    expected = INDICATOR_COLUMNS if path == INDICATEURS else DATA_COLUMNS
    assert list(frame.columns) == expected
    assert len(frame) > 0


@pytest.mark.parametrize("name", FILES)
def test_cle_unique(donnees, name):
    frame = donnees[name]
    doubles = frame[frame.duplicated(KEY, keep=False)]
    assert doubles.empty, doubles[KEY].to_string()


@pytest.mark.parametrize("name", FILES)
def test_colonnes_des_valeurs(donnees, indicateurs, name):
    frame = donnees[name]
    units = dict(zip(indicateurs.code, indicateurs.unite, strict=True))
    for row in frame.itertuples(index=False):
        assert re.fullmatch(r"20\d\d", row.annee) and 2000 <= int(row.annee) <= 2100, row
        assert row.trimestre == "", "valeurs annuelles : trimestre vide"
        valeur, cible = number(row.valeur), number(row.cible)
        assert valeur is not None or cible is not None, f"ligne sans valeur ni cible : {row}"
        assert row.source.strip(), f"source vide : {row}"
        for x in (valeur, cible):
            if x is None:
                continue
            assert x >= 0, row
            if units[row.code_indicateur] == "nombre":
                assert x == int(x), f"un comptage est entier : {row}"
            if units[row.code_indicateur] == "%":
                assert x <= 100, row


@pytest.mark.parametrize("name", FILES)
def test_codes_connus(donnees, indicateurs, name):
    unknown = set(donnees[name].code_indicateur) - set(indicateurs.code)
    assert not unknown, unknown


@pytest.mark.parametrize("name", FILES)
def test_territoires_de_la_configuration(donnees, config, name):
    codes = {t["code"] for t in config["territoires"]["liste"]}
    unknown = set(donnees[name].territoire) - codes
    assert not unknown, unknown


def test_referentiel_des_indicateurs_contexte(indicateurs, donnees):
    assert indicateurs.code.is_unique
    for row in indicateurs.itertuples(index=False):
        assert re.fullmatch(r"CTX-[A-Z0-9]+(-[A-Z0-9]+)*", row.code), row.code
        assert row.libelle.strip() and row.unite.strip(), row.code
        assert re.fullmatch(r"A[1-8]", row.noeud), row.code
        assert row.nature in ("contexte", "résultat"), row.code
        assert row.agregation in ("somme", "dernier", "moyenne", "aucune"), row.code
        assert row.additivite in ("somme", "aucune"), row.code
        assert row.sens in ("hausse", "baisse", "neutre"), row.code
        assert len(row.definition) > 60 and len(row.source) > 20, row.code
        assert row.secret_seuil == "" or row.secret_seuil.isdigit(), row.code
        if row.unite == "%":
            assert row.additivite == "aucune", f"un taux ne s'additionne pas : {row.code}"
    used = set().union(*(set(frame.code_indicateur) for frame in donnees.values()))
    assert set(indicateurs.code) == used, "indicateur sans donnée ou donnée sans indicateur"
    calpae = donnees["calpae_2018_2022.csv"]
    with_target = set(calpae[calpae.cible != ""].code_indicateur)
    resultats = set(indicateurs[indicateurs.nature == "résultat"].code)
    assert resultats == with_target, "« résultat » = indicateur de la CALPAE qui porte un objectif"


def test_noeuds_du_referentiel(indicateurs):
    if not NOEUDS.exists():
        pytest.skip("noeuds.csv pas encore écrit")
    noeuds = set(read_csv(NOEUDS).code)
    assert set(indicateurs.noeud) <= noeuds


# ------------------------------------------------------------------------------------------------ content
def test_chiffres_cles_au_departement_en_2021(donnees):
    frame = donnees["chiffres_cles_2021.csv"]
    assert set(frame.territoire) == {"71"} and set(frame.annee) == {"2021"}
    assert len(frame) == 9


def test_brsa_secteurs_sans_tas_et_non_dates(donnees, config):
    frame = donnees["brsa_secteurs_diagnostic_2019.csv"]
    sectors = {t["code"] for t in config["territoires"]["liste"] if t["niveau"] == "secteur"}
    assert set(frame.territoire) == sectors | {"71"}, "7 secteurs et le département, pas de TAS"
    assert set(frame.annee) == {"2018"}
    assert set(frame.commentaire) == {NON_DATE}


@pytest.mark.parametrize("name", FILES)
def test_les_territoires_s_additionnent(donnees, indicateurs, config, name):
    """For additive indicators, the sectors (or the TAS) add up to their parent when all are present."""
    additive = set(indicateurs[indicateurs.additivite == "somme"].code)
    children: dict[str, set[str]] = {}
    for t in config["territoires"]["liste"]:
        if t.get("parent"):
            children.setdefault(t["parent"], set()).add(t["code"])
    sectors_of_71 = {s for tas in children["71"] for s in children.get(tas, ())}
    frame = donnees[name]
    checked = 0
    for (code, annee), group in frame[frame.valeur != ""].groupby(["code_indicateur", "annee"]):
        if code not in additive:
            continue
        values = {row.territoire: number(row.valeur) for row in group.itertuples(index=False)}
        for parent, kids in [*children.items(), ("71", sectors_of_71)]:
            if parent in values and kids <= set(values):
                assert sum(values[k] for k in kids) == values[parent], (code, annee, parent)
                checked += 1
    if name == "brsa_secteurs_diagnostic_2019.csv":
        assert checked == 4, "les 4 comptages du diagnostic doivent être vérifiés"


def test_brsa_taux_coherents_avec_les_effectifs(donnees):
    frame = donnees["brsa_secteurs_diagnostic_2019.csv"]
    table = frame.pivot(index="territoire", columns="code_indicateur", values="valeur").map(number)
    for territoire, row in table.iterrows():
        assert row["CTX-RSA-ORIENTATIONS-PE"] + row["CTX-RSA-ORIENTATIONS-SOCIALES"] == row["CTX-RSA-ORIENTATIONS"]
        rate = 100 * row["CTX-RSA-ORIENTATIONS"] / row["CTX-RSA-BENEFICIAIRES"]
        assert abs(rate - row["CTX-RSA-TAUX-ORIENTATION"]) <= 0.6, territoire
        part = 100 * row["CTX-RSA-ORIENTATIONS-PE"] / row["CTX-RSA-ORIENTATIONS"]
        assert abs(part - row["CTX-RSA-PART-ORIENTATIONS-PE"]) <= 0.6, territoire
        assert row["CTX-RSA-PART-ORIENTATIONS-PE"] + row["CTX-RSA-PART-ORIENTATIONS-SOCIALES"] == 100


CC, CALPAE, BRSA = FILES
EXPECTED = [
    # file, code, territoire, annee, column, text in the file
    (CC, "CTX-SSD-MENAGES", "71", 2021, "valeur", "15547"),
    (CC, "CTX-MDPH-DROITS-OUVERTS", "71", 2021, "valeur", "44571"),
    (CC, "CTX-PA-MAINTIEN-DOMICILE", "71", 2021, "valeur", "9127"),
    (CC, "CTX-ASE-MESURES-PLACEMENT", "71", 2021, "valeur", "1608"),
    (CC, "CTX-TISF-FAMILLES", "71", 2021, "valeur", "842"),
    (CC, "CTX-RSA-ORIENTES-EMPLOI", "71", 2021, "valeur", "6919"),
    (CC, "CTX-VIF-RESEAUX", "71", 2021, "valeur", "12"),
    (CC, "CTX-ESSMS-EI-MALTRAITANCE", "71", 2021, "valeur", "21"),
    (CC, "CTX-AGENTS-SOLIDARITES", "71", 2021, "valeur", "1000"),
    (CALPAE, "CTX-PASI-TAUX-COUVERTURE", "71", 2022, "cible", "95"),
    (CALPAE, "CTX-PASI-TAUX-COUVERTURE", "71", 2022, "valeur", "92"),
    (CALPAE, "CTX-PASI-TAUX-COUVERTURE", "71", 2021, "valeur", "90"),
    (CALPAE, "CTX-PASI-TAUX-COUVERTURE", "71", 2021, "cible", "100"),
    (CALPAE, "CTX-PASI-STRUCTURES-ENGAGEES", "71", 2022, "cible", "50"),
    (CALPAE, "CTX-PASI-PERSONNES-RECUES-CD", "71", 2020, "valeur", "46145"),
    (CALPAE, "CTX-RSA-NOUVEAUX-ENTRANTS", "71", 2018, "valeur", "3558"),
    (CALPAE, "CTX-RSA-NOUVEAUX-ENTRANTS", "71", 2021, "valeur", "2557"),
    (CALPAE, "CTX-RSA-AG-DELAI-DEMARRAGE", "71", 2019, "valeur", "32,7"),
    (CALPAE, "CTX-RSA-AG-DELAI-DEMARRAGE", "71", 2022, "cible", "21"),
    (CALPAE, "CTX-RSA-TAUX-ORIENTES-1MOIS", "71", 2022, "cible", "80"),
    (CALPAE, "CTX-RSA-TAUX-ORIENTES-1MOIS", "71", 2022, "valeur", ""),
    (CALPAE, "CTX-INFOPUBLIC-CONTRIBUTEURS", "71", 2022, "cible", "60"),
    (CALPAE, "CTX-CRR-FOYERS", "TAS CL", 2021, "valeur", "78"),
    (CALPAE, "CTX-CRR-FOYERS", "TAS MP", 2021, "valeur", "91"),
    (CALPAE, "CTX-CRR-POIDS-ALIMENTAIRE", "71", 2022, "valeur", "9141"),
    (BRSA, "CTX-RSA-BENEFICIAIRES", "AUTUN", 2018, "valeur", "925"),
    (BRSA, "CTX-RSA-BENEFICIAIRES", "71", 2018, "valeur", "13894"),
    (BRSA, "CTX-RSA-ORIENTATIONS-PE", "CHALON", 2018, "valeur", "2367"),
    (BRSA, "CTX-RSA-PART-ORIENTATIONS-PE", "71", 2018, "valeur", "66"),
    (BRSA, "CTX-RSA-TAUX-ORIENTATION", "MONTCEAU", 2018, "valeur", "94"),
]


@pytest.mark.parametrize("file,code,territoire,annee,column,expected", EXPECTED)
def test_chiffres_attendus(donnees, file, code, territoire, annee, column, expected):
    assert value(donnees, file, code, territoire, annee, column) == expected


def test_commentaires_attendus(donnees):
    assert value(donnees, CC, "CTX-AGENTS-SOLIDARITES", "71", 2021, "commentaire").startswith(
        "près de 1 000 dans la source"
    )
    assert "3 588" in value(donnees, CALPAE, "CTX-RSA-NOUVEAUX-ENTRANTS", "71", 2018, "commentaire")
    assert "46 165" in value(donnees, CALPAE, "CTX-PASI-PERSONNES-RECUES-CD", "71", 2020, "commentaire")
    assert "TAS CL" in value(donnees, CALPAE, "CTX-CRR-FOYERS", "TAS CL", 2021, "commentaire")
    assert "TAS MP" in value(donnees, CALPAE, "CTX-CRR-FOYERS", "TAS MP", 2021, "commentaire")


# ------------------------------------------------------------------------------------------------ sources
@pytest.mark.parametrize("seed", [SEED_SUS, SEED_DELIB])
def test_copie_des_sources(seed):
    copy = SOURCES / seed
    assert copy.exists(), f"copie manquante : {copy}"
    original = ORIGINAL_SEEDS / seed
    if original.exists():
        assert copy.read_bytes() == original.read_bytes()


@pytest.mark.parametrize("name", FILES)
def test_chaque_nombre_est_sur_la_ligne_citee(donnees, seeds, name):
    problems = []
    for row in donnees[name].itertuples(index=False):
        seed, lines, target_lines = cited_lines(row.source)
        assert lines, f"pas de « l. N » dans la source : {row.source}"
        for column, where in (("valeur", lines), ("cible", target_lines)):
            x = number(getattr(row, column))
            if x is None:
                continue
            found = set().union(*(numbers_on(seeds[seed][n - 1]) for n in where))
            if x in found:
                continue
            # an objective written in weeks, stored in days: « 3 semaines = 21 jours » in the commentaire
            weeks = re.search(r"(\d+) semaines = (\d+) jours", row.commentaire)
            if column == "cible" and weeks and int(weeks[2]) == x == 7 * int(weeks[1]) and int(weeks[1]) in found:
                continue
            problems.append(
                f"{row.code_indicateur} {row.territoire} {row.annee} {column}={x} absent de {seed} l. {where}"
            )
    assert not problems, "\n".join(problems)
