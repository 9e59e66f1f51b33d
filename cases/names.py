"""How names are compared: the keys that make every way of writing one name match, in any script.

A spelling has two keys (``search_keys``): ``search_key``, the spelling as
written with case and accents folded, and ``latin_key``, its reading in plain
Latin letters with the usual variants of romanised Kazakh, Russian and
Chinese names folded together, so "Әжібай", "Ажибай", "Azhibay", "Ajibay"
and "Äjıbai" share one. Keys are for matching only: never shown as anyone's name.

``latin_key`` reads Han characters as pinyin with ``pypinyin`` (it knows the
readings of words, not only of characters) and every other script with
``anyascii`` (Cyrillic, Kazakh letters included, Arabic script, Greek…): both
pure Python, kept up, with no compiled part to build. ICU's transforms
(PyICU) would need a compiler and libicu-dev on every machine.

Before them, the letters of the 2021 Kazakh Latin alphabet are spelled as the
common romanisation spells their Cyrillic letter (``KAZAKH_LATIN``): anyascii
would read "ş" as a plain "s", where Kazakh means ш, "sh". After them, the
variants that romanisations of these languages disagree on are folded
(``VARIANTS``): ж as "zh" or "j"; ғ as "gh" or "g"; қ as "q", "k" or, as
English spells Қазақ (Qazaq) "Kazakh", "kh"; ң as "ng" or "n"; ы and й as "y"
or "i".
"""

import re
import unicodedata

from anyascii import anyascii
from pypinyin import Style, lazy_pinyin

# The 2021 Kazakh Latin alphabet's letters that are not plain Latin, each as the
# usual romanisation of its Cyrillic letter: Ä ә, Ğ ғ, I/ı ы, Ī/İ і and и, Ñ ң,
# Ö ө, Ş ш, Ç ч, Ū ұ, Ü ү. Its J (ж) is folded with "zh" by VARIANTS.
KAZAKH_LATIN = {
    "ä": "a",
    "ğ": "gh",
    "ı": "i",
    "ī": "i",
    "i̇": "i",  # İ lower-cased: i and a combining dot above
    "ñ": "ng",
    "ö": "o",
    "ş": "sh",
    "ç": "ch",
    "ū": "u",
    "ü": "u",
}
_KAZAKH_LATIN = re.compile("|".join(sorted(map(re.escape, KAZAKH_LATIN), key=len, reverse=True)))

# Spellings that romanisations disagree on, folded to one, in this order.
VARIANTS = (("zh", "j"), ("kh", "k"), ("gh", "g"), ("ng", "n"), ("q", "k"), ("y", "i"))

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_NOT_LETTER_OR_DIGIT = re.compile(r"[^a-z0-9]+")


def search_key(text):
    """Fold case and strip accents, so "Nauryzbek", "NAURYZBEK" and "Nauryzbék" share a key.

    Letters that are letters of their own in an alphabet (Kazakh ү, ұ, қ) are
    kept: only combining marks that decomposition separates are dropped.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFKC", stripped).casefold().split())


def latin_key(text):
    """``text`` in plain Latin letters and digits, with romanisation variants folded: "Әжібай" -> "ajibai".

    Without spaces or punctuation: romanisations disagree on where words part ("Alma-Ata",
    "Almaata"; 张霄 is "Zhang Xiao", 新疆 "Xinjiang"), so a key is one run of letters.
    """
    text = text.lower()
    if not text.isascii():  # most of an English archive's text: nothing to transliterate
        text = _KAZAKH_LATIN.sub(lambda match: KAZAKH_LATIN[match.group()], unicodedata.normalize("NFC", text))
        if _HAN.search(text):
            text = "".join(lazy_pinyin(text, style=Style.NORMAL, errors="default"))
        text = anyascii(text).lower()
    text = _NOT_LETTER_OR_DIGIT.sub("", text)
    for variant, folded in VARIANTS:
        text = text.replace(variant, folded)
    return text


def search_keys(spelling):
    """Every key of a spelling, without repeats: the spelling as written (folded), then its Latin key."""
    return list(dict.fromkeys(key for key in (search_key(spelling), latin_key(spelling)) if key))


def stored_keys(spelling):
    """``search_keys`` one a line, as ``PersonName.search_keys`` and ``PlaceName.search_keys`` keep them."""
    return "\n".join(search_keys(spelling))
