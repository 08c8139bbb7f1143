"""End to end: `streamlit run app.py` on a free local port, driven by Debian's Chromium (headless).

Opens each page, changes a filter, waits for the app to settle and finds no error on the page. Run it
with `pytest -m e2e tests/e2e` (about a minute); the screenshots land in a temporary folder.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
START_TIMEOUT_S = 90
SETTLE_TIMEOUT_MS = 60_000
ERROR_WORDS = re.compile(r"Traceback|\bError\b|\bException\b|Erreur de la base")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium absent (/usr/bin/chromium)"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a free port, on a demo database of its own; always stopped at the end."""
    from sus_data.config import get_config
    from sus_data.database import init_database
    from sus_data.store import Store

    folder = tmp_path_factory.mktemp("e2e")
    db = folder / "e2e.duckdb"
    init_database(Store(db), get_config(), demo=True)
    port = free_port()
    env = dict(os.environ, SUS_DB=str(db), PYTHONUNBUFFERED="1")
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
        yield {"url": url, "folder": folder}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


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


def choose_quarterly(page) -> None:
    sidebar(page).get_by_text("Trimestre", exact=True).click()
    settle(page)


def choose_ambition(page, index: int) -> None:
    sidebar(page).locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option").nth(index).click()
    settle(page)


PAGES = [
    ("vue_ensemble", "", "Vue d'ensemble"),
    ("ambition", "ambition?ambition=A5", "Ambition 5"),
    ("territoire", "territoire?territoire=TAS%20CL", "Portrait de territoire"),
    ("indicateur", "indicateur", "Fiche indicateur"),
    ("referentiel", "referentiel?q=violences", "Référentiel du schéma"),
]


@pytest.mark.parametrize(("name", "path", "title"), PAGES, ids=[p[0] for p in PAGES])
def test_page_then_a_filter_change(server, page, name, path, title):
    page.goto(f"{server['url']}/{path}")
    settle(page)
    assert title in page.locator("h1").first.inner_text()
    assert_no_error(page, name)
    shot(page, server, f"{name}_1")
    choose_quarterly(page)
    assert_no_error(page, f"{name} (trimestre)")
    assert "granularite=trimestre" in page.url
    shot(page, server, f"{name}_2_trimestre")
    choose_ambition(page, 7)
    assert_no_error(page, f"{name} (ambition)")
    assert "ambition=A7" in page.url
    shot(page, server, f"{name}_3_ambition")


def test_hostile_link(server, page):
    page.goto(
        f"{server['url']}/ambition?ambition=A1%27%20OR%201%3D1--&territoires=%3Cscript%3Ealert(1)%3C/script%3E&debut=99999"
    )
    settle(page)
    assert_no_error(page, "lien hostile")
    text = page.locator("body").inner_text()
    assert "n'existe pas : le filtre est ignoré" in text
    assert "n'est pas une année valide" in text
    assert page.locator("script", has_text="alert(1)").count() == 0


def test_menu_keeps_the_filters(server, page):
    page.goto(f"{server['url']}/?ambition=A5&granularite=trimestre")
    settle(page)
    sidebar(page).get_by_role("link", name="Territoire").click()
    settle(page)
    assert "Portrait de territoire" in page.locator("h1").first.inner_text()
    assert "granularite=trimestre" in page.url
    assert_no_error(page, "menu")
