"""The schéma's referential: tree of nodes, indicators, programmes, links, acronyms, territories.

Read from the CSV files of `docs/referentiel.md`, checked, and written into DuckDB. The tree's levels
come from the configuration, so another département's schéma with other levels and depths fits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import textnorm
from .config import Config
from .errors import ReferentielError
from .vocabulary import ADDITIVITES, AGREGATIONS, CONTEXT_PREFIX, NATURES, SENS

CSV_OPTIONS = {"sep": ";", "encoding": "utf-8-sig", "dtype": str, "keep_default_na": False}

FILES = {
    "programmes": ("programmes.csv", ["code", "libelle", "annee_debut", "annee_fin", "statut", "source"]),
    "noeuds": (
        "noeuds.csv",
        [
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
        ],
    ),
    "liens": ("liens.csv", ["code_source", "code_cible", "libelle_source", "remarque"]),
    "sigles": ("sigles.csv", ["sigle", "definition"]),
}
# indicateurs.csv (required) is read first, then every other `indicateurs*.csv` of the folder in sorted
# order: indicateurs_contexte.csv, and e.g. indicateurs_pdi.csv for an archived programme.
INDICATOR_FILES = ("indicateurs.csv", "indicateurs_contexte.csv")
INDICATOR_GLOB = "indicateurs*.csv"
INDICATOR_COLUMNS = [
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
OPTIONAL_COLUMNS = {"libelle_court", "programmes", "remarque", "secret_seuil", "source", "definition"}


@dataclass
class Referentiel:
    programmes: pd.DataFrame
    noeuds: pd.DataFrame
    liens: pd.DataFrame
    indicateurs: pd.DataFrame
    sigles: pd.DataFrame


def _read_csv(path: Path, columns: list[str], problems: list[str]) -> pd.DataFrame:
    if not path.is_file():
        problems.append(f"{path.name} : fichier introuvable dans {path.parent}.")
        return pd.DataFrame(columns=columns)
    frame = pd.read_csv(path, **CSV_OPTIONS)
    frame.columns = [c.strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns and c not in OPTIONAL_COLUMNS]
    if missing:
        problems.append(f"{path.name} : colonne(s) manquante(s) : {', '.join(missing)}.")
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
    frame = frame[columns].apply(lambda s: s.str.strip())
    frame.attrs["file"] = path.name
    return frame


def indicator_files(folder: Path) -> list[str]:
    """The indicator files of a referential folder: indicateurs.csv first, then the others, sorted."""
    names = {p.name for p in folder.glob(INDICATOR_GLOB) if p.is_file()}
    others = sorted(names - {INDICATOR_FILES[0]})
    return [INDICATOR_FILES[0], *others]


def read_referentiel(config: Config) -> Referentiel:
    """Read and check the referential files; raise ReferentielError listing every problem."""
    folder = config.referentiel_dir
    problems: list[str] = []
    frames = {name: _read_csv(folder / fname, cols, problems) for name, (fname, cols) in FILES.items()}
    indicator_frames = []
    for fname in indicator_files(folder):
        path = folder / fname
        if path.is_file() or fname == INDICATOR_FILES[0]:
            frame = _read_csv(path, INDICATOR_COLUMNS, problems)
            frame["fichier"] = fname
            frame["ligne"] = range(2, len(frame) + 2)
            indicator_frames.append(frame)
    indicateurs = pd.concat(indicator_frames, ignore_index=True)
    ref = Referentiel(indicateurs=indicateurs, **frames)
    problems.extend(check_referentiel(ref, config))
    if problems:
        shown = "\n".join(f"- {p}" for p in problems[:50])
        more = f"\n… et {len(problems) - 50} autre(s)." if len(problems) > 50 else ""
        raise ReferentielError(f"Le référentiel de {folder} est incohérent :\n{shown}{more}")
    return ref


def check_referentiel(ref: Referentiel, config: Config) -> list[str]:
    problems: list[str] = []
    levels = {lv.cle: rank for rank, lv in enumerate(config.levels)}
    programmes = set(ref.programmes["code"])
    seen: dict[str, int] = {}
    for idx, row in enumerate(ref.noeuds.itertuples(index=False), start=2):
        where = f"noeuds.csv ligne {idx}"
        if not row.code:
            problems.append(f"{where}, colonne code : code vide.")
            continue
        if row.code in seen:
            problems.append(f"{where}, colonne code : « {row.code} » déjà défini ligne {seen[row.code]}.")
        if row.niveau not in levels:
            problems.append(
                f"{where}, colonne niveau : « {row.niveau} » n'est pas un niveau de la configuration "
                f"({', '.join(levels)})."
            )
        if row.parent:
            if row.parent not in seen:
                problems.append(f"{where}, colonne parent : « {row.parent} » inconnu ou défini après son enfant.")
            else:
                parent_level = ref.noeuds.iloc[seen[row.parent] - 2]["niveau"]
                if levels.get(parent_level, 99) >= levels.get(row.niveau, -1):
                    problems.append(
                        f"{where}, colonne niveau : un {row.niveau} ne peut pas être sous un {parent_level}."
                    )
        elif levels.get(row.niveau) != 0:
            problems.append(
                f"{where}, colonne parent : seul un nœud de niveau {config.levels[0].cle} peut être sans parent."
            )
        for code in filter(None, (p.strip() for p in row.programmes.split("|"))):
            if code not in programmes:
                problems.append(f"{where}, colonne programmes : programme « {code} » absent de programmes.csv.")
        seen.setdefault(row.code, idx)
    nodes = set(seen)
    for idx, row in enumerate(ref.liens.itertuples(index=False), start=2):
        if row.code_source not in nodes:
            problems.append(f"liens.csv ligne {idx}, colonne code_source : « {row.code_source} » inconnu.")
        if row.code_cible and row.code_cible not in nodes:
            problems.append(f"liens.csv ligne {idx}, colonne code_cible : « {row.code_cible} » inconnu.")
    codes: dict[str, str] = {}
    for row in ref.indicateurs.itertuples(index=False):
        where = f"{row.fichier} ligne {row.ligne}"
        if row.code in codes:
            problems.append(f"{where}, colonne code : « {row.code} » déjà défini ({codes[row.code]}).")
        codes.setdefault(row.code, where)
        if not row.libelle:
            problems.append(f"{where}, colonne libelle : libellé vide.")
        if row.noeud not in nodes:
            problems.append(f"{where}, colonne noeud : « {row.noeud} » n'est pas un nœud de noeuds.csv.")
        for column, allowed in (
            ("nature", NATURES),
            ("agregation", AGREGATIONS),
            ("additivite", ADDITIVITES),
            ("sens", SENS),
        ):
            value = getattr(row, column)
            if value not in allowed:
                problems.append(
                    f"{where}, colonne {column} : « {value} » n'est pas une valeur permise ({', '.join(allowed)})."
                )
        if not row.unite:
            problems.append(f"{where}, colonne unite : unité vide.")
        if row.secret_seuil and not row.secret_seuil.isdigit():
            problems.append(f"{where}, colonne secret_seuil : « {row.secret_seuil} » n'est pas un entier.")
    return problems


def _ancestors(noeuds: pd.DataFrame) -> dict[str, list[str]]:
    """Each node's chain of codes from the root down to itself."""
    parent = dict(zip(noeuds["code"], noeuds["parent"], strict=True))
    chains: dict[str, list[str]] = {}
    for code in noeuds["code"]:
        chain = [code]
        while parent.get(chain[0]) and len(chain) <= len(parent):
            chain.insert(0, parent[chain[0]])
        chains[code] = chain
    return chains


def _ambition_of(noeuds: pd.DataFrame) -> dict[str, str]:
    return {code: chain[0] for code, chain in _ancestors(noeuds).items()}


def _none_if_empty(series: pd.Series) -> pd.Series:
    return series.where(series != "", None)


def node_rows(ref: Referentiel, config: Config) -> pd.DataFrame:
    ranks = {lv.cle: rank for rank, lv in enumerate(config.levels)}
    noeuds = ref.noeuds.copy()
    noeuds["rang"] = noeuds["niveau"].map(ranks)
    chains = _ancestors(noeuds)
    noeuds["ambition"] = noeuds["code"].map(lambda code: chains[code][0])
    noeuds["chemin"] = noeuds["code"].map(lambda code: "/" + "/".join(chains[code]) + "/")
    noeuds["ordre"] = range(len(noeuds))
    columns = [
        "code",
        "parent",
        "niveau",
        "rang",
        "numero",
        "libelle",
        "libelle_court",
        "ambition",
        "chemin",
        "role",
        "beneficiaires",
        "directions",
        "partenaires",
        "demarches_partenaires",
        "remarque",
        "ordre",
    ]
    out = noeuds[columns].copy()
    for column in columns:
        if out[column].dtype == object:
            out[column] = _none_if_empty(out[column])
    return out


def indicator_rows(ref: Referentiel) -> pd.DataFrame:
    ambition = _ambition_of(ref.noeuds)
    ind = ref.indicateurs.copy()
    ind["ambition"] = ind["noeud"].map(ambition)
    ind["secret_seuil"] = pd.to_numeric(ind["secret_seuil"].replace("", None), errors="coerce").astype("Int64")
    ind["origine"] = "referentiel"
    ind["ordre"] = range(len(ind))
    for column in ("source", "definition"):
        ind[column] = _none_if_empty(ind[column])
    return ind[
        [
            "code",
            "libelle",
            "noeud",
            "ambition",
            "unite",
            "nature",
            "agregation",
            "additivite",
            "sens",
            "source",
            "definition",
            "secret_seuil",
            "origine",
            "ordre",
        ]
    ]


def territory_rows(config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    territories = pd.DataFrame(
        [
            {
                "code": t.code,
                "libelle": t.libelle,
                "libelle_court": t.libelle_court,
                "niveau": t.niveau,
                "parent": t.parent,
                "couleur": t.couleur,
                "population": t.population,
                "population_annee": t.population_annee,
                "population_source": t.population_source,
                "ordre": rank,
            }
            for rank, t in enumerate(config.territories)
        ]
    )
    territories["population"] = territories["population"].astype("Int64")
    territories["population_annee"] = territories["population_annee"].astype("Int64")
    aliases: dict[str, str] = {}
    for t in config.territories:
        for name in (t.code, t.libelle, t.libelle_court, *t.alias):
            aliases.setdefault(textnorm.key(name), t.code)
    alias_frame = pd.DataFrame({"alias": list(aliases), "code": list(aliases.values())})
    return territories, alias_frame


def _replace_table(con, table: str, frame: pd.DataFrame) -> None:
    con.execute(f"DELETE FROM {table}")
    if len(frame):
        con.register("_frame", frame)
        columns = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _frame")
        con.unregister("_frame")


def write_referentiel(con, ref: Referentiel, config: Config) -> dict[str, int]:
    """Replace the referential tables inside the caller's transaction.

    Indicators added by imports (context indicators from an `indicateurs` sheet) are kept. A node or
    indicator that holds values cannot disappear silently: the load is refused.
    """
    nodes = node_rows(ref, config)
    indicators = indicator_rows(ref)
    kept = set(indicators["code"])
    orphans = con.execute(
        """
        SELECT DISTINCT v.indicateur FROM valeur v JOIN indicateur i ON i.code = v.indicateur
        WHERE i.origine = 'referentiel' AND NOT list_contains(?, v.indicateur)
        ORDER BY 1
        """,
        [sorted(kept)],
    ).fetchall()
    if orphans:
        names = ", ".join(code for (code,) in orphans[:10])
        raise ReferentielError(
            f"Le nouveau référentiel supprime {len(orphans)} indicateur(s) qui ont des valeurs ({names}). "
            "Remettez-les dans le référentiel ou annulez d'abord les imports de leurs valeurs."
        )
    levels = pd.DataFrame(
        [
            {"rang": rank, "cle": lv.cle, "libelle": lv.libelle, "pluriel": lv.pluriel, "prefixe": lv.prefixe}
            for rank, lv in enumerate(config.levels)
        ]
    )
    programmes = ref.programmes.copy()
    programmes["annee_debut"] = pd.to_numeric(programmes["annee_debut"], errors="coerce").astype("Int64")
    programmes["annee_fin"] = pd.to_numeric(programmes["annee_fin"], errors="coerce").astype("Int64")
    programmes["ordre"] = range(len(programmes))
    node_programmes = [
        {"noeud": row.code, "programme": code.strip()}
        for row in ref.noeuds.itertuples(index=False)
        for code in row.programmes.split("|")
        if code.strip()
    ]
    liens = ref.liens.copy()
    liens["code_cible"] = _none_if_empty(liens["code_cible"])
    liens["remarque"] = _none_if_empty(liens["remarque"])
    territories, aliases = territory_rows(config)

    _replace_table(con, "niveau", levels)
    _replace_table(con, "programme", programmes)
    _replace_table(con, "noeud", nodes)
    _replace_table(con, "noeud_programme", pd.DataFrame(node_programmes, columns=["noeud", "programme"]))
    _replace_table(con, "lien", liens)
    _replace_table(con, "sigle", ref.sigles)
    _replace_table(con, "territoire", territories)
    _replace_table(con, "territoire_alias", aliases)
    # Referential indicators are replaced; imported context indicators stay unless the referential
    # now defines them (the referential wins).
    con.register("_ind", indicators)
    con.execute("DELETE FROM indicateur WHERE origine = 'referentiel' OR code IN (SELECT code FROM _ind)")
    con.execute("INSERT INTO indicateur SELECT * FROM _ind")
    con.unregister("_ind")
    con.execute("INSERT OR REPLACE INTO meta VALUES ('departement', ?)", [config.code])
    return {
        "noeuds": len(nodes),
        "indicateurs": len(indicators),
        "programmes": len(programmes),
        "liens": len(liens),
        "sigles": len(ref.sigles),
        "territoires": len(territories),
    }


def is_context_code(code: str) -> bool:
    return code.startswith(CONTEXT_PREFIX)


def indicator_definition_json(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, default=str, sort_keys=True)
