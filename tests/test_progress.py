"""Progress statuses towards targets, for rising and falling indicators."""

import pytest

from sus_data.progress import (
    STATUS_LATE,
    STATUS_NO_TARGET,
    STATUS_NO_VALUE,
    STATUS_NOT_APPLICABLE,
    STATUS_ON_TRACK,
    STATUS_REACHED,
    assess,
)


@pytest.mark.parametrize(
    ("sens", "target", "current", "current_year", "expected"),
    [
        # Rising: baseline 100 in 2023, target 200 in 2027.
        ("hausse", 200, 210, 2026, STATUS_REACHED),
        ("hausse", 200, 200, 2025, STATUS_REACHED),
        ("hausse", 200, 150, 2025, STATUS_ON_TRACK),  # half the way, half the time
        ("hausse", 200, 140, 2025, STATUS_LATE),  # 40 % of the way after 50 % of the time (< 0.9 × 50 %)
        ("hausse", 200, 120, 2025, STATUS_LATE),
        ("hausse", 200, 190, 2027, STATUS_LATE),  # target year reached, target not
        # Falling: baseline 100 in 2023, target 50 in 2027.
        ("baisse", 50, 45, 2025, STATUS_REACHED),
        ("baisse", 50, 75, 2025, STATUS_ON_TRACK),
        ("baisse", 50, 95, 2025, STATUS_LATE),
    ],
)
def test_status_follows_the_desired_direction(sens, target, current, current_year, expected):
    baseline = 100
    progress = assess(sens, target, 2027, current, current_year, baseline, 2023, tolerance=0.9)
    assert progress.statut == expected


def test_missing_target_missing_value_and_neutral_direction():
    assert assess("hausse", None, None, 10, 2025, 5, 2023).statut == STATUS_NO_TARGET
    assert assess("hausse", 20, 2027, None, None, 5, 2023).statut == STATUS_NO_VALUE
    assert assess("neutre", 20, 2027, 10, 2025, 5, 2023).statut == STATUS_NOT_APPLICABLE


def test_label_has_an_icon_and_a_word():
    progress = assess("hausse", 95, 2022, 92, 2022, 80, 2018)
    assert progress.label == "⚠ en retard"
    assert assess("hausse", 90, 2022, 92, 2022, 80, 2018).label == "✔ atteint"
