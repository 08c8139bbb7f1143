"""Vue d'ensemble: one tile per ambition with its headline figures."""

import streamlit as st

from sus_data import formatting, tables
from ui import components, data, filters

flt = filters.current()
config = data.config()
st.title("Vue d'ensemble")
st.caption(f"{config.schema} — {config.nom}. Chiffres du département et comparaison des territoires.")
filters.show_notices()

tiles = data.query("overview", flt)
if not any(tile["headlines"] for tile in tiles):
    components.empty_state(
        "Aucune valeur n'est encore enregistrée.",
        "Importez un tableur trimestriel depuis la page Import, ou lancez `python -m sus_data init` pour charger "
        "les chiffres des documents sources et les données de démonstration.",
    )
any_demo = False
columns = st.columns(2)
for index, tile in enumerate(tiles):
    with columns[index % 2].container(border=True):
        st.subheader(f"{tile['numero']}. {components.md(tile['libelle_court'])}")
        st.caption(components.md(tile["libelle"]))
        st.caption(tables.completeness_text(tile["completude"]))
        if not tile["headlines"]:
            st.write("Aucun indicateur de cette ambition n'a encore de valeur.")
        for headline in tile["headlines"]:
            if headline.valeur is None:
                continue
            any_demo = any_demo or headline.demo
            marks = (" (calculé à partir des TAS)" if headline.calcule else "") + (" — données fictives" if headline.demo else "")
            delta = None
            if headline.evolution_pct is not None:
                delta = f"{formatting.variation(headline.evolution_pct)} par rapport à {headline.periode_precedente}"
            st.metric(
                label=f"{headline.periode} · {headline.libelle}{marks}",
                value=formatting.valeur(headline.valeur, headline.unite),
                delta=delta,
                delta_color={"hausse": "normal", "baisse": "inverse"}.get(headline.sens, "off"),
                chart_data=list(headline.sparkline["valeur"]) if len(headline.sparkline) > 1 else None,
                help=f"{headline.libelle} ({headline.code}). Sens souhaité : {headline.sens}.",
            )
            for line in tables.position_lines(headline.positions, headline.unite, headline.additif):
                st.caption(line)
        st.page_link("pages/ambition.py", label="Voir le détail de l'ambition", icon=":material/arrow_forward:", query_params={"ambition": tile["code"]})
components.demo_notice(any_demo)
filters.sync_url(flt)
