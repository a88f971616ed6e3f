"""Text neither database can store: a neutral leaf below core and schemas.

Core refuses such text where it takes values straight from a client (end-user ids), and
schemas refuse it in every string field: one rule, one message, for both layers.
"""

UNSTORABLE_TEXT = "Text may not contain NUL characters or unpaired surrogates."


def bad_text(text: str) -> bool:
    """True when text holds a NUL or a lone surrogate: neither PostgreSQL text nor UTF-8
    (so neither database) can store it."""
    if "\x00" in text:
        return True
    if text.isascii():  # the common case, without encoding a copy
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
