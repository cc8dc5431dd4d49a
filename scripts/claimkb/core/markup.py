"""The checker's view of contributed text: unsafe markup to report early, shortcodes, one-line text for metadata."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import urlsplit

SAFE_SCHEMES = ("http", "https", "mailto")
# A URL's scheme as urlsplit reads it, without urlsplit: it raises ValueError on "https://[x]" (an IPv6 host that is
# not one), and a checker must never raise on contributed text.
SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# An HTML tag, closing tag, comment, processing instruction or declaration, as Python-Markdown passes raw HTML
# through: a tag name runs to the first space or quote, so <svg/onload=alert(1)> is a tag, and so is <a:b c>.
HTML_RE = re.compile(r"<(?:/?[A-Za-z][^\s\"'<>@]*(?:[\s\"'][^<>]*)?>|!--|\?|![A-Za-z])")
# What Python-Markdown reads as a link before it reads HTML: <scheme://...> and <name@host>. AUTOLINK_RE below, any
# <scheme:...>, is judged by its scheme instead.
MARKDOWN_AUTOLINK_RE = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*://[^<>]*>|<[^<> !]+@[^@<> ]+>")
# A Markdown attribute list ({: onclick="..."}, attr_list is on in mkdocs.yml) that sets an event handler, a style
# or a link target: HTML attributes by another spelling.
ATTR_LIST_RE = re.compile(r"\{:?[^{}\n]*?(?<![\w-])(on[a-z]+|style|href|src|action|formaction)\s*=[^{}\n]*\}", re.I)
# Inline links and images [text](url "title"), reference definitions [id]: url, and autolinks <scheme:...>.
# A target stops at a bracket: in `](![i](data:x)` the first match must not swallow the image's `](` after it.
INLINE_LINK_RE = re.compile(r"\]\(\s*<?([^)\s>\[\]]*)")
REF_DEF_RE = re.compile(r"^[ ]{0,3}\[[^\[\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
AUTOLINK_RE = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
FENCE_RE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
BACKTICKS_RE = re.compile(r"`+")
LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")  # Markdown's line breaks: str.splitlines also breaks at \x0c, \u2028 and more
# Control characters and bidirectional overrides: invisible on a page, yet they reorder what a reader sees (U+202E
# turns "gnp.exe" around) or are junk from a copy and paste. Tabs and line breaks are whitespace, not in the class.
INVISIBLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SHORTCODE_RE = re.compile(
    r"\[@(?P<cite>[A-Za-z0-9][A-Za-z0-9_:.+-]*)(?:,\s*(?P<locator>[^\]\n]{1,200}))?\]"
    r"|\[\[(?P<claim>[a-z0-9]+(?:-[a-z0-9]+)*)\]\]"
    r"|(?m:^\[\[generated:(?P<block>[a-z0-9]+(?:-[a-z0-9]+)*)\]\][ \t]*$)"
)
# [[generated:name]] on a line of its own: a block the site computes from the data at every build, so a hand-written
# page never types a number the data can contradict. Names and what each block shows (site/blocks.py renders them):
GENERATED_BLOCKS: dict[str, str] = {
    "fidelity-counts": "a table of the fidelity grades of the knowledge base's interprets relations, counted per "
                       "claim (by its first interprets relation) and per relation, with the claims of each grade",
}
GENERATED_RE = re.compile(r"\[\[generated:([^\]\n]{0,80})\]\]")


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    text: str = ""  # the offending markup as written, so a diagnostic can point at it rather than at the field


@dataclass(frozen=True, slots=True)
class Shortcode:
    kind: str  # "cite", "claim" or "block" (a generated block)
    key: str
    locator: str | None
    line: int
    column: int
    start: int  # offsets in the whole text
    end: int


def is_safe_url(url: str) -> bool:
    """True for http(s) and mailto URLs and for relative links; false for javascript:, data: and the like."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url))
    m = SCHEME_RE.match(cleaned)
    return (m.group(1).lower() if m else "") in ("", *SAFE_SCHEMES)


def is_https_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # "https://[x]/": a bracketed host that is no IPv6 address
        return False
    return parts.scheme == "https" and bool(parts.netloc) and not re.search(r"[\s<>\"]", url)


def unsafe(text: str) -> list[Problem]:
    """Raw HTML and unsafe link schemes in contributed Markdown (code spans and fences are inert and skipped)."""
    if "<" not in text and "](" not in text and "]:" not in text and "{" not in text:
        return []  # nothing that could be HTML, an attribute list or a link: the common case, kept cheap
    problems: list[Problem] = []
    prose = strip_code(text)
    m = next((m for m in HTML_RE.finditer(prose) if not MARKDOWN_AUTOLINK_RE.fullmatch(m.group(0))
              and not AUTOLINK_RE.fullmatch(m.group(0))), None)
    if m:
        problems.append(Problem("raw-html", f"raw HTML '{m.group(0)[:30]}' is not allowed; write Markdown, or put it in `code`",
                                m.group(0)))
    m = ATTR_LIST_RE.search(prose)
    if m:
        problems.append(Problem("raw-html", f"the attribute list '{m.group(0)[:30]}' sets the HTML attribute {m.group(1)}; "
                                "remove it", m.group(0)))
    for regex in (INLINE_LINK_RE, REF_DEF_RE, AUTOLINK_RE):
        for link in regex.finditer(prose):
            if not is_safe_url(link.group(1)):
                problems.append(Problem("unsafe-link", f"link '{link.group(1)[:40]}' uses a scheme other than http, https or mailto",
                                        link.group(1)))
    return problems


def _code_regions(text: str) -> list[tuple[int, int]]:
    """Offsets of fenced code blocks and code spans, where Markdown syntax is literal.

    Code is left as written (the checker skips it, the renderer does not escape it), so only what Markdown surely
    reads as code counts. A fence needs a closing fence of the same length, and no backtick in its info string.
    Code spans count on a line whose backtick runs follow no backslash and pair off, first with second, third with
    fourth, each pair of one length, in a paragraph whose earlier lines are the same: then every reading of
    Markdown (CommonMark's, and each version of Python-Markdown's) pairs each opening run with the next. Otherwise
    a backtick may pair with one elsewhere, and what follows it is not what it seems until the next blank line.
    """
    regions: list[tuple[int, int]] = []
    fence: str | None = None
    fence_start = 0
    prose: list[tuple[int, int]] = []  # (start, end) of each line outside fences
    pending: list[tuple[int, int]] = []  # the lines since the fence opened, prose if it never closes
    starts = [0] + [m.end() for m in LINE_BREAK_RE.finditer(text)]
    ends = [m.start() for m in LINE_BREAK_RE.finditer(text)] + [len(text)]
    for start, end, next_start in zip(starts, ends, starts[1:] + [len(text)]):
        line = text[start:end]
        m = FENCE_RE.match(line)
        if fence is None and m and not (m.group(1)[0] == "`" and "`" in line[m.end():]):
            fence, fence_start, pending = m.group(1), start, [(start, end)]
        elif fence is not None and m and m.group(1) == fence and not line.strip().strip(fence[0]):
            regions.append((fence_start, next_start))
            fence = None
        elif fence is not None:
            pending.append((start, end))
        else:
            prose.append((start, end))
    if fence is not None:
        prose.extend(pending)  # an unclosed fence is no code block: Markdown shows its lines as text
    trusted = True
    for start, end in prose:
        line = text[start:end]
        if not line.strip():
            trusted = True  # a blank line ends the paragraph: spans start afresh
        elif "`" in line:
            runs = [m.span() for m in BACKTICKS_RE.finditer(line)]
            trusted = (trusted and len(runs) % 2 == 0 and not any(line[a - 1:a] == "\\" for a, _ in runs)
                       and all(b - a == d - c for (a, b), (c, d) in zip(runs[::2], runs[1::2])))
            if trusted:
                regions.extend((start + runs[i][0], start + runs[i + 1][1]) for i in range(0, len(runs), 2))
    return sorted(regions)


def strip_code(text: str) -> str:
    """text with code replaced by spaces (offsets and line numbers kept)."""
    if "`" not in text and "~" not in text:
        return text
    out = list(text)
    for start, end in _code_regions(text):
        for i in range(start, end):
            if out[i] != "\n":
                out[i] = " "
    return "".join(out)


def find_shortcodes(text: str) -> Iterator[Shortcode]:
    prose = strip_code(text)
    for m in SHORTCODE_RE.finditer(prose):
        line = prose.count("\n", 0, m.start()) + 1
        column = m.start() - (prose.rfind("\n", 0, m.start()) + 1) + 1
        if m.group("cite"):
            yield Shortcode("cite", m.group("cite"), m.group("locator"), line, column, m.start(), m.end())
        elif m.group("block"):
            yield Shortcode("block", m.group("block"), None, line, column, m.start(), m.end())
        else:
            yield Shortcode("claim", m.group("claim"), None, line, column, m.start(), m.end())


def meta_text(text: str, limit: int = 300) -> str:
    """Untrusted text for front matter (page title, description): one line, no markup characters."""
    text = " ".join(INVISIBLE_RE.sub("", text).split())
    text = text.translate(str.maketrans({"<": "‹", ">": "›", '"': "'", "&": "＆", "`": "'"}))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
