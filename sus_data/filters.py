"""The dashboard's filters as a value object: parsed from the URL, turned into parameterised SQL.

Like datasette's filters, the state is plain text in the query string (`?ambition=A5&tas=TAS+MP`),
never pickle; a value that is not valid is dropped with a notice, never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

GRANULARITE_ANNEE = "annee"
GRANULARITE_TRIMESTRE = "trimestre"
GRANULARITES = (GRANULARITE_ANNEE, GRANULARITE_TRIMESTRE)
MAX_PARAM_LENGTH = 200
LIST_SEPARATOR = ","
_YEAR = re.compile(r"[0-9]{4}")

# Query-parameter names (short, readable in a shared link).
P_AMBITION = "ambition"
P_NOEUD = "noeud"
P_TERRITOIRES = "territoires"
P_DEBUT = "debut"
P_FIN = "fin"
P_ANNEE = "annee"
P_TRIMESTRE = "trimestre"
P_GRANULARITE = "granularite"
P_INDICATEUR = "indicateur"
P_TERRITOIRE = "territoire"
P_RECHERCHE = "q"
P_PROGRAMME = "programme"
PARAMS = (
    P_AMBITION,
    P_NOEUD,
    P_TERRITOIRES,
    P_DEBUT,
    P_FIN,
    P_ANNEE,
    P_TRIMESTRE,
    P_GRANULARITE,
    P_INDICATEUR,
    P_TERRITOIRE,
    P_RECHERCHE,
    P_PROGRAMME,
)


@dataclass(frozen=True)
class Choices:
    """What the filters may take, read from the database: anything else in a URL is ignored."""

    ambitions: tuple[str, ...]
    noeuds: frozenset[str]
    territoires: tuple[str, ...]
    indicateurs: frozenset[str]
    annee_min: int
    annee_max: int
    programmes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filters:
    ambition: str | None = None
    noeud: str | None = None  # an orientation or objective below the ambition
    territoires: tuple[str, ...] = ()  # compared territories; empty means the default set
    debut: int | None = None
    fin: int | None = None
    annee: int | None = None  # period of the comparisons
    trimestre: int = 0  # 0: the whole year
    granularite: str = GRANULARITE_ANNEE
    indicateur: str | None = None
    territoire: str | None = None  # the territory of the portrait page
    recherche: str = ""
    programme: str | None = None  # one programme of actions, or all of them (None)
    notices: tuple[str, ...] = field(default=(), compare=False)

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)

    def for_data(self) -> Filters:
        """The filters that shape data (years, granularity, ambition, territories...), without the
        page-level choices (indicator, portrayed territory, search) that data functions take as
        arguments: so that picking another indicator does not invalidate every cached query."""
        return replace(self, indicateur=None, territoire=None, recherche="", notices=())

    def key(self) -> str:
        """A stable text key for caches."""
        return "&".join(f"{k}={v}" for k, v in sorted(self.to_params().items()))

    def to_params(self) -> dict[str, str]:
        """The non-default values as query parameters (plain text)."""
        params: dict[str, str] = {}
        if self.ambition:
            params[P_AMBITION] = self.ambition
        if self.noeud:
            params[P_NOEUD] = self.noeud
        if self.territoires:
            params[P_TERRITOIRES] = LIST_SEPARATOR.join(self.territoires)
        if self.debut is not None:
            params[P_DEBUT] = str(self.debut)
        if self.fin is not None:
            params[P_FIN] = str(self.fin)
        if self.annee is not None:
            params[P_ANNEE] = str(self.annee)
        if self.trimestre:
            params[P_TRIMESTRE] = str(self.trimestre)
        if self.granularite != GRANULARITE_ANNEE:
            params[P_GRANULARITE] = self.granularite
        if self.indicateur:
            params[P_INDICATEUR] = self.indicateur
        if self.territoire:
            params[P_TERRITOIRE] = self.territoire
        if self.recherche:
            params[P_RECHERCHE] = self.recherche
        if self.programme:
            params[P_PROGRAMME] = self.programme
        return params

    @classmethod
    def from_params(cls, params: dict[str, str], choices: Choices) -> Filters:
        """Parse query parameters; invalid values are dropped and reported in `notices` (French)."""
        notices: list[str] = []

        def text(name: str) -> str | None:
            value = params.get(name)
            if value is None:
                return None
            if isinstance(value, list):  # a parameter repeated in the URL: keep the last
                value = value[-1] if value else ""
            value = str(value).strip()
            if len(value) > MAX_PARAM_LENGTH:
                notices.append(f"Le paramètre « {name} » de l'adresse est trop long : il est ignoré.")
                return None
            return value or None

        def member(name: str, allowed, label: str) -> str | None:
            value = text(name)
            if value is None:
                return None
            if value not in allowed:
                notices.append(f"{label} « {_short(value)} » de l'adresse n'existe pas : le filtre est ignoré.")
                return None
            return value

        def year(name: str, label: str) -> int | None:
            value = text(name)
            if value is None:
                return None
            # ASCII digits only: str.isdigit() accepts `²` or Arabic-Indic digits, which int() refuses or reads.
            if not _YEAR.fullmatch(value) or not choices.annee_min - 50 <= int(value) <= choices.annee_max + 50:
                notices.append(f"{label} « {_short(value)} » de l'adresse n'est pas une année valide : ignorée.")
                return None
            return int(value)

        ambition = member(P_AMBITION, choices.ambitions, "L'ambition")
        noeud = member(P_NOEUD, choices.noeuds, "Le nœud")
        if noeud and ambition and not noeud.startswith(ambition + "-"):
            notices.append(f"Le nœud « {noeud} » n'appartient pas à l'ambition choisie : ignoré.")
            noeud = None
        territoires: list[str] = []
        raw = text(P_TERRITOIRES)
        if raw:
            for code in raw.split(LIST_SEPARATOR):
                code = code.strip()
                if code in territoires:
                    continue  # the same territory twice in a link: once is enough
                if code in choices.territoires:
                    territoires.append(code)
                elif code:
                    notices.append(f"Le territoire « {_short(code)} » de l'adresse n'existe pas : il est ignoré.")
        debut = year(P_DEBUT, "L'année de début")
        fin = year(P_FIN, "L'année de fin")
        if debut is not None and fin is not None and debut > fin:
            notices.append("L'année de début de l'adresse est après l'année de fin : elles sont inversées.")
            debut, fin = fin, debut
        annee = year(P_ANNEE, "L'année")
        if annee is not None and not choices.annee_min <= annee <= choices.annee_max:
            notices.append(
                f"L'année {annee} de l'adresse n'a aucune valeur enregistrée : la période la plus récente est retenue."
            )
            annee = None
        trimestre = 0
        raw = text(P_TRIMESTRE)
        if raw is not None:
            if raw in {"1", "2", "3", "4"}:
                trimestre = int(raw)
            elif raw != "0":
                notices.append(f"Le trimestre « {_short(raw)} » de l'adresse n'est pas valide (1 à 4) : ignoré.")
        granularite = text(P_GRANULARITE) or GRANULARITE_ANNEE
        if granularite not in GRANULARITES:
            notices.append(f"La granularité « {_short(granularite)} » de l'adresse n'est pas valide : année retenue.")
            granularite = GRANULARITE_ANNEE
        indicateur = member(P_INDICATEUR, choices.indicateurs, "L'indicateur")
        territoire = member(P_TERRITOIRE, choices.territoires, "Le territoire")
        recherche = text(P_RECHERCHE) or ""
        programme = member(P_PROGRAMME, choices.programmes, "Le programme")
        return cls(
            ambition=ambition,
            noeud=noeud,
            territoires=tuple(territoires),
            debut=debut,
            fin=fin,
            annee=annee,
            trimestre=trimestre,
            granularite=granularite,
            indicateur=indicateur,
            territoire=territoire,
            recherche=recherche,
            programme=programme,
            notices=tuple(notices),
        )

    def value_clause(self, alias: str = "v") -> tuple[str, list]:
        """SQL conditions on the values table for the period and node filters, with parameters.

        Only placeholders carry values: nothing from the URL is ever pasted into SQL text.
        """
        clauses: list[str] = []
        params: list = []
        if self.debut is not None:
            clauses.append(f"{alias}.annee >= ?")
            params.append(self.debut)
        if self.fin is not None:
            clauses.append(f"{alias}.annee <= ?")
            params.append(self.fin)
        return (" AND ".join(clauses) or "TRUE"), params

    def indicator_clause(self, alias: str = "i") -> tuple[str, list]:
        """SQL conditions selecting the indicators under the chosen ambition or node, and programme."""
        clauses: list[str] = []
        params: list = []
        if self.noeud:
            clauses.append(f"{alias}.noeud IN (SELECT code FROM noeud WHERE contains(chemin, ?))")
            params.append("/" + self.noeud + "/")
        elif self.ambition:
            clauses.append(f"{alias}.ambition = ?")
            params.append(self.ambition)
        if self.programme:
            # Indicators of the programme's actions; context indicators belong to no programme.
            clauses.append(f"{alias}.noeud IN (SELECT noeud FROM noeud_programme WHERE programme = ?)")
            params.append(self.programme)
        return (" AND ".join(clauses) or "TRUE"), params


def _short(value: str) -> str:
    value = "".join(c for c in value if c.isprintable())
    return value if len(value) <= 40 else value[:39] + "…"
