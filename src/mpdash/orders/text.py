"""Text normalisation for Turkish place names and marketplace codes.

Marketplaces send "İSTANBUL", "istanbul", "ISTANBUL" or "Istanbul" for the same city and
"KADIKÖY", "Kadıköy" or "KADIKOY" for the same township. Python's ``str.lower`` gets the
Turkish dotted/dotless i wrong ("İ".lower() is "i̇", "I".lower() is "i"), so:

- :func:`tr_lower` lower-cases with Turkish rules and collapses whitespace (display-exact
  comparisons);
- :func:`name_key` also folds the Turkish letters to ASCII (ı→i, ş→s, ğ→g, ü→u, ö→o, ç→c),
  the form stored in ``name_key`` columns and compared on look-ups, so that ASCII
  spellings match too.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_TR_UPPER_I = str.maketrans({"İ": "i", "I": "ı"})
_ASCII_FOLD = str.maketrans({"ı": "i", "ş": "s", "ğ": "g", "ü": "u", "ö": "o", "ç": "c", "â": "a", "î": "i", "û": "u"})


def squash(value: str | None) -> str:
    """Trim and collapse runs of whitespace (including non-breaking spaces) to one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value or "")).strip()


def tr_lower(value: str | None) -> str:
    """Lower case with Turkish rules: "İSTANBUL" → "istanbul", "ISPARTA" → "ısparta"."""
    text = squash(value).translate(_TR_UPPER_I).lower()
    return text.replace("i̇", "i")  # a decomposed dotted capital I lower-cases to i + U+0307


def name_key(value: str | None) -> str:
    """The comparison key of a place name or mapping code: Turkish lower case folded to ASCII."""
    return tr_lower(value).translate(_ASCII_FOLD)
