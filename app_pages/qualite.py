"""Qualité des données: which expected values have arrived for a year or a quarter, and which figures deserve a
second look (atypical changes, a TAS above the département, a département that is not the sum of its TAS)."""

import streamlit as st

from sus_data import formatting, secret
from ui import components, data, filters

MAX_LINKS = 40
flt = filters.current()
filters.show_notices()
sigle = data.config().sigle_territoires
st.title("Qualité des données")
st.caption(
    f"Les valeurs attendues sont celles du modèle de saisie : indicateurs des programmes en cours, par {sigle} pour "
    f"les comptages qui s'additionnent, par {sigle} et pour le département pour les taux, pour le département seul "
    "sinon."
)
periods = data.query("suivi_periods")
years = periods["annees_valeurs"] or periods["annees"]
if not years:
    components.empty_state(
        "Aucune valeur n'est encore enregistrée.", "Importez un tableur trimestriel depuis la page Import."
    )
    st.stop()
left, right = st.columns(2)
annee = left.selectbox(
    "Année", years, index=years.index(periods["defaut"]) if periods["defaut"] in years else 0, key="qualite_annee"
)
trimestre = right.selectbox(
    "Période",
    [0, 1, 2, 3, 4],
    format_func=lambda t: "Année entière" if t == 0 else formatting.periode(annee, t),
    key="qualite_trimestre",
    help="Pour une année entière, une valeur compte comme reçue dès que la valeur annuelle ou l'un des trimestres l'est.",
)
view = data.query("quality_view", annee, trimestre)
completude = view["completude"]


def links(codes: list[tuple[str, str]]) -> None:
    """A link to the fiche of each flagged indicator."""
    for code, label in codes[:MAX_LINKS]:
        st.page_link(
            "app_pages/indicateur.py",
            label=f"{code} — {components.md(label)}",
            query_params={"indicateur": code},
            icon=":material/arrow_forward:",
        )
    if len(codes) > MAX_LINKS:
        st.caption(f"… et {len(codes) - MAX_LINKS} autre(s) indicateur(s) : voir le tableau téléchargeable.")


def flagged(block: dict) -> list[tuple[str, str]]:
    frame = block["display"]
    return list(dict.fromkeys(zip(frame["Code"], frame["Indicateur"], strict=True)))


st.metric(
    f"Données reçues pour {view['periode']}",
    f"{completude['recues']} / {completude['attendues']}",
    help="Couples indicateur × territoire attendus pour la période, et reçus.",
)
if completude["taux"] is not None:
    st.caption(f"Soit {formatting.pourcentage(completude['taux'], 0)} des valeurs attendues.")
tab_grid, tab_atypical, tab_above, tab_sum = st.tabs(
    [
        "Complétude",
        f"Évolutions atypiques ({len(view['atypiques']['display'])})",
        f"{sigle} au-dessus du département ({len(view['tas_au_dessus']['display'])})",
        f"Département ≠ somme des {sigle} ({len(view['somme_tas']['display'])})",
    ]
)

with tab_grid:
    if completude["grid"].empty:
        st.write("Aucune valeur attendue pour cette période.")
    else:
        st.subheader("Par ambition et par territoire")
        st.caption("Chaque case : valeurs reçues / valeurs attendues (part reçue). « — » : rien d'attendu.")
        st.dataframe(completude["grid"], hide_index=True, key="qualite_grille")
        components.downloads(
            completude["grid_data"], components.slug(f"completude_{view['periode']}"), "qualite_grille_dl"
        )
        st.subheader("Détail par indicateur")
        for detail in view["details"]:
            grid = detail["grille"]
            missing = int((grid == "✘ manquante").sum().sum())
            with st.expander(f"{components.md(detail['titre'])} — {missing} valeur(s) manquante(s)"):
                st.dataframe(grid, hide_index=True, key=f"qualite_detail_{detail['code']}")

with tab_atypical:
    st.caption(
        "Évolution par rapport à la période précédente très éloignée des évolutions passées de la même série "
        f"(plus de {formatting.nombre(data.config().seuils.ecart_atypique)} écarts robustes de la médiane, avec au "
        "moins 4 évolutions connues). À vérifier auprès du service qui a saisi la valeur."
    )
    block = view["atypiques"]
    if block["display"].empty:
        st.write("Aucune évolution atypique pour cette période.")
    else:
        st.dataframe(block["display"], hide_index=True, key="qualite_atypiques")
        components.downloads(
            block["data"], components.slug(f"evolutions_atypiques_{view['periode']}"), "qualite_atyp_dl"
        )
        links(flagged(block))

with tab_above:
    st.caption(
        f"Pour les comptages et les chiffres qui s'additionnent, un territoire ({sigle}) ne peut pas dépasser le "
        "département."
    )
    block = view["tas_au_dessus"]
    if block["display"].empty:
        st.write(f"Aucun territoire ({sigle}) au-dessus du département pour cette période.")
    else:
        st.dataframe(block["display"], hide_index=True, key="qualite_tas")
        components.downloads(block["data"], components.slug(f"tas_au_dessus_{view['periode']}"), "qualite_tas_dl")
        links(flagged(block))

with tab_sum:
    st.caption(
        "Pour les chiffres qui s'additionnent, la valeur reçue pour le département devrait égaler la somme des "
        f"valeurs des {sigle}, quand tous ont la leur."
    )
    block = view["somme_tas"]
    if block["display"].empty:
        st.write(f"Aucun écart entre le département et la somme des {sigle} pour cette période.")
    else:
        st.dataframe(block["display"], hide_index=True, key="qualite_somme")
        components.downloads(
            block["data"], components.slug(f"departement_somme_tas_{view['periode']}"), "qualite_somme_dl"
        )
        links(flagged(block))
st.caption(secret.caption())
filters.sync_url(flt)
