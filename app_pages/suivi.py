"""Suivi du programme: progress towards the targets, statuses of the actions, milestones, perimeters, and the
annual report for the steering committee."""

import streamlit as st

from sus_data import annual_report
from ui import components, data, filters

flt = filters.current()
filters.show_notices()
config = data.config()
sigle = config.sigle_territoires
st.title("Suivi du programme")
st.caption(
    "Chaque année, le comité de pilotage du schéma regarde si chaque ambition est sur la bonne trajectoire, quelles "
    "actions ont démarré et si les chiffres sont fiables. Les statuts sont donnés par un symbole et un mot."
)
periods = data.query("suivi_periods")
if not periods["annees"]:
    components.empty_state(
        "Aucune donnée n'est encore enregistrée.",
        "Importez un tableur (page Import) : valeurs, cibles (feuille « cibles ») et statuts des actions (feuille "
        "« actions »).",
    )
    st.stop()
territories = data.query("territories")
territories = territories[territories["niveau"].isin(["departement", "tas"])]
labels = dict(zip(territories["code"], territories["libelle"], strict=True))
left, right = st.columns(2)
years = periods["annees"]
annee = left.selectbox(
    "Année évaluée",
    years,
    index=years.index(periods["defaut"]) if periods["defaut"] in years else 0,
    key="suivi_annee",
    help="L'année de la dernière valeur reçue est proposée par défaut.",
)
territoire = right.selectbox(
    "Territoire", list(territories["code"]), format_func=lambda c: labels[c], key="suivi_territoire"
)
label = labels[territoire]
st.download_button(
    f"Télécharger le rapport annuel {annee} — {label} (Excel)",
    data=lambda: annual_report.build(data.snapshot().cursor(), config, annee, territoire),
    file_name=components.slug(f"rapport_annuel_{annee}_{territoire}") + ".xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/summarize:",
    key="suivi_rapport",
    help="Un classeur prêt à remettre au comité de pilotage : une feuille de synthèse, puis une feuille par ambition "
    "(chiffres de l'année, cibles et statuts, actions, graphiques).",
)

if flt.programme:
    programmes = data.query("programmes")
    name = dict(zip(programmes["code"], programmes["libelle"], strict=True)).get(flt.programme, flt.programme)
    st.info(
        f"Cibles et actions du programme choisi dans le panneau de gauche : {components.md(name)}. Le rapport "
        "annuel porte sur les programmes en cours.",
        icon=":material/filter_alt:",
    )

tab_cibles, tab_actions, tab_jalons, tab_perimetres = st.tabs(
    ["Cibles et avancement", "Actions", "Jalons", "Périmètres des actions"]
)

with tab_cibles:
    progress = data.query("progress_view", annee, territoire, flt.programme)
    if progress["rows"].empty and flt.programme:
        components.empty_state(
            f"Aucune cible n'est enregistrée pour les indicateurs de ce programme ({components.md(label)}).",
            "Les indicateurs de contexte (dont les objectifs de la convention CALPAE) n'appartiennent à aucun "
            "programme : choisissez « Tous les programmes » dans le panneau de gauche pour voir leurs cibles.",
        )
    elif progress["rows"].empty:
        components.empty_state(
            f"Aucune cible n'est enregistrée pour {components.md(label)}.",
            "Les cibles (valeur visée et année, par exemple 2027) et les valeurs de référence se déposent dans la "
            "feuille « cibles » du tableur trimestriel (page Import), ou dans le fichier cibles.csv du référentiel.",
        )
    else:
        st.subheader(f"Avancement vers les cibles en {annee}, par ambition")
        st.dataframe(progress["counts"].drop(columns=["Code"]), hide_index=True, key="suivi_progress_counts")
        st.caption(progress["legende"])
        for section in progress["sections"]:
            with st.expander(f"{components.md(section['titre'])} ({len(section['display'])})"):
                st.dataframe(section["display"], hide_index=True, key=f"suivi_progress_{section['code']}")
                components.downloads(
                    section["data"],
                    components.slug(f"avancement_{annee}_{territoire}_{section['code']}"),
                    f"suivi_progress_dl_{section['code']}",
                )
        components.demo_notice(progress["demo"])

with tab_actions:
    actions = data.query("actions_view", annee, territoire, flt.programme)
    if actions["table"].empty:
        components.empty_state(
            "Aucune action ne s'applique à ce territoire.",
            "Le périmètre des actions se déclare dans la feuille « perimetre » du tableur (page Import).",
        )
    else:
        st.subheader(f"Statut des actions en {annee}, par ambition et orientation")
        st.caption(
            f"{actions['nb_statuts']} action(s) sur {len(actions['table'])} ont un statut pour {components.md(label)}. "
            "Le statut d'une année reste valable les années suivantes tant qu'un autre n'est pas enregistré ; un "
            f"territoire ({sigle}) sans statut propre prend celui du département."
        )
        ambitions = actions["ambitions"]
        heads = ambitions[ambitions["Niveau"] == "ambition"].drop(columns=["Niveau", "Orientation"])
        st.dataframe(heads, hide_index=True, key="suivi_actions_ambitions")
        for title in heads["Ambition"]:
            own = ambitions[(ambitions["Ambition"] == title) & (ambitions["Niveau"] == "orientation")]
            with st.expander(f"{components.md(title)} — par orientation"):
                st.dataframe(own.drop(columns=["Niveau", "Ambition"]), hide_index=True)
        components.downloads(ambitions, components.slug(f"actions_par_ambition_{annee}_{territoire}"), "suivi_amb_dl")
        st.subheader(f"Par territoire ({sigle})")
        st.dataframe(actions["tas"], hide_index=True, key="suivi_actions_tas")
        st.subheader("Détail des actions")
        chosen = actions["display"]
        if flt.ambition:
            chosen = chosen[actions["table"]["ambition"] == flt.ambition]
            st.caption("Actions de l'ambition choisie dans le panneau de gauche.")
        st.dataframe(chosen, hide_index=True, key="suivi_actions_detail")
        components.downloads(
            actions["data"], components.slug(f"statuts_actions_{annee}_{territoire}"), "suivi_detail_dl"
        )

with tab_jalons:
    milestones = actions["jalons"]
    st.caption(
        "Les jalons (« Réalisation effective de… ») se renseignent par oui ou non dans le tableur trimestriel ; la date "
        "est celle du statut « réalisée » de l'action, à défaut le commentaire de la valeur."
    )
    if milestones.empty:
        st.write("Aucun jalon pour les actions de ce territoire.")
    else:
        st.dataframe(milestones, hide_index=True, key="suivi_jalons")
        components.downloads(milestones, components.slug(f"jalons_{annee}_{territoire}"), "suivi_jalons_dl")

with tab_perimetres:
    st.caption(
        f"Le programme d'actions cochait, pour chaque action, le département et les {sigle} concernés ; ces coches n'ont "
        "pas été conservées. L'observatoire déclare le périmètre (feuille « perimetre » du tableur, ou fichier "
        "perimetres.csv du référentiel) ; une action sans périmètre déclaré concerne tout le département."
    )
    st.write(
        f"{actions['nb_perimetres_declares']} action(s) sur {len(actions['perimetres'])} ont un périmètre déclaré."
    )
    st.dataframe(actions["perimetres"], hide_index=True, key="suivi_perimetres")
    components.downloads(actions["perimetres"], "perimetres_des_actions", "suivi_perimetres_dl")
filters.sync_url(flt)
