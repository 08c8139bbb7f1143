"""The shared filters: sidebar widgets whose state lives in the URL, so that a link reopens a view.

The URL is read once per session (and whenever it changes from outside); a bad or hostile value is
ignored with a notice. After the widgets, the URL is rewritten from the filters' plain-text form.
"""

from __future__ import annotations

import streamlit as st

from sus_data import filters as f
from sus_data import formatting
from sus_data.filters import Filters

from . import data
from .components import md

STATE_PREFIX = "flt_"
URL_SEEN = "flt__url"
NOTICES = "flt__notices"
ALL = "__tous__"


def _key(name: str) -> str:
    return STATE_PREFIX + name


def _read_url(choices: f.Choices) -> None:
    """Put the URL's filters into the widgets' state, when the URL differs from what we wrote.

    A URL without any filter, in a session that already has filters, is a move to another page from
    the menu (Streamlit drops the query string then): the filters are kept and written back into the URL.
    """
    params = {k: st.query_params.get_all(k)[-1] for k in st.query_params if k in f.PARAMS}
    seen = st.session_state.get(URL_SEEN)
    if seen == params or (not params and seen is not None):
        return
    parsed = Filters.from_params(params, choices)
    st.session_state[NOTICES] = list(parsed.notices)
    low, high = choices.annee_min, choices.annee_max
    st.session_state[_key("ambition")] = parsed.ambition or ALL
    st.session_state[_key("noeud")] = parsed.noeud or ALL
    st.session_state[_key("territoires")] = list(parsed.territoires)
    debut = max(low, min(parsed.debut or low, high))
    fin = max(debut, min(parsed.fin or high, high))
    st.session_state[_key("debut")] = debut
    st.session_state[_key("fin")] = fin
    st.session_state[_key("annee")] = parsed.annee if parsed.annee is not None and low <= parsed.annee <= high else ALL
    st.session_state[_key("trimestre")] = parsed.trimestre
    st.session_state[_key("granularite")] = parsed.granularite
    st.session_state[_key("indicateur")] = parsed.indicateur
    st.session_state[_key("territoire")] = parsed.territoire
    st.session_state[_key("recherche")] = parsed.recherche
    st.session_state[_key("programme")] = parsed.programme or ALL
    st.session_state[URL_SEEN] = params


def sidebar() -> Filters:
    """Render the shared filters in the sidebar and return the current Filters."""
    choices = data.query("choices")
    _read_url(choices)
    ambitions = data.query("ambitions")
    labels = {row.code: f"{row.numero}. {row.libelle_court}" for row in ambitions.itertuples(index=False)}
    territories = data.query("territories")
    terr_labels = dict(zip(territories["code"], territories["libelle_court"], strict=True))
    dep = data.query("departement")
    levels = data.config().levels
    with st.sidebar:
        st.markdown("### Filtres")
        ambition = st.selectbox(
            levels[0].libelle,
            [ALL, *labels],
            format_func=lambda c: "Tout le schéma" if c == ALL else labels.get(c, c),
            key=_key("ambition"),
        )
        ambition = None if ambition == ALL else ambition
        noeud = None
        if ambition:
            tree = data.query("node_tree", ambition)
            below = tree[
                (tree["profondeur"] >= 1)
                & (tree["niveau"] != data.config().niveau_action)
                & (tree["nb_indicateurs"].ge(0))
            ]
            below = below[below["profondeur"] <= 2]
            node_labels = {
                row.code: ("\u2003" * (row.profondeur - 1)) + f"{row.niveau_libelle} {row.numero} : {row.libelle}"
                for row in below.itertuples(index=False)
            }
            if st.session_state.get(_key("noeud")) not in (ALL, *node_labels):
                st.session_state[_key("noeud")] = ALL
            noeud = st.selectbox(
                " ou ".join(lv.libelle.lower() for lv in levels[1:3]).capitalize(),
                [ALL, *node_labels],
                format_func=lambda c: (
                    f"Tout le niveau « {labels.get(ambition, ambition)} »" if c == ALL else node_labels.get(c, c)
                ),
                key=_key("noeud"),
            )
            noeud = None if noeud == ALL else noeud
        programme = None
        programmes = data.query("programmes")
        if len(programmes) > 1:
            names = dict(zip(programmes["code"], programmes["libelle"], strict=True))
            archived = set(programmes.loc[programmes["statut"] == "archivé", "code"])
            programme = st.selectbox(
                "Programme d'actions",
                [ALL, *names],
                format_func=lambda c: (
                    "Tous les programmes" if c == ALL else names[c] + (" (archivé)" if c in archived else "")
                ),
                key=_key("programme"),
                help="Les indicateurs de contexte n'appartiennent à aucun programme : ils sont montrés avec « Tous ».",
            )
            programme = None if programme == ALL else programme
        # Comparators (région, France) are drawn as reference lines wherever they have values.
        compared = [
            c
            for c, n in zip(territories["code"], territories["niveau"], strict=True)
            if c != dep and n != "comparateur"
        ]
        picked = st.multiselect(
            "Territoires comparés",
            compared,
            format_func=lambda c: terr_labels.get(c, c),
            key=_key("territoires"),
            placeholder=f"Les {data.config().sigle_territoires} (par défaut)",
            help=f"Le département ({terr_labels[dep]}) est toujours affiché comme référence.",
        )
        years = list(range(choices.annee_min, choices.annee_max + 1))
        left, right = st.columns(2)
        debut = left.selectbox("De", years, key=_key("debut"))
        ends = [y for y in years if y >= debut]
        if st.session_state.get(_key("fin")) not in ends:
            st.session_state[_key("fin")] = ends[-1]
        fin = right.selectbox("À", ends, key=_key("fin"))
        granularite = st.radio(
            "Pas de temps",
            list(f.GRANULARITES),
            format_func=lambda g: "Année" if g == f.GRANULARITE_ANNEE else "Trimestre",
            key=_key("granularite"),
            horizontal=True,
        )
        annee = st.selectbox(
            "Période de comparaison",
            [ALL, *reversed(years)],
            format_func=lambda a: "La plus récente" if a == ALL else str(a),
            key=_key("annee"),
        )
        annee = None if annee == ALL else int(annee)
        trimestre = 0
        if granularite == f.GRANULARITE_TRIMESTRE and annee is not None:
            trimestre = st.selectbox(
                "Trimestre",
                [0, 1, 2, 3, 4],
                format_func=lambda t: "Le plus récent" if t == 0 else formatting.periode(annee, t),
                key=_key("trimestre"),
            )
        st.button("Réinitialiser les filtres", on_click=reset, icon=":material/restart_alt:", key="flt__reset")
    low, high = choices.annee_min, choices.annee_max
    return Filters(
        ambition=ambition,
        noeud=noeud,
        territoires=tuple(picked),
        debut=None if debut == low else debut,
        fin=None if fin == high else fin,
        annee=annee,
        trimestre=trimestre,
        granularite=granularite,
        indicateur=st.session_state.get(_key("indicateur")),
        territoire=st.session_state.get(_key("territoire")),
        recherche=st.session_state.get(_key("recherche")) or "",
        programme=programme,
    )


def reset() -> None:
    """The « Réinitialiser » button: every filter back to its default, and a URL without filters."""
    for key in [k for k in st.session_state if str(k).startswith(STATE_PREFIX) and k != URL_SEEN]:
        del st.session_state[key]
    st.session_state.pop(URL_SEEN, None)
    st.query_params.clear()


def link(filters: Filters, **changes) -> dict[str, str]:
    """Query parameters of a link to another view: the current filters with these changes.

    Changing the ambition drops the orientation (it belongs to the previous ambition)."""
    if "ambition" in changes and "noeud" not in changes:
        changes["noeud"] = None
    return filters.with_(**changes).to_params()


def granularity_label(filters: Filters) -> str:
    return "trimestre" if filters.granularite == f.GRANULARITE_TRIMESTRE else "année"


def period_label(filters: Filters) -> str | None:
    """The chosen comparison period in words (`T2 2025`, `2025`), or None for « la plus récente »."""
    if filters.annee is None:
        return None
    quarter = filters.trimestre if filters.granularite == f.GRANULARITE_TRIMESTRE else 0
    return formatting.periode(filters.annee, quarter)


def show_notices() -> None:
    """The URL's ignored values, said once. They quote what the URL held: escaped, never rendered."""
    for notice in st.session_state.pop(NOTICES, []):
        st.warning(md(notice), icon=":material/warning:")


def set_page_value(name: str, value) -> None:
    """Page-level choices (indicator, territory, search) kept with the shared filters and the URL."""
    st.session_state[_key(name)] = value


def page_value(name: str):
    return st.session_state.get(_key(name))


def sync_url(filters: Filters) -> None:
    """Write the filters into the URL (only when they changed, to avoid a useless rerun)."""
    params = filters.to_params()
    current = {k: st.query_params.get_all(k)[-1] for k in st.query_params}
    if current != params:
        st.query_params.from_dict(params)
    st.session_state[URL_SEEN] = params


def current() -> Filters:
    """The filters of this run, as set by app.py's sidebar."""
    return st.session_state.get("filtres") or Filters()
