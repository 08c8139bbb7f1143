"""Normalisation of free text typed by people: case, accents, spaces, underscores."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s_\-\u00a0\u202f\u2009'’.]+")
# Characters that take no room on screen, pasted from web pages or e-mails with a number or a code: a
# cell that shows « 12 » must read as 12.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


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
    return _SEPARATORS.sub("", strip_accents(str(text).translate(_INVISIBLE)).lower())


def clean_cell(value: object) -> str:
    """A cell as trimmed text, with no-break spaces made plain."""
    if value is None:
        return ""
    text = str(value).translate(_INVISIBLE).replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    return text.strip()
