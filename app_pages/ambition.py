"""Ambition: the tree of one ambition, its indicators over time and the comparison between TAS."""

import streamlit as st

from sus_data import charts
from ui import components, data, filters

flt = filters.current()
filters.show_notices()
ambitions = data.query("ambitions")
root = data.config().root_level
sigle = data.config().sigle_territoires
if flt.ambition is None:
    st.title(f"{root.pluriel} du schéma")
    st.write(f"Choisissez un élément ci-dessous, ou le filtre « {root.libelle} » dans le panneau de gauche.")
    for row in ambitions.itertuples(index=False):
        st.page_link(
            "app_pages/ambition.py",
            label=f"{row.numero}. {components.md(row.libelle)}",
            query_params=filters.link(flt, ambition=row.code),
            icon=":material/chevron_right:",
        )
    filters.sync_url(flt)
    st.stop()

ambition = ambitions.set_index("code").loc[flt.ambition]
st.title(f"{root.libelle} {ambition['numero']} : {components.md(ambition['libelle'])}")

indicators = data.query("indicators", flt)
with_values = indicators[indicators["nb_valeurs"] > 0]
territories = data.query("territories")

tab_charts, tab_tree = st.tabs(["Indicateurs", "Arborescence du schéma"])

with tab_charts:
    if with_values.empty:
        components.empty_state(
            "Aucun indicateur de cette sélection n'a encore de valeur.",
            "Les valeurs arrivent par l'import trimestriel (page Import) : téléchargez le modèle, remplissez-le et "
            "déposez-le. Vous pouvez aussi choisir toute l'ambition dans le filtre « Orientation ou objectif ».",
        )
    else:
        latest = data.query("latest_table", list(with_values["code"]), flt)
        st.subheader("Dernières valeurs")
        st.caption(f"{len(with_values)} indicateur(s) renseigné(s) sur {len(indicators)} dans cette sélection.")
        if latest["display"].empty:
            components.empty_state(
                f"Aucune valeur du département ni des {sigle} pour cette sélection.",
                "Élargissez les années ou changez le pas de temps dans le panneau de gauche.",
            )
        else:
            st.dataframe(latest["display"], hide_index=True, key="latest")
            if latest["demo"]:
                components.demo_footnote()
            components.downloads(
                latest["data"], components.slug(f"ambition_{flt.ambition}_dernieres_valeurs"), "latest_dl"
            )

        options = list(with_values["code"])
        labels = dict(zip(with_values["code"], with_values["libelle"], strict=True))
        if filters.page_value("indicateur") not in options:
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
                f"Pas de valeur de cet indicateur au pas de temps « {filters.granularity_label(flt)} » sur ces années.",
                "Changez le pas de temps ou élargissez les années dans le panneau de gauche : cet indicateur n'a "
                "peut-être que des valeurs annuelles, ou que des valeurs trimestrielles.",
            )
        else:
            st.subheader("Évolution par territoire")
            fig = charts.time_series(
                view["series"], territories, view["libelle"], unite, view["targets"], view["sources"]
            )
            components.chart_and_table(
                fig, view["table"], view["table_data"], components.slug(f"{code}_evolution"), "evolution", view["demo"]
            )
            if not view["comparison"].empty:
                st.subheader(f"Comparaison entre {sigle} — {view['periode']}")
                fig = charts.comparison_bars(view["comparison"], view["libelle"], unite, view["periode"])
                components.chart_and_table(
                    fig,
                    view["comparison_table"],
                    view["comparison_data"],
                    components.slug(f"{code}_comparaison"),
                    "comparaison",
                    view["demo"],
                )
            elif flt.annee is not None:
                st.info(
                    f"Aucune valeur du département ni des {sigle} pour la période choisie ({flt.annee}).",
                    icon=":material/info:",
                )
            st.page_link(
                "app_pages/indicateur.py",
                label="Ouvrir la fiche de l'indicateur",
                query_params=filters.link(flt, indicateur=code),
                icon=":material/arrow_forward:",
            )
        components.demo_notice(latest["demo"] or view["demo"])

with tab_tree:
    st.markdown(data.query("ambition_tree", flt.ambition))
filters.sync_url(flt)
