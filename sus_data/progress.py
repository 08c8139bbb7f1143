"""Progress towards a target, with the indicator's desired direction.

The status always comes as a word and an icon (never a colour alone):
- « atteint » when the latest value has reached the target in the desired direction;
- « en bonne voie » when the share of the way covered since the baseline is at least the share of the time
  elapsed between the baseline year and the target year, times the configured tolerance
  (`[seuils] tolerance_trajectoire`, 0.9 by default: ten per cent behind the straight line still counts);
- « en retard » otherwise;
- « sans cible » when no target is set; « sans objet » for an indicator with no desired direction.
The baseline is the recorded reference (value and year) or, failing that, the first known value.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUS_REACHED = "atteint"
STATUS_ON_TRACK = "en bonne voie"
STATUS_LATE = "en retard"
STATUS_NO_TARGET = "sans cible"
STATUS_NOT_APPLICABLE = "sans objet"
STATUS_NO_VALUE = "pas de valeur"
ICONS = {
    STATUS_REACHED: "✔",
    STATUS_ON_TRACK: "↗",
    STATUS_LATE: "⚠",
    STATUS_NO_TARGET: "○",
    STATUS_NOT_APPLICABLE: "–",
    STATUS_NO_VALUE: "?",
}
STATUSES = tuple(ICONS)


@dataclass(frozen=True)
class Progress:
    statut: str
    part_parcourue: float | None  # share of the way from baseline to target, 0..1 (may exceed)
    part_ecoulee: float | None  # share of the time from baseline year to target year, 0..1

    @property
    def label(self) -> str:
        return f"{ICONS[self.statut]} {self.statut}"


def assess(
    sens: str,
    target: float | None,
    target_year: int | None,
    current: float | None,
    current_year: int | None,
    baseline: float | None,
    baseline_year: int | None,
    tolerance: float = 0.9,
) -> Progress:
    if sens not in ("hausse", "baisse"):
        return Progress(STATUS_NOT_APPLICABLE, None, None)
    if target is None or target_year is None:
        return Progress(STATUS_NO_TARGET, None, None)
    if current is None or current_year is None:
        return Progress(STATUS_NO_VALUE, None, None)
    sign = 1 if sens == "hausse" else -1
    if sign * (current - target) >= 0:
        return Progress(STATUS_REACHED, 1.0, _elapsed(baseline_year, current_year, target_year))
    if current_year >= target_year:
        return Progress(STATUS_LATE, _covered(baseline, current, target), 1.0)
    covered = _covered(baseline, current, target)
    elapsed = _elapsed(baseline_year, current_year, target_year)
    if covered is None or elapsed is None:
        # Without a baseline nothing says how far along the way we are: only the target's date counts.
        return Progress(STATUS_ON_TRACK, covered, elapsed)
    status = STATUS_ON_TRACK if covered >= elapsed * tolerance else STATUS_LATE
    return Progress(status, covered, elapsed)


def _covered(baseline: float | None, current: float, target: float) -> float | None:
    if baseline is None or target == baseline:
        return None
    return (current - baseline) / (target - baseline)


def _elapsed(baseline_year: int | None, current_year: int, target_year: int) -> float | None:
    if baseline_year is None or target_year <= baseline_year:
        return None
    return min(max((current_year - baseline_year) / (target_year - baseline_year), 0.0), 1.0)
