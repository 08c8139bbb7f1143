"""Vue d'ensemble: one tile per ambition with its headline figures."""

import streamlit as st

from ui import components, data, filters

flt = filters.current()
config = data.config()
st.title("Vue d'ensemble")
st.caption(f"{config.schema} — {config.nom}. Chiffres du département et comparaison des territoires.")
filters.show_notices()

overview = data.query("overview_tiles", flt)
if overview["vide"]:
    components.empty_state(
        "Aucune valeur n'est encore enregistrée.",
        "Importez un tableur trimestriel depuis la page Import, ou lancez `python -m sus_data init` pour charger "
        "les chiffres des documents sources et les données de démonstration.",
    )
columns = st.columns(2)
for index, tile in enumerate(overview["tiles"]):
    with columns[index % 2].container(border=True):
        st.subheader(tile["titre"])
        st.caption(tile["libelle"])
        st.caption(tile["completude"])
        if not tile["cards"]:
            st.write("Aucun indicateur de cette ambition n'a encore de valeur.")
        for card in tile["cards"]:
            st.markdown(card["titre"])
            st.metric(**card["metric"])
            if card["positions"]:
                st.caption("  \n".join(card["positions"]))
        st.page_link(
            "app_pages/ambition.py",
            label="Voir le détail de l'ambition",
            icon=":material/arrow_forward:",
            query_params={"ambition": tile["code"]},
        )
components.demo_notice(overview["demo"])
filters.sync_url(flt)
