"""The import history, read from the database file (the full value history is not in the app's copy)."""

from __future__ import annotations

import pandas as pd

from . import formatting
from .store import Store
from .vocabulary import MESURE_LABELS


def operations(con) -> pd.DataFrame:
    """Every operation, newest first, with French headers ready to show."""
    frame = con.execute(
        """SELECT id, nature, fichier, sha256, utilisateur, horodatage, nb_nouvelles, nb_modifiees, nb_inchangees,
                  nb_ignorees, annule, annule_par
           FROM operation ORDER BY id DESC"""
    ).df()
    return frame


def operations_table(frame: pd.DataFrame) -> pd.DataFrame:
    natures = {
        "import": "Import",
        "demo": "Démonstration",
        "annulation": "Annulation",
        "referentiel": "Référentiel",
        "saisie": "Saisie",
    }
    state = []
    for annule, annule_par in zip(frame["annule"], frame["annule_par"], strict=True):
        if pd.notna(annule_par):
            state.append(f"annulé (opération n°{int(annule_par)})")
        elif pd.notna(annule):
            state.append(f"annule l'import n°{int(annule)}")
        else:
            state.append("en vigueur")
    return pd.DataFrame(
        {
            "N°": frame["id"],
            "Nature": frame["nature"].map(natures).fillna(frame["nature"]),
            "Fichier": frame["fichier"],
            "Par": frame["utilisateur"],
            "Le": [formatting.date_heure(m) for m in frame["horodatage"]],
            "Nouvelles": frame["nb_nouvelles"],
            "Modifiées": frame["nb_modifiees"],
            "Inchangées": frame["nb_inchangees"],
            "Ignorées": frame["nb_ignorees"],
            "État": state,
            "Empreinte SHA-256": frame["sha256"],
        }
    )


def operation_values(store: Store, operation_id: int) -> pd.DataFrame:
    """The values an operation set (or restored, or removed), with the values they replaced."""
    with store.read() as con:
        frame = con.execute(
            """
            SELECT h.indicateur, i.libelle, i.unite, t.libelle_court, h.annee, h.trimestre, h.mesure, h.mouvement,
                   h.ancienne_valeur, h.nouvelle_valeur, h.ancienne_operation
            FROM historique h LEFT JOIN indicateur i ON i.code = h.indicateur
            LEFT JOIN territoire t ON t.code = h.territoire
            WHERE h.operation = ?
            ORDER BY i.ordre, t.ordre, h.annee, h.trimestre
            """,
            [operation_id],
        ).df()
    return pd.DataFrame(
        {
            "Code": frame["indicateur"],
            "Indicateur": frame["libelle"],
            "Territoire": frame["libelle_court"],
            "Période": [formatting.periode(a, t) for a, t in zip(frame["annee"], frame["trimestre"], strict=True)],
            "Type": frame["mesure"].map(MESURE_LABELS),
            "Mouvement": frame["mouvement"],
            "Valeur remplacée": [
                formatting.valeur(v, u) for v, u in zip(frame["ancienne_valeur"], frame["unite"], strict=True)
            ],
            "Nouvelle valeur": [
                formatting.valeur(v, u) for v, u in zip(frame["nouvelle_valeur"], frame["unite"], strict=True)
            ],
            "Posée par l'import n°": frame["ancienne_operation"].astype("Int64"),
        }
    )


def operation_statuses(store: Store, operation_id: int) -> pd.DataFrame:
    """The statuses of actions an operation set (or restored, or removed), with those they replaced."""
    from .schema_upgrade import has_table

    with store.read() as con:
        if not has_table(con, "suivi_action_historique"):
            return pd.DataFrame()
        frame = con.execute(
            """
            SELECT h.action, n.libelle, t.libelle_court, h.annee, h.mouvement, h.ancien_statut, h.nouveau_statut,
                   h.nouvelle_date, h.nouveau_commentaire
            FROM suivi_action_historique h LEFT JOIN noeud n ON n.code = h.action
            LEFT JOIN territoire t ON t.code = h.territoire
            WHERE h.operation = ?
            ORDER BY n.ordre, t.ordre, h.annee
            """,
            [operation_id],
        ).df()
    return pd.DataFrame(
        {
            "Action": frame["action"],
            "Libellé": frame["libelle"],
            "Territoire": frame["libelle_court"],
            "Année": frame["annee"],
            "Mouvement": frame["mouvement"],
            "Statut remplacé": frame["ancien_statut"].fillna(formatting.MISSING),
            "Nouveau statut": frame["nouveau_statut"].fillna(formatting.MISSING),
            "Date": [formatting.date_jour(d) if pd.notna(d) else "" for d in frame["nouvelle_date"]],
            "Commentaire": frame["nouveau_commentaire"].fillna(""),
        }
    )
