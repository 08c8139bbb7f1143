"""Demo series: quarterly values per TAS for the programme's count indicators, clearly labelled.

They let every page show something on a fresh install. Their source is always DEMO_SOURCE and they
are imported as an operation of nature 'demo', so pages can mark them and an observatory can undo
them in one rollback once real figures arrive.
"""

from __future__ import annotations

import datetime as dt
import zlib

import numpy as np
import pandas as pd

from .config import Config
from .validate import empty_values
from .vocabulary import (
    DEMO_SOURCE,
    MESURE_VALEUR,
    STATUT_ABANDONNEE,
    STATUT_EN_COURS,
    STATUT_NON_DEMARREE,
    STATUT_REALISEE,
    STATUT_REPORTEE,
    UNIT_COUNT,
)

DEMO_FILENAME = "données fictives de démonstration"
# Quarterly activity is lower in summer (T3) in social services; the demo mimics it.
SEASONALITY = {1: 1.05, 2: 1.0, 3: 0.8, 4: 1.15}
TREND_PER_YEAR = 0.06


def demo_values(con, config: Config) -> pd.DataFrame:
    """Deterministic demo values (same every time: importing them twice changes nothing)."""
    # Only the programmes in progress get demo series: an archived programme keeps its real history only.
    indicators = con.execute(
        """SELECT DISTINCT i.code, i.additivite, i.agregation, i.ordre FROM indicateur i
           JOIN noeud_programme np ON np.noeud = i.noeud JOIN programme p ON p.code = np.programme
           WHERE i.unite = ? AND i.nature = 'réalisation' AND i.origine = 'referentiel'
             AND coalesce(p.statut, 'en cours') <> 'archivé'
           ORDER BY i.ordre""",
        [UNIT_COUNT],
    ).fetchall()
    departement = config.departement.code
    tas = [t.code for t in config.territories if t.parent == departement]
    rows = []
    for code, additivite, agregation, _ordre in indicators:
        rng = np.random.default_rng(zlib.crc32(code.encode("utf-8")))
        territories = tas if additivite == "somme" else [departement]
        for territory in territories:
            base = float(rng.integers(8, 120)) * (len(tas) if territory == departement else 1)
            weight = rng.uniform(0.7, 1.3)
            for index, year in enumerate(config.demo_annees):
                for quarter in (1, 2, 3, 4):
                    level = base * weight * (1 + TREND_PER_YEAR) ** (index + quarter / 4)
                    if agregation == "somme":
                        level *= SEASONALITY[quarter]
                    value = max(0, round(level * rng.normal(1.0, 0.08)))
                    rows.append((code, territory, year, quarter, value))
    frame = pd.DataFrame(rows, columns=["indicateur", "territoire", "annee", "trimestre", "valeur"])
    if frame.empty:
        return empty_values()
    frame["annee"] = frame["annee"].astype("int16")
    frame["trimestre"] = frame["trimestre"].astype("int8")
    frame["valeur"] = frame["valeur"].astype(float)
    frame["mesure"] = MESURE_VALEUR
    frame["commentaire"] = None
    frame["source"] = DEMO_SOURCE
    return frame[list(empty_values().columns)]


# How the demo programme's actions are spread between statuses at the end of each year (shares of
# actions), so that the follow-up page has something plausible to count.
DEMO_STATUS_SHARES = {
    2024: ((STATUT_NON_DEMARREE, 0.20), (STATUT_EN_COURS, 0.55), (STATUT_REALISEE, 0.15), (STATUT_REPORTEE, 0.07), (STATUT_ABANDONNEE, 0.03)),
    2025: ((STATUT_NON_DEMARREE, 0.08), (STATUT_EN_COURS, 0.47), (STATUT_REALISEE, 0.35), (STATUT_REPORTEE, 0.06), (STATUT_ABANDONNEE, 0.04)),
}  # fmt: skip


def demo_statuses(con, config: Config) -> pd.DataFrame:
    """Deterministic statuses of the programme's actions at département level, end of 2024 and 2025.

    Their comment says they are demo data; they are imported with the demo values, in the same
    operation, so one rollback removes all the demo.
    """
    actions = con.execute(
        """SELECT DISTINCT n.code, n.ordre FROM noeud n
           JOIN noeud_programme np ON np.noeud = n.code JOIN programme p ON p.code = np.programme
           WHERE n.niveau = ? AND coalesce(p.statut, 'en cours') <> 'archivé' ORDER BY n.ordre""",
        [config.niveau_action],
    ).fetchall()
    rows = []
    for code, _ordre in actions:
        draw = (zlib.crc32(code.encode("utf-8")) % 1000) / 1000
        for year, shares in DEMO_STATUS_SHARES.items():
            if year not in config.demo_annees:
                continue
            cumulated = 0.0
            for status, share in shares:
                cumulated += share
                if draw < cumulated:
                    break
            rows.append((code, config.departement.code, year, status, dt.date(year, 12, 31), DEMO_SOURCE))
    frame = pd.DataFrame(rows, columns=["action", "territoire", "annee", "statut", "date_statut", "commentaire"])
    frame["annee"] = frame["annee"].astype("int16")
    return frame
