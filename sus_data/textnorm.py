"""Normalisation of free text typed by people: case, accents, spaces, underscores."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s_\-\u00a0\u202f\u2009'’.]+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def key(text: object) -> str:
    """A comparison key: lower case, no accents, no spaces, underscores, hyphens, dots or apostrophes.

    `Année`, `annee`, ` ANNEE ` and `an_née` all give `annee`; `Mâcon - Paray-le-Monial` gives
    `maconparaylemonial`.
    """
    if text is None:
        return ""
    return _SEPARATORS.sub("", strip_accents(str(text)).lower())


def clean_cell(value: object) -> str:
    """A cell as trimmed text, with no-break spaces made plain."""
    if value is None:
        return ""
    text = str(value).replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    return text.strip()
