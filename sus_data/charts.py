"""Plotly figures, from pure functions: a frame in, a figure out; the page only shows it.

One fixed colour per territory (from the configuration, colour-blind safe), French separators, axis
and hover texts in French, periods written `T1 2025` / `2025`. Values computed from the TAS are drawn
with hollow markers and said so in the hover text; demo values are named in the title.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from . import formatting

SEPARATORS = ", "  # decimal comma, space between thousands
FONT = "Marianne, Arial, sans-serif"
HEIGHT = 380
AXIS_UNITS = {"nombre": "Nombre", "%": "Pourcentage (%)", "€": "Montant (€)", "oui/non": "Réalisé (1 = oui)"}
DEMO_NOTE = "données fictives de démonstration"
DASHES = {"departement": "dash", "tas": "solid", "secteur": "dot", "comparateur": "longdashdot"}


def _layout(fig: go.Figure, title: str, y_title: str, height: int = HEIGHT) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 15}},
        separators=SEPARATORS,
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.3, "x": 0, "title": {"text": "Territoire"}},
        hovermode="x unified",
        plot_bgcolor="white",
        yaxis={"title": {"text": y_title}, "gridcolor": "#E5E5E5", "rangemode": "tozero", "tickformat": ",~r"},
        xaxis={"title": {"text": "Période"}, "type": "category"},
    )
    return fig


def _hover(unite: str) -> str:
    suffix = {"%": " %", "€": " €"}.get(unite, "")
    return "%{fullData.name} : %{y:,.2~f}" + suffix + "%{customdata}<extra></extra>"


def time_series(
    frame: pd.DataFrame,
    territories: pd.DataFrame,
    libelle: str,
    unite: str,
    targets: pd.DataFrame | None = None,
) -> go.Figure:
    """One line per territory over time. `frame`: territoire, periode, ordre_periode, valeur,
    calcule, demo. `territories`: code, libelle_court, couleur, niveau, ordre."""
    frame = frame.sort_values("ordre_periode")
    periods = list(dict.fromkeys(frame["periode"]))
    fig = go.Figure()
    terr = territories.set_index("code")
    for code in [c for c in territories.sort_values("ordre")["code"] if c in set(frame["territoire"])]:
        own = frame[frame["territoire"] == code]
        row = terr.loc[code]
        notes = [
            (" (calculé à partir des TAS)" if c else "") + (" — " + DEMO_NOTE if d else "")
            for c, d in zip(own["calcule"], own["demo"], strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=own["periode"],
                y=own["valeur"],
                name=row["libelle_court"],
                mode="lines+markers",
                line={"color": row["couleur"], "dash": DASHES.get(row["niveau"], "solid"), "width": 2.5 if row["niveau"] == "departement" else 2},
                marker={
                    "color": row["couleur"],
                    "size": 8,
                    "symbol": ["circle-open" if c else "circle" for c in own["calcule"]],
                },
                customdata=notes,
                hovertemplate=_hover(unite),
            )
        )
    if targets is not None and not targets.empty:
        for code in [c for c in territories.sort_values("ordre")["code"] if c in set(targets["territoire"])]:
            own = targets[targets["territoire"] == code].sort_values("ordre_periode")
            row = terr.loc[code]
            fig.add_trace(
                go.Scatter(
                    x=own["periode"],
                    y=own["valeur"],
                    name=f"Cible {row['libelle_court']}",
                    mode="markers",
                    marker={"color": row["couleur"], "size": 12, "symbol": "star-open"},
                    customdata=[""] * len(own),
                    hovertemplate=_hover(unite),
                )
            )
        periods = sorted(set(periods) | set(targets["periode"]), key=lambda p: _period_order(p, frame, targets))
    title = libelle + (f" ({DEMO_NOTE})" if bool(frame["demo"].any()) else "")
    fig = _layout(fig, title, AXIS_UNITS.get(unite, unite.capitalize()))
    fig.update_xaxes(categoryorder="array", categoryarray=periods)
    return fig


def _period_order(period: str, *frames: pd.DataFrame) -> int:
    for frame in frames:
        hit = frame.loc[frame["periode"] == period, "ordre_periode"]
        if not hit.empty:
            return int(hit.iloc[0])
    return 0


def comparison_bars(frame: pd.DataFrame, libelle: str, unite: str, periode: str, reference: float | None = None) -> go.Figure:
    """Bars for each TAS in one period, and the département as a reference line (or bar for rates).

    `frame`: territoire, libelle_court, couleur, niveau, valeur, calcule, demo.
    """
    tas = frame[frame["niveau"] != "departement"]
    dep = frame[frame["niveau"] == "departement"]
    fig = go.Figure(
        go.Bar(
            x=tas["libelle_court"],
            y=tas["valeur"],
            marker={"color": list(tas["couleur"]), "line": {"color": "#333333", "width": 1}},
            text=[formatting.valeur(v, unite) for v in tas["valeur"]],
            textposition="outside",
            customdata=[" — " + DEMO_NOTE if d else "" for d in tas["demo"]],
            hovertemplate="%{x} : %{y:,.2~f}%{customdata}<extra></extra>",
            name="TAS",
            showlegend=False,
        )
    )
    if not dep.empty:
        value = float(dep["valeur"].iloc[0])
        label = dep["libelle_court"].iloc[0] + (" (calculé)" if bool(dep["calcule"].iloc[0]) else "")
        fig.add_hline(
            y=value,
            line={"color": dep["couleur"].iloc[0], "dash": "dash", "width": 2},
            annotation_text=f"{label} : {formatting.valeur(value, unite)}",
            annotation_position="top left",
        )
    title = f"{libelle} — {periode}" + (f" ({DEMO_NOTE})" if bool(frame["demo"].any()) else "")
    fig = _layout(fig, title, AXIS_UNITS.get(unite, unite.capitalize()))
    fig.update_layout(hovermode="closest", xaxis={"title": {"text": "Territoire"}})
    return fig
