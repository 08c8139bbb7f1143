"""Territoire: the portrait of one TAS (or the département) across all ambitions."""

import streamlit as st

from sus_data import formatting
from ui import components, data, filters

flt = filters.current()
filters.show_notices()
territories = data.query("territories")
territories = territories[territories["niveau"] != "comparateur"]
labels = dict(zip(territories["code"], territories["libelle"], strict=True))
codes = list(territories["code"])
tas = data.query("tas_codes")
if filters.page_value("territoire") not in codes:
    filters.set_page_value("territoire", tas[0] if tas else codes[0])
st.title("Portrait de territoire")
territoire = st.selectbox("Territoire", codes, format_func=lambda c: labels[c], key=filters.STATE_PREFIX + "territoire")
flt = flt.with_(territoire=territoire)
portrait = data.query("territory_portrait", territoire, flt)
st.header(components.md(portrait["libelle"]))
if portrait["population"]:
    pop = portrait["population"]
    st.caption(
        f"Population : {formatting.entier(pop['valeur'])} habitants"
        + (f" ({pop['annee']})" if pop["annee"] else "")
        + (f", source : {components.md(pop['source'])}" if pop["source"] else "")
        + ". Les comptages sont aussi donnés pour 1 000 habitants."
    )
else:
    st.caption("Aucune population n'est enregistrée pour ce territoire : pas de valeurs pour 1 000 habitants.")
if portrait["display"].empty:
    period = filters.period_label(flt)
    components.empty_state(
        f"Aucune valeur n'est enregistrée pour {components.md(portrait['libelle'])}"
        + (f" en {period}." if period else "."),
        "Les valeurs de ce territoire arrivent par l'import trimestriel (colonne « territoire » du tableur, page "
        "Import). Vous pouvez aussi choisir « La plus récente » comme période de comparaison, ou un autre pas de "
        "temps, dans le panneau de gauche.",
    )
else:
    st.write(
        f"{len(portrait['display'])} indicateur(s) renseigné(s), à leur période la plus récente, à côté des valeurs "
        f"du département et des autres {data.config().sigle_territoires}."
    )
    display = portrait["display"]
    for index, ambition in enumerate(portrait["ambitions"]):
        own = display[display["Ambition"] == ambition]
        with st.expander(f"{components.md(ambition)} ({len(own)})", expanded=index == 0):
            st.dataframe(own.drop(columns=["Ambition"]), hide_index=True)
    if portrait["demo"]:
        components.demo_footnote()
    components.downloads(portrait["data"], components.slug(f"portrait_{territoire}"), "portrait_dl")
    components.demo_notice(portrait["demo"])
filters.sync_url(flt)
