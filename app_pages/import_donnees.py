"""Import: template, upload, report, preview, commit, history and rollback. Reserved to the `import` role."""

import datetime as dt

import streamlit as st

from sus_data import actions, exports, history, templates
from sus_data.accounts import ROLE_IMPORT
from sus_data.errors import ImportRejected, SusError
from sus_data.ingest import Upload, merged_report, validate_upload
from sus_data.preview import preview_file
from sus_data.validate import Lookup
from sus_data.vocabulary import ACTION_STATUSES, UNDOABLE_OPERATIONS
from ui import auth, components, data

if not auth.can(ROLE_IMPORT):
    auth.refuse(ROLE_IMPORT)

config = data.config()
user = auth.current_user()
st.title("Import des données")
st.caption(
    "Déposez les tableurs trimestriels. Toutes les anomalies d'un fichier sont listées d'un coup ; un fichier qui "
    "contient une erreur n'est jamais enregistré, et chaque valeur remplacée est conservée pour pouvoir annuler."
)
UPLOAD_ROUND = "import_round"
VALIDATED = "import_validated"
st.session_state.setdefault(UPLOAD_ROUND, 0)

tab_depot, tab_modele, tab_suivi, tab_historique = st.tabs(
    ["Déposer des fichiers", "Télécharger le modèle", "Suivi des actions", "Historique et annulation"]
)

with tab_modele:
    st.write("Le modèle contient une ligne par indicateur et territoire attendus pour la période, prête à remplir.")
    choices = data.query("choices")
    left, middle, right = st.columns(3)
    years = list(range(config.annee_debut, config.annee_fin + 1))
    annee = left.selectbox(
        "Année", years, index=min(len(years) - 1, max(0, choices.annee_max - config.annee_debut)), key="tpl_annee"
    )
    trimestre = middle.selectbox(
        "Trimestre", [1, 2, 3, 4, 0], format_func=lambda t: f"T{t}" if t else "Année entière", key="tpl_trimestre"
    )
    territories = data.query("territories")
    territories = territories[territories["niveau"] != "comparateur"]
    territoire = right.selectbox(
        "Territoire",
        [None, *territories["code"]],
        format_func=lambda c: "Tous les territoires" if c is None else c,
        key="tpl_territoire",
    )

    def _template() -> bytes:
        with data.store().read() as con:
            return templates.entry_workbook(con, config, annee, trimestre, territoire)

    label = f"T{trimestre}_{annee}" if trimestre else str(annee)
    st.download_button(
        "Télécharger le modèle (Excel)",
        data=_template,
        file_name=components.slug(f"modele_saisie_{label}" + (f"_{territoire}" if territoire else "")) + ".xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="tpl_download",
    )

with tab_depot:
    uploaded = st.file_uploader(
        "Fichiers à importer (.xlsx, .xlsm, .xls, .ods, .csv)",
        type=["xlsx", "xlsm", "xls", "ods", "csv"],
        accept_multiple_files=True,
        key=f"uploader_{st.session_state[UPLOAD_ROUND]}",
        help=f"Taille maximale : {config.limites.taille_max_mo:.0f} Mo par fichier.",
    )
    if not uploaded:
        components.empty_state(
            "Aucun fichier déposé.", "Téléchargez le modèle (onglet voisin), remplissez-le, puis déposez-le ici."
        )
    else:
        cache = st.session_state.setdefault(VALIDATED, {})
        files = []
        progress = st.progress(0.0, text="Lecture et vérification des fichiers…")
        lookup = None
        for index, item in enumerate(uploaded, start=1):
            content = item.getvalue()
            key = (item.name, len(content), hash(content))
            if key not in cache:
                if lookup is None:
                    with data.store().read() as con:
                        lookup = Lookup.from_connection(con, config)
                cache[key] = validate_upload(Upload(content, item.name), lookup)
            files.append(cache[key])
            progress.progress(index / len(uploaded), text=f"Vérifié : {item.name} ({index}/{len(uploaded)})")
        progress.empty()
        report = merged_report(files)
        frame = report.frame_fr()
        errors = frame[frame["Gravité"] == "erreur"].drop(columns=["Gravité"])
        warnings = frame[frame["Gravité"] == "avertissement"].drop(columns=["Gravité"])
        if report.ok:
            st.success(
                f"Aucune erreur dans {len(files)} fichier(s) ({report.summary()}).", icon=":material/check_circle:"
            )
        else:
            st.error(
                f"Import impossible : {report.summary()}. Corrigez les fichiers et déposez-les de nouveau ; rien n'a été enregistré."
            )
        if not errors.empty:
            st.subheader(f"Erreurs ({len(errors)})")
            st.dataframe(errors, hide_index=True, key="report_errors")
        if not warnings.empty:
            st.subheader(f"Avertissements ({len(warnings)})")
            st.dataframe(warnings, hide_index=True, key="report_warnings")
        if not frame.empty:
            st.download_button(
                "Télécharger le rapport (Excel)",
                data=lambda: exports.xlsx_bytes(frame, "rapport"),
                file_name="rapport_import.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key="report_download",
                icon=":material/download:",
            )
        if report.ok:
            st.subheader("Ce que l'import va changer")
            total_changes = 0
            for validated in files:
                preview = preview_file(data.snapshot().cursor(), validated, config.seuils.ecart_atypique)
                total_changes += preview.nouvelles + preview.modifiees + len(validated.indicateurs)
                total_changes += preview.statuts + preview.perimetres
                with st.container(border=True):
                    st.markdown(f"**{components.md(validated.filename)}**")
                    cols = st.columns(5)
                    cols[0].metric("Nouvelles", preview.nouvelles)
                    cols[1].metric("Modifiées", preview.modifiees)
                    cols[2].metric("Inchangées", preview.inchangees)
                    cols[3].metric("Révisions de périodes passées", preview.revisions)
                    cols[4].metric("Valeurs atypiques", preview.atypiques)
                    if preview.statuts or preview.perimetres:
                        st.caption(
                            f"Suivi des actions : {preview.statuts} statut(s) nouveau(x) ou modifié(s), "
                            f"{preview.perimetres} périmètre(s) remplacé(s)."
                        )
                    if len(validated.indicateurs):
                        st.caption(f"{len(validated.indicateurs)} indicateur(s) de contexte ajouté(s) ou mis à jour.")
                    if not preview.changes.empty:
                        st.dataframe(preview.changes, hide_index=True, key=f"preview_{validated.sha256}")
            if total_changes == 0:
                st.info("Toutes les valeurs de ces fichiers sont déjà enregistrées à l'identique : rien à importer.")
            else:
                confirmed = st.checkbox(
                    f"Je confirme l'enregistrement de ces {len(files)} fichier(s) au nom de {user.nom}.",
                    key=f"confirm_{st.session_state[UPLOAD_ROUND]}",
                )
                if st.button("Enregistrer l'import", type="primary", disabled=not confirmed, key="commit"):
                    try:
                        results = actions.commit_import(auth.current_user(), data.store(), config, files)
                    except SusError as exc:
                        st.error(exc.message)
                    else:
                        data.after_write()
                        st.session_state[UPLOAD_ROUND] += 1
                        st.session_state[VALIDATED] = {}
                        st.session_state["import_done"] = [r.summary() for r in results]
                        st.rerun()
    for line in st.session_state.pop("import_done", []):
        st.success(line, icon=":material/check_circle:")

with tab_suivi:
    st.write(
        "Enregistrez le statut d'une action du programme pour une année et un territoire. Pour plusieurs actions à "
        "la fois, déposez un tableur avec une feuille « actions » (code_action, territoire, annee, statut, date, "
        "commentaire). Chaque saisie est enregistrée dans l'historique et peut être annulée."
    )
    choices_actions = data.query("action_options")
    action_labels = dict(zip(choices_actions["code"], choices_actions["libelle"], strict=True))
    status_territories = data.query("territories")
    status_territories = status_territories[status_territories["niveau"] != "comparateur"]
    status_labels = dict(zip(status_territories["code"], status_territories["libelle"], strict=True))
    with st.form("status_form", clear_on_submit=False):
        action_code = st.selectbox(
            "Action",
            list(choices_actions["code"]),
            format_func=lambda c: f"{c} — {action_labels[c]}",
            key="status_action",
        )
        left, middle, right = st.columns(3)
        status_territory = left.selectbox(
            "Territoire",
            list(status_territories["code"]),
            format_func=lambda c: status_labels[c],
            key="status_territory",
        )
        status_years = list(range(config.annee_debut, config.annee_fin + 1))
        status_year = middle.selectbox(
            "Année",
            status_years,
            index=min(len(status_years) - 1, max(0, dt.date.today().year - config.annee_debut)),
            key="status_year",
        )
        status_word = right.selectbox("Statut", list(ACTION_STATUSES), key="status_word")
        status_date = st.date_input("Date (facultative)", value=None, format="DD/MM/YYYY", key="status_date")
        status_comment = st.text_area("Commentaire (facultatif)", max_chars=2000, key="status_comment")
        if st.form_submit_button("Enregistrer le statut", type="primary"):
            try:
                result = actions.set_action_status(
                    auth.current_user(),
                    data.store(),
                    config,
                    action_code,
                    status_territory,
                    status_year,
                    status_word,
                    status_date,
                    status_comment.strip() or None,
                )
            except ImportRejected as exc:
                st.error(exc.message)
                st.dataframe(exc.report.frame_fr(), hide_index=True, key="status_report")
            except SusError as exc:
                st.error(exc.message)
            else:
                data.after_write()
                st.session_state["status_done"] = (
                    f"Statut « {status_word} » enregistré pour l'action {action_code} ({status_labels[status_territory]}, "
                    f"{status_year}) : opération n°{result.operation_id}."
                    if result.changed_anything
                    else f"Ce statut était déjà enregistré pour l'action {action_code} : rien n'a changé."
                )
                st.rerun()
    if "status_done" in st.session_state:
        st.success(st.session_state.pop("status_done"), icon=":material/check_circle:")

with tab_historique:
    operations = data.query("operations_frame")
    if operations.empty:
        components.empty_state(
            "Aucun import pour l'instant.", "Les imports apparaîtront ici avec leurs auteurs et leurs empreintes."
        )
    else:
        st.dataframe(history.operations_table(operations), hide_index=True, key="history_table")
        undoable = operations[operations["nature"].isin(UNDOABLE_OPERATIONS) & operations["annule_par"].isna()]
        chosen = st.selectbox(
            "Voir les valeurs posées par l'opération",
            list(operations["id"]),
            format_func=lambda i: f"n°{i} — {operations.set_index('id').loc[i, 'fichier']}",
            key="history_pick",
        )
        st.dataframe(history.operation_values(data.store(), int(chosen)), hide_index=True, key="history_values")
        statuses = history.operation_statuses(data.store(), int(chosen))
        if not statuses.empty:
            st.caption("Statuts d'actions posés par cette opération :")
            st.dataframe(statuses, hide_index=True, key="history_statuses")
        if int(chosen) in set(undoable["id"]):
            st.warning(
                f"Annuler l'import n°{chosen} restaure exactement les valeurs qu'il a remplacées et retire celles qu'il a "
                "ajoutées. L'annulation est elle-même enregistrée dans l'historique."
            )
            sure = st.checkbox(f"Je confirme l'annulation de l'import n°{chosen}.", key=f"rollback_confirm_{chosen}")
            if st.button("Annuler cet import", disabled=not sure, key="rollback"):
                try:
                    result = actions.rollback_import(auth.current_user(), data.store(), int(chosen))
                except SusError as exc:
                    st.error(exc.message)
                else:
                    data.after_write()
                    st.session_state["rollback_done"] = result.summary()
                    st.rerun()
    if "rollback_done" in st.session_state:
        st.success(st.session_state.pop("rollback_done"), icon=":material/undo:")
