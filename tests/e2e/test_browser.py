"""End to end: `streamlit run app.py` on a free local port, driven by Debian's Chromium (headless).

Opens each page, changes a filter, waits for the app to settle and finds no error on the page. Run it
with `pytest -m e2e tests/e2e` (about a minute); the screenshots land in a temporary folder.
"""

from __future__ import annotations

import pytest

from .helpers import CHROMIUM, assert_no_error, settle, shot, sidebar

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium absent (/usr/bin/chromium)"),
]


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
