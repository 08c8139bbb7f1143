"""Référentiel: the whole schéma, browsable and searchable (a word finds actions, indicators, partners)."""

import streamlit as st

from ui import components, data, filters

flt = filters.current()
filters.show_notices()
config = data.config()
st.title("Référentiel du schéma")
counts = data.query("referential_counts")
st.caption(" · ".join(f"{n} {label.lower()}" for label, n in counts))

text = st.text_input(
    "Rechercher un mot (action, indicateur, partenaire, sigle…)",
    key=filters.STATE_PREFIX + "recherche",
    max_chars=100,
    placeholder="ex. France Travail, violences, TISF",
)
flt = flt.with_(recherche=text.strip())
if flt.recherche:
    found = data.query("search", flt.recherche)
    if found.empty:
        components.empty_state(
            f"Aucun résultat pour « {components.md(flt.recherche)} ».", "Essayez un autre mot, ou une partie du mot."
        )
    else:
        st.write(f"{len(found)} résultat(s)" + (" (les 200 premiers)" if len(found) >= 200 else "") + ".")
        st.dataframe(
            found.rename(
                columns={
                    "type": "Type",
                    "code": "Code",
                    "libelle": "Libellé",
                    "detail": "Détail",
                    "ambition": "Ambition",
                }
            ),
            hide_index=True,
        )

st.subheader(f"{config.root_level.pluriel} du schéma")
for tree in data.query("referential_trees"):
    with st.expander(components.md(tree["titre"])):
        st.markdown(tree["arbre"])
        st.page_link(
            "app_pages/ambition.py",
            label="Ouvrir l'ambition",
            query_params=filters.link(flt, ambition=tree["code"]),
            icon=":material/arrow_forward:",
        )
with st.expander("Sigles"):
    st.dataframe(data.query("acronyms"), hide_index=True)
st.caption("Le référentiel des indicateurs (codes, unités, règles d'agrégation, sources) :")
components.downloads(data.query("referential_table"), "referentiel_indicateurs", "referentiel_dl")
filters.sync_url(flt)
