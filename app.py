"""Entry point: `streamlit run app.py`. Declares the pages and renders the shared filters."""

import streamlit as st

from sus_data.config import get_config
from ui import data, filters

config = get_config()
st.set_page_config(
    page_title=f"{config.schema} — {config.nom}",
    page_icon=":material/monitoring:",
    layout="wide",
    menu_items={"Get help": None, "Report a bug": None, "About": f"{config.observatoire} — {config.nom}"},
)

PAGES = {
    "Tableau de bord": [
        st.Page("pages/vue_ensemble.py", title="Vue d'ensemble", icon=":material/dashboard:", default=True),
        st.Page("pages/ambition.py", title="Ambition", icon=":material/account_tree:"),
        st.Page("pages/territoire.py", title="Territoire", icon=":material/map:"),
        st.Page("pages/indicateur.py", title="Indicateur", icon=":material/show_chart:"),
        st.Page("pages/referentiel.py", title="Référentiel", icon=":material/menu_book:"),
    ],
}

navigation = st.navigation(PAGES)
st.sidebar.caption(f"{config.observatoire} — {config.nom}")
if data.safe_start():
    st.session_state["filtres"] = filters.sidebar()
    navigation.run()
