"""`python -m sus_data check`: is the database sound, and do its values, imports and referential agree?

Three kinds of checks, all read-only:

- storage: the file opens, every block of every table is read back (DuckDB verifies each block's
  checksum when it reads it), the tables of the schema are all there and the schema version is known;
- values and history: the key of `valeur` is unique (it has no index, see schema.sql), every value
  names an indicator, a territory and an operation that exist and is traced in `historique` by the
  operation it carries, every operation's counts match its history rows, every history row and every
  rollback points to operations that exist, and each rollback and the import it undid name each other;
- referential: the tree (levels, parents, ambitions), indicators, territories and aliases hang together.
- follow-up of the actions (when its tables exist): statuses unique, in the vocabulary, of known actions,
  territories and operations, each traced in the follow-up history; perimeters of known actions and territories.

Each problem is one French sentence with a count and a few examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from . import vocabulary
from .store import SCHEMA_FILE, SCHEMA_VERSION, Store
from .vocabulary import OPERATION_ROLLBACK

# Operations that write values (and whose counts must match their history), and the measures stored.
WRITING = getattr(vocabulary, "UNDOABLE_OPERATIONS", (vocabulary.OPERATION_IMPORT, vocabulary.OPERATION_DEMO))
MESURES = getattr(vocabulary, "MESURES", (vocabulary.MESURE_VALEUR, vocabulary.MESURE_CIBLE))

EXAMPLES = 5
KEY = ("indicateur", "territoire", "annee", "trimestre", "mesure")


@dataclass
class CheckResult:
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        labels = {"valeur": "valeur(s)", "historique": "ligne(s) d'historique", "operation": "opération(s)"}
        tables = ", ".join(f"{self.counts[name]} {label}" for name, label in labels.items() if name in self.counts)
        if self.ok:
            return f"Base cohérente ({tables})."
        lines = [f"Base incohérente : {len(self.problems)} problème(s) ({tables})."]
        lines += [f"- {problem}" for problem in self.problems]
        return "\n".join(lines)


def schema_tables() -> list[str]:
    """The tables that schema.sql creates, in its order."""
    return re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA_FILE.read_text(encoding="utf-8"))


def _examples(rows: list[tuple]) -> str:
    shown = ["(" + ", ".join("∅" if v is None else str(v) for v in row) + ")" for row in rows[:EXAMPLES]]
    return ", ".join(shown) + (" …" if len(rows) > EXAMPLES else "")


# (description, query returning the offending rows (examples first), their count comes from a count query)
CONSISTENCY = [
    (
        "valeur(s) en double pour la même clé (indicateur, territoire, année, trimestre, mesure)",
        f"""SELECT {", ".join(KEY)}, count(*) FROM valeur GROUP BY ALL HAVING count(*) > 1""",
    ),
    (
        "valeur(s) d'un indicateur absent du référentiel",
        "SELECT DISTINCT v.indicateur FROM valeur v ANTI JOIN indicateur i ON i.code = v.indicateur",
    ),
    (
        "valeur(s) d'un territoire inconnu",
        "SELECT DISTINCT v.territoire FROM valeur v ANTI JOIN territoire t ON t.code = v.territoire",
    ),
    (
        "valeur(s) posée(s) par une opération qui n'existe pas",
        "SELECT DISTINCT v.operation FROM valeur v ANTI JOIN operation o ON o.id = v.operation",
    ),
    (
        "valeur(s) sans trace dans l'historique de l'opération qui les a posées",
        f"""SELECT v.operation, {", ".join("v." + k for k in KEY)}, v.valeur FROM valeur v
            ANTI JOIN historique h ON h.operation = v.operation AND h.indicateur = v.indicateur
             AND h.territoire = v.territoire AND h.annee = v.annee AND h.trimestre = v.trimestre
             AND h.mesure = v.mesure AND h.nouvelle_valeur IS NOT DISTINCT FROM v.valeur""",
    ),
    (
        f"valeur(s) de mesure inconnue (autre que {', '.join(MESURES)})",
        f"SELECT DISTINCT mesure FROM valeur WHERE mesure NOT IN ({', '.join(repr(m) for m in MESURES)})",
    ),
    (
        "valeur(s) qui ne sont pas des nombres finis",
        f"SELECT {', '.join(KEY)}, valeur FROM valeur WHERE NOT isfinite(valeur)",
    ),
    (
        "ligne(s) d'historique d'une opération qui n'existe pas",
        "SELECT DISTINCT h.operation FROM historique h ANTI JOIN operation o ON o.id = h.operation",
    ),
    (
        "ligne(s) d'historique dont l'opération précédente n'existe pas",
        """SELECT DISTINCT h.operation, h.ancienne_operation FROM historique h
           WHERE h.ancienne_operation IS NOT NULL
             AND h.ancienne_operation NOT IN (SELECT id FROM operation)""",
    ),
    (
        "opération(s) dont les nombres de valeurs nouvelles ou modifiées diffèrent de l'historique",
        f"""WITH h AS (
                SELECT operation,
                       count(*) FILTER (WHERE mouvement = 'nouvelle') AS nouvelles,
                       count(*) FILTER (WHERE mouvement = 'modifiée') AS modifiees,
                       count(*) AS lignes
                FROM historique GROUP BY operation
            )
            SELECT o.id, o.nature, o.nb_nouvelles, o.nb_modifiees,
                   coalesce(h.nouvelles, 0), coalesce(h.modifiees, 0), coalesce(h.lignes, 0)
            FROM operation o LEFT JOIN h ON h.operation = o.id
            WHERE CASE WHEN o.nature IN ({", ".join(repr(n) for n in WRITING)})
                         THEN o.nb_nouvelles <> coalesce(h.nouvelles, 0) OR o.nb_modifiees <> coalesce(h.modifiees, 0)
                            OR coalesce(h.lignes, 0) <> coalesce(h.nouvelles, 0) + coalesce(h.modifiees, 0)
                       WHEN o.nature = '{OPERATION_ROLLBACK}'
                         THEN o.nb_nouvelles <> 0 OR o.nb_modifiees <> coalesce(h.lignes, 0)
                       ELSE coalesce(h.lignes, 0) <> 0 END
            ORDER BY o.id""",
    ),
    (
        "annulation(s) qui ne correspondent pas à l'import annulé (annule / annule_par)",
        f"""SELECT a.id, a.annule, i.annule_par FROM operation a LEFT JOIN operation i ON i.id = a.annule
            WHERE a.nature = '{OPERATION_ROLLBACK}' AND (i.id IS NULL OR i.annule_par IS DISTINCT FROM a.id)
            UNION ALL
            SELECT i.id, i.annule_par, a.annule FROM operation i LEFT JOIN operation a ON a.id = i.annule_par
            WHERE i.annule_par IS NOT NULL AND (a.id IS NULL OR a.annule IS DISTINCT FROM i.id)""",
    ),
    (
        "définition(s) d'indicateur de contexte historisée(s) par une opération qui n'existe pas",
        "SELECT DISTINCT h.operation FROM indicateur_historique h ANTI JOIN operation o ON o.id = h.operation",
    ),
]

# The follow-up of the actions (tables added by a later version of the schema): checked when present.
FOLLOWUP = {
    "suivi_action": [
        (
            "statut(s) d'action en double pour la même clé (action, territoire, année)",
            "SELECT action, territoire, annee, count(*) FROM suivi_action GROUP BY ALL HAVING count(*) > 1",
        ),
        (
            "statut(s) d'une action absente du référentiel",
            "SELECT DISTINCT s.action FROM suivi_action s ANTI JOIN noeud n ON n.code = s.action",
        ),
        (
            "statut(s) posé(s) par une opération qui n'existe pas",
            "SELECT DISTINCT s.operation FROM suivi_action s ANTI JOIN operation o ON o.id = s.operation",
        ),
        (
            "statut(s) d'action d'un territoire inconnu",
            "SELECT DISTINCT s.territoire FROM suivi_action s ANTI JOIN territoire t ON t.code = s.territoire",
        ),
        (
            f"statut(s) d'action hors du vocabulaire ({', '.join(vocabulary.ACTION_STATUSES)})",
            f"""SELECT DISTINCT statut FROM suivi_action
                WHERE statut NOT IN ({", ".join(repr(v) for v in vocabulary.ACTION_STATUSES)})""",
        ),
        (
            "statut(s) d'action sans trace dans l'historique du suivi de l'opération qui les a posés",
            """SELECT s.operation, s.action, s.territoire, s.annee, s.statut FROM suivi_action s
               ANTI JOIN suivi_action_historique h ON h.operation = s.operation AND h.action = s.action
                AND h.territoire = s.territoire AND h.annee = s.annee AND h.nouveau_statut = s.statut""",
        ),
    ],
    "suivi_action_historique": [
        (
            "ligne(s) d'historique du suivi d'une opération qui n'existe pas",
            "SELECT DISTINCT h.operation FROM suivi_action_historique h ANTI JOIN operation o ON o.id = h.operation",
        ),
    ],
    "perimetre_action": [
        (
            "périmètre(s) d'action vers un territoire inconnu",
            "SELECT p.action, p.territoire FROM perimetre_action p ANTI JOIN territoire t ON t.code = p.territoire",
        ),
        (
            "périmètre(s) d'une action absente du référentiel",
            "SELECT DISTINCT p.action FROM perimetre_action p ANTI JOIN noeud n ON n.code = p.action",
        ),
        (
            "périmètre(s) posé(s) par une opération qui n'existe pas",
            "SELECT DISTINCT p.operation FROM perimetre_action p ANTI JOIN operation o ON o.id = p.operation",
        ),
    ],
}

REFERENTIAL = [
    (
        "nœud(s) dont le niveau n'est pas déclaré",
        "SELECT n.code, n.niveau FROM noeud n ANTI JOIN niveau l ON l.cle = n.niveau",
    ),
    (
        "nœud(s) dont le parent n'existe pas",
        "SELECT n.code, n.parent FROM noeud n WHERE n.parent IS NOT NULL AND n.parent NOT IN (SELECT code FROM noeud)",
    ),
    (
        "nœud(s) racine(s) avec un parent, ou non racine(s) sans parent",
        "SELECT code, rang, parent FROM noeud WHERE (rang = 0) <> (parent IS NULL)",
    ),
    (
        "nœud(s) dont le rang diffère de celui de leur niveau",
        "SELECT n.code, n.niveau, n.rang, l.rang FROM noeud n JOIN niveau l ON l.cle = n.niveau WHERE n.rang <> l.rang",
    ),
    (
        "nœud(s) d'un niveau qui n'est pas sous celui de leur parent",
        "SELECT n.code, n.rang, p.code, p.rang FROM noeud n JOIN noeud p ON p.code = n.parent WHERE n.rang <= p.rang",
    ),
    (
        "cycle(s) dans l'arbre (un nœud qui figure dans le chemin de son parent)",
        "SELECT n.code FROM noeud n JOIN noeud p ON p.code = n.parent WHERE contains(p.chemin, '/' || n.code || '/')",
    ),
    (
        "nœud(s) rattaché(s) à une ambition qui n'existe pas",
        "SELECT n.code, n.ambition FROM noeud n WHERE n.ambition NOT IN (SELECT code FROM noeud WHERE rang = 0)",
    ),
    (
        "nœud(s) dont le chemin ne finit pas par leur code",
        "SELECT code, chemin FROM noeud WHERE NOT ends_with(chemin, '/' || code || '/')",
    ),
    (
        "indicateur(s) rattaché(s) à un nœud qui n'existe pas",
        "SELECT i.code, i.noeud FROM indicateur i ANTI JOIN noeud n ON n.code = i.noeud",
    ),
    (
        "indicateur(s) rattaché(s) à une ambition qui n'existe pas",
        "SELECT i.code, i.ambition FROM indicateur i WHERE i.ambition NOT IN (SELECT code FROM noeud WHERE rang = 0)",
    ),
    (
        "territoire(s) dont le parent n'existe pas",
        "SELECT t.code, t.parent FROM territoire t WHERE t.parent IS NOT NULL AND t.parent NOT IN (SELECT code FROM territoire)",
    ),
    (
        "alias de territoire(s) vers un territoire qui n'existe pas",
        "SELECT a.alias, a.code FROM territoire_alias a ANTI JOIN territoire t ON t.code = a.code",
    ),
    (
        "rattachement(s) nœud–programme vers un nœud ou un programme qui n'existe pas",
        """SELECT np.noeud, np.programme FROM noeud_programme np
           WHERE np.noeud NOT IN (SELECT code FROM noeud) OR np.programme NOT IN (SELECT code FROM programme)""",
    ),
]


def _storage(con, result: CheckResult) -> list[str]:
    """Every table of the schema is there and reads back whole; returns the tables present."""
    present = {
        name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
    }
    tables = schema_tables()
    missing = [t for t in tables if t not in present]
    if missing:
        result.problems.append(
            f"Table(s) absente(s) de la base : {', '.join(missing)}. Une base d'une version antérieure se met à jour "
            "avec : python -m sus_data init --db CHEMIN (les valeurs sont conservées)."
        )
    for table in tables:
        if table not in present:
            continue
        try:
            # Reading every column of every row makes DuckDB read, and verify, every block of the table.
            count, _ = con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {table} t").fetchone()
        except duckdb.Error as exc:
            result.problems.append(f"La table {table} ne se relit pas entièrement : {exc}.")
            continue
        result.counts[table] = int(count)
    if "meta" in present:
        row = con.execute("SELECT valeur FROM meta WHERE cle = 'schema_version'").fetchone()
        if row is None:
            result.problems.append("La version du schéma n'est pas enregistrée (table meta).")
        elif row[0] != SCHEMA_VERSION:
            result.problems.append(
                f"Version du schéma {row[0]} inconnue de cette version de l'outil (attendue : {SCHEMA_VERSION})."
            )
    return [t for t in tables if t in present]


def _run(con, checks, result: CheckResult) -> None:
    for description, sql in checks:
        try:
            count = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
            if count:
                rows = con.execute(f"SELECT * FROM ({sql}) LIMIT {EXAMPLES + 1}").fetchall()
                result.problems.append(f"{count} {description} : {_examples(rows)}.")
        except duckdb.Error as exc:
            result.problems.append(f"Contrôle impossible ({description}) : {exc}.")


def check_database(store: Store) -> CheckResult:
    """Every check, on a read-only connection. A file that cannot be opened raises StoreError."""
    result = CheckResult()
    with store.read() as con:
        present = _storage(con, result)
        core = {"valeur", "historique", "operation", "indicateur", "territoire", "noeud", "niveau"}
        if core <= set(present):
            _run(con, CONSISTENCY, result)
            _run(con, REFERENTIAL, result)
            for table, checks in FOLLOWUP.items():
                if table in present:
                    _run(con, checks, result)
    return result
