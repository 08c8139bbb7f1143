"""The app's access to the data: one cached database copy per process, queries cached per filter set.

Caches are keyed on the copy's version: when an import lands (from the Import page or the command
line) the copy reloads, the version changes and every page reads the new values at once.
"""

from __future__ import annotations

import streamlit as st

from sus_data import queries, views
from sus_data.config import Config, get_config
from sus_data.database import init_database
from sus_data.errors import StoreError
from sus_data.filters import Filters
from sus_data.snapshot import Snapshot, open_snapshot
from sus_data.store import Store

CACHE_ENTRIES = 512


@st.cache_resource(show_spinner="Préparation de la base de données (premier démarrage)…")
def _snapshot(db_path: str, config_path: str) -> Snapshot:
    config = get_config()
    store = Store(db_path)
    if not store.path.exists():
        # First start on a fresh machine: build the database from data/ (referential, real figures, demo).
        init_database(store, config, demo=True)
    return open_snapshot(store)


def config() -> Config:
    return get_config()


def snapshot() -> Snapshot:
    cfg = get_config()
    return _snapshot(str(cfg.db_path), str(cfg.path))


def store() -> Store:
    return Store(get_config().db_path)


def version() -> int:
    snap = snapshot()
    snap.refresh()
    return snap.version


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached(name: str, source: str, version: int, key: str, _args: tuple, _kwargs: dict):
    # The cache key is (name, database, data version, key): `key` is the arguments' plain-text form,
    # cheaper for Streamlit to hash than the objects themselves (underscored arguments are not hashed).
    function = getattr(views, name, None) or getattr(queries, name)
    return function(snapshot().cursor(), *_args, **_kwargs)


def _key(value) -> str:
    if isinstance(value, Filters):
        return "Filters(" + value.key() + ")"
    return repr(value)


def query(name: str, *args, **kwargs):
    """Run `sus_data.views.<name>` or `sus_data.queries.<name>(cursor, *args)`, cached for this
    database, its data version and these arguments (a filter set is keyed by its URL form)."""
    args = tuple(a.for_data() if isinstance(a, Filters) else a for a in args)
    kwargs = {k: v.for_data() if isinstance(v, Filters) else v for k, v in kwargs.items()}
    key = "|".join([*map(_key, args), *(f"{k}={_key(v)}" for k, v in sorted(kwargs.items()))])
    return _cached(name, str(get_config().db_path), version(), key, args, kwargs)


def after_write() -> None:
    """Call after an import or a rollback: reload the copy and drop every cached result."""
    snapshot().refresh(force=True)
    st.cache_data.clear()


def safe_start() -> bool:
    """Open the database, or explain in French what is wrong and how to get out of it."""
    try:
        snapshot()
        return True
    except StoreError as exc:
        st.error(exc.message)
        st.info(
            "Pour repartir d'une base neuve : `python -m sus_data init` ; pour revenir à une sauvegarde : "
            "`python -m sus_data restore DOSSIER`. Puis rechargez cette page."
        )
        return False
