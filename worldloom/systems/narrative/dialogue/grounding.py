"""Grounding: every capitalised name in a line must be one the world has (or the speaker's)."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[A-Za-z\u00c0-\u024f][\w'\u2019-]*|[.!?:\"\u201c(]")
"""Words, and the marks after which a new sentence (or a quotation) starts; a capital after a
semicolon or a dash is taken for a name."""
_OPENERS = frozenset('.!?:"\u201c(')
_CONNECTORS = frozenset({"of", "the"})
"""Lower-case words that may stand inside a name ("Vale of the Ash")."""
_ALWAYS = frozenset({"I", "I'm", "I've", "I'll", "I'd"})
"""Capitalised words that are never names."""


def ungrounded_names(text: str, *, allowed: frozenset[str]) -> set[str]:
    """The capitalised names in `text` that are not made of the `allowed` names' words.

    A run of capitalised words (with "of"/"the" inside) is a name; it is grounded when each
    of its capitalised words is a word of an allowed name. The first word of a sentence is
    capitalised anyway: it is dropped from its run unless it is a word of an allowed name, so
    a lone unknown name opening a sentence is not caught (templates only open sentences with
    their own words or a name field, which keeps generated lines checkable).

    Args:
        text: A line of dialogue (or any narrative text).
        allowed: The names the text may use.

    Returns:
        The ungrounded runs, as they appear (empty when the text is grounded).
    """
    words = {w for name in allowed for w in _TOKEN.findall(name) if w not in _OPENERS}
    found: set[str] = set()
    run: list[str] = []
    opens = True  # the next word opens a sentence
    run_opens = False

    def close() -> None:
        capitals = [w for w in run if w not in _CONNECTORS]
        if run_opens and capitals and capitals[0] not in words:
            capitals = capitals[1:]
        if any(w not in words and w not in _ALWAYS for w in capitals):
            found.add(" ".join(run).strip())

    for token in _TOKEN.findall(text):
        if token in _OPENERS:
            close()
            run, opens = [], True
        elif token[0].isupper() or (run and token in _CONNECTORS):
            if not run:
                run_opens = opens
            run.append(token)
            opens = False
        else:
            close()
            run, opens = [], False
    close()
    return found
