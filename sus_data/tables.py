"""Tables shown beside charts and offered for download: the same numbers, reshaped for reading.

Two shapes of each table: `display` (French-formatted text, for the screen) and `data` (numbers, for
xlsx/CSV downloads, with French headers). Values derived from the TAS and demo values are marked in
words, never by colour alone.
"""

from __future__ import annotations

import pandas as pd

from . import formatting

COMPUTED_MARK = " (calculé)"
PARTIAL_MARK = " (partiel)"
DEMO_MARK = " *"
DEMO_FOOTNOTE = "* Données fictives de démonstration."


def _mark(value: float, unite: str, calcule: bool, partiel: bool, demo: bool) -> str:
    text = formatting.valeur(value, unite)
    if calcule:
        text += COMPUTED_MARK
    if partiel:
        text += PARTIAL_MARK
    if demo:
        text += DEMO_MARK
    return text


def series_table(frame: pd.DataFrame, territories: pd.DataFrame, unite: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Periods in rows, territories in columns. Returns (display, data)."""
    if frame.empty:
        empty = pd.DataFrame(columns=["Période"])
        return empty, empty
    order = territories.sort_values("ordre")
    labels = dict(zip(order["code"], order["libelle_court"], strict=True))
    present = [c for c in order["code"] if c in set(frame["territoire"])]
    frame = frame.sort_values("ordre_periode")
    frame = frame.assign(
        texte=[
            _mark(v, unite, c, p, d)
            for v, c, p, d in zip(frame["valeur"], frame["calcule"], frame["partiel"], frame["demo"], strict=True)
        ]
    )
    periods = list(dict.fromkeys(frame["periode"]))
    display = frame.pivot_table(index="periode", columns="territoire", values="texte", aggfunc="first")
    display = display.reindex(index=periods, columns=present).fillna(formatting.MISSING)
    display.columns = [labels[c] for c in display.columns]
    display = display.reset_index().rename(columns={"periode": "Période"})
    data = frame.pivot_table(index="periode", columns="territoire", values="valeur", aggfunc="first")
    data = data.reindex(index=periods, columns=present)
    data.columns = [labels[c] for c in data.columns]
    data = data.reset_index().rename(columns={"periode": "Période"})
    return display, data


def comparison_table(frame: pd.DataFrame, unite: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per territory for one period. Returns (display, data)."""
    display = pd.DataFrame(
        {
            "Territoire": frame["libelle_court"],
            "Valeur": [
                _mark(v, unite, c, p, d)
                for v, c, p, d in zip(frame["valeur"], frame["calcule"], frame["partiel"], frame["demo"], strict=True)
            ],
        }
    )
    data = pd.DataFrame(
        {
            "Territoire": frame["libelle_court"],
            "Valeur": frame["valeur"],
            "Calculée à partir des TAS": frame["calcule"].map({True: "oui", False: "non"}),
            "Données fictives de démonstration": frame["demo"].map({True: "oui", False: "non"}),
        }
    )
    return display, data


def values_table(frame: pd.DataFrame, unite: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stored values of one indicator with the import that set each one."""
    periods = [formatting.periode(a, t) for a, t in zip(frame["annee"], frame["trimestre"], strict=True)]
    mesures = frame["mesure"].map({"valeur": "Réalisé", "cible": "Cible"}).fillna(frame["mesure"])
    imports = [
        f"n°{int(op)} — {fichier} ({utilisateur}, {formatting.date_heure(moment)})" if pd.notna(op) else formatting.MISSING
        for op, fichier, utilisateur, moment in zip(
            frame["operation"], frame["fichier"], frame["utilisateur"], frame["horodatage"], strict=True
        )
    ]
    display = pd.DataFrame(
        {
            "Période": periods,
            "Territoire": frame["libelle_court"],
            "Type": mesures,
            "Valeur": [formatting.valeur(v, unite) + (DEMO_MARK if d else "") for v, d in zip(frame["valeur"], frame["demo"], strict=True)],
            "Commentaire": frame["commentaire"].fillna(""),
            "Source": frame["source"].fillna(""),
            "Import": imports,
        }
    )
    data = pd.DataFrame(
        {
            "Période": periods,
            "Territoire": frame["territoire"],
            "Type": mesures,
            "Valeur": frame["valeur"],
            "Commentaire": frame["commentaire"],
            "Source": frame["source"],
            "Import n°": frame["operation"],
            "Fichier": frame["fichier"],
            "Importé par": frame["utilisateur"],
            "Importé le": frame["horodatage"],
        }
    )
    return display, data


def portrait_table(frame: pd.DataFrame, territoire: str, columns: list[tuple[str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A territory's figures beside the département's and the other TAS's.

    `columns`: (territory code, header) in display order; `territoire` is the portrayed one.
    """
    display = pd.DataFrame(
        {
            "Ambition": frame["ambition_libelle"],
            "Indicateur": frame["libelle"],
            "Période": frame["periode"],
        }
    )
    data = display.copy()
    data.insert(1, "Code", frame["indicateur"])
    for code, header in columns:
        values = frame[code] if code in frame.columns else pd.Series([None] * len(frame))
        display[header] = [formatting.valeur(v, u) for v, u in zip(values, frame["unite"], strict=True)]
        data[header] = values.to_numpy()
    if frame["pour_1000"].notna().any():
        display["Pour 1 000 habitants"] = [formatting.nombre(v, 1) if pd.notna(v) else "" for v in frame["pour_1000"]]
        data["Pour 1 000 habitants"] = frame["pour_1000"].to_numpy()
    display["Unité"] = frame["unite"]
    data["Unité"] = frame["unite"]
    display["Note"] = [
        ("calculé à partir des TAS ; " if c else "") + ("données fictives de démonstration" if d else "")
        for c, d in zip(frame["calcule"], frame["demo"], strict=True)
    ]
    data["Données fictives"] = frame["demo"].map({True: "oui", False: "non"})
    return display, data


POSITION_WORDS = {
    # (additive, position) → words; additive indicators compare their change, the others their level.
    (True, "au-dessus"): ("▲", "évolution plus forte que le département"),
    (True, "en dessous"): ("▼", "évolution plus faible que le département"),
    (True, "égal"): ("=", "même évolution que le département"),
    (False, "au-dessus"): ("▲", "au-dessus du département"),
    (False, "en dessous"): ("▼", "en dessous du département"),
    (False, "égal"): ("=", "au niveau du département"),
}


def position_lines(positions: pd.DataFrame, unite: str, additive: bool) -> list[str]:
    """One sentence per TAS saying where it stands against the département, with the numbers."""
    lines = []
    for row in positions.itertuples(index=False):
        if row.position == "non comparable":
            lines.append(f"{row.libelle_court} : pas de comparaison possible (période précédente manquante)")
            continue
        icon, words = POSITION_WORDS[(additive, row.position)]
        if additive:
            detail = f"{formatting.variation(row.compare)} contre {formatting.variation(row.reference)}"
        else:
            detail = f"{formatting.valeur(row.compare, unite)} contre {formatting.valeur(row.reference, unite)}"
        lines.append(f"{icon} {row.libelle_court} : {words} ({detail})")
    return lines


def completeness_text(completude: dict | None) -> str:
    if not completude or not completude.get("attendues"):
        return "Aucune donnée attendue pour la période."
    return (
        f"Données reçues pour {completude['periode']} : {completude['recues']} séries sur "
        f"{completude['attendues']} attendues ({formatting.pourcentage(completude['taux'], 0)})."
    )
