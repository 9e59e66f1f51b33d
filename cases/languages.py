"""Language tags (BCP 47, as the data gives them) in words: ``zh-Hant`` is "Chinese (Traditional)".

The names come from the Unicode CLDR, as Babel ships it. A tag is named part by
part (language, then script and region), never through a locale Babel would
substitute for it: Babel has no ``kk_Latn`` locale, and would name ``kk-Latn``
as its default, Cyrillic, Kazakh.
"""

import functools

from babel import Locale
from babel.core import parse_locale

_ENGLISH = Locale("en")


@functools.lru_cache(maxsize=256)
def language_name(tag):
    """The tag in English words, "Kazakh (Cyrillic)"; the tag itself when CLDR does not name it."""
    try:
        language, territory, script, variant = parse_locale(tag, sep="-")[:4]
    except ValueError:
        return tag
    name = _ENGLISH.languages.get(language)
    details = [_ENGLISH.scripts.get(script) if script else "", _ENGLISH.territories.get(territory) if territory else ""]
    if name is None or variant or None in details:
        return tag
    details = [detail for detail in details if detail]
    return f"{name} ({', '.join(details)})" if details else name
