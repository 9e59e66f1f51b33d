"""Characters the archive refuses, in what a reader sends and in the data it loads.

XML 1.0 can hold tab, line feed, carriage return and the characters from
U+0020 on, except the surrogates and U+FFFE and U+FFFF. Anything else could
not be written into the feed, the sitemap or any other XML the archive
serves: no XML parser would read it. So a request that carries one is
answered 400 (cases/middleware.py, cases/filters.py) and a fixture that holds
one is refused by the loader.
"""

import re

NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Unicode's control characters (category Cc): C0 (NUL to US, tab and newline
# included), DEL and C1. No search, slug or address needs one.
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def not_in_xml(text):
    """The first character of ``text`` that XML 1.0 forbids, or None."""
    found = NOT_IN_XML.search(text)
    return found.group() if found else None


def has_control_character(text):
    """True when ``text`` holds a control character or a character XML 1.0 forbids."""
    return CONTROL_CHARACTER.search(text) is not None or NOT_IN_XML.search(text) is not None
