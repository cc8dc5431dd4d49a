"""Trusted HTML built by claimkb: escaping in one place, page URLs, and embedding no Markdown engine re-reads.

Generated pages are Markdown files because the engines (MkDocs, Zensical) want Markdown, but everything in them
that comes from a contributor is HTML built here: plain text is escaped by `text`, prose is rendered and
sanitized by site/prose.py, and `block` turns a fragment into one raw-HTML line that Python-Markdown and its
extensions pass through untouched (no line starts a fence, list or admonition; no brace opens an attribute list
or a CriticMarkup mark; no control character forges the engine's own placeholders).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable
from urllib.parse import quote

import nh3
from markupsafe import Markup, escape

__all__ = ["Markup", "Urls", "block", "escape", "heading_text", "inline", "join", "link", "page_url", "sanitize",
           "source_url", "tag", "text"]

# Control characters and bidirectional overrides: invisible on a page, yet they reorder what a reader sees or, as
# \x02 and \x03, spell Python-Markdown's placeholders for stashed HTML. Tabs and line breaks are whitespace.
INVISIBLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What a Markdown engine or its extensions could read inside a raw HTML line: braces (attribute lists,
# CriticMarkup), and line breaks (a new line could start a fence or a block). All become character references.
_BLOCK_UNSAFE = {"\n": "&#10;", "\r": "&#13;", "{": "&#123;", "}": "&#125;"}
_BLOCK_UNSAFE_RE = re.compile("[\n\r{}]")


def _escaped(value: object) -> str:
    """value as HTML text: Markup (and anything with __html__) as it is, everything else escaped. Plain strings,
    the bulk of a build, are escaped only when they hold a special character (this runs millions of times)."""
    if isinstance(value, str):
        if type(value) is not str:  # Markup, or another str subclass that knows its HTML
            return str(value.__html__()) if hasattr(value, "__html__") else str(escape(value))
        if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
            return str(escape(value))
        return value
    return str(escape(value))


def text(value: object) -> Markup:
    """Untrusted plain text as HTML: invisible characters dropped, whitespace collapsed, escaped."""
    return Markup(_escaped(" ".join(INVISIBLE_RE.sub("", str(value)).split())))


def tag(name: str, content: object = "", /, **attrs: object) -> Markup:
    """<name attrs>content</name>; content is escaped unless it is Markup. attrs: class_ -> class, data_x -> data-x;
    None and False leave the attribute out, True writes it bare."""
    parts = [name]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        attr = _ATTR_NAMES.get(key) or _attr_name(key)
        parts.append(attr if value is True else f'{attr}="{_escaped(value)}"')
    return Markup(f"<{' '.join(parts)}>{_escaped(content)}</{name}>")


_ATTR_NAMES: dict[str, str] = {}


def _attr_name(key: str) -> str:
    _ATTR_NAMES[key] = name = key.rstrip("_").replace("_", "-")
    return name


def link(href: str, content: object, /, **attrs: object) -> Markup:
    return tag("a", content, href=href, **attrs)


def join(parts: Iterable[object], separator: str = "") -> Markup:
    return Markup(_escaped(separator).join(_escaped(p) for p in parts))


def block(fragment: Markup, class_: str = "ckb-block") -> str:
    """fragment as one raw-HTML line of Markdown, ready to sit between blank lines in a generated page.

    The line is always a single div: Python-Markdown leaves a line alone only when it opens a block-level element,
    and reads whatever follows that element's end on the same line as Markdown again.
    """
    html = str(tag("div", sanitize(Markup(str(fragment).strip())), class_=class_))
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
    url = _relative(_served(from_page, directory_urls), _served(to_page, directory_urls))
    return (url or "./") + (hash_ + fragment if hash_ else "")


def _relative(source: str, target: str) -> str:
    """target's path as seen from the folder of source (both relative to one root, '/'-separated)."""
    here = source.split("/")[:-1]
    there = target.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(there[common:])


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


# --- links inside raw HTML, as each engine publishes them ---------------------------------------------------------

URL_STYLES = ("served", "source")
# What a URL built from a path keeps as written; quotes, brackets, spaces and '%' itself are percent-encoded.
PATH_SAFE = "/#:+@!$,;=~"


@dataclass(frozen=True, slots=True)
class Urls:
    """How a generated page links another inside raw HTML.

    MkDocs leaves raw HTML alone, so links are written as served ("claims/b/"); Zensical rewrites every relative URL
    in raw HTML as if it were a Markdown link, relative to the source file ("b.md" from claims/a.md becomes
    "../b/"), so for it links are written as source paths. Markdown links are rewritten by both engines alike.
    """

    style: str = "served"
    directory_urls: bool = True

    def __call__(self, from_page: str, to: str) -> str:
        url = source_url(from_page, to) if self.style == "source" else page_url(from_page, to, self.directory_urls)
        return quote(url, safe=PATH_SAFE)


def source_url(from_page: str, to: str) -> str:
    """The relative path from one docs file to another (a page's .md or a download), '#fragment' kept."""
    to, hash_, fragment = to.partition("#")
    url = _relative(from_page, to)
    if ":" in url.partition("/")[0]:
        url = f"./{url}"  # a page named "javascript:x.md" is a path, not a URL scheme
    return url + (hash_ + fragment if hash_ else "")


# --- the allowlist every generated block passes on its way out ---------------------------------------------------

PAGE_TAGS = {"div", "p", "br", "span", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote", "h1", "h2",
             "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "s", "del", "hr", "cite", "small",
             "dl", "dt", "dd", "details", "summary", "input", "label", "figure", "figcaption", "nav", "section"}
PAGE_ATTRIBUTES = {"*": {"class", "id", "title", "role", "hidden", "lang"}, "a": {"href", "rel"}, "ol": {"start"},
                   "input": {"type", "name", "checked"}, "label": {"for"}, "th": {"scope", "colspan", "rowspan"},
                   "td": {"colspan", "rowspan"}, "details": {"open"}}


def _page_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "href" and re.sub(r"[\x00-\x20]+", "", value).replace("\\", "/").startswith("//"):
        return None  # //host and /\host: another host by another spelling
    if attribute == "class" and any(c.startswith("md-") for c in value.split()):
        return None  # the theme's own classes (md-dialog ...) would let a block dress up as the theme
    return value


_PAGE_CLEANER = nh3.Cleaner(tags=PAGE_TAGS, attributes=PAGE_ATTRIBUTES, generic_attribute_prefixes={"aria-", "data-"},
                            attribute_filter=_page_attribute, url_schemes={"http", "https", "mailto"}, link_rel=None,
                            strip_comments=True, clean_content_tags={"script", "style"})


def sanitize(fragment: Markup | str) -> Markup:
    """The page allowlist: what any generated block may hold, whatever built it."""
    return Markup(_PAGE_CLEANER.clean(INVISIBLE_RE.sub("", str(fragment))))


# Outside tags and character references: ASCII punctuation, which Markdown and its extensions read as syntax.
_TAG_OR_ENTITY_RE = re.compile(r"(<[^<>]*>|&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")
_PUNCTUATION_RE = re.compile(r"[!-/:-@\[-`{-~]")


def inline(fragment: Markup) -> str:
    """A sanitized inline fragment for a line of trusted Markdown (a hand-written page): every ASCII punctuation
    character in its text becomes a character reference, so no Markdown syntax can match inside it; the tags
    themselves are raw inline HTML, which the engines pass through."""
    parts = _TAG_OR_ENTITY_RE.split(str(sanitize(fragment)))
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(_BLOCK_UNSAFE_RE.sub(lambda m: _BLOCK_UNSAFE[m.group(0)], part))
        else:
            out.append(_PUNCTUATION_RE.sub(lambda m: f"&#{ord(m.group(0))};", re.sub(r"\s+", " ", part)))
    return "".join(out)
