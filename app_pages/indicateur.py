"""Indicateur: the fiche of one indicator, its series per territory, its values and their imports."""

import streamlit as st

from sus_data import charts
from ui import components, data, filters

flt = filters.current()
filters.show_notices()
options = data.query("indicator_options")
labels = dict(zip(options["code"], options["libelle"], strict=True))
codes = list(options["code"])
if filters.page_value("indicateur") not in codes:
    filters.set_page_value("indicateur", codes[0])
st.title("Fiche indicateur")
code = st.selectbox(
    "Indicateur",
    codes,
    format_func=lambda c: f"{c} — {labels[c]}",
    key=filters.STATE_PREFIX + "indicateur",
    help="Tapez un mot ou un code pour chercher dans la liste. Les indicateurs qui ont des valeurs viennent en premier.",
)
flt = flt.with_(indicateur=code)
page = data.query("indicator_page", code, flt)
if page is None:
    components.empty_state(
        f"L'indicateur {code} n'existe plus dans le référentiel.",
        "Il a pu être retiré par l'annulation d'un import : choisissez un autre indicateur dans la liste.",
    )
    filters.sync_url(flt)
    st.stop()
fiche = page["fiche"]
view = page["view"]
territories = data.query("territories")

st.header(components.md(fiche["libelle"]))
left, right = st.columns([2, 1])
with left:
    st.markdown(f"**Mesure :** {page['chaine']}")
    for label, text in page["textes"]:
        st.markdown(f"**{label} :** {components.md(text)}")
with right:
    st.markdown("  \n".join(f"**{name} :** {components.md(value)}" for name, value in page["faits"]))

if view["series"].empty:
    components.empty_state(
        "Cet indicateur n'a pas encore de valeur pour cette sélection.",
        "Déposez les valeurs dans le tableur trimestriel (page Import) avec le code "
        f"{fiche['code']}, ou élargissez les années et changez le pas de temps dans le panneau de gauche.",
    )
else:
    fig = charts.time_series(
        view["series"], territories, view["libelle"], view["unite"], view["targets"], view["sources"]
    )
    components.chart_and_table(
        fig, view["table"], view["table_data"], components.slug(f"{code}_evolution"), "fiche_evolution", view["demo"]
    )

st.subheader("Valeurs enregistrées et imports")
if page["values_display"].empty:
    st.write("Aucune valeur enregistrée.")
else:
    st.dataframe(page["values_display"], hide_index=True, key="fiche_values")
    if page["values_demo"]:
        components.demo_footnote()
    components.downloads(page["values_data"], components.slug(f"{code}_valeurs"), "fiche_values_dl")
components.demo_notice(view["demo"] or page["values_demo"])
filters.sync_url(flt)
