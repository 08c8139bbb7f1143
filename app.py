"""Entry point: `streamlit run app.py`. Declares the pages, signs users in, renders the shared filters."""

import streamlit as st

from sus_data.accounts import ROLE_IMPORT
from sus_data.config import get_config
from ui import auth, components, data, filters

config = get_config()
st.set_page_config(
    page_title=f"{config.schema} — {config.nom}",
    page_icon=":material/monitoring:",
    layout="wide",
    menu_items={"Get help": None, "Report a bug": None, "About": f"{config.observatoire} — {config.nom}"},
)

pages = {
    "Tableau de bord": [
        st.Page("app_pages/vue_ensemble.py", title="Vue d'ensemble", icon=":material/dashboard:", default=True),
        st.Page("app_pages/ambition.py", title=config.root_level.libelle, icon=":material/account_tree:"),
        st.Page("app_pages/territoire.py", title="Territoire", icon=":material/map:"),
        st.Page("app_pages/indicateur.py", title="Indicateur", icon=":material/show_chart:"),
        st.Page("app_pages/referentiel.py", title="Référentiel", icon=":material/menu_book:"),
        st.Page("app_pages/suivi.py", title="Suivi du programme", icon=":material/fact_check:"),
        st.Page("app_pages/qualite.py", title="Qualité des données", icon=":material/rule:"),
    ],
}
# The Import page is listed only for those who may import; the page itself refuses everyone else.
if auth.can(ROLE_IMPORT):
    pages["Données"] = [st.Page("app_pages/import_donnees.py", title="Import", icon=":material/upload_file:")]

navigation = st.navigation(pages)
components.apply_style()
st.sidebar.caption(f"{config.observatoire} — {config.nom}")
auth.sidebar_login()
if config.lecture_reservee and not (auth.can("lecture") or auth.can(ROLE_IMPORT)):
    st.title(config.schema)
    st.info("Ce tableau de bord est réservé aux personnes autorisées : connectez-vous (panneau de gauche).")
elif data.safe_start():
    st.session_state["filtres"] = filters.sidebar()
    navigation.run()
