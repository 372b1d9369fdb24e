"""Text folding shared by search and matching."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip diacritics and collapse white space: "Mường  Kim" -> "muong kim".

    Stored beside names so that accent-insensitive search is a plain indexed LIKE on
    both SQLite and PostgreSQL (no unaccent extension needed).
    """
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    # đ/Đ is a letter of its own, not a base letter with a mark.
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return " ".join(stripped.lower().split())
