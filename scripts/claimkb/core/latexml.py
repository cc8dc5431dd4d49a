"""LaTeXML's anchor scheme (arXiv's and ar5iv's HTML): which ids a page's passages have, and which id a locator names.

LaTeXML gives every section, paragraph, list, item, table, figure and footnote an id: `S4` (§4), `S3.SS2` (§3.2),
`S2.SSx1` (an unnumbered subsection), `S4.p2` (§4 ¶2), `S2.I1` and `S2.I1.i2` (a list and its second item), `S3.T1`,
`S3.F1`, `footnote1`. Lists, tables and figures are numbered within the top-level section, not the paragraph they
sit in (the list in §3.2 ¶2 is `S3.I2`), so resolving `§3.2 ¶2 item 3` needs the nesting of the page, not only ids.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Iterator

from .locators import Part, Place
from .model import Edition

SECTION_RE = re.compile(r"^[SA]x?\d+(?:\.(?:SSS|SS|P)x?\d+)*$")
KIND_RES = (
    ("section", SECTION_RE),
    ("paragraph", re.compile(r"\.p\d+$")),
    ("list", re.compile(r"\.I\d+$")),
    ("item", re.compile(r"\.i\d+$")),
    ("table", re.compile(r"\.T\d+$")),
    ("figure", re.compile(r"\.F\d+$")),
    ("footnote", re.compile(r"^footnote\d+$")),
    ("abstract", re.compile(r"^abstract\d*$")),
)
PASSAGES = ("paragraph", "list", "item", "table", "figure", "footnote", "abstract")  # below section level
_SECTION_TOKEN = re.compile(r"(SSS|SS|S|A|P)(x?)(\d+)")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


def kind_of(anchor: str) -> str | None:
    """section, paragraph, list, item, table, figure, footnote or abstract; None for the finer ids (S1.p1.1)."""
    for kind, regex in KIND_RES:
        if regex.search(anchor):
            return kind
    return None


def is_unnumbered(anchor: str) -> bool:
    return kind_of(anchor) == "section" and "x" in anchor.rsplit(".", 1)[-1]


# --- Reading a saved HTML page -----------------------------------------------------------------------------------

class _Outline(HTMLParser):
    """The passages of a LaTeXML page in document order, each with the passage it is nested in; and the titles of
    unnumbered headings. Everything else (text, the finer ids of sentences and cells, the bibliography) is dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parents: dict[str, str | None] = {}
        self.headings: dict[str, str] = {}
        self.stack: list[tuple[str, str | None]] = []  # open elements: (tag, the passage it opens or None)
        self.title_of: str | None = None  # the unnumbered section whose heading is being read
        self.title_depth = 0
        self.title_text: list[str] = []

    def nearest(self) -> str | None:
        return next((kept for _, kept in reversed(self.stack) if kept), None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        anchor = dict(attrs).get("id") or ""
        kept = self._keep(tag, anchor) if anchor else None
        if kept:
            self.parents[kept] = self.nearest()
        if self.title_of is None and tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            owner = self.nearest()
            if owner and owner not in self.headings.values() and (is_unnumbered(owner) or kind_of(owner) == "abstract"):
                self.title_of, self.title_depth, self.title_text = owner, len(self.stack), []
        if tag not in _VOID:
            self.stack.append((tag, kept))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        anchor = dict(attrs).get("id") or ""
        kept = self._keep(tag, anchor) if anchor else None
        if kept:
            self.parents[kept] = self.nearest()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        if self.title_of is not None and len(self.stack) <= self.title_depth:
            title = " ".join("".join(self.title_text).split())
            if title and title not in self.headings:
                self.headings[title] = self.title_of
            self.title_of = None

    def handle_data(self, data: str) -> None:
        if self.title_of is not None:
            self.title_text.append(data)

    def _keep(self, tag: str, anchor: str) -> str | None:
        kind = kind_of(anchor)
        if kind is None or anchor in self.parents:
            return None
        parent = self.nearest()
        within = kind_of(parent) if parent else None
        if kind == "section":
            return anchor if within in (None, "section") else None
        if kind == "abstract":
            return anchor if parent is None else None
        if kind == "paragraph":
            # A paragraph of a section or of the abstract; an item's own paragraph (S2.I1.i1.p1) is the item.
            return anchor if within in ("section", "abstract") and anchor.startswith(f"{parent}.p") else None
        if kind == "list":
            return anchor if within in ("section", "paragraph") else None
        if kind == "item":
            return anchor if within == "list" and anchor.startswith(f"{parent}.i") else None
        if kind in ("table", "figure"):
            return anchor if tag == "figure" and within in ("section", "paragraph") else None
        return anchor  # a footnote, wherever it is


def outline(html: str) -> tuple[dict[str, str | None], dict[str, str]]:
    """The passages of a saved LaTeXML page (id -> parent id, in document order) and its unnumbered headings."""
    reader = _Outline()
    reader.feed(html)
    reader.close()
    return reader.parents, reader.headings


# --- Locators to anchors -----------------------------------------------------------------------------------------

def section_id(numbers: tuple[int, ...]) -> str:
    tokens = ["S", "SS", "SSS"] + ["P"] * max(0, len(numbers) - 3)
    return ".".join(f"{token}{n}" for token, n in zip(tokens, numbers))


def _within(edition: Edition, anchor: str, container: str) -> bool:
    node: str | None = anchor
    while node is not None:
        if node == container:
            return True
        node = edition.parents.get(node)
    return False


def descendants(edition: Edition, anchor: str | None) -> Iterator[str]:
    for child in edition.children.get(anchor, ()):
        yield child
        yield from descendants(edition, child)


def _section_of(edition: Edition, anchor: str) -> str | None:
    node = edition.parents.get(anchor)
    while node is not None and kind_of(node) != "section":
        node = edition.parents.get(node)
    return node


def name(edition: Edition, anchor: str | None) -> str:
    """An anchor as a reader names it: '§3.2', '"Alternative Views"', '§4 ¶2'; 'the edition' for the whole page."""
    if anchor is None:
        return "the edition"
    return locator_for(edition, anchor) or anchor


def resolve(edition: Edition, place: Place) -> tuple[str | None, str | None, Part | None]:
    """(the anchor of the place's most specific part, why a part has none, that part): parts an HTML page has no
    anchors for (pages, chapters, lines, an article's opening) keep the anchor of the parts before them."""
    anchor: str | None = None
    for part in place.parts:
        found, problem = _step(edition, anchor, part)
        if problem:
            return anchor, problem, part
        anchor = found if found is not None else anchor
    return anchor, None, None


def _step(edition: Edition, at: str | None, part: Part) -> tuple[str | None, str | None]:
    kind, n = part.kind, part.numbers[0] if part.numbers else 0
    here = name(edition, at)
    if kind in ("page", "chapter", "line", "opening"):
        return None, None
    if kind == "section":
        anchor = section_id(part.numbers)
        if anchor not in edition.parents:
            above = section_id(part.numbers[:-1]) if len(part.numbers) > 1 else None
            known = [locator_for(edition, a) for a in edition.children.get(above, ()) if kind_of(a) == "section"
                     and not is_unnumbered(a)]
            within = f" in {name(edition, above)}" if above in edition.parents else ""
            sections = f" (the numbered sections{within}: {', '.join(k for k in known if k)})" if known else ""
            return None, f"the HTML edition has no {part} (no anchor {anchor}){sections}"
        return anchor, None
    if kind == "heading":
        anchor = edition.headings.get(part.title)
        if anchor is None:
            close = _close(part.title, list(edition.headings))
            return None, f"the HTML edition has no unnumbered heading \"{part.title}\"{close}"
        if at is not None and not _within(edition, anchor, at):
            return None, f"\"{part.title}\" is not in {here}: it is {name(edition, edition.parents.get(anchor))}'s"
        return anchor, None
    if kind == "abstract":
        anchor = edition.headings.get("Abstract") or next(
            (a for a in edition.children.get(None, ()) if kind_of(a) == "abstract"), None)
        return (anchor, None) if anchor else (None, "the HTML edition has no abstract")
    if kind == "paragraph":
        if at is None or kind_of(at) not in ("section", "abstract"):
            return None, f"name the section {part} is in, e.g. §4 {part}" if at is None else f"{here} has no paragraphs of its own"
        last = part.to or n
        for number in (n, last):
            anchor = f"{at}.p{number}"
            if edition.parents.get(anchor, "") != at:
                count = sum(1 for c in edition.children.get(at, ()) if kind_of(c) == "paragraph")
                has = f"its paragraphs run ¶1–{count}" if count else "it has no paragraphs of its own"
                return None, f"{here} has no ¶{number} (no anchor {anchor}); {has}"
        return f"{at}.p{n}", None
    if kind == "item":
        if at is None:
            return None, f"name the paragraph whose list {part} is in, e.g. §2 ¶2 {part}"
        lists = [a for a in descendants(edition, at) if kind_of(a) == "list"]
        if not lists:
            return None, f"{here} has no list"
        if len(lists) > 1 and kind_of(at) != "paragraph":
            return None, (f"{here} has {len(lists)} lists: name the paragraph, e.g. "
                          f"{name(edition, edition.parents.get(lists[0]))} {part}")
        anchor = f"{lists[0]}.i{n}"
        if edition.parents.get(anchor) != lists[0]:
            count = sum(1 for c in edition.children.get(lists[0], ()) if kind_of(c) == "item")
            return None, f"the list in {here} has {count} items, not {n} (no anchor {anchor})"
        return anchor, None
    if kind in ("table", "figure", "footnote"):
        wanted = f"footnote{n}" if kind == "footnote" else None
        suffix = ".T" if kind == "table" else ".F"
        matches = [a for a in edition.parents if (a == wanted if wanted else a.endswith(f"{suffix}{n}")) and kind_of(a) == kind]
        if not matches:
            return None, f"the HTML edition has no {part}"
        inside = [a for a in matches if at is None or _within(edition, a, at)]
        if not inside:
            holder = edition.parents.get(matches[0]) if kind == "footnote" else _section_of(edition, matches[0])
            return None, f"{part} is in {name(edition, holder)}, not in {here}"
        return inside[0], None
    return None, f"{part} cannot be located in an HTML edition"


def _close(word: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f' (did you mean "{close[0]}"?)'
    return f"; its unnumbered headings: {', '.join(repr(c) for c in choices)}" if choices else ""


def locator_for(edition: Edition, anchor: str) -> str | None:
    """The locator that names an anchor ('§3.2 ¶2 item 3' for S3.I2.i3), or None when none does: a list as such,
    or an item of the second list in one paragraph."""
    kind = kind_of(anchor)
    parent = edition.parents.get(anchor)
    if kind == "section":
        if is_unnumbered(anchor):
            title = next((t for t, a in edition.headings.items() if a == anchor), None)
            if title is None:
                return None
            above = locator_for(edition, parent) if parent else None
            return f'{above} "{title}"' if above else f'"{title}"'
        numbers = [int(m.group(3)) for m in _SECTION_TOKEN.finditer(anchor)]
        if anchor.startswith("A") or "x" in anchor:
            return None
        return "§" + ".".join(map(str, numbers))
    if kind == "abstract":
        return "Abstract"
    if parent is None and kind != "footnote":
        return None
    number = re.search(r"(\d+)$", anchor)
    n = number.group(1) if number else ""
    if kind == "paragraph":
        above = locator_for(edition, parent)  # type: ignore[arg-type]
        return f"{above} ¶{n}" if above else None
    if kind == "item":
        holder = edition.parents.get(parent)  # type: ignore[arg-type]
        lists = [a for a in descendants(edition, holder) if kind_of(a) == "list"] if holder else []
        above = locator_for(edition, holder) if holder else None
        return f"{above} item {n}" if above and lists and lists[0] == parent else None
    if kind in ("table", "figure"):
        section = _section_of(edition, anchor)
        above = locator_for(edition, section) if section else None
        word = "Table" if kind == "table" else "Figure"
        return f"{above} {word} {n}" if above else f"{word} {n}"
    if kind == "footnote":
        above = locator_for(edition, parent) if parent else None
        return f"{above} footnote {n}" if above else f"footnote {n}"
    return None
