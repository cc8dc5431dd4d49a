"""Deep links: a citation's locator as a link to its exact passage in the work's HTML edition (base#anchor)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from ..core import editions, locators
from ..core.model import Claim, KnowledgeBase, Locator, Reference

# Characters a URL keeps in a Markdown link target; parentheses, quotes and angle brackets are percent-encoded.
URL_SAFE = ":/?#[]@!$&'*+,;=%~"
NBSP = "\u00a0"
PAPER_TYPES = {"article", "inproceedings", "conference", "incollection", "techreport", "phdthesis", "mastersthesis",
               "unpublished", "thesis", "report"}


@dataclass(frozen=True, slots=True)
class Passage:
    url: str  # base#anchor, ready for a Markdown link target
    anchor: str
    where: str  # the parts of the locator's first place, which the link points at: "§4 ¶2"
    work: str  # the work as the link names it: "the paper", "the book", its short title, or "the source"
    section: bool = False  # the anchor is a whole section: the locator names no passage below it

    @property
    def label(self) -> str:
        return f"Read this {'section' if self.section else 'passage'} in {self.work}"


def work_name(ref: Reference | None) -> str:
    """How a link names the work: 'the paper' for papers and preprints, 'the book', else its short title."""
    if ref is None:
        return "the source"
    prefix = (ref.field("archiveprefix") or ref.field("eprinttype") or "").lower()
    if ref.type in PAPER_TYPES or prefix == "arxiv":
        return "the paper"
    if ref.type in ("book", "inbook", "mvbook"):
        return "the book"
    short = ref.field("shorttitle")
    return f"“{' '.join(short.strip('{} ').split())}”" if short and short.strip("{} ") else "the source"


def find(kb: KnowledgeBase, key: str, locator: Locator | str | None) -> Passage | None:
    """The passage a citation points at, when its work has an HTML edition with an anchor for the locator."""
    if locator is None:
        return None
    parsed = locators.parse(locator) if isinstance(locator, str) else locator.parsed
    if not isinstance(parsed, locators.ParsedLocator):
        return None
    linked = editions.deep_link(kb, key, parsed)
    if linked is None:
        return None
    url, found = linked
    where = " ".join(map(str, parsed.first.parts))  # without its note: "§1 ¶4", not "§1 ¶4 (Box 1)"
    return Passage(quote(url, safe=URL_SAFE), found.anchor or "", where, work_name(kb.references.get(key)),
                   not found.passage)


def for_claim(kb: KnowledgeBase, claim: Claim) -> Passage | None:
    """Where the claiming work makes the claim, when its edition has the passage."""
    by = claim.claimed_by
    return find(kb, by.ref, by.locator) if by else None
