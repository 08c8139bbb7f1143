"""Reading the stored referential and values in export shapes (used by the command line and pages)."""

from __future__ import annotations

import pandas as pd

from .config import Config


def current_values(con) -> pd.DataFrame:
    """Current values, one row per key, target and baseline beside the value (the contract's shape, and
    the `reference` of the `cibles` sheet)."""
    return (
        con.execute(
            """
        WITH k AS (
            SELECT indicateur, territoire, annee, trimestre,
                   max(valeur) FILTER (WHERE mesure = 'valeur') AS valeur,
                   max(valeur) FILTER (WHERE mesure = 'cible') AS cible,
                   max(valeur) FILTER (WHERE mesure = 'reference') AS reference,
                   max(commentaire) FILTER (WHERE mesure = 'valeur') AS commentaire,
                   max(source) FILTER (WHERE mesure = 'valeur') AS source,
                   max(operation) FILTER (WHERE mesure = 'valeur') AS import
            FROM valeur GROUP BY ALL
        )
        SELECT k.indicateur AS code_indicateur, k.territoire, k.annee,
               CASE WHEN k.trimestre = 0 THEN NULL ELSE k.trimestre END AS trimestre,
               k.valeur, k.cible, k.reference, k.commentaire, k.source, k.import
        FROM k
        LEFT JOIN indicateur i ON i.code = k.indicateur
        LEFT JOIN territoire t ON t.code = k.territoire
        ORDER BY i.ordre, k.indicateur, t.ordre, k.annee, k.trimestre
        """
        )
        .df()
        .astype({"trimestre": "Int64", "import": "Int64", "annee": "int64"})
    )


def value_history(con) -> pd.DataFrame:
    """Every value ever set by an import (or removed by a rollback), with its operation id."""
    return (
        con.execute(
            """
        SELECT h.indicateur AS code_indicateur, h.territoire, h.annee,
               CASE WHEN h.trimestre = 0 THEN NULL ELSE h.trimestre END AS trimestre,
               h.nouvelle_valeur AS valeur, h.mesure, h.operation AS import, o.nature, h.mouvement,
               h.ancienne_valeur, h.ancienne_operation AS import_precedent,
               h.nouveau_commentaire AS commentaire, h.nouvelle_source AS source,
               o.horodatage, o.utilisateur, o.fichier
        FROM historique h JOIN operation o ON o.id = h.operation
        ORDER BY h.operation, h.indicateur, h.territoire, h.annee, h.trimestre, h.mesure
        """
        )
        .df()
        .astype({"trimestre": "Int64", "import_precedent": "Int64", "annee": "int64"})
    )


def indicator_catalogue(con, config: Config) -> pd.DataFrame:
    """One row per indicator with its place in the tree (one column per level of the configuration)."""
    levels = [lv.cle for lv in config.levels]
    frame = con.execute(
        """
        WITH RECURSIVE chaine(indicateur, noeud, niveau) AS (
            SELECT i.code, n.code, n.niveau FROM indicateur i JOIN noeud n ON n.code = i.noeud
            UNION ALL
            SELECT c.indicateur, p.code, p.niveau FROM chaine c
            JOIN noeud n ON n.code = c.noeud JOIN noeud p ON p.code = n.parent
        )
        SELECT i.code AS code_indicateur, i.libelle, c.niveau, c.noeud, i.unite, i.nature, i.agregation,
               i.additivite, i.sens, i.source, i.definition, i.origine, i.ordre
        FROM indicateur i LEFT JOIN chaine c ON c.indicateur = i.code
        """
    ).df()
    wide = frame.pivot_table(index="code_indicateur", columns="niveau", values="noeud", aggfunc="first")
    base = frame.drop(columns=["niveau", "noeud"]).drop_duplicates("code_indicateur").set_index("code_indicateur")
    out = base.join(wide.reindex(columns=levels)).reset_index().sort_values("ordre")
    columns = [
        "code_indicateur",
        "libelle",
        *levels,
        "unite",
        "nature",
        "agregation",
        "additivite",
        "sens",
        "source",
        "definition",
        "origine",
    ]
    return out[columns].reset_index(drop=True)


def node_counts(con) -> list[tuple[str, str, int]]:
    return con.execute(
        """SELECT n.cle, n.pluriel, count(x.code) FROM niveau n LEFT JOIN noeud x ON x.niveau = n.cle
           GROUP BY n.rang, n.cle, n.pluriel ORDER BY n.rang"""
    ).fetchall()


def operations(con) -> pd.DataFrame:
    return (
        con.execute(
            """SELECT id AS import, nature, fichier, sha256, utilisateur, horodatage, nb_nouvelles, nb_modifiees,
                  nb_inchangees, nb_ignorees, annule AS annule_import, annule_par
           FROM operation ORDER BY id"""
        )
        .df()
        .astype({"annule_import": "Int64", "annule_par": "Int64"})
    )
