"""How a figure reaches a page: its markup passed through the figures' own allowlist (nh3), then written as one
raw-HTML line no Markdown engine re-reads; and the explorer's scripts, which only ever name our own assets.

Figures need what prose never may (inline SVG, form controls, ARIA and data attributes), so they have an allowlist
of their own; like every generated block it is applied at the output, whatever built the fragment. No script, no
event handler, no style and no foreign URL gets through; the map page's scripts are written by `scripts` alone.
"""
from __future__ import annotations

import re
from typing import Iterable

import nh3

from .. import html
from ..html import Markup

TAGS = {"div", "p", "span", "a", "strong", "em", "code", "ul", "li", "figure", "figcaption", "table", "caption",
        "thead", "tbody", "tfoot", "tr", "th", "td", "form", "label", "select", "option", "input", "button",
        "svg", "title", "path", "rect", "text", "line"}
ATTRIBUTES = {
    "*": {"class", "id", "role", "tabindex", "hidden"},
    "a": {"href"}, "th": {"scope"}, "label": {"for"}, "option": {"value"}, "button": {"type"},
    "input": {"type", "placeholder", "autocomplete", "spellcheck"},
    "svg": {"width", "height", "viewBox", "focusable"}, "path": {"d"}, "rect": {"x", "y", "width", "height", "rx"},
    "text": {"x", "y"}, "line": {"x1", "y1", "x2", "y2"},
}


def _attribute(element: str, attribute: str, value: str) -> str | None:
    # Links stay on this site: no scheme gets through (url_schemes is empty), and //host or /\host, which browsers
    # read as another host, is dropped here.
    if attribute == "href" and re.sub(r"[\x00-\x20]+", "", value).replace("\\", "/").startswith("//"):
        return None
    return value


_CLEANER = nh3.Cleaner(tags=TAGS, attributes=ATTRIBUTES, generic_attribute_prefixes={"aria-", "data-"},
                       attribute_filter=_attribute, url_schemes=set(), link_rel=None, strip_comments=True,
                       clean_content_tags={"script", "style"})
# What a Markdown engine could read in a raw-HTML line: line breaks and braces, written as character references.
_LINE_UNSAFE = {"\n": "&#10;", "\r": "&#13;", "{": "&#123;", "}": "&#125;"}
_LINE_UNSAFE_RE = re.compile("[\n\r{}]")
# A script the map page loads: one of our assets, by a relative URL.
ASSET_RE = re.compile(r"(?:\.\./)*assets/claimkb/[a-z0-9/_.-]+\.js")


def clean(fragment: Markup) -> str:
    return _CLEANER.clean(html.INVISIBLE_RE.sub("", str(fragment)).strip())


def block(fragment: Markup, class_: str = "ckb-block ckb-figure") -> str:
    """The figure as one raw-HTML line (a single div) of a generated page's Markdown."""
    line = str(html.tag("div", Markup(clean(fragment)), class_=class_))
    return _LINE_UNSAFE_RE.sub(lambda m: _LINE_UNSAFE[m.group(0)], line)


def scripts(urls: Iterable[str]) -> str:
    """<script src defer> tags for our own assets, in order, as one raw-HTML line."""
    tags = []
    for url in urls:
        if not ASSET_RE.fullmatch(url):
            raise ValueError(f"not one of the site's scripts: {url!r}")
        tags.append(str(html.tag("script", "", src=url, defer=True)))
    return "".join(tags)
