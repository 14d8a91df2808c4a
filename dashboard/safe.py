"""Showing untrusted text (uploaded column names, group values, cells) safely.

Two surfaces interpret text, and each gets one function here:

- Streamlit renders Markdown (GitHub-flavoured) in titles, captions, alerts,
  metric labels, widget and expander labels, help tooltips and ``st.table``
  headers and cells. A column named ``![x](https://example.org/pixel)`` would
  make every viewer's browser fetch that address: ``md_escape``.
- plotly.js renders a subset of HTML (``<a href>``, ``<b>``, ``<br>``...) in
  trace names, legends, titles, annotations and hover text, and fills
  ``%{...}`` in hover templates: ``plotly_escape``.

Data in ``st.dataframe`` cells and headers, ``st.text`` and ``st.code`` is
shown as text. No user text ever reaches ``unsafe_allow_html``.
"""

from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&])")
#: GFM turns bare ``http://``, ``www.`` and ``name@host.tld`` into links, and
#: Streamlit turns ``:material/name:`` into an icon. Both look at the text
#: *after* backslash escapes are resolved, so escaping alone does not stop
#: them; an invisible WORD JOINER after each ``:``, each ``@`` and inside
#: ``www.`` does.
_AUTOLINK = re.compile(r"(\\:|@|(?i:www)(?=\\\.))")
WORD_JOINER = "\u2060"


def md_escape(text: object, *, limit: int = 300) -> str:
    """``text`` as Markdown that renders as exactly that text, never a link or image.

    Backslash-escapes Markdown and HTML syntax, breaks autolinks with an
    invisible word joiner, folds newlines and caps very long text.

    >>> md_escape("![x](http://a.b/p.png)")
    '\\\\!\\\\[x\\\\]\\\\(http\\\\:\\u2060//a\\\\.b/p\\\\.png\\\\)'
    >>> md_escape("www.a.b") == "www" + WORD_JOINER + "\\\\.a\\\\.b"
    True
    """
    s = str(text)
    if len(s) > limit:
        s = s[:limit] + "…"
    s = s.replace("\r", " ").replace("\n", " ")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return _AUTOLINK.sub(r"\1" + WORD_JOINER, s)


def plotly_escape(text: object) -> str:
    """``text`` for a plotly trace name, title, annotation or hover template.

    plotly.js parses its tags before it decodes entities, so escaped ``< > &``
    show as themselves; ``%{`` would start a hover-template field.

    >>> plotly_escape('<a href="http://a.b">x</a> %{y}')
    '&lt;a href="http://a.b"&gt;x&lt;/a&gt; %\\u200b{y}'
    """
    return html.escape(str(text), quote=False).replace("%{", "%\u200b{")
