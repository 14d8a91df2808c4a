"""Showing untrusted text (uploaded column names, group values, cells) safely.

Streamlit renders Markdown in titles, captions and alerts. A column named
``![x](https://example.org/pixel)`` would make every viewer's browser fetch
that address, so user text is escaped before it reaches Markdown. No user text
ever reaches ``unsafe_allow_html``.
"""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&])")


def md_escape(text: object, *, limit: int = 300) -> str:
    """Backslash-escape Markdown and HTML syntax; cap very long text.

    >>> md_escape("![x](http://a.b/p.png)")
    '\\\\!\\\\[x\\\\]\\\\(http\\\\://a\\\\.b/p\\\\.png\\\\)'
    """
    s = str(text)
    if len(s) > limit:
        s = s[:limit] + "…"
    s = s.replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", s)
