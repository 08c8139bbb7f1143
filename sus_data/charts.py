"""Plotly figures, from pure functions: a frame in, a figure out; the page only shows it.

One fixed colour per territory (from the configuration, colour-blind safe), French separators, axis
and hover texts in French, periods written `T1 2025` / `2025` in time order. Values computed from the
TAS are drawn with hollow markers and said so in the hover text; demo values are named in the title.

Figures are built in one go (`go.Figure(data=..., layout=...)`): plotly validates the whole figure
once instead of at each `update_layout`, which took most of a page's time.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from . import formatting, secret
from .config import get_config

SEPARATORS = ", "  # decimal comma, space between thousands
FONT = "Marianne, Arial, sans-serif"
HEIGHT = 400
TITLE_WIDTH = 110  # characters per title line: plotly does not wrap titles
AXIS_UNITS = {"nombre": "Nombre", "%": "Pourcentage (%)", "€": "Montant (€)", "oui/non": "Réalisé (1 = oui, 0 = non)"}
DEMO_NOTE = "données fictives de démonstration"


def computed_note() -> str:
    """« calculé à partir des TAS » (or of the territories the configuration names)."""
    return f"calculé à partir des {get_config().sigle_territoires}"


PARTIAL_NOTE = "année incomplète"
DASHES = {"departement": "dash", "tas": "solid", "secteur": "dot", "comparateur": "longdashdot"}
PERIOD_AXIS = "Période"
TERRITORY_AXIS = "Territoire"


def axis_title(unite: str) -> str:
    return AXIS_UNITS.get(unite, (unite or "Valeur")[:1].upper() + (unite or "Valeur")[1:])


def _title(text: str) -> str:
    return "<br>".join(textwrap.wrap(text, TITLE_WIDTH)) or text


def _layout(title: str, y_title: str, x_title: str, lines: int = 1) -> dict:
    top = 30 + 20 * lines
    return {
        "title": {
            "text": title,
            "font": {"size": 15},
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 12},
        },
        "separators": SEPARATORS,
        "font": {"family": FONT, "size": 13},
        "height": HEIGHT + 20 * (lines - 1),
        "margin": {"l": 70, "r": 20, "t": top + 30, "b": 50},
        # Legend above the plot, under the title: never over the axis title, whatever the width.
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left"},
        "hovermode": "x unified",
        "hoverlabel": {"namelength": -1},
        "plot_bgcolor": "white",
        "yaxis": {
            "title": {"text": y_title},
            "gridcolor": "#E5E5E5",
            "rangemode": "tozero",
            "tickformat": ",~r",
            "hoverformat": ",.2~f",
        },
        "xaxis": {"title": {"text": x_title}, "type": "category"},
    }


def _suffix(unite: str) -> str:
    return {"%": "\u00a0%", "€": "\u00a0€"}.get(unite, "")


def _hover(unite: str) -> str:
    return "%{fullData.name} : %{y:,.2~f}" + _suffix(unite) + "%{customdata}<extra></extra>"


def _note(calcule: bool, partiel: bool, demo: bool) -> str:
    notes = [n for n, on in ((computed_note(), calcule), (PARTIAL_NOTE, partiel), (DEMO_NOTE, demo)) if on]
    return f" ({' ; '.join(notes)})" if notes else ""


def time_series(
    frame: pd.DataFrame,
    territories: pd.DataFrame,
    libelle: str,
    unite: str,
    targets: pd.DataFrame | None = None,
    sources: dict[str, str] | None = None,
) -> go.Figure:
    """One line per territory over time. `frame`: territoire, periode, ordre_periode, valeur,
    calcule, demo (partiel optional). `territories`: code, libelle_court, couleur, niveau, ordre.
    `sources`: for comparators (région, France…), the source their reference line is labelled with."""
    sources = sources or {}
    frame = frame.sort_values("ordre_periode")
    order = frame[["periode", "ordre_periode"]]
    if targets is not None and not targets.empty:
        order = pd.concat([order, targets[["periode", "ordre_periode"]]])
    periods = list(dict.fromkeys(order.sort_values("ordre_periode", kind="stable")["periode"]))
    terr = territories.sort_values("ordre").set_index("code")
    partiel = frame["partiel"] if "partiel" in frame else pd.Series(False, index=frame.index)
    traces = []
    present = set(frame["territoire"])
    for code in [c for c in terr.index if c in present]:
        mask = frame["territoire"] == code
        own = frame[mask]
        row = terr.loc[code]
        notes = [_note(c, p, d) for c, p, d in zip(own["calcule"], partiel[mask], own["demo"], strict=True)]
        name = row["libelle_court"]
        if row["niveau"] == COMPARATOR_LEVEL:
            source = sources.get(code)
            name = f"{name} (référence" + (f", source : {_shorten(source)})" if source else ")")
            notes = [n + (f" — source : {source}" if source else "") for n in notes]
        traces.append(
            {
                "type": "scatter",
                "x": list(own["periode"]),
                "y": list(own["valeur"]),
                "name": name,
                "mode": "lines+markers",
                "line": {
                    "color": row["couleur"],
                    "dash": DASHES.get(row["niveau"], "solid"),
                    "width": 3 if row["niveau"] == "departement" else 2,
                },
                "marker": {
                    "color": row["couleur"],
                    "size": 8,
                    "symbol": ["circle-open" if c else "circle" for c in own["calcule"]],
                },
                "customdata": notes,
                "hovertemplate": _hover(unite),
            }
        )
    if targets is not None and not targets.empty:
        present = set(targets["territoire"])
        for code in [c for c in terr.index if c in present]:
            own = targets[targets["territoire"] == code].sort_values("ordre_periode")
            row = terr.loc[code]
            traces.append(
                {
                    "type": "scatter",
                    "x": list(own["periode"]),
                    "y": list(own["valeur"]),
                    "name": f"Cible {row['libelle_court']}",
                    "mode": "markers",
                    "marker": {"color": row["couleur"], "size": 12, "symbol": "star-open"},
                    "customdata": [""] * len(own),
                    "hovertemplate": _hover(unite),
                }
            )
    title = _title(libelle + _title_notes(frame))
    layout = _layout(title, axis_title(unite), PERIOD_AXIS, title.count("<br>") + 1)
    layout["xaxis"].update({"categoryorder": "array", "categoryarray": periods})
    return _figure(traces, layout)


def comparison_bars(frame: pd.DataFrame, libelle: str, unite: str, periode: str) -> go.Figure:
    """Bars for each TAS in one period, and the département as a reference line.

    `frame`: territoire, libelle_court, couleur, niveau, valeur, calcule, demo.
    """
    tas = frame[frame["niveau"] != "departement"]
    dep = frame[frame["niveau"] == "departement"]
    traces = [
        {
            "type": "bar",
            "x": list(tas["libelle_court"]),
            "y": list(tas["valeur"]),
            "marker": {"color": list(tas["couleur"]), "line": {"color": "#333333", "width": 1}},
            "text": [formatting.valeur(v, unite) for v in tas["valeur"]],
            "textposition": "outside",
            "cliponaxis": False,
            "customdata": [_note(c, False, d) for c, d in zip(tas["calcule"], tas["demo"], strict=True)],
            "hovertemplate": "%{x} : %{y:,.2~f}" + _suffix(unite) + "%{customdata}<extra></extra>",
            "name": get_config().sigle_territoires,
            "showlegend": False,
        }
    ]
    shapes, annotations = [], []
    if not dep.empty and pd.notna(dep["valeur"].iloc[0]):  # a département value under the secret: no line
        value = float(dep["valeur"].iloc[0])
        label = dep["libelle_court"].iloc[0] + (f" ({computed_note()})" if bool(dep["calcule"].iloc[0]) else "")
        colour = dep["couleur"].iloc[0]
        shapes.append(
            {
                "type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": value, "y1": value,
                "line": {"color": colour, "dash": "dash", "width": 2},
            }
        )  # fmt: skip
        annotations.append(
            {
                "xref": "paper", "x": 0, "xanchor": "left", "yref": "y", "y": value, "yanchor": "bottom",
                "text": f"{label} : {formatting.valeur(value, unite)}", "showarrow": False,
                "font": {"color": colour},
            }
        )  # fmt: skip
    title = _title(f"{libelle} — {periode}" + _title_notes(frame))
    layout = _layout(title, axis_title(unite), TERRITORY_AXIS, title.count("<br>") + 1)
    layout.update({"hovermode": "closest", "shapes": shapes, "annotations": annotations, "showlegend": False})
    layout["margin"]["t"] -= 30  # no legend above the bars
    return _figure(traces, layout)


def _title_notes(frame: pd.DataFrame) -> str:
    """What the title says about the data: demo values, and values left out by the secret statistique
    (their points are not drawn: `secret.mask` emptied them)."""
    hidden = int(frame[secret.FLAG].sum()) if secret.FLAG in frame else 0
    complementary = int((frame[secret.FLAG] & (frame[secret.THRESHOLD] == secret.COMPLEMENT)).sum()) if hidden else 0
    notes = [
        note
        for note, on in ((DEMO_NOTE, bool(frame["demo"].any())), (secret.chart_note(hidden, complementary), hidden))
        if on
    ]
    return f" ({' ; '.join(notes)})" if notes else ""


COMPARATOR_LEVEL = "comparateur"
SOURCE_IN_LEGEND = 50


def _shorten(text: str) -> str:
    return text if len(text) <= SOURCE_IN_LEGEND else text[: SOURCE_IN_LEGEND - 1] + "…"


def _figure(traces: list[dict], layout: dict) -> go.Figure:
    """The figure, without plotly's property-by-property validation (a page's slowest step): the
    properties are fixed here, and tests/test_charts.py validates every figure they build."""
    return go.Figure(data=traces, layout=layout, _validate=False)
