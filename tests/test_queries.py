"""Queries on a small hand-built database: exact numbers (see conftest.small_workbook for the values)."""

import pandas as pd
import pytest

from sus_data import queries
from sus_data.filters import Filters

YEARLY = Filters()
QUARTERLY = Filters(granularite="trimestre")


def value(frame: pd.DataFrame, code: str, territoire: str, annee: int, trimestre: int = 0) -> pd.Series:
    hit = frame[
        (frame["indicateur"] == code)
        & (frame["territoire"] == territoire)
        & (frame["annee"] == annee)
        & (frame["trimestre"] == trimestre)
    ]
    assert len(hit) == 1, f"{code} {territoire} {annee} T{trimestre} : {len(hit)} ligne(s)"
    return hit.iloc[0]


def absent(frame, code, territoire, annee, trimestre=0) -> bool:
    return frame[
        (frame["indicateur"] == code)
        & (frame["territoire"] == territoire)
        & (frame["annee"] == annee)
        & (frame["trimestre"] == trimestre)
    ].empty


def test_flows_add_their_quarters_and_the_departement_is_the_sum_of_its_tas(con, codes):
    frame = queries.series(con, [codes.flux], YEARLY)
    assert value(frame, codes.flux, "TAS MP", 2024)["valeur"] == 100
    assert value(frame, codes.flux, "TAS CL", 2024)["valeur"] == 10
    malc = value(frame, codes.flux, "TAS MALC", 2024)
    assert (malc["valeur"], malc["partiel"], malc["n_trimestres"]) == (15, True, 3)
    dep = value(frame, codes.flux, "71", 2024)
    assert (dep["valeur"], dep["calcule"], dep["partiel"], dep["periode"]) == (125, True, True, "2024")
    assert value(frame, codes.flux, "71", 2025)["valeur"] == 24
    # A TAS with its own values is not recomputed from its sectors.
    assert value(frame, codes.flux, "TAS MP", 2025)["valeur"] == 7
    assert not value(frame, codes.flux, "TAS MP", 2025)["calcule"]


def test_quarterly_roll_up_needs_every_child(con, codes):
    frame = queries.series(con, [codes.flux], QUARTERLY)
    assert value(frame, codes.flux, "71", 2024, 1)["valeur"] == 16
    assert value(frame, codes.flux, "71", 2024, 3)["valeur"] == 38
    assert absent(frame, codes.flux, "71", 2024, 4)  # TAS MALC has no T4 2024
    mp = value(frame, codes.flux, "TAS MP", 2025, 2)  # Mâcon 3 + Paray 4
    assert (mp["valeur"], mp["calcule"], mp["periode"]) == (7, True, "T2 2025")
    assert absent(frame, codes.flux, "TAS CL", 2025, 2)  # Chalon without Louhans
    assert absent(frame, codes.flux, "71", 2025, 2)


def test_stocks_keep_the_last_quarter_and_a_stored_year_wins(con, codes):
    frame = queries.series(con, [codes.stock], YEARLY)
    assert value(frame, codes.stock, "TAS MP", 2024)["valeur"] == 56
    cl = value(frame, codes.stock, "TAS CL", 2024)
    assert (cl["valeur"], cl["partiel"]) == (33, True)
    malc = value(frame, codes.stock, "TAS MALC", 2024)
    assert (malc["valeur"], malc["partiel"], malc["n_trimestres"]) == (70, False, 0)  # stored yearly, not T4's 71
    assert value(frame, codes.stock, "71", 2024)["valeur"] == 56 + 33 + 70
    quarterly = queries.series(con, [codes.stock], QUARTERLY)
    assert value(quarterly, codes.stock, "71", 2024, 4)["valeur"] == 56 + 33 + 71


def test_rates_average_their_quarters_and_never_add_up(con, codes):
    frame = queries.series(con, [codes.taux], YEARLY)
    dep = value(frame, codes.taux, "71", 2024)
    assert dep["valeur"] == pytest.approx(25.5)
    assert not dep["calcule"]
    assert value(frame, codes.taux, "TAS MP", 2024)["valeur"] == pytest.approx(12.5)
    only_tas = queries.series(con, [codes.dep], YEARLY)
    assert set(only_tas["territoire"]) == {"TAS MP", "TAS CL", "TAS MALC"}  # not additive: no département


def test_years_filter(con, codes):
    frame = queries.series(con, [codes.flux], Filters(debut=2025))
    assert set(frame["annee"]) == {2025}
    frame = queries.series(con, [codes.flux], Filters(fin=2024))
    assert set(frame["annee"]) == {2024}


def test_series_columns_and_order(con, codes):
    frame = queries.series(con, [codes.flux, codes.stock], YEARLY)
    assert list(frame.columns) == [
        "indicateur", "territoire", "annee", "trimestre", "valeur", "calcule", "partiel", "demo",
        "n_trimestres", "periode", "ordre_periode",
    ]  # fmt: skip
    keys = list(zip(frame["indicateur"], frame["ordre_periode"], frame["territoire"], strict=True))
    assert keys == sorted(keys)
    assert not frame["demo"].any()  # values without source, imported for real: not demo
    assert queries.series(con, [], YEARLY).empty


def test_window_keeps_the_latest_years(con, codes):
    frame = queries.series(con, [codes.flux], YEARLY, window=0)
    assert set(frame["annee"]) == {2025}
    frame = queries.series(con, [codes.flux], Filters(annee=2024), window=0)
    assert set(frame["annee"]) == {2024}
    frame = queries.series(con, [codes.flux], QUARTERLY, window=0, within="TAS MP")
    assert set(frame["annee"]) == {2025}


def test_targets(con, codes):
    frame = queries.targets(con, [codes.taux], YEARLY)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["territoire"], row["periode"], row["valeur"]) == ("71", "T4 2024", 40)


def test_headline_of_a_computed_departement(con, codes):
    h = queries.headline(con, codes.flux, YEARLY)
    assert (h.periode, h.valeur, h.calcule, h.partiel, h.precedente, h.periode_precedente) == (
        "2025",
        24,
        True,
        True,
        125,
        "2024",
    )
    assert h.evolution_pct == pytest.approx((24 - 125) / 125 * 100)
    assert h.sparkline == [("2024", 125), ("2025", 24)]
    positions = {p["territoire"]: p for p in h.positions}
    assert positions["TAS MP"]["compare"] == pytest.approx((7 - 100) / 100 * 100)
    assert positions["TAS MP"]["position"] == "en dessous"
    assert positions["TAS CL"]["position"] == "au-dessus"  # -20 % against -80,8 %
    assert h.additif


def test_headline_at_a_chosen_year(con, codes):
    h = queries.headline(con, codes.flux, Filters(annee=2024))
    assert (h.periode, h.valeur, h.precedente) == ("2024", 125, None)
    assert h.evolution_pct is None
    assert {p["position"] for p in h.positions} == {"non comparable"}


def test_headline_of_a_rate_compares_levels(con, codes):
    h = queries.headline(con, codes.taux, YEARLY)
    assert (h.valeur, h.unite, h.additif) == (pytest.approx(25.5), "%", False)
    row = h.positions[0]
    assert (row["territoire"], row["compare"], row["reference"], row["position"]) == (
        "TAS MP",
        12.5,
        pytest.approx(25.5),
        "en dessous",
    )


def test_comparison_takes_the_latest_period_of_the_tas(con, codes):
    frame = queries.series(con, [codes.flux], YEARLY)
    comparison = queries.comparison(con, frame, codes.flux, None)
    assert list(comparison["territoire"]) == ["71", "TAS MP", "TAS CL", "TAS MALC"]
    assert list(comparison["valeur"]) == [24, 7, 8, 9]
    assert list(comparison["couleur"])[:2] == ["#1A1A1A", "#0072B2"]


def test_portrait_of_a_tas(con, codes):
    frame = queries.portrait(con, "TAS MP", YEARLY).set_index("indicateur")
    assert frame.loc[codes.flux, "periode"] == "2025"
    assert frame.loc[codes.flux, "valeur"] == 7
    assert frame.loc[codes.flux, "71"] == 24
    assert bool(frame.loc[codes.flux, "71__calcule"])
    assert frame.loc[codes.stock, "valeur"] == 56
    assert frame.loc[codes.taux, "valeur"] == pytest.approx(12.5)
    assert frame.loc[codes.taux, "71"] == pytest.approx(25.5)
    assert frame.loc[codes.dep, "TAS CL"] == 7


def test_portrait_of_a_sector_at_a_period_without_values(con):
    assert queries.portrait(con, "LOUHANS", Filters(annee=2025)).empty
    assert not queries.portrait(con, "LOUHANS", YEARLY).empty  # the real figures of 2018


def test_indicators_count_their_values(con, codes):
    ambition = con.execute("SELECT ambition FROM indicateur WHERE code = ?", [codes.flux]).fetchone()[0]
    frame = queries.indicators(con, Filters(ambition=ambition)).set_index("code")
    assert frame.loc[codes.flux, "nb_valeurs"] == 17
    assert set(frame["ambition"]) == {ambition}


def test_completeness(con):
    out = queries.completeness_by_ambition(con, YEARLY)
    assert out[None]["periode"] == "2025"
    assert out[None]["recues"] <= out[None]["attendues"]


def test_stats_are_the_same_in_the_copy_and_in_the_file(small_db, con):
    from sus_data.store import Store

    with Store(small_db.path).read() as direct:
        assert queries._stats(direct).startswith("(")
        from_file = queries.indicators(direct, YEARLY)
    assert queries._stats(con) == queries.STATS_TABLE
    pd.testing.assert_frame_equal(from_file, queries.indicators(con, YEARLY))


def test_demo_flag_of_a_value_without_source(con, codes):
    values = queries.stored_values(con, [codes.flux], YEARLY)
    assert values["demo"].dtype == bool
    assert not values["demo"].any()


def test_search_ignores_accents_and_case(con):
    found = queries.search(con, "PRECARITE alimentaire")
    assert not found.empty
    assert queries.search(con, "'; DROP TABLE valeur; --").empty
    assert con.execute("SELECT count(*) FROM valeur").fetchone()[0] > 0


def test_choices(con):
    choices = queries.choices(con)
    assert choices.annee_min == 2018 and choices.annee_max == 2025
    assert "TAS MP" in choices.territoires and choices.territoires[0] == "71"


@pytest.mark.parametrize("granularite", ["annee", "trimestre"])
def test_sql_and_python_engines_agree(con, granularite):
    """The rules run in SQL for many indicators and in Python for a few: same values either way."""
    flt = Filters(granularite=granularite)
    codes = [c for (c,) in con.execute("SELECT DISTINCT indicateur FROM valeur ORDER BY 1").fetchall()]
    by_sql = queries.series(con, codes, flt, engine="sql")
    by_python = queries.series(con, codes, flt, engine="python")
    assert len(by_sql) > 40
    pd.testing.assert_frame_equal(by_sql, by_python, check_exact=False, rtol=1e-12)


def test_engines_agree_on_the_demo_database(demo_db):
    from sus_data.snapshot import open_snapshot
    from sus_data.store import Store

    snapshot = open_snapshot(Store(demo_db))
    try:
        cursor = snapshot.cursor()
        for flt in (YEARLY, QUARTERLY, Filters(debut=2024)):
            by_sql = queries.series(cursor, None, flt, engine="sql")
            by_python = queries.series(cursor, None, flt, engine="python")
            pd.testing.assert_frame_equal(by_sql, by_python, check_exact=False, rtol=1e-12)
    finally:
        snapshot.close()


def test_the_copy_reads_the_same_series_it_would_compute(demo_db):
    """The app's copy stores every series derived once per load: reading them (with windows, years,
    a territory's subtree) gives the rows computed from the stored values."""
    from sus_data.snapshot import open_snapshot
    from sus_data.store import Store

    snapshot = open_snapshot(Store(demo_db))
    try:
        cursor = snapshot.cursor()
        codes = [c for (c,) in cursor.execute("SELECT DISTINCT indicateur FROM valeur ORDER BY 1").fetchall()]
        cases = [
            (None, YEARLY, {}),
            (None, QUARTERLY, {}),
            (codes[:30], Filters(debut=2020, fin=2024), {}),
            (None, Filters(annee=2023), {"window": 0}),
            (None, Filters(annee=2024, granularite="trimestre"), {"window": 1}),
            (None, YEARLY, {"window": 0, "within": "TAS CL"}),
            (codes[5:40], Filters(debut=2021), {"window": 8}),
        ]
        for chosen, flt, options in cases:
            read = queries.series(cursor, chosen, flt, engine="copie", **options)
            computed = queries.series(cursor, chosen, flt, engine="sql", **options)
            assert len(read) > 20, (flt, options)
            pd.testing.assert_frame_equal(read, computed, check_exact=False, rtol=1e-12)
    finally:
        snapshot.close()


@pytest.mark.parametrize("flt", [YEARLY, QUARTERLY, Filters(debut=2025)])
def test_an_indicator_reads_the_same_from_the_file_and_from_the_copy(small_db, con, codes, flt):
    from sus_data.store import Store

    read = 0
    with Store(small_db.path).read() as file_con:
        for code in (codes.flux, codes.stock, codes.taux):
            from_file = queries.indicator_series(file_con, code, flt)
            from_copy = queries.indicator_series(con, code, flt)
            pd.testing.assert_frame_equal(from_file[0], from_copy[0], check_exact=False, rtol=1e-12)
            pd.testing.assert_frame_equal(from_file[1], from_copy[1])
            assert from_file[2] == from_copy[2]
            read += len(from_copy[0])
    assert read > 0


def test_a_database_file_has_no_derived_series(small_db):
    from sus_data.store import Store

    with Store(small_db.path).read() as con:
        with pytest.raises(ValueError, match="pas de séries dérivées"):
            queries.series(con, None, YEARLY, engine="copie")
        assert len(queries.series(con, None, YEARLY)) > 40  # computed from the values instead


@pytest.mark.parametrize("flt", [YEARLY, QUARTERLY, Filters(debut=2025)])
def test_indicator_series_is_series_and_targets(con, codes, flt):
    for code in (codes.flux, codes.stock, codes.taux):
        series, targets, meta = queries.indicator_series(con, code, flt)
        pd.testing.assert_frame_equal(series, queries.series(con, [code], flt, engine="sql"))
        pd.testing.assert_frame_equal(targets.reset_index(drop=True), queries.targets(con, [code], flt))
        assert meta["code"] == code


def test_a_new_copy_forgets_what_the_previous_one_remembered(tmp_path, small_db):
    """Facts remembered by the copy (territories, headline indicators) come from the new copy after a
    write; a cursor taken before the reload still answers from the copy it started on."""
    import shutil

    from sus_data.snapshot import open_snapshot
    from sus_data.store import Store

    path = tmp_path / "copie.duckdb"
    shutil.copy(small_db.path, path)
    snapshot = open_snapshot(Store(path))
    try:
        before = snapshot.cursor()
        assert queries.territoires_context(before).libelles["TAS MP"] == "TAS MP"
        with Store(path).write() as con:
            con.execute("UPDATE territoire SET libelle_court = 'Mâcon - Paray' WHERE code = 'TAS MP'")
        snapshot.refresh(force=True)
        after = snapshot.cursor()
        assert queries.territoires_context(after).libelles["TAS MP"] == "Mâcon - Paray"
        assert queries.territoires_context(before).libelles["TAS MP"] == "TAS MP"
        assert before.execute("SELECT count(*) FROM valeur").fetchone()[0] > 0
    finally:
        snapshot.close()
