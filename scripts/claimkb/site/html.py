"""Trusted HTML built by claimkb: escaping in one place, page URLs, and embedding no Markdown engine re-reads.

Generated pages are Markdown files because the engines (MkDocs, Zensical) want Markdown, but everything in them
that comes from a contributor is HTML built here: plain text is escaped by `text`, prose is rendered and
sanitized by site/prose.py, and `block` turns a fragment into one raw-HTML line that Python-Markdown and its
extensions pass through untouched (no line starts a fence, list or admonition; no brace opens an attribute list
or a CriticMarkup mark; no control character forges the engine's own placeholders).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from markupsafe import Markup, escape

__all__ = ["Markup", "block", "escape", "heading_text", "join", "link", "page_url", "tag", "text"]

# Control characters and bidirectional overrides: invisible on a page, yet they reorder what a reader sees or, as
# \x02 and \x03, spell Python-Markdown's placeholders for stashed HTML. Tabs and line breaks are whitespace.
INVISIBLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What a Markdown engine or its extensions could read inside a raw HTML line: braces (attribute lists,
# CriticMarkup), and line breaks (a new line could start a fence or a block). All become character references.
_BLOCK_UNSAFE = {"\n": "&#10;", "\r": "&#13;", "{": "&#123;", "}": "&#125;"}
_BLOCK_UNSAFE_RE = re.compile("[\n\r{}]")


def text(value: object) -> Markup:
    """Untrusted plain text as HTML: invisible characters dropped, whitespace collapsed, escaped."""
    return escape(" ".join(INVISIBLE_RE.sub("", str(value)).split()))


def tag(name: str, content: object = "", /, **attrs: object) -> Markup:
    """<name attrs>content</name>; content is escaped unless it is Markup. attrs: class_ -> class, data_x -> data-x;
    None and False leave the attribute out, True writes it bare."""
    parts = [name]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        attr = key.rstrip("_").replace("_", "-")
        parts.append(attr if value is True else f'{attr}="{escape(str(value))}"')
    return Markup(f"<{' '.join(parts)}>{escape(content)}</{name}>")


def link(href: str, content: object, /, **attrs: object) -> Markup:
    return tag("a", content, href=href, **attrs)


def join(parts: Iterable[object], separator: str = "") -> Markup:
    return Markup(separator).join(escape(p) for p in parts)


def block(fragment: Markup, class_: str = "ckb-block") -> str:
    """fragment as one raw-HTML line of Markdown, ready to sit between blank lines in a generated page.

    The line is always a single div: Python-Markdown leaves a line alone only when it opens a block-level element,
    and reads whatever follows that element's end on the same line as Markdown again.
    """
    html = str(tag("div", Markup(INVISIBLE_RE.sub("", str(fragment)).strip()), class_=class_))
    return _BLOCK_UNSAFE_RE.sub(lambda m: _BLOCK_UNSAFE[m.group(0)], html)


@lru_cache(maxsize=1 << 16)  # titles are written into headings once per page that shows them
def heading_text(value: str) -> str:
    """Untrusted text for a Markdown heading we write: every ASCII character that is not a letter, digit or space
    becomes a numeric character reference, so no Markdown syntax or extension can match in it."""
    plain = " ".join(INVISIBLE_RE.sub("", value).split())
    return "".join(c if c.isalnum() or c == " " or ord(c) > 127 else f"&#{ord(c)};" for c in plain)


def page_url(from_page: str, to_page: str, directory_urls: bool = True) -> str:
    """The relative URL from one generated docs page to another, as the engine will publish them.

    Markdown links are rewritten by the engine; links inside raw HTML are not, so we compute them the way the
    engines do: with directory URLs, 'claims/a.md' is served at 'claims/a/' and 'claims/index.md' at 'claims/'.
    A '#fragment' on to_page is kept.
    """
    to_page, hash_, fragment = to_page.partition("#")
    source, target = _served(from_page, directory_urls), _served(to_page, directory_urls)
    here = source.split("/")[:-1]
    there = target.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    url = "../" * (len(here) - common) + "/".join(there[common:])
    return (url or "./") + (hash_ + fragment if hash_ else "")


@lru_cache(maxsize=1 << 16)
def _served(page: str, directory_urls: bool) -> str:
    """Where a docs page is served, relative to the site root: 'a/b.md' -> 'a/b/' (or 'a/b.html')."""
    if not page.endswith(".md"):
        return page  # a download or an asset keeps its name
    stem = page[:-3]
    if not directory_urls:
        return f"{stem}.html"
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return f"{stem}/"
