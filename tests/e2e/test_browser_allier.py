"""End to end for another département: the app run with SUS_CONFIG=config/03.toml (the Allier)."""

from __future__ import annotations

import pytest

from .helpers import CHROMIUM, assert_no_error, settle, shot, sidebar

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium absent (/usr/bin/chromium)"),
]

PAGES = [
    ("vue_ensemble", "", "Vue d'ensemble"),
    ("ambition", "ambition?ambition=V2", "Volet 2"),
    ("territoire", "territoire", "Portrait de territoire"),
    ("indicateur", "indicateur?indicateur=CTX-DENSITE", "Fiche indicateur"),
    ("referentiel", "referentiel?q=insertion", "Référentiel du schéma"),
]


@pytest.mark.parametrize(("name", "path", "title"), PAGES, ids=[p[0] for p in PAGES])
def test_allier_page_then_a_filter_change(server_allier, page, name, path, title):
    page.goto(f"{server_allier['url']}/{path}")
    settle(page)
    assert title in page.locator("h1").first.inner_text()
    assert_no_error(page, name)
    body = page.locator("body").inner_text()
    assert "Saône-et-Loire" not in body and "TAS MP" not in body
    sidebar(page).get_by_text("Trimestre", exact=True).click()
    settle(page)
    assert_no_error(page, f"{name} (trimestre)")
    shot(page, server_allier, f"allier_{name}")


def test_allier_comparator_on_the_chart(server_allier, page):
    page.goto(f"{server_allier['url']}/indicateur?indicateur=CTX-DENSITE")
    settle(page)
    legend = [t or "" for t in page.locator(".legendtext").all_text_contents()]
    assert any(text.startswith("France") and "source" in text for text in legend), legend
