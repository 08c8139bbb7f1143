"""The département's configuration (one TOML file per département), read once per process.

`SUS_CONFIG` names the file (default `config/71.toml`); `SUS_DB` overrides the database path.
Nothing about a particular département is written in the code: it all comes from here.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "71.toml"
CONFIG_ENV = "SUS_CONFIG"
DB_ENV = "SUS_DB"


@dataclass(frozen=True)
class Level:
    cle: str
    libelle: str
    pluriel: str
    prefixe: str


@dataclass(frozen=True)
class TerritoryLevel:
    cle: str
    libelle: str
    sigle: str = ""


@dataclass(frozen=True)
class Territory:
    code: str
    libelle: str
    libelle_court: str
    niveau: str
    parent: str | None
    couleur: str
    alias: tuple[str, ...] = ()
    population: int | None = None
    population_annee: int | None = None
    population_source: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class ImportLimits:
    taille_max_mo: float = 25
    decompresse_max_mo: float = 250
    lignes_max: int = 250_000
    colonnes_max: int = 200

    @property
    def taille_max_octets(self) -> int:
        return int(self.taille_max_mo * 1024 * 1024)

    @property
    def decompresse_max_octets(self) -> int:
        return int(self.decompresse_max_mo * 1024 * 1024)


@dataclass(frozen=True)
class Thresholds:
    secret_statistique: int = 5
    ecart_atypique: float = 3.5
    tolerance_trajectoire: float = 0.9


@dataclass(frozen=True)
class Config:
    path: Path
    code: str
    nom: str
    schema: str
    observatoire: str
    annee_debut: int
    annee_fin: int
    db_path: Path
    levels: tuple[Level, ...]
    prefixe_indicateur: str
    niveau_action: str
    referentiel_dir: Path
    donnees: tuple[Path, ...]
    demo_annees: tuple[int, ...]
    territory_levels: tuple[TerritoryLevel, ...]
    territories: tuple[Territory, ...]
    seuils: Thresholds = field(default_factory=Thresholds)
    limites: ImportLimits = field(default_factory=ImportLimits)
    # Reading the dashboard needs the role "lecture" only when the département asks for it.
    lecture_reservee: bool = False

    @property
    def root_level(self) -> Level:
        return self.levels[0]

    def level(self, cle: str) -> Level:
        for level in self.levels:
            if level.cle == cle:
                return level
        raise KeyError(cle)

    @property
    def departement(self) -> Territory:
        return next(t for t in self.territories if t.parent is None and t.niveau != "comparateur")

    def territory(self, code: str) -> Territory:
        for territory in self.territories:
            if territory.code == code:
                return territory
        raise KeyError(code)

    def colours(self) -> dict[str, str]:
        return {t.code: t.couleur for t in self.territories}

    @property
    def sigle_territoires(self) -> str:
        """What the territories just below the département are called in short (TAS, TSD…)."""
        dep = self.departement.code
        levels = {t.niveau for t in self.territories if t.parent == dep}
        for level in self.territory_levels:
            if level.cle in levels:
                return level.sigle or level.libelle
        return "territoires"


def _resolve(path: str | os.PathLike) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate


def _require(section: dict, name: str, where: str):
    if name not in section:
        raise ConfigurationError(f"Configuration {where} : la clé « {name} » manque.")
    return section[name]


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read and check a configuration file; raise ConfigurationError with a French message."""
    config_path = _resolve(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)
    if not config_path.is_file():
        raise ConfigurationError(f"Fichier de configuration introuvable : {config_path}.")
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"Fichier de configuration illisible ({config_path.name}) : {exc}.") from exc

    where = config_path.name
    dep = _require(raw, "departement", where)
    arbre = _require(raw, "arbre", where)
    levels = tuple(
        Level(
            cle=lv["cle"],
            libelle=lv["libelle"],
            pluriel=lv.get("pluriel", lv["libelle"] + "s"),
            prefixe=lv["prefixe"],
        )
        for lv in _require(arbre, "niveaux", where)
    )
    if not levels:
        raise ConfigurationError(f"Configuration {where} : l'arbre n'a aucun niveau.")
    ref = _require(raw, "referentiel", where)
    terr = _require(raw, "territoires", where)
    territories = tuple(
        Territory(
            code=str(t["code"]),
            libelle=t["libelle"],
            libelle_court=t.get("libelle_court", t["libelle"]),
            niveau=t["niveau"],
            parent=t.get("parent"),
            couleur=t.get("couleur", "#777777"),
            alias=tuple(t.get("alias", ())),
            population=t.get("population"),
            population_annee=t.get("population_annee"),
            population_source=t.get("population_source"),
            source=t.get("source"),
        )
        for t in _require(terr, "liste", where)
    )
    roots = [t for t in territories if t.parent is None and t.niveau != "comparateur"]
    if len(roots) != 1:
        raise ConfigurationError(
            f"Configuration {where} : il faut exactement un territoire sans parent (le département), "
            f"{len(roots)} trouvé(s)."
        )
    codes = {t.code for t in territories}
    for t in territories:
        if t.parent is not None and t.parent not in codes:
            raise ConfigurationError(
                f"Configuration {where} : le territoire « {t.code} » a pour parent « {t.parent} », inconnu."
            )
    db_default = raw.get("base", {}).get("chemin", "data/sus.duckdb")
    db_path = _resolve(os.environ.get(DB_ENV) or db_default)
    seuils = Thresholds(**raw.get("seuils", {}))
    limites = ImportLimits(**raw.get("import", {}))
    return Config(
        path=config_path,
        code=str(dep["code"]),
        nom=dep["nom"],
        schema=dep.get("schema", "Schéma des solidarités"),
        observatoire=dep.get("observatoire", "Observatoire départemental"),
        annee_debut=int(dep.get("annee_debut", 2023)),
        annee_fin=int(dep.get("annee_fin", 2027)),
        db_path=db_path,
        levels=levels,
        prefixe_indicateur=arbre.get("prefixe_indicateur", "I"),
        niveau_action=arbre.get("niveau_action", levels[-1].cle),
        referentiel_dir=_resolve(_require(ref, "dossier", where)),
        donnees=tuple(_resolve(p) for p in ref.get("donnees", ())),
        demo_annees=tuple(ref.get("demo_annees", ())),
        territory_levels=tuple(
            TerritoryLevel(cle=lv["cle"], libelle=lv["libelle"], sigle=lv.get("sigle", ""))
            for lv in terr.get("niveaux", ())
        ),
        territories=territories,
        seuils=seuils,
        limites=limites,
        lecture_reservee=bool(raw.get("acces", {}).get("lecture_reservee", False)),
    )


@lru_cache(maxsize=8)
def _cached(path: str, db_env: str) -> Config:
    return load_config(path)


def get_config() -> Config:
    """The configuration of this process (cached; keyed on the environment so tests can switch)."""
    return _cached(os.environ.get(CONFIG_ENV) or str(DEFAULT_CONFIG), os.environ.get(DB_ENV, ""))
