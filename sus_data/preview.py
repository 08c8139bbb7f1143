"""What an import will change, before it is committed: counts, old → new, revisions and outliers.

A value is flagged for a second look when it lies far from its series' history: further than
`ecart_atypique` robust deviations (median absolute deviation × 1.4826) from the median of the
series' previous values at the same pace (quarterly or yearly), given at least MIN_HISTORY points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import formatting, ingest_followup
from .ingest import CHANGED, NEW, UNCHANGED, _stage_diff
from .validate import ValidatedFile
from .vocabulary import MESURE_LABELS

MIN_HISTORY = 4
MAD_TO_SIGMA = 1.4826


@dataclass
class Preview:
    fichier: str
    nouvelles: int
    modifiees: int
    inchangees: int
    ignorees: int
    revisions: int
    atypiques: int
    changes: pd.DataFrame  # one row per new or changed value, French headers, for display
    data: pd.DataFrame  # the same with raw numbers
    statuts: int = 0  # statuses of actions new or changed (sheet `actions`)
    perimetres: int = 0  # perimeters of actions replaced (sheet `perimetre`)

    def summary(self) -> str:
        return (
            f"{self.nouvelles} nouvelle(s), {self.modifiees} modifiée(s), {self.inchangees} inchangée(s), "
            f"{self.ignorees} ligne(s) vide(s) ignorée(s) ; {self.revisions} révision(s) d'une période passée, "
            f"{self.atypiques} valeur(s) atypique(s) à vérifier."
        )


def preview_file(con, validated: ValidatedFile, threshold: float) -> Preview:
    """Compare a validated file with the database (read-only connection or snapshot cursor)."""
    _stage_diff(con, validated.valeurs)
    diff = con.execute(
        """
        SELECT d.*, i.libelle, i.unite, t.libelle_court,
               (SELECT max(v.annee * 10 + v.trimestre) FROM valeur v
                 WHERE v.indicateur = d.indicateur AND v.territoire = d.territoire AND v.mesure = d.mesure
                   AND (v.trimestre > 0) = (d.trimestre > 0)) AS derniere_periode
        FROM _diff d JOIN indicateur i ON i.code = d.indicateur JOIN territoire t ON t.code = d.territoire
        ORDER BY i.ordre, t.ordre, d.annee, d.trimestre
        """
    ).df()
    history = con.execute(
        """
        SELECT v.indicateur, v.territoire, v.mesure, (v.trimestre > 0) AS trimestriel,
               median(v.valeur) AS mediane, median(abs(v.valeur - m.med)) AS mad, count(*) AS n
        FROM valeur v
        JOIN (SELECT indicateur, territoire, mesure, trimestre > 0 AS trimestriel, median(valeur) AS med
              FROM valeur GROUP BY ALL) m
          ON m.indicateur = v.indicateur AND m.territoire = v.territoire AND m.mesure = v.mesure
         AND m.trimestriel = (v.trimestre > 0)
        WHERE list_contains(?, v.indicateur)
        GROUP BY ALL
        """,
        [sorted(set(diff["indicateur"]))],
    ).df()
    con.execute("DROP TABLE IF EXISTS _diff")
    followup = ingest_followup.changes(con, validated)
    ingest_followup.drop(con)
    counts = diff["mouvement"].value_counts()
    diff["trimestriel"] = diff["trimestre"] > 0
    diff = diff.merge(history, on=["indicateur", "territoire", "mesure", "trimestriel"], how="left")
    spread = diff["mad"].fillna(0) * MAD_TO_SIGMA
    distance = (diff["nouvelle_valeur"] - diff["mediane"]).abs()
    diff["atypique"] = (
        (diff["n"].fillna(0) >= MIN_HISTORY)
        & (diff["mouvement"] != UNCHANGED)
        & np.where(spread > 0, distance > threshold * spread, distance > 0)
    )
    position = diff["annee"] * 10 + diff["trimestre"]
    diff["revision"] = (diff["mouvement"] == CHANGED) & (position < diff["derniere_periode"].fillna(0))
    changed = diff[diff["mouvement"] != UNCHANGED].copy()
    changed["variation"] = np.where(
        changed["ancienne_valeur"].notna() & (changed["ancienne_valeur"] != 0),
        (changed["nouvelle_valeur"] - changed["ancienne_valeur"]) / changed["ancienne_valeur"].abs() * 100,
        np.nan,
    )
    periods = [formatting.periode(a, t) for a, t in zip(changed["annee"], changed["trimestre"], strict=True)]
    flags = [
        "; ".join(
            p
            for p in (
                "révision d'une période passée" if r else "",
                "valeur atypique : à vérifier" if a else "",
            )
            if p
        )
        for r, a in zip(changed["revision"], changed["atypique"], strict=True)
    ]
    display = pd.DataFrame(
        {
            "Indicateur": changed["libelle"],
            "Code": changed["indicateur"],
            "Territoire": changed["libelle_court"],
            "Période": periods,
            "Type": changed["mesure"].map(MESURE_LABELS),
            "Mouvement": changed["mouvement"],
            "Ancienne valeur": [
                formatting.valeur(v, u) for v, u in zip(changed["ancienne_valeur"], changed["unite"], strict=True)
            ],
            "Nouvelle valeur": [
                formatting.valeur(v, u) for v, u in zip(changed["nouvelle_valeur"], changed["unite"], strict=True)
            ],
            "Évolution": [formatting.variation(v) for v in changed["variation"]],
            "À vérifier": flags,
        }
    )
    data = pd.DataFrame(
        {
            "Code": changed["indicateur"],
            "Territoire": changed["territoire"],
            "Année": changed["annee"],
            "Trimestre": changed["trimestre"],
            "Type": changed["mesure"],
            "Mouvement": changed["mouvement"],
            "Ancienne valeur": changed["ancienne_valeur"],
            "Nouvelle valeur": changed["nouvelle_valeur"],
            "Évolution (%)": changed["variation"],
            "À vérifier": flags,
        }
    )
    return Preview(
        fichier=validated.filename,
        nouvelles=int(counts.get(NEW, 0)),
        modifiees=int(counts.get(CHANGED, 0)),
        inchangees=int(counts.get(UNCHANGED, 0)),
        ignorees=validated.n_ignorees,
        revisions=int(diff["revision"].sum()),
        atypiques=int(diff["atypique"].sum()),
        changes=display.reset_index(drop=True),
        data=data.reset_index(drop=True),
        statuts=followup.n_statuts,
        perimetres=len(followup.perimetres),
    )
