"""HTML editions: a reference's version-pinned HTML page and its anchor ids, read, checked and resolved from locators.

An edition lives in references/_editions/<key>.yaml, named by the BibTeX key of its reference:

    base: https://arxiv.org/html/2401.00001v2     # version-pinned: a deep link is base#anchor
    scheme: latexml                               # how locators map to ids (LaTeXML's, as arXiv's HTML uses)
    source: https://ar5iv.labs.arxiv.org/html/2401.00001   # optional: where the ids were read, if not at base
    headings:                                     # unnumbered headings, as the work titles them -> their ids
      Alternative Views: S2.SSx1
    anchors:                                      # the page's passages, nested as on the page; ids only
      S1:
        S1.p1:
        ...

Only ids are stored, never the work's text: the titles of unnumbered headings are the one exception, because a
locator names such a heading by its title.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from . import latexml, markup
from .diagnostics import Diagnostic, make
from .locators import PASSAGE_KINDS, ParsedLocator, Part, Place
from .model import Citation, Claim, Edition, KnowledgeBase, Reference
from .yamlsafe import Document

FOLDER = "references/_editions"
SCHEMES = ("latexml",)
FIELDS = ("base", "scheme", "source", "headings", "anchors")
ANCHOR_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,99}$")
MAX_ANCHORS = 20_000
# arXiv serves every version at one URL and the latest at another: a link must name the version it was checked against.
ARXIV_RE = re.compile(r"^https://(?:arxiv\.org|ar5iv\.labs\.arxiv\.org|ar5iv\.org)/(?:html|abs|pdf)/([^#?]+?)/?$")
# A paragraph in annotations that says why a claim keeps a section-level locator (see coarse-locator).
LOCATOR_REASON_RE = re.compile(r"^[ \t]*(?:\*\*|__)?Locator[:.]", re.M)


@dataclass(frozen=True, slots=True)
class Resolution:
    anchor: str | None  # the anchor of the place's most specific part that the edition has
    kind: str | None  # that anchor's kind: section, paragraph, item, table, figure, footnote, abstract
    problem: str | None = None  # why a part of the place has no anchor
    part: Part | None = None  # that part

    @property
    def passage(self) -> bool:
        """True below section level: a paragraph, item, table, figure, footnote or the abstract."""
        return self.kind in latexml.PASSAGES


def resolve(edition: Edition, place: Place) -> Resolution:
    anchor, problem, part = latexml.resolve(edition, place)
    return Resolution(anchor, latexml.kind_of(anchor) if anchor else None, problem, part)


def deep_link(kb: KnowledgeBase, key: str, parsed: ParsedLocator | None) -> tuple[str, Resolution] | None:
    """The URL of the passage a locator's first place names in the reference's HTML edition, and how it resolved;
    None when the work has no edition or the edition no anchor for the place. For any page or export."""
    edition = kb.editions.get(key)
    if edition is None or parsed is None:
        return None
    found = resolve(edition, parsed.first)
    return (edition.url(found.anchor), found) if found.anchor else None


# --- Reading an edition file -------------------------------------------------------------------------------------

def from_document(doc: Document, rel: str, key: str, references: Mapping[str, Reference]) -> tuple[Edition | None, list[Diagnostic]]:
    out: list[Diagnostic] = []

    def bad(at: tuple, message: str, key_mark: bool = False) -> None:
        line, col = doc.key_marks.get(at, doc.mark(at)) if key_mark else doc.mark(at)
        out.append(make(rel, line, col, "edition-invalid", message))

    data = doc.value
    if not isinstance(data, dict):
        bad((), "an edition maps base, scheme, headings and anchors: see the claim-format page, 'HTML editions'")
        return None, out
    if key not in references:
        close = difflib.get_close_matches(key, list(references), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        bad((), f"'{key}' is not a reference key{hint}: an edition file is named after the BibTeX key of its work")
    for name in data:
        if name not in FIELDS:
            close = difflib.get_close_matches(str(name), FIELDS, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            bad((name,), f"unknown field '{name}'{hint}; an edition has {', '.join(FIELDS)}", key_mark=True)
    base = data.get("base")
    arxiv = ARXIV_RE.match(base) if isinstance(base, str) else None
    if not isinstance(base, str) or not markup.is_https_url(base) or "#" in base:
        bad(("base",), "base must be the https:// URL of the HTML edition, without a #fragment: "
                       "e.g. https://arxiv.org/html/2401.00001v2")
    elif arxiv and not re.search(r"v\d+$", arxiv.group(1)):
        bad(("base",), f"base '{base[:80]}' names no version, so its anchors can change under the links: "
                       "pin it, e.g. https://arxiv.org/html/2401.00001v2")
    scheme = data.get("scheme", "latexml")
    if scheme not in SCHEMES:
        bad(("scheme",), f"scheme '{str(scheme)[:40]}' is not known; known schemes: {', '.join(SCHEMES)}")
    source = data.get("source", "")
    if source and (not isinstance(source, str) or not markup.is_https_url(source)):
        bad(("source",), "source must be the https:// URL where the anchor ids were read")
    parents: dict[str, str | None] = {}
    anchors = data.get("anchors")
    if not isinstance(anchors, dict) or not anchors:
        bad(("anchors",), "anchors must map each top-level anchor id to the ids nested in it (or to nothing)")
    else:
        _tree(doc, rel, anchors, ("anchors",), None, parents, out)
    headings: dict[str, str] = {}
    raw = data.get("headings", {}) or {}
    if not isinstance(raw, dict):
        bad(("headings",), "headings must map each unnumbered heading, as the work titles it, to its anchor id")
    else:
        for title, anchor in raw.items():
            at = ("headings", title)
            if not isinstance(title, str) or "\n" in title or len(title) > 200 or not title.strip():
                bad(at, "a heading is one line of at most 200 characters, written as the work titles it", key_mark=True)
            elif not isinstance(anchor, str) or anchor not in parents:
                bad(at, f"heading \"{title[:60]}\" must map to one of the anchor ids listed under anchors"
                        f"{'' if not isinstance(anchor, str) else f', not {anchor[:40]!r}'}")
            else:
                headings[title] = anchor
    if any(d.severity == "error" for d in out):
        return None, out
    children: dict[str | None, list[str]] = {}
    for anchor, parent in parents.items():
        children.setdefault(parent, []).append(anchor)
    return Edition(key, rel, base, scheme, parents, {k: tuple(v) for k, v in children.items()}, headings, source or ""), out


def _tree(doc: Document, rel: str, node: dict[str, Any], at: tuple, parent: str | None,
          parents: dict[str, str | None], out: list[Diagnostic]) -> None:
    for anchor, below in node.items():
        here = at + (anchor,)
        line, col = doc.key_marks.get(here, doc.mark(here))
        if len(parents) >= MAX_ANCHORS:
            out.append(make(rel, line, col, "edition-invalid", f"an edition lists at most {MAX_ANCHORS:,} anchors"))
            return
        if not isinstance(anchor, str) or not ANCHOR_RE.match(anchor):
            out.append(make(rel, line, col, "edition-invalid",
                            f"'{str(anchor)[:60]}' is not an anchor id: ids are a letter, then letters, digits and ._- "
                            "(an edition stores ids, never the work's text)"))
            continue
        if latexml.kind_of(anchor) is None:
            out.append(make(rel, line, col, "edition-invalid",
                            f"'{anchor}' is not the id of a section, paragraph, list, item, table, figure, footnote or "
                            "abstract in LaTeXML's scheme (finer ids such as S1.p1.1 are left out)"))
            continue
        if anchor in parents:
            out.append(make(rel, line, col, "edition-invalid", f"anchor '{anchor}' is listed twice"))
            continue
        parents[anchor] = parent
        if isinstance(below, dict):
            _tree(doc, rel, below, here, anchor, parents, out)
        elif below is not None:
            vline, vcol = doc.mark(here)
            out.append(make(rel, vline, vcol, "edition-invalid",
                            f"'{anchor}' must map to the anchors nested in it, or to nothing; an edition never "
                            "stores the work's text"))


# --- Checking locators against editions --------------------------------------------------------------------------

def check(kb: KnowledgeBase) -> list[Diagnostic]:
    """unknown-anchor for every place of a locator whose edition has no anchor for it; coarse-locator for a claim
    whose claimed_by locator reaches no passage below section level and whose annotations do not say why."""
    out: list[Diagnostic] = []
    if not kb.editions:
        return out
    for claim in kb.claims.values():
        citations = ([claim.claimed_by] if claim.claimed_by else []) + list(claim.sources)
        for i, c in enumerate(citations):
            edition = kb.editions.get(c.ref)
            if edition is None or c.locator is None or c.locator.parsed is None:
                continue
            field = "claimed_by.locator" if c.role == "claimed" else f"sources[{i - (1 if claim.claimed_by else 0)}].locator"
            for place in c.locator.parsed.places:
                found = resolve(edition, place)
                if found.problem and found.part is not None:
                    line, col = c.locator.mark(found.part.start)
                    out.append(make(claim.path, line, col, "unknown-anchor", f"{field} '{place}': {found.problem}"))
            if c.role == "claimed":
                out.extend(_coarse(claim, c, edition))
    return out


def _coarse(claim: Claim, c: Citation, edition: Edition) -> list[Diagnostic]:
    assert c.locator is not None and c.locator.parsed is not None
    found = resolve(edition, c.locator.parsed.first)
    if found.problem or found.passage or (claim.annotations and LOCATOR_REASON_RE.search(claim.annotations)):
        return []
    first = c.locator.parsed.first
    return [make(claim.path, c.locator.line, c.locator.column, "coarse-locator",
                 f"claimed_by.locator '{first}' points at a whole {found.kind or 'work'} of {c.ref}'s HTML edition, not at "
                 f"a passage: name the {', '.join(PASSAGE_KINDS[:-1])} or {PASSAGE_KINDS[-1]} that makes the claim "
                 f"(e.g. '{_example(edition, first)}'), or, if no single passage does, say why in annotations, in a "
                 "paragraph starting 'Locator:'")]


def _example(edition: Edition, place: Place) -> str:
    """The place one level down: its first paragraph, or the heading its note names ('§2 (Alternative Views)')."""
    parts = " ".join(map(str, place.parts))
    if place.note and place.note in edition.headings:
        return f'{parts} "{place.note}" ¶1'
    return f"{parts} ¶1"


def in_text(kb: KnowledgeBase, text: str) -> Iterable[tuple[int, Edition, str]]:
    """(offset, edition, anchor) of every link into an edition written out in text: base#anchor."""
    for edition in kb.editions.values():
        if edition.base not in text:
            continue
        for m in re.finditer(re.escape(edition.base) + r"#([^\s)\]\"'<>]*)", text):
            yield m.start(1), edition, m.group(1)


# --- Writing an edition file -------------------------------------------------------------------------------------

def to_yaml(base: str, parents: Mapping[str, str | None], headings: Mapping[str, str], scheme: str = "latexml",
            source: str = "", comment: Iterable[str] = ()) -> str:
    """An edition file: the header comment, then base, scheme, source, headings and the anchor tree, two spaces a
    level. Ids are plain YAML keys (a letter, then letters, digits and ._-); heading titles are quoted as JSON strings."""
    import json

    lines = [f"# {line}".rstrip() for line in comment]
    lines += [f"base: {base}", f"scheme: {scheme}"]
    if source:
        lines.append(f"source: {source}")
    if headings:
        lines.append("headings:")
        lines += [f"  {json.dumps(title, ensure_ascii=False)}: {anchor}" for title, anchor in headings.items()]
    lines.append("anchors:")
    children: dict[str | None, list[str]] = {}
    for anchor, parent in parents.items():
        children.setdefault(parent, []).append(anchor)

    def emit(parent: str | None, depth: int) -> None:
        for anchor in children.get(parent, []):
            lines.append(f"{'  ' * depth}{anchor}:")
            emit(anchor, depth + 1)

    emit(None, 1)
    return "\n".join(lines) + "\n"
