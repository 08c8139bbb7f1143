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
        components.empty_state(f"Aucun résultat pour « {flt.recherche} ».", "Essayez un autre mot, sans accent ni pluriel.")
    else:
        st.write(f"{len(found)} résultat(s)" + (" (les 200 premiers)" if len(found) >= 200 else "") + ".")
        st.dataframe(found.rename(columns={"type": "Type", "code": "Code", "libelle": "Libellé", "detail": "Détail", "ambition": "Ambition"}), hide_index=True)

ambitions = data.query("ambitions")
st.subheader(f"{config.root_level.pluriel} du schéma")
for row in ambitions.itertuples(index=False):
    with st.expander(f"{row.numero}. {row.libelle}"):
        tree = data.query("node_tree", row.code)
        for node in tree.itertuples(index=False):
            if node.profondeur == 0:
                continue
            indent = "\u2003" * (node.profondeur - 1) * 2
            st.markdown(f"{indent}**{node.niveau_libelle} {node.numero}** — {components.md(node.libelle)} `{node.code}`")
            if node.nb_indicateurs:
                st.caption(f"{indent}\u2003{node.nb_indicateurs} indicateur(s) de réalisation")
        st.page_link("pages/ambition.py", label="Ouvrir l'ambition", query_params={"ambition": row.code})
with st.expander("Sigles"):
    st.dataframe(data.query("acronyms"), hide_index=True)
components.downloads(data.query("referential_table"), "referentiel_indicateurs", "referentiel_dl")
filters.sync_url(flt)
