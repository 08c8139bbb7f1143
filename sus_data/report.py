"""The validation report: every problem of a file at once, each with its place and what to do.

Like pandera's `failure_cases`, it is a value: pages render it as a table, the command line prints it,
tests compare it word for word.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

ERROR = "erreur"
WARNING = "avertissement"
COLUMNS = ["fichier", "feuille", "ligne", "colonne", "valeur", "message", "conseil", "gravite"]
HEADERS_FR = {
    "fichier": "Fichier",
    "feuille": "Feuille",
    "ligne": "Ligne",
    "colonne": "Colonne",
    "valeur": "Valeur trouvée",
    "message": "Problème",
    "conseil": "Que faire",
    "gravite": "Gravité",
}
MAX_SHOWN_VALUE = 80
TEXT_LIMIT = 200


def shown(value) -> str:
    """A cell value as the user typed it, bounded in length."""
    if value is None:
        return ""
    # Booleans and dates as a French spreadsheet shows them.
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y" if value.time() == dt.time() else "%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    text = "".join(c if c.isprintable() else " " for c in text)
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"


@dataclass
class Report:
    """Problems of one or several files. Add single problems or whole frames of them."""

    _frames: list[pd.DataFrame] = field(default_factory=list)
    _rows: list[dict] = field(default_factory=list)

    def add(
        self,
        fichier: str,
        message: str,
        conseil: str,
        *,
        feuille: str | None = None,
        ligne: int | None = None,
        colonne: str | None = None,
        valeur=None,
        gravite: str = ERROR,
    ) -> None:
        self._rows.append(
            {
                "fichier": fichier,
                "feuille": feuille or "",
                "ligne": ligne,
                "colonne": colonne or "",
                "valeur": shown(valeur),
                "message": message,
                "conseil": conseil,
                "gravite": gravite,
            }
        )

    def add_frame(self, frame: pd.DataFrame) -> None:
        """Problems found by a vectorised check: a frame with the report's columns."""
        if len(frame):
            self._frames.append(frame[COLUMNS])

    def extend(self, other: Report) -> None:
        self._frames.extend(other._frames)
        self._rows.extend(other._rows)

    def frame(self) -> pd.DataFrame:
        """All problems, errors first, then in file order."""
        parts = [*self._frames]
        if self._rows:
            parts.append(pd.DataFrame(self._rows, columns=COLUMNS))
        if not parts:
            return pd.DataFrame(columns=COLUMNS).astype({"ligne": "Int64"})
        out = pd.concat(parts, ignore_index=True)
        out["ligne"] = out["ligne"].astype("Int64")
        out["_rang"] = (out["gravite"] != ERROR).astype(int)
        out = out.sort_values(["_rang", "fichier", "feuille", "ligne", "colonne"], kind="stable", na_position="first")
        return out.drop(columns="_rang").reset_index(drop=True)

    def _count(self, gravite: str) -> int:
        total = sum(int((f["gravite"] == gravite).sum()) for f in self._frames)
        return total + sum(1 for r in self._rows if r["gravite"] == gravite)

    @property
    def n_errors(self) -> int:
        return self._count(ERROR)

    @property
    def n_warnings(self) -> int:
        return self._count(WARNING)

    @property
    def ok(self) -> bool:
        return self.n_errors == 0

    def frame_fr(self) -> pd.DataFrame:
        """The frame with French column headers, for pages and downloads."""
        return self.frame().rename(columns=HEADERS_FR)

    def summary(self) -> str:
        errors, warnings = self.n_errors, self.n_warnings
        parts = []
        if errors:
            parts.append(f"{errors} erreur{'s' if errors > 1 else ''}")
        if warnings:
            parts.append(f"{warnings} avertissement{'s' if warnings > 1 else ''}")
        return " et ".join(parts) if parts else "aucun problème"

    def to_text(self, limit: int = TEXT_LIMIT) -> str:
        """One line per problem, for the command line."""
        lines = []
        frame = self.frame()
        for row in frame.head(limit).itertuples(index=False):
            place = [row.fichier]
            if row.feuille:
                place.append(f"feuille « {row.feuille} »")
            if not pd.isna(row.ligne):
                place.append(f"ligne {row.ligne}")
            if row.colonne:
                place.append(f"colonne {row.colonne}")
            found = f" (valeur trouvée : « {row.valeur} »)" if row.valeur else ""
            lines.append(f"[{row.gravite}] {', '.join(place)} : {row.message}{found} → {row.conseil}")
        if len(frame) > limit:
            lines.append(f"… et {len(frame) - limit} autre(s) problème(s) : voir le rapport complet.")
        return "\n".join(lines)
