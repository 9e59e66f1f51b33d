"""Locating passages in a source's text, by code-point offsets."""


class PassageError(ValueError):
    pass


def locate(text, passage):
    """Return (start, end) of the single place ``passage`` occurs in ``text``.

    Raises PassageError when it does not occur, or occurs more than once (a
    quote must point at one place; quote a longer passage to make it unique).
    """
    if not passage:
        raise PassageError("the passage is empty")
    start = text.find(passage)
    if start < 0:
        raise PassageError("the passage is not in the text (it must match exactly, quotation marks included)")
    others = []
    at = text.find(passage, start + 1)
    while at >= 0:
        others.append(at)
        at = text.find(passage, at + 1)
    if others:
        places = ", ".join(str(p) for p in [start, *others])
        raise PassageError(
            f"the passage occurs {len(others) + 1} times (at {places}); quote a longer passage so it is unique"
        )
    return start, start + len(passage)


def context(text, start, end, width=32):
    """The words just before and after a passage: a Web Annotation's prefix and suffix."""
    return text[max(0, start - width) : start], text[end : end + width]
