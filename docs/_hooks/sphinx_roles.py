"""MkDocs hook: the docstrings' reStructuredText habits read cleanly in the API reference.

``:func:`lstm``` (Sphinx roles, 200-odd in the docstrings) reaches the HTML as ``:func:<code>lstm</code>``;
the role is dropped and the name stays as code. ``Example::`` (a reST literal-block marker) loses its
second colon. Only pages with mkdocstrings output are touched."""
import re

_ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|obj|exc):(?=<code>)")
_LITERAL_MARK = re.compile(r"(<p>[^<>]{1,40}):(:</p>)")


def clean_roles(html):
    """``:func:<code>x</code>`` → ``<code>x</code>``; ``<p>Example::</p>`` → ``<p>Example:</p>``."""
    return _LITERAL_MARK.sub(r"\1\2", _ROLE.sub("", html))


def on_page_content(html, page, config, files):
    return clean_roles(html) if 'class="doc doc-' in html else html
