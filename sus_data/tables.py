"""Tables shown beside charts and offered for download: the same numbers, reshaped for reading.

Two shapes of each table: `display` (French-formatted text, for the screen) and `data` (numbers, for
xlsx/CSV downloads, with French headers). Values derived from the TAS and demo values are marked in
words, never by colour alone.
"""

from __future__ import annotations

import pandas as pd

from . import formatting, secret
from .config import get_config
from .vocabulary import MESURE_LABELS

COMPUTED_MARK = " (calculé)"
PARTIAL_MARK = " (partiel)"
DEMO_MARK = " *"
DEMO_FOOTNOTE = "* Données fictives de démonstration."
MISSING_TEXT = formatting.MISSING
NOTE_COLUMN = "Note"


def _secret_of(frame: pd.DataFrame) -> tuple[list[bool], list[int]]:
    """Per row: is the value masked (secret statistique), and under which threshold. A frame that went
    through `secret.mask` carries both; any other frame has nothing masked."""
    if secret.FLAG not in frame:
        return [False] * len(frame), [0] * len(frame)
    return [bool(f) for f in frame[secret.FLAG]], [int(k) for k in frame[secret.THRESHOLD]]


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
    """Periods in rows (in time order), territories in columns. Returns (display, data)."""
    if frame.empty:
        empty = pd.DataFrame(columns=["Période"])
        return empty, empty
    order = territories.sort_values("ordre")
    labels = dict(zip(order["code"], order["libelle_court"], strict=True))
    present_set = set(frame["territoire"])
    present = [c for c in order["code"] if c in present_set]
    cells: dict[tuple, tuple] = {}
    periods: dict[str, int] = {}
    masked: dict[str, list[str]] = {}  # period → territories whose value is secret
    flags, seuils = _secret_of(frame)
    for t, periode, ordre, v, c, p, d, hidden, seuil in zip(
        frame["territoire"], frame["periode"], frame["ordre_periode"], frame["valeur"],
        frame["calcule"], frame["partiel"], frame["demo"], flags, seuils, strict=True,
    ):  # fmt: skip
        periods[periode] = ordre
        cells[(periode, t)] = (v, secret.label(seuil) if hidden else _mark(v, unite, c, p, d))
        if hidden:
            masked.setdefault(periode, []).append(f"{labels.get(t, t)} (< {seuil})")
    rows = sorted(periods, key=periods.get)
    display = {"Période": rows}
    data = {"Période": rows}
    for code in present:
        found = [cells.get((periode, code)) for periode in rows]
        display[labels[code]] = [formatting.MISSING if f is None else f[1] for f in found]
        data[labels[code]] = [float("nan") if f is None else f[0] for f in found]
    if masked:
        data[NOTE_COLUMN] = [
            f"Secret statistique, valeur non diffusée : {', '.join(masked[r])}" if r in masked else "" for r in rows
        ]
    return pd.DataFrame(display), pd.DataFrame(data)


def comparison_table(frame: pd.DataFrame, unite: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per territory for one period. Returns (display, data)."""
    flags, seuils = _secret_of(frame)
    display = pd.DataFrame(
        {
            "Territoire": frame["libelle_court"],
            "Valeur": [
                secret.label(k) if hidden else _mark(v, unite, c, p, d)
                for v, c, p, d, hidden, k in zip(
                    frame["valeur"], frame["calcule"], frame["partiel"], frame["demo"], flags, seuils, strict=True
                )
            ],
        }
    )
    data = pd.DataFrame(
        {
            "Territoire": frame["libelle_court"],
            "Valeur": frame["valeur"],
            f"Calculée à partir des {get_config().sigle_territoires}": frame["calcule"].map(
                {True: "oui", False: "non"}
            ),
            "Données fictives de démonstration": frame["demo"].map({True: "oui", False: "non"}),
        }
    )
    if any(flags):
        data[NOTE_COLUMN] = [secret.note(k) if hidden else "" for hidden, k in zip(flags, seuils, strict=True)]
    return display, data


def values_table(frame: pd.DataFrame, unite: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stored values of one indicator with the import that set each one."""
    periods = [formatting.periode(a, t) for a, t in zip(frame["annee"], frame["trimestre"], strict=True)]
    mesures = frame["mesure"].map(MESURE_LABELS).fillna(frame["mesure"])
    flags, seuils = _secret_of(frame)
    imports = [
        f"n°{int(op)} — {fichier} ({utilisateur}, {formatting.date_heure(moment)})"
        if pd.notna(op)
        else formatting.MISSING
        for op, fichier, utilisateur, moment in zip(
            frame["operation"], frame["fichier"], frame["utilisateur"], frame["horodatage"], strict=True
        )
    ]
    display = pd.DataFrame(
        {
            "Période": periods,
            "Territoire": frame["libelle_court"],
            "Type": mesures,
            "Valeur": [
                (secret.label(k) if hidden else formatting.valeur(v, unite)) + (DEMO_MARK if d else "")
                for v, d, hidden, k in zip(frame["valeur"], frame["demo"], flags, seuils, strict=True)
            ],
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
    if any(flags):
        data[NOTE_COLUMN] = [secret.note(k) if hidden else "" for hidden, k in zip(flags, seuils, strict=True)]
    return display, data


def portrait_table(
    frame: pd.DataFrame, territoire: str, columns: list[tuple[str, str]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A territory's figures beside the département's and the other TAS's.

    `columns`: (territory code, header) in display order; `territoire` is the portrayed one. A value
    computed from the territories below is marked « (calculé) », as in every table.
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
    none = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    no = pd.Series(False, index=frame.index)
    seuils = frame.get(secret.THRESHOLD, pd.Series(0, index=frame.index))
    masked = [[] for _ in range(len(frame))]
    for code, header in columns:
        if code == territoire:
            values, computed, demo = frame["valeur"], frame["calcule"], frame["demo"]
            hidden, levels = frame.get(secret.FLAG, no), seuils
        else:
            values = frame[code] if code in frame.columns else none
            computed = frame.get(code + "__calcule", no)
            demo = frame.get(code + "__demo", no)
            hidden = frame.get(code + secret.SUFFIX, no)
            levels = frame.get(code + secret.SEUIL_SUFFIX, seuils)  # a column's own (complementary) mask
        display[header] = [
            secret.label(k) if h else (MISSING_TEXT if pd.isna(v) else _mark(v, u, bool(c), False, bool(d)))
            for v, u, c, d, h, k in zip(values, frame["unite"], computed, demo, hidden, levels, strict=True)
        ]
        data[header] = values.to_numpy()
        for index, h in enumerate(hidden):
            if h:
                masked[index].append(header)
    if frame["pour_1000"].notna().any():
        display["Pour 1 000 habitants"] = [formatting.nombre(v, 1) if pd.notna(v) else "" for v in frame["pour_1000"]]
        data["Pour 1 000 habitants"] = frame["pour_1000"].to_numpy()
    display["Unité"] = frame["unite"]
    data["Unité"] = frame["unite"]
    display["Note"] = ["année incomplète" if p else "" for p in frame["partiel"]]
    data[f"Calculée à partir des {get_config().sigle_territoires}"] = frame["calcule"].map({True: "oui", False: "non"})
    data["Données fictives"] = frame["demo"].map({True: "oui", False: "non"})
    if any(masked):
        data[NOTE_COLUMN] = [f"Secret statistique, valeur non diffusée : {', '.join(m)}" if m else "" for m in masked]
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


def position_lines(positions: list[dict], unite: str, additive: bool) -> list[str]:
    """One sentence per TAS saying where it stands against the département, with the numbers.

    `positions`: dicts with libelle_court, position, compare, reference (see queries.Headline)."""
    lines = []
    for row in positions:
        name, position, compare, reference = row["libelle_court"], row["position"], row["compare"], row["reference"]
        if position == "non comparable":
            lines.append(f"{name} : pas de comparaison possible (période précédente manquante)")
            continue
        icon, words = POSITION_WORDS[(additive, position)]
        if additive:
            detail = f"{formatting.variation(compare)} contre {formatting.variation(reference)}"
        else:
            detail = f"{formatting.valeur(compare, unite)} contre {formatting.valeur(reference, unite)}"
        lines.append(f"{icon} {name} : {words} ({detail})")
    return lines


def completeness_text(completude: dict | None) -> str:
    if not completude or not completude.get("attendues"):
        return "Aucune donnée attendue pour la période."
    return (
        f"Données reçues pour {completude['periode']} : {completude['recues']} séries sur "
        f"{completude['attendues']} attendues ({formatting.pourcentage(completude['taux'], 0)})."
    )


SENS_WORDS = {"hausse": "à la hausse", "baisse": "à la baisse", "neutre": "aucun (indicateur de suivi)"}


def delta_style(evolution_pct: float | None, sens: str) -> dict:
    """How st.metric shows a change: French text, arrow by its sign, colour by whether it is wanted.

    Streamlit reads the sign from the text's first character and the French minus (U+2212) is not
    `-`: the arrow and the colour are therefore given explicitly.
    """
    if evolution_pct is None or pd.isna(evolution_pct):
        return {"delta": None, "delta_arrow": "off", "delta_color": "gray"}
    text = formatting.variation(evolution_pct)
    if round(float(evolution_pct), 1) == 0:
        return {"delta": text, "delta_arrow": "off", "delta_color": "gray"}
    up = evolution_pct > 0
    wanted = {"hausse": up, "baisse": not up}.get(sens)
    colour = "gray" if wanted is None else ("green" if wanted else "red")
    return {"delta": text, "delta_arrow": "up" if up else "down", "delta_color": colour}


def headline_card(h) -> dict:
    """What the overview shows for one headline (a `queries.Headline`): title, st.metric arguments and
    the TAS positions, as French text."""
    marks = [
        m
        for m, on in (
            (f"calculé à partir des {get_config().sigle_territoires}", h.calcule),
            ("année incomplète", h.partiel),
            ("données fictives", h.demo),
        )
        if on
    ]
    metric = {
        "label": " · ".join([h.periode, *marks]),
        "value": formatting.valeur(h.valeur, h.unite),
        "help": f"{formatting.markdown(h.libelle)} ({h.code}). Sens souhaité : {SENS_WORDS.get(h.sens, h.sens)}.",
        "chart_data": [v for _, v in h.sparkline] if len(h.sparkline) > 1 else None,
        **delta_style(h.evolution_pct, h.sens),
    }
    if metric["delta"] is not None:
        metric["delta_description"] = f"par rapport à {h.periode_precedente}"
    return {
        "titre": f"**{formatting.markdown(h.libelle)}**",
        "metric": metric,
        "positions": [formatting.markdown(line) for line in position_lines(h.positions, h.unite, h.additif)],
        "demo": bool(h.demo),
    }
