"""Secret statistique: small counts are masked in what pages show and let readers download (« < 5 » on
screen, an empty cell and a note in a file, a point left out of a chart and said so), while the observatory's
command-line export keeps the true values."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import CONTRACT_HEADER, read_export, workbook_bytes
from streamlit.testing.v1 import AppTest

from sus_data import charts, exports, queries, secret, views
from sus_data.filters import Filters
from sus_data.ingest import Upload, import_files

ROOT = Path(__file__).resolve().parents[1]
SMALL = "CTX-TEST-PETIT"  # a count of people: 3 in TAS MP, 12 in TAS CL, 0 in TAS MALC
INDICATORS = [
    ["code_indicateur", "libelle", "ambition", "unite", "nature", "agregation", "additivite", "sens"],
    [SMALL, "Jeunes accompagnés", 5, "nombre", "contexte", "somme", "somme", "neutre"],
]
VALUES = [[SMALL, "TAS MP", 2025, None, 3], [SMALL, "TAS CL", 2025, None, 12], [SMALL, "TAS MALC", 2025, None, 0]]
NOTE = "Secret statistique, valeur non diffusée : TAS MP"


@pytest.fixture
def small_count(store, config):
    book = workbook_bytes(VALUES, header=CONTRACT_HEADER, other_sheets={"indicateurs": INDICATORS})
    import_files(store, config, [Upload(book, "petits_effectifs.xlsx")], "test")
    return store


def test_only_counts_strictly_between_zero_and_the_threshold_are_masked():
    frame = pd.DataFrame(
        {"indicateur": ["N", "N", "N", "N", "N", "P", "Z"], "valeur": [0.0, 1.0, 4.5, 5.0, None, 3.0, 3.0]}
    )
    out = secret.mask(frame, {"N": 5, "P": 0, "Z": 10})
    assert out["secret"].tolist() == [False, True, True, False, False, False, True]
    assert out["valeur"].isna().tolist() == [False, True, True, False, True, False, True]
    assert out["secret_seuil"].tolist() == [5, 5, 5, 5, 5, 0, 10]
    assert secret.threshold_of("nombre", None, 5) == 5
    assert secret.threshold_of("nombre", 0, 5) == 0  # the referential says: never masked
    assert secret.threshold_of("%", 10, 5) == 0  # a rate reveals nobody
    assert secret.label(5) == "< 5"


def test_quarterly_view_masks_small_counts_in_the_table_the_download_and_the_chart(con, codes):
    view = views.indicator_view(con, codes.flux, Filters(territoires=("MACON", "PARAY"), granularite="trimestre"))
    table = view["table"].set_index("Période")
    assert table.loc["T2 2025", ["Mâcon", "Paray"]].tolist() == ["< 5", "< 5"]  # 3 and 4
    data = view["table_data"].set_index("Période")
    assert data.loc["T2 2025", ["Mâcon", "Paray"]].isna().all()
    assert data.loc["T2 2025", "Note"] == "Secret statistique, valeur non diffusée : Mâcon (< 5), Paray (< 5)"
    assert data.loc["T1 2024", "Note"] == ""
    assert view["secret"]
    csv = exports.csv_fr_bytes(view["table_data"]).decode("utf-8-sig").splitlines()
    assert csv[-1] == "T2 2025;;;;Secret statistique, valeur non diffusée : Mâcon (< 5), Paray (< 5)"
    territories = queries.territories(con)
    fig = charts.time_series(view["series"], territories, view["libelle"], view["unite"])
    title = fig.layout.title.text.replace("<br>", " ")  # long titles wrap
    assert "(secret statistique : 2 valeur(s) trop petite(s) non représentée(s))" in title
    macon = next(trace for trace in fig.data if trace.name == "Mâcon")
    assert all(y is None or pd.isna(y) for y in macon.y)  # the point is left out


def test_latest_table_portrait_and_values_table_mask_the_small_count(small_count):
    """15 = 3 + 12 + 0: with TAS MP masked alone, 15 - 12 - 0 would give it back, so TAS CL (the smallest
    positive of the others) is masked too, as « secret »; the zero stays (it reveals nobody)."""
    with small_count.read() as con:
        latest = views.latest_table(con, [SMALL], Filters())
        portrait = views.territory_portrait(con, "TAS MP", Filters())
        page = views.indicator_page(con, SMALL, Filters())
    shown = latest["display"].set_index("Code").loc[SMALL]
    assert shown[["Département", "TAS MP", "TAS CL", "TAS MALC"]].tolist() == ["15 (calculé)", "< 5", "secret", "0"]
    data = latest["data"].set_index("Code").loc[SMALL]
    assert pd.isna(data["TAS MP"]) and pd.isna(data["TAS CL"]) and data["Note"] == NOTE + ", TAS CL"
    own = portrait["display"].set_index("Indicateur").loc["Jeunes accompagnés"]
    assert (own["TAS MP"], own["Département"], own["TAS CL"], own["TAS MALC"]) == ("< 5", "15 (calculé)", "secret", "0")
    own_data = portrait["data"].set_index("Code").loc[SMALL]
    assert pd.isna(own_data["TAS MP"]) and pd.isna(own_data["TAS CL"])
    assert own_data["Note"] == "Secret statistique, valeur non diffusée : TAS MP, TAS CL"
    values = page["values_display"].set_index("Territoire")
    assert values.loc[["TAS MP", "TAS CL", "TAS MALC"], "Valeur"].tolist() == ["< 5", "secret", "0"]
    notes = page["values_data"].set_index("Territoire")["Note"]
    assert notes.loc["TAS MP"] == "Secret statistique : valeur inférieure à 5, non diffusée."
    assert notes.loc["TAS CL"] == (
        "Secret statistique : valeur masquée pour qu'un petit effectif ne se retrouve pas par différence."
    )
    assert page["values_secret"]


def test_complementary_masks_follow_the_tree_level_by_level():
    """Sectors under their TAS, TAS under the département: one masked child of a published total brings
    a second one; two masked children are enough; a total nobody computes needs nothing."""
    tree = secret.Hierarchy(
        {"71": ("MP", "CL", "MALC"), "MP": ("MACON", "PARAY"), "CL": ("CHALON", "LOUHANS")}, frozenset({"X"})
    )
    # A sector masked under its TAS's published total: its sibling is hidden too; the TAS stay shown.
    members = {
        "71": (40.0, False), "MP": (11.0, False), "CL": (20.0, False), "MALC": (9.0, False),
        "MACON": (3.0, True), "PARAY": (8.0, False),
    }  # fmt: skip
    assert secret.complements(members, tree) == ["PARAY"]
    # Two children already masked: their sum is known, not either one.
    assert (
        secret.complements({"71": (9.0, False), "MP": (3.0, True), "CL": (4.0, True), "MALC": (2.0, True)}, tree) == []
    )
    # No département in the table, but every TAS is: the total is published elsewhere, computed from them.
    assert secret.complements({"MP": (3.0, True), "CL": (12.0, False), "MALC": (30.0, False)}, tree) == ["CL"]
    # A TAS missing: the département's total is not computed, nothing can be subtracted.
    assert secret.complements({"MP": (3.0, True), "CL": (12.0, False)}, tree) == []
    # The département masked itself: nothing published to subtract from.
    assert (
        secret.complements({"71": (4.0, True), "MP": (4.0, True), "CL": (0.0, False), "MALC": (0.0, False)}, tree) == []
    )
    # A zero is hidden only when no positive value is left to hide.
    assert secret.complements(
        {"71": (3.0, False), "MP": (3.0, True), "CL": (0.0, False), "MALC": (0.0, False)}, tree
    ) == ["CL"]


def test_non_additive_counts_get_no_complementary_mask(small_count):
    """Where territories do not add up, no difference gives a value back: only the small count is masked."""
    tree = secret.Hierarchy({"71": ("TAS MP", "TAS CL", "TAS MALC")}, frozenset())
    frame = pd.DataFrame(
        {
            "indicateur": [SMALL] * 4,
            "territoire": ["71", "TAS MP", "TAS CL", "TAS MALC"],
            "annee": [2025] * 4,
            "trimestre": [0] * 4,
            "valeur": [15.0, 3.0, 12.0, 0.0],
        }
    )
    masked = secret.mask(frame, {SMALL: 5}, tree=tree)
    assert masked[secret.FLAG].tolist() == [False, True, False, False]
    additive = secret.mask(frame, {SMALL: 5}, tree=secret.Hierarchy(tree.children, frozenset({SMALL})))
    assert additive[secret.FLAG].tolist() == [False, True, True, False]
    assert additive[secret.THRESHOLD].tolist() == [5, 5, secret.COMPLEMENT, 5]
    assert additive["valeur"].isna().tolist() == [False, True, True, False]


def test_downloads_carry_no_value_and_a_note(small_count):
    with small_count.read() as con:
        latest = views.latest_table(con, [SMALL], Filters())
    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(latest["data"])))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["TAS MP"] is None and row["TAS CL"] is None and row["TAS MALC"] == 0
    assert row["Note"] == NOTE + ", TAS CL"
    assert "3" not in exports.csv_fr_bytes(latest["data"]).decode("utf-8-sig").split("\r\n")[1].split(";")


def test_a_headline_card_with_a_small_count():
    headline = queries.Headline(
        code=SMALL, libelle="Jeunes accompagnés", unite="nombre", sens="neutre", periode="2025", valeur=3.0,
        calcule=False, demo=False, precedente=2.0, periode_precedente="2024", evolution_pct=50.0,
        sparkline=[("2024", 2.0), ("2025", 3.0)], positions=[], additif=True,
    )  # fmt: skip
    card = views._secret_card(
        {"titre": "", "metric": {"value": "3", "delta": "+50 %", "chart_data": [2.0, 3.0]}, "positions": []},
        headline,
        5,
    )
    assert card["metric"]["value"] == "< 5"
    assert card["metric"]["delta"] is None and card["metric"]["chart_data"] is None


def test_the_command_line_export_keeps_the_true_values(small_count, run_cli, tmp_path):
    out = tmp_path / "export.csv"
    result = run_cli("export", "--out", out)
    assert result.returncode == 0, result.stderr
    rows = {r["territoire"]: r["valeur"] for r in read_export(out) if r["code_indicateur"] == SMALL}
    assert rows == {"TAS MP": "3.0", "TAS CL": "12.0", "TAS MALC": "0.0"}


def test_the_indicator_page_shows_the_mask(small_count, monkeypatch):
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.run()
        at.switch_page("app_pages/indicateur.py")
        at.query_params.update({"indicateur": SMALL})
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        table = at.dataframe[0].value.set_index("Période")
        assert table.loc["2025", "TAS MP"] == "< 5"
        assert table.loc["2025", "TAS CL"] == "secret"
        title = charts_title(at).replace("<br>", " ")
        assert "secret statistique : 1 valeur(s) trop petite(s) et 1 valeur(s) voisine(s) non représentée(s)" in title
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def charts_title(at: AppTest) -> str:
    import json

    return json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]


def test_the_quarters_of_a_flow_are_protected_against_their_year():
    """A flow's year is the sum of its quarters: TAS MP's 3 in T1 would come back as its year minus T2-T4.
    The masks close a rectangle (two territories × two quarters) rather than spreading over the table."""
    tree = secret.Hierarchy({"71": ("TAS MP", "TAS CL")}, frozenset({SMALL}), frozenset({SMALL}))
    quarters = {"TAS MP": [3, 10, 12, 9], "TAS CL": [20, 30, 25, 40]}
    quarters["71"] = [a + b for a, b in zip(quarters["TAS MP"], quarters["TAS CL"], strict=True)]
    frame = pd.DataFrame(
        [
            {"indicateur": SMALL, "territoire": t, "annee": 2025, "trimestre": q + 1, "valeur": float(v)}
            for t, values in quarters.items()
            for q, v in enumerate(values)
        ]
    )
    masked = secret.mask(frame, {SMALL: 5}, tree=tree)
    hidden = masked[masked[secret.FLAG]]
    assert sorted(zip(hidden["territoire"], hidden["trimestre"], hidden[secret.THRESHOLD], strict=True)) == [
        ("TAS CL", 1, secret.COMPLEMENT),
        ("TAS CL", 4, secret.COMPLEMENT),
        ("TAS MP", 1, 5),
        ("TAS MP", 4, secret.COMPLEMENT),
    ]
    # A stock's year is its last quarter, not a sum: only the territories are protected.
    stock = secret.mask(frame, {SMALL: 5}, tree=secret.Hierarchy(tree.children, frozenset({SMALL})))
    hidden = stock[stock[secret.FLAG]]
    assert sorted(zip(hidden["territoire"], hidden["trimestre"], strict=True)) == [("TAS CL", 1), ("TAS MP", 1)]
