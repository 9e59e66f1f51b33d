"""How names are compared: one key for every way of typing the same spelling."""

import unicodedata


def search_key(text):
    """Fold case and strip accents, so "Nauryzbek", "NAURYZBEK" and "Nauryzbék" share a key.

    Letters that are letters of their own in an alphabet (Kazakh ү, ұ, қ) are
    kept: only combining marks that decomposition separates are dropped.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFKC", stripped).casefold().split())
