"""Shared pieces of pages: a chart with its table and downloads, empty states, demo notices."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sus_data import exports, formatting, secret
from sus_data.tables import DEMO_FOOTNOTE

# Plotly's and the data grid's toolbars speak English and export in their own formats: the pages offer
# French xlsx and CSV downloads instead, so both toolbars are hidden (zoom by dragging still works).
PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False, "locale": "fr"}
APP_STYLE = "<style>[data-testid='stElementToolbar'] { display: none; }</style>"
DEMO_NOTICE = (
    "Une partie des valeurs affichées sont des **données fictives de démonstration** (marquées d'un astérisque "
    "dans les tableaux). Elles seront remplacées par les valeurs réelles importées chaque trimestre."
)


def apply_style() -> None:
    """The app's few style rules (a constant: no data is ever passed to st.html)."""
    st.html(APP_STYLE)


def downloads(data: pd.DataFrame, basename: str, key: str) -> None:
    """Download buttons for what is shown: xlsx, and CSV in the French Excel dialect. A table whose small
    counts were masked says what « < 5 » means, above its buttons."""
    if secret.masked_in(data):
        st.caption(secret.caption())
    left, right = st.columns(2)
    left.download_button(
        "Télécharger (Excel)",
        data=lambda: exports.xlsx_bytes(data),
        file_name=f"{basename}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        icon=":material/download:",
    )
    right.download_button(
        "Télécharger (CSV)",
        data=lambda: exports.csv_fr_bytes(data),
        file_name=f"{basename}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )


def chart_and_table(
    fig, display: pd.DataFrame, data: pd.DataFrame, basename: str, key: str, demo: bool = False
) -> None:
    """The chart, then the same numbers as a table (nothing is said by colour alone), then downloads."""
    st.plotly_chart(fig, config=PLOTLY_CONFIG, key=f"{key}_chart")
    with st.expander("Voir les valeurs en tableau", expanded=False):
        st.dataframe(display, hide_index=True, key=f"{key}_table")
        if demo:
            demo_footnote()
        downloads(data, basename, key)


def empty_state(what: str, how: str) -> None:
    st.info(f"**{what}**\n\n{how}", icon=":material/info:")


def demo_footnote() -> None:
    """Under a table whose demo values carry an asterisk."""
    st.caption(md(DEMO_FOOTNOTE))


def demo_notice(any_demo: bool) -> None:
    if any_demo:
        st.caption(DEMO_NOTICE)


def slug(text: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_" else "_" for c in text)
    return keep.strip("_")[:60] or "export"


def md(text) -> str:
    """Text from the data, escaped so that Markdown in a label or a comment is shown, never rendered."""
    return formatting.markdown(text)
