"""Contributed prose to safe HTML: rendered by claimkb from the core's Markdown tokens, then cleaned by an allowlist.

Two layers, each sufficient on its own for the usual attacks: the renderer emits only the elements below and
drops any link whose target is not http, https, mailto, a fragment or a page the caller resolves; then nh3
(Ammonia) keeps only allowlisted tags, attributes, classes and URL schemes. The result is embedded with
html.block, so the engine never parses contributed text again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence
from urllib.parse import urlsplit

import nh3
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from ..core import markdown
from .html import INVISIBLE_RE, Markup, escape

TAGS = {"p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td", "s", "del", "hr", "span", "cite"}
ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}}  # class: see CLASSES (nh3 wants it in one place)
# Classes our own shortcode rendering puts on the elements above; anything else a class could carry is dropped.
CLASSES = {"a": {"ckb-cite", "ckb-claimref", "ckb-passage", "ckb-external"},
           "span": {"ckb-cite", "ckb-claimref", "ckb-kind", "ckb-locator", "ckb-host"},
           "cite": {"ckb-cite"}}
SCHEMES = {"http", "https", "mailto"}
EXTERNAL_REL = "nofollow noopener"
_CLEANER = nh3.Cleaner(tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES, link_rel=None, strip_comments=True,
                       clean_content_tags={"script", "style"}, allowed_classes=CLASSES)


@dataclass(frozen=True, slots=True)
class Context:
    """How shortcodes and relative links in one page's prose become HTML; the page decides, prose stays generic."""

    shortcode: Callable[[markdown.Code], Markup | None] = lambda code: None  # None: shown as written
    relative: Callable[[str], str | None] = lambda href: None  # a relative target's URL, or None to drop the link


def is_external(href: str) -> bool:
    parts = urlsplit(href)
    return parts.scheme.lower() in SCHEMES and (parts.scheme.lower() == "mailto" or bool(parts.netloc))


def _target(href: str, context: Context) -> tuple[str | None, bool]:
    """The URL a link may point at (None: no link) and whether it leaves the site."""
    cleaned = "".join(INVISIBLE_RE.sub("", href).split())  # browsers drop tabs and line breaks inside URLs
    scheme = urlsplit(cleaned).scheme.lower()
    if scheme:
        return (cleaned, True) if is_external(cleaned) else (None, False)
    if cleaned.startswith("#"):
        return cleaned, False
    if cleaned.startswith("//"):
        return None, False  # protocol-relative: another host, by another spelling
    return context.relative(cleaned), False


class _Renderer(RendererHTML):
    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context

    def claimkb_shortcode(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        token = tokens[idx]
        code = markdown.Code(token.meta["kind"], token.meta["key"], token.meta["locator"], 1)
        html = self.context.shortcode(code)
        return str(html) if html is not None else str(escape(token.content))

    def link_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        token = tokens[idx]
        href, external = _target(str(token.attrs.get("href", "")), self.context)
        if href is None:
            token.meta = {**(token.meta or {}), "dropped": True}
            return ""
        attrs = f' href="{escape(href)}"'
        if token.attrs.get("title"):
            attrs += f' title="{escape(str(token.attrs["title"]))}"'
        if external:
            attrs += f' class="ckb-external" rel="{EXTERNAL_REL}"'
            host = _other_host(href, tokens[idx + 1:_closing(tokens, idx)])
            if host:
                # The text names another host than the link opens ("doi.org/10.1/x" to evil.example): the text
                # stays text, and the link is the host it really opens, in plain sight.
                token.meta = {**(token.meta or {}), "dropped": True,
                              "after": f' <a{attrs}><span class="ckb-host">({escape(host)})</span></a>'}
                return ""
        return f"<a{attrs}>"

    def link_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        # The opening token of this link is the nearest earlier link_open at the same nesting level.
        depth = 0
        for i in range(idx - 1, -1, -1):
            if tokens[i].type == "link_close":
                depth += 1
            elif tokens[i].type == "link_open":
                if depth == 0:
                    meta = tokens[i].meta or {}
                    return meta.get("after", "") if meta.get("dropped") else "</a>"
                depth -= 1
        return ""

    def image(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        # Pictures from contributed text are never loaded (no request to another host, no tracking): a picture
        # becomes a link to it, labelled with its description.
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children or [], options, env) or "image"
        href, external = _target(str(token.attrs.get("src", "")), self.context)
        if href is None:
            return str(escape(alt))
        rel = f' class="ckb-external" rel="{EXTERNAL_REL}"' if external else ""
        return f'<a href="{escape(href)}"{rel}>{escape(alt)}</a>'

    def heading_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        return f"<h{_demoted(tokens[idx])}>"

    def heading_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        return f"</h{_demoted(tokens[idx])}>"

    def fence(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        # No language class: a fence named mermaid (or anything a script might pick up) is only text.
        return f"<pre><code>{escape(tokens[idx].content)}</code></pre>\n"


# A host name as link text spells it ("doi.org", "arxiv.org/abs/..."): what a reader takes for the destination.
_HOST_IN_TEXT_RE = re.compile(r"(?i)(?<![\w.@-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})(?![\w-])")


def _closing(tokens: Sequence[Token], idx: int) -> int:
    """The index of the link_close that ends the link opened at idx (links do not nest in CommonMark)."""
    for i in range(idx + 1, len(tokens)):
        if tokens[i].type == "link_close":
            return i
    return len(tokens)


def _other_host(href: str, inside: Sequence[Token]) -> str | None:
    """The host href opens, when the link's text names another one as a reader would take it for the destination."""
    if href.lower().startswith("mailto:"):
        return None
    text = "".join(t.content for t in inside if t.type in ("text", "code_inline"))
    named = {m.lower().removeprefix("www.") for m in _HOST_IN_TEXT_RE.findall(text)}
    if not named:
        return None
    host = (urlsplit(href).hostname or "").lower().removeprefix("www.")
    return None if all(host == n or host.endswith("." + n) for n in named) else host


def _demoted(token: Token) -> int:
    """A contributed heading's level on the page: three below its own, so it never competes with the page's
    structure (h1 title, h2 sections, h3 groups); it gets no id, so it cannot take a generated anchor."""
    level = int(token.tag[1]) if token.tag[:1] == "h" and token.tag[1:].isdigit() else 1
    return min(level + 3, 6)


def clean(html: str) -> Markup:
    """The allowlist, applied to HTML we rendered: the guarantee does not rest on the renderer being right."""
    return Markup(_CLEANER.clean(INVISIBLE_RE.sub("", html)))


def _fallback(text: str, inline: bool) -> Markup:
    # Text too dense with markup to be worth parsing (see markdown.MAX_MARKUP_CHARS) is shown as it was written.
    if inline:
        return escape(" ".join(text.split()))
    paragraphs = [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(p) for p in paragraphs)


# Plain text, the common case for notes and statements: no character that opens inline markup, and no line that
# could start a block (heading, quote, list, rule, setext underline, table, indented code). Such text renders to
# its escaped self, paragraph by paragraph, so it skips the parser and the cleaner; anything else takes both.
_INLINE_MARKUP_RE = re.compile(r"[\[\]*_`<>&!\\|~]")
_BLOCK_START_RE = re.compile(r"^(?:[ \t]*(?:[#>+=-]|\d{1,9}[.)])|[ ]{0,3}\t|[ ]{4})", re.M)  # a tab is indent to col 4


def _plain_paragraphs(text: str) -> list[str] | None:
    if _INLINE_MARKUP_RE.search(text) or _BLOCK_START_RE.search(text):
        return None
    return [" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
            if p.strip()]


def render_block(text: str, context: Context = Context()) -> Markup:
    """Contributed Markdown (paragraphs, lists, quotes, code, tables) as sanitized HTML."""
    plain = _plain_paragraphs(INVISIBLE_RE.sub("", text))
    if plain is not None:
        return Markup("").join(Markup("<p>{}</p>").format(p) for p in plain)
    if markdown.too_much_markup(text):
        return clean(str(_fallback(text, False)))
    tokens = markdown.parse(text)
    return clean(_Renderer(context).render(tokens, markdown.parser().options, {}))


def render_inline(text: str, context: Context = Context()) -> Markup:
    """One line of contributed Markdown (a title, a note) as sanitized inline HTML: no paragraphs, no blocks."""
    text = " ".join(INVISIBLE_RE.sub("", text).split())
    if not _INLINE_MARKUP_RE.search(text):
        return escape(text)  # plain text: its escaped self
    if markdown.too_much_markup(text):
        return clean(str(_fallback(text, True)))
    tokens = markdown.parse_inline(text)
    return clean(_Renderer(context).render(tokens, markdown.parser().options, {}))
