"""Ambition: the tree of one ambition, its indicators over time and the comparison between TAS."""

import streamlit as st

from sus_data import charts, formatting, tables
from ui import components, data, filters

flt = filters.current()
filters.show_notices()
ambitions = data.query("ambitions")
if flt.ambition is None:
    st.title("Ambitions du schéma")
    st.write("Choisissez une ambition (ou utilisez le filtre « Ambition » dans le panneau de gauche).")
    for row in ambitions.itertuples(index=False):
        st.page_link(
            "pages/ambition.py",
            label=f"{row.numero}. {row.libelle}",
            query_params={"ambition": row.code},
            icon=":material/chevron_right:",
        )
    filters.sync_url(flt)
    st.stop()

ambition = ambitions.set_index("code").loc[flt.ambition]
st.title(f"Ambition {ambition['numero']} : {components.md(ambition['libelle'])}")

tree = data.query("node_tree", flt.ambition)
indicators = data.query("indicators", flt)
with_values = indicators[indicators["nb_valeurs"] > 0]
territories = data.query("territories")

tab_charts, tab_tree = st.tabs(["Indicateurs", "Arborescence du schéma"])

with tab_charts:
    if with_values.empty:
        components.empty_state(
            "Aucun indicateur de cette sélection n'a encore de valeur.",
            "Les valeurs arrivent par l'import trimestriel (page Import) : téléchargez le modèle, remplissez-le et déposez-le.",
        )
    else:
        latest = data.query("latest_table", list(with_values["code"]), flt)
        st.subheader("Dernières valeurs")
        st.caption(f"{len(with_values)} indicateur(s) renseigné(s) sur {len(indicators)} dans cette sélection.")
        st.dataframe(latest["display"], hide_index=True, key="latest")
        components.downloads(latest["data"], components.slug(f"ambition_{flt.ambition}_dernieres_valeurs"), "latest_dl")
        components.demo_notice(latest["demo"])

        options = list(with_values["code"])
        labels = dict(zip(with_values["code"], with_values["libelle"], strict=True))
        current = filters.page_value("indicateur")
        if current not in options:
            filters.set_page_value("indicateur", options[0])
        code = st.selectbox(
            "Indicateur à représenter",
            options,
            format_func=lambda c: f"{labels[c]} ({c})",
            key=filters.STATE_PREFIX + "indicateur",
        )
        flt = flt.with_(indicateur=code)
        view = data.query("indicator_view", code, flt)
        unite = view["unite"]
        if view["series"].empty:
            components.empty_state(
                f"Pas de valeur pour ce pas de temps ({'trimestre' if flt.granularite == 'trimestre' else 'année'}).",
                "Changez le pas de temps dans le panneau de gauche : cet indicateur n'a peut-être que des valeurs annuelles.",
            )
        else:
            st.subheader("Évolution par territoire")
            fig = charts.time_series(view["series"], territories, view["libelle"], unite, view["targets"])
            display, table = tables.series_table(view["series"], territories, unite)
            components.chart_and_table(fig, display, table, components.slug(f"{code}_evolution"), "evolution", view["demo"])
            if not view["comparison"].empty:
                st.subheader(f"Comparaison entre TAS — {view['periode']}")
                fig = charts.comparison_bars(view["comparison"], view["libelle"], unite, view["periode"])
                display, table = tables.comparison_table(view["comparison"], unite)
                components.chart_and_table(fig, display, table, components.slug(f"{code}_comparaison"), "comparaison", view["demo"])
            st.page_link("pages/indicateur.py", label="Ouvrir la fiche de l'indicateur", query_params={"indicateur": code}, icon=":material/arrow_forward:")

with tab_tree:
    for row in tree.itertuples(index=False):
        if row.profondeur == 0:
            continue
        indent = "\u2003" * (row.profondeur - 1) * 2
        title = f"{indent}**{row.niveau_libelle} {row.numero}** — {components.md(row.libelle)}"
        st.markdown(title)
        details = []
        if row.role:
            details.append(f"Rôle du Département : {components.md(row.role)}")
        if row.beneficiaires:
            details.append(f"Bénéficiaires : {components.md(row.beneficiaires)}")
        if row.partenaires:
            details.append(f"Partenaires : {components.md(row.partenaires)}")
        if row.remarque:
            details.append(f"Remarque : {components.md(row.remarque)}")
        for detail in details:
            st.caption(f"{indent}{indent}\u2003{detail}")
        own = indicators[indicators["noeud"] == row.code]
        for ind in own.itertuples(index=False):
            st.caption(f"{indent}\u2003\u2003📊 {components.md(ind.libelle)} ({ind.code}, {components.md(ind.unite)})")
filters.sync_url(flt)
