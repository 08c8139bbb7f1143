"""Helpers of the browser tests: a Streamlit server on a free port, and waiting for a page to settle."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
START_TIMEOUT_S = 90
SETTLE_TIMEOUT_MS = 60_000
ERROR_WORDS = re.compile(r"Traceback|\bError\b|\bException\b|Erreur de la base")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(folder: Path, config: Path | None = None, extra_env: dict | None = None):
    """`streamlit run app.py` on a free port, on a demo database built for `config` (default: the 71);
    always stopped at the end. Yields {"url", "folder"}."""
    from sus_data.config import load_config
    from sus_data.database import init_database
    from sus_data.store import Store

    config = config or ROOT / "config" / "71.toml"
    db = folder / "e2e.duckdb"
    init_database(Store(db), load_config(config), demo=True)
    port = free_port()
    env = dict(os.environ, SUS_DB=str(db), SUS_CONFIG=str(config), PYTHONUNBUFFERED="1", **(extra_env or {}))
    log = (folder / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(port), "--server.headless", "true", "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError("Streamlit n'a pas démarré :\n" + (folder / "streamlit.log").read_text())
            time.sleep(0.3)
        yield {"url": url, "folder": folder, "db": db}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def settle(page) -> None:
    """Wait until the script has run and the page stays still (no "running" indicator for a moment)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=SETTLE_TIMEOUT_MS)
    page.wait_for_selector("h1", timeout=SETTLE_TIMEOUT_MS)
    quiet_since = None
    deadline = time.monotonic() + SETTLE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        running = (
            page.locator('[data-testid="stStatusWidget"]').count() > 0
            or page.locator('[data-testid="stSkeleton"]').count() > 0
        )
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 1.0:
            return
        time.sleep(0.2)
    raise AssertionError("la page ne s'est pas stabilisée")


def assert_no_error(page, where: str) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, f"{where} : exception Streamlit affichée"
    text = page.locator("body").inner_text()
    match = ERROR_WORDS.search(text)
    assert match is None, f"{where} : « {match.group(0)} » dans la page"


def shot(page, server, name: str) -> None:
    page.screenshot(path=str(server["folder"] / f"{name}.png"), full_page=True)


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')
