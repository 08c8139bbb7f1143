"""Yearly values from quarters and territories rolled up, on hand-built frames."""

import pandas as pd
import pytest

from sus_data import aggregation

META = pd.DataFrame(
    {
        "code": ["FLUX", "STOCK", "TAUX", "BRUT", "DEP"],
        "agregation": ["somme", "dernier", "moyenne", "aucune", "somme"],
        "additivite": ["somme", "somme", "aucune", "somme", "aucune"],
    }
)
TERRITORIES = pd.DataFrame(
    {
        "code": ["D", "T1", "T2", "S1", "S2", "C"],
        "parent": ["", "D", "D", "T1", "T1", None],
    }
).replace({"": None})


def values(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["indicateur", "territoire", "annee", "trimestre", "valeur"])
    frame["demo"] = False
    return frame


def one(frame: pd.DataFrame, **key) -> pd.Series:
    hit = frame
    for column, value in key.items():
        hit = hit[hit[column] == value]
    assert len(hit) == 1, f"{key}: {len(hit)} lignes"
    return hit.iloc[0]


def quarters(code, territory, year, numbers):
    return [(code, territory, year, q, v) for q, v in zip((1, 2, 3, 4), numbers, strict=False) if v is not None]


def test_somme_adds_the_quarters():
    out = aggregation.yearly(values(quarters("FLUX", "T1", 2024, [10, 20, 30, 40])), META)
    row = one(out, indicateur="FLUX", territoire="T1", annee=2024)
    assert (row["trimestre"], row["valeur"], row["partiel"], row["calcule"], row["n_trimestres"]) == (
        0,
        100,
        False,
        False,
        4,
    )


def test_dernier_keeps_the_last_quarter():
    out = aggregation.yearly(values(quarters("STOCK", "T1", 2024, [50, 52, 54, 56])), META)
    assert one(out, indicateur="STOCK", annee=2024)["valeur"] == 56


def test_dernier_of_a_partial_year_is_its_last_known_quarter_and_partial():
    out = aggregation.yearly(values(quarters("STOCK", "T1", 2024, [None, 30, None, None])), META)
    row = one(out, indicateur="STOCK", annee=2024)
    assert (row["valeur"], row["partiel"], row["n_trimestres"]) == (30, True, 1)


def test_moyenne_averages_the_quarters():
    out = aggregation.yearly(values(quarters("TAUX", "D", 2024, [10, 20, 30, 42])), META)
    assert one(out, indicateur="TAUX")["valeur"] == pytest.approx(25.5)


def test_aucune_derives_nothing_but_keeps_a_stored_year():
    rows = quarters("BRUT", "T1", 2024, [1, 2, 3, 4]) + [("BRUT", "T1", 2023, 0, 9)]
    out = aggregation.yearly(values(rows), META)
    assert list(out["annee"]) == [2023]
    assert out["valeur"].tolist() == [9]


def test_a_stored_yearly_value_wins_over_its_quarters():
    rows = quarters("FLUX", "T1", 2024, [10, 20, 30, 40]) + [("FLUX", "T1", 2024, 0, 77)]
    out = aggregation.yearly(values(rows), META)
    row = one(out, indicateur="FLUX", territoire="T1", annee=2024)
    assert (row["valeur"], row["partiel"], row["n_trimestres"]) == (77, False, 0)


def test_partial_years_are_marked():
    out = aggregation.yearly(values(quarters("FLUX", "T1", 2024, [5, 5, 5])), META)
    row = one(out, indicateur="FLUX", annee=2024)
    assert (row["valeur"], row["partiel"], row["n_trimestres"]) == (15, True, 3)


def test_demo_flag_follows_the_values():
    frame = values(quarters("FLUX", "T1", 2024, [1, 2, 3, 4]))
    frame.loc[2, "demo"] = True
    assert bool(one(aggregation.yearly(frame, META), annee=2024)["demo"])
    frame["demo"] = None  # no source and no operation: never demo, never an error
    assert not bool(one(aggregation.yearly(frame, META), annee=2024)["demo"])


def test_quarterly_keeps_quarters_only():
    rows = quarters("FLUX", "T1", 2024, [1, 2]) + [("FLUX", "T1", 2023, 0, 9)]
    out = aggregation.quarterly(values(rows))
    assert sorted(out["trimestre"]) == [1, 2]
    assert set(out["n_trimestres"]) == {1}


def series(rows) -> pd.DataFrame:
    return aggregation.quarterly(values(rows))


def test_roll_up_sectors_then_tas_then_departement():
    rows = [
        ("FLUX", "S1", 2024, 1, 3),
        ("FLUX", "S2", 2024, 1, 4),  # T1 = S1 + S2 = 7 (computed)
        ("FLUX", "T2", 2024, 1, 10),  # D = T1 + T2 = 17 (computed from a computed TAS)
    ]
    out = aggregation.roll_up(series(rows), META, TERRITORIES)
    t1 = one(out, territoire="T1")
    d = one(out, territoire="D")
    assert (t1["valeur"], t1["calcule"]) == (7, True)
    assert (d["valeur"], d["calcule"]) == (17, True)
    assert not one(out, territoire="S1")["calcule"]


def test_roll_up_needs_every_child():
    rows = [("FLUX", "S1", 2024, 1, 3), ("FLUX", "T2", 2024, 1, 10)]  # S2 missing: no T1, so no D
    out = aggregation.roll_up(series(rows), META, TERRITORIES)
    assert set(out["territoire"]) == {"S1", "T2"}


def test_roll_up_only_for_additive_indicators():
    rows = [
        ("TAUX", "T1", 2024, 1, 10),
        ("TAUX", "T2", 2024, 1, 20),
        ("DEP", "T1", 2024, 1, 1),
        ("DEP", "T2", 2024, 1, 2),
    ]
    out = aggregation.roll_up(series(rows), META, TERRITORIES)
    assert "D" not in set(out["territoire"])


def test_a_stored_parent_value_is_never_replaced():
    rows = [("FLUX", "T1", 2024, 1, 1), ("FLUX", "T2", 2024, 1, 2), ("FLUX", "D", 2024, 1, 50)]
    out = aggregation.roll_up(series(rows), META, TERRITORIES)
    d = one(out, territoire="D")
    assert (d["valeur"], d["calcule"]) == (50, False)


def test_a_stored_tas_stops_its_sectors_from_counting_twice():
    rows = [
        ("FLUX", "S1", 2024, 1, 3),
        ("FLUX", "S2", 2024, 1, 4),
        ("FLUX", "T1", 2024, 1, 8),  # stored TAS value: kept, not 7
        ("FLUX", "T2", 2024, 1, 10),
    ]
    out = aggregation.roll_up(series(rows), META, TERRITORIES)
    assert one(out, territoire="T1")["valeur"] == 8
    assert one(out, territoire="D")["valeur"] == 18


def test_roll_up_of_yearly_values_carries_partial_and_demo():
    rows = quarters("FLUX", "T1", 2024, [10, 20, 30, 40]) + quarters("FLUX", "T2", 2024, [5, 5, 5])
    frame = values(rows)
    frame.loc[frame["territoire"] == "T2", "demo"] = True
    yearly = aggregation.yearly(frame, META)
    out = aggregation.roll_up(yearly, META, TERRITORIES)
    d = one(out, territoire="D", annee=2024)
    assert (d["valeur"], d["calcule"], d["partiel"], d["demo"], d["n_trimestres"]) == (115, True, True, True, 3)


def test_roll_up_of_a_stock_sums_the_end_of_year_values():
    rows = quarters("STOCK", "T1", 2024, [50, 52, 54, 56]) + [("STOCK", "T2", 2024, 0, 70)]
    out = aggregation.roll_up(aggregation.yearly(values(rows), META), META, TERRITORIES)
    assert one(out, territoire="D", annee=2024)["valeur"] == 126


def test_empty_frames():
    empty = aggregation.empty_series()
    assert aggregation.yearly(values([]), META).empty
    assert aggregation.quarterly(values([])).empty
    assert aggregation.roll_up(empty, META, TERRITORIES).empty
    assert list(empty.columns) == aggregation.COLUMNS


def test_with_periods_labels_and_orders():
    frame = aggregation.with_periods(series([("FLUX", "T1", 2025, 1, 1), ("FLUX", "T1", 2024, 4, 1)]))
    frame = pd.concat([frame, aggregation.with_periods(aggregation.yearly(values([("FLUX", "T1", 2024, 0, 3)]), META))])
    ordered = frame.sort_values("ordre_periode")["periode"].tolist()
    assert ordered == ["T4 2024", "2024", "T1 2025"]
