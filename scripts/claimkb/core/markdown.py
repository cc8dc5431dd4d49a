"""The one Markdown parser for contributed text: the checker reads what the renderer renders, token for token.

Contributed prose (statements, annotations, notes) is CommonMark without raw HTML, parsed by markdown-it-py, plus
two shortcodes: [@key] or [@key, locator] cites a reference, [[claim-id]] links a claim. The site renders these
tokens to HTML (site/prose.py) and the checker finds links and shortcodes in the same tokens, so the two can
never disagree about what is a link, what is code, or where a shortcode is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

# The same shapes as the hand-written pages' shortcodes (core/markup.py), so a contributor learns one syntax.
CITE_RE = re.compile(r"\[@(?P<key>[A-Za-z0-9][A-Za-z0-9_:.+-]*)(?:,[ \t]*(?P<locator>[^\]\n]{1,200}))?\]")
CLAIM_RE = re.compile(r"\[\[(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)\]\]")
# Characters that make markdown-it do real work (brackets, emphasis, code, entities, autolinks). Their number bounds
# the cost of a parse: plain text costs nothing, each of these a few microseconds.
MARKUP_CHARS_RE = re.compile(r"[\[\]*_`<>&!\\|~]")
MAX_MARKUP_CHARS = 2_000


@dataclass(frozen=True, slots=True)
class Link:
    """A link target as the renderer sees it, with its 1-based line in the text."""

    href: str
    line: int
    image: bool = False


@dataclass(frozen=True, slots=True)
class Code:
    """A shortcode found in prose (never inside code)."""

    kind: str  # "cite" or "claim"
    key: str
    locator: str | None
    line: int


def _shortcode(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    m = CLAIM_RE.match(state.src, state.pos) or CITE_RE.match(state.src, state.pos)
    if not m:
        return False
    if not silent:
        token = state.push("claimkb_shortcode", "", 0)
        if m.re is CLAIM_RE:
            token.meta = {"kind": "claim", "key": m.group("id"), "locator": None}
        else:
            locator = m.group("locator")
            token.meta = {"kind": "cite", "key": m.group("key"), "locator": locator.strip() if locator else None}
        token.content = m.group(0)
    state.pos = m.end()
    return True


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Shortcodes come before links: "[[id]]" and "[@key]" are never read as link text.
    md.inline.ruler.before("link", "claimkb_shortcode", _shortcode)
    return md


def too_much_markup(text: str) -> int:
    """The number of markup characters in text when it is over MAX_MARKUP_CHARS, else 0."""
    count = len(MARKUP_CHARS_RE.findall(text)) if len(text) > MAX_MARKUP_CHARS else 0
    return count if count > MAX_MARKUP_CHARS else 0


def parse(text: str) -> list[Token]:
    return parser().parse(text)


def parse_inline(text: str) -> list[Token]:
    return parser().parseInline(text)


def _walk(tokens: list[Token]) -> Iterator[tuple[Token, int]]:
    """Every inline token with the line it sits on."""
    for block in tokens:
        line = block.map[0] + 1 if block.map else 1
        if block.children:
            for child in block.children:
                yield child, line
                if child.type in ("softbreak", "hardbreak"):
                    line += 1


def links(text: str, inline: bool = False) -> list[Link]:
    """Every link and image in text, read as a block (statements, annotations) or as one line (notes, titles)."""
    tokens = parse_inline(text) if inline else parse(text)
    return [Link(str(t.attrs.get("href") or t.attrs.get("src") or ""), line, t.type == "image")
            for t, line in _walk(tokens) if t.type in ("link_open", "image")]


def shortcodes(text: str) -> list[Code]:
    return [Code(t.meta["kind"], t.meta["key"], t.meta["locator"], line)
            for t, line in _walk(parse(text)) if t.type == "claimkb_shortcode"]
