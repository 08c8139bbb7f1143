"""Make sure a page always runs inside app.py (navigation, sign-in, shared filters).

Streamlit treats a `pages/` folder next to the main script as an old-style multipage app until the first
`st.navigation` call of the process. So on a freshly started server, a shared link such as
`/ambition?ambition=A5` opened before anyone opened `/` runs `pages/ambition.py` alone: no filters, no
sign-in, the raw file names as menu. The same happens on every run under AppTest. A page calls
`ensure_app()` first: when app.py did not run, it runs it (which renders the requested page inside it)
and stops the bare run.

The lasting fix is to move the page scripts out of a folder named `pages/` (then this becomes a no-op).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

APP = Path(__file__).resolve().parent.parent / "app.py"


def _bare_page_run() -> bool:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - internal layout changed: assume app.py ran
        return False
    return bool(getattr(PagesManager, "uses_pages_directory", False))


_COMPILED: dict[tuple, object] = {}


def _app_code():
    stat = APP.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    if key not in _COMPILED:
        _COMPILED.clear()
        _COMPILED[key] = compile(APP.read_text(encoding="utf-8"), str(APP), "exec")
    return _COMPILED[key]


def ensure_app() -> None:
    if _bare_page_run():
        exec(_app_code(), {"__name__": "__main__", "__file__": str(APP), "__builtins__": __builtins__})  # noqa: S102
        st.stop()
