"""A light client of Streamlit's websocket protocol: what a browser tab does, without the browser.

A browser tab opens `ws://HOST/_stcore/stream` (subprotocol `streamlit`) and talks in protobufs: it sends
`BackMsg.rerun_script` (the URL's query string, the page wanted, the widgets' values) and receives
`ForwardMsg`s (the new session and its pages, one delta per element, then `script_finished`). This
client does the same, so that the load test can hold dozens of sessions on two cores, and the tests can
read exactly what a page sent (its elements, errors, exceptions) and the raw bytes (to look for secrets).

Localhost only: `StreamlitSession` refuses any other host.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
TEXT_FIELDS = ("body", "label", "message", "value", "placeholder", "help")


@dataclass
class Run:
    """What one script run sent: its elements in order, errors, exceptions and how long it took."""

    seconds: float = 0.0
    status: int | None = None
    elements: list[tuple[str, object]] = field(default_factory=list)  # (element type, its proto)
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # st.error texts
    raw: list[bytes] = field(default_factory=list)
    page: str = ""  # the page script hash that ran (from the navigation message)
    page_not_found: bool = False

    def texts(self) -> list[str]:
        out = []
        for _kind, element in self.elements:
            for name in TEXT_FIELDS:
                value = getattr(element, name, None)
                if isinstance(value, str) and value:
                    out.append(value)
        return out

    def of(self, kind: str) -> list:
        return [element for k, element in self.elements if k == kind]

    def widget(self, key: str):
        """The widget whose user key is `key` (Streamlit ends its id with `-<key>`)."""
        for _kind, element in self.elements:
            element_id = getattr(element, "id", "")
            if isinstance(element_id, str) and element_id.endswith("-" + key):
                return element
        return None


class StreamlitSession:
    """One browser tab's session, over the websocket."""

    def __init__(self, base_url: str, timeout: float = 120.0):
        parsed = urlparse(base_url)
        if parsed.hostname not in LOCAL_HOSTS:
            raise ValueError(f"client de charge réservé à la machine locale, pas à {parsed.hostname}")
        self.url = f"ws://{parsed.netloc}/_stcore/stream"
        self.timeout = timeout
        self.ws = None
        self.pages: dict[str, str] = {}  # page name (as in the menu) → page script hash
        self.url_paths: dict[str, str] = {}  # url path → page script hash
        self.page_hash = ""
        self.query_string = ""
        self.widgets: dict[str, WidgetState] = {}

    async def connect(self) -> None:
        self.ws = await websockets.connect(
            self.url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def __aenter__(self) -> StreamlitSession:  # noqa: PYI034
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    def set_widget(self, element, **value) -> None:
        """Set a widget's value for the next run, e.g. set_widget(radio, string_value="Trimestre")."""
        state = WidgetState(id=element.id, **value)
        self.widgets[element.id] = state

    async def run(self, *, page: str | None = None, query_string: str | None = None, triggers=()) -> Run:
        """Ask for a script run (another page, another URL, changed widgets) and read it to its end.

        `page` is a page's menu name or url path; `triggers` are buttons (or forms' submit buttons)
        pressed for this run only."""
        if page is not None:
            self.page_hash = self.pages.get(page) or self.url_paths.get(page) or page
        if query_string is not None:
            self.query_string = query_string
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = self.query_string
        rerun.page_script_hash = self.page_hash
        states = list(self.widgets.values()) + [WidgetState(id=t.id, trigger_value=True) for t in triggers]
        rerun.widget_states.widgets.extend(states)
        rerun.context_info.timezone = "Europe/Paris"
        rerun.context_info.locale = "fr-FR"
        start = time.perf_counter()
        await self.ws.send(message.SerializeToString())
        result = await asyncio.wait_for(self._read_run(), self.timeout)
        result.seconds = time.perf_counter() - start
        return result

    async def _read_run(self) -> Run:
        result = Run()
        while True:
            data = await self.ws.recv()
            result.raw.append(data)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash for p in msg.navigation.app_pages}
                self.url_paths = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
                result.page = msg.navigation.page_script_hash
            elif kind == "page_not_found":
                result.page_not_found = True
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element_kind = msg.delta.new_element.WhichOneof("type")
                element = getattr(msg.delta.new_element, element_kind)
                result.elements.append((element_kind, element))
                if element_kind == "exception":
                    result.exceptions.append(f"{element.type}: {element.message}")
                elif element_kind == "alert" and element.format == Alert.ERROR:
                    result.errors.append(element.body)
            elif kind == "script_finished" and msg.script_finished in FINISHED:
                result.status = msg.script_finished
                if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    result.exceptions.append("erreur de compilation du script")
                return result
