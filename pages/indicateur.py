"""Indicateur: the fiche of one indicator, its series per territory, its values and their imports."""

import streamlit as st

from sus_data import charts, tables
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
    help="Tapez un mot ou un code pour chercher dans la liste.",
)
flt = flt.with_(indicateur=code)
page = data.query("indicator_page", code, flt)
fiche = page["fiche"]
view = page["view"]
territories = data.query("territories")

st.header(components.md(fiche["libelle"]))
left, right = st.columns([2, 1])
with left:
    chain = " › ".join(f"{row.niveau} {components.md(row.libelle)}" for row in fiche["ancetres"].itertuples(index=False))
    st.markdown(f"**Mesure :** {chain}")
    if fiche.get("definition"):
        st.markdown(f"**Définition :** {components.md(fiche['definition'])}")
    if fiche.get("role"):
        st.markdown(f"**Rôle du Département :** {components.md(fiche['role'])}")
    if fiche.get("partenaires"):
        st.markdown(f"**Partenaires :** {components.md(fiche['partenaires'])}")
with right:
    facts = {
        "Code": fiche["code"],
        "Unité": fiche["unite"],
        "Nature": fiche["nature"],
        "Agrégation sur l'année": fiche["agregation"],
        "Addition des TAS": "oui" if fiche["additivite"] == "somme" else "non",
        "Sens souhaité": fiche["sens"],
        "Source": fiche.get("source") or "non précisée",
    }
    for name, value in facts.items():
        st.markdown(f"**{name} :** {components.md(value)}")

if view["series"].empty:
    components.empty_state(
        "Cet indicateur n'a pas encore de valeur pour cette sélection.",
        "Déposez les valeurs dans le tableur trimestriel (page Import) avec le code "
        f"{fiche['code']}, ou élargissez les années et le pas de temps dans le panneau de gauche.",
    )
else:
    fig = charts.time_series(view["series"], territories, view["libelle"], view["unite"], view["targets"])
    display, table = tables.series_table(view["series"], territories, view["unite"])
    components.chart_and_table(fig, display, table, components.slug(f"{code}_evolution"), "fiche_evolution", view["demo"])

st.subheader("Valeurs enregistrées et imports")
if page["values_display"].empty:
    st.write("Aucune valeur enregistrée.")
else:
    st.dataframe(page["values_display"], hide_index=True, key="fiche_values")
    components.downloads(page["values_data"], components.slug(f"{code}_valeurs"), "fiche_values_dl")
filters.sync_url(flt)
