"""Fixtures of the browser tests: the app served for each département, Chromium, a fresh page."""

from __future__ import annotations

import pytest

from .helpers import ARGS, CHROMIUM, ROOT, running_app


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("e2e")) as app:
        yield app


@pytest.fixture(scope="module")
def server_allier(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("e2e_allier"), ROOT / "config" / "03.toml") as app:
        yield app


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
