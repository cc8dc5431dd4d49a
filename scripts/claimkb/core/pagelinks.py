"""Links from contributed Markdown to the site's pages, resolved by the checker as the site resolves them.

Every contributed text (statement, annotations, notes) is shown on its claim's page, claims/<id>.md, so a relative
link is read from there, wherever the claim file sits: `../reading/index.md` names docs/reading/index.md and
`other-claim.md` the page of the claim other-claim. A relative link must name a page: a Markdown file in docs/ or a
page the generator writes, with or without a #fragment. Anything else relative (a folder, an image or another file,
a path that leaves docs/, an absolute path, a query) is refused too. The site drops such a link or points it at a
page that is not there, and an engine that reads the link fails the strict build on it: either way the contributor
should hear of it before the merge. Fragments are not checked (MkDocs reports a missing anchor as information, not
as a warning, and the page's headings are the editors').
"""
from __future__ import annotations

import posixpath
import re
from typing import Callable, Iterable
from urllib.parse import unquote

from . import markdown
from .markup import SCHEME_RE
from .model import KnowledgeBase, PageLink
from .names import GENERATED_PAGES
from .yamlsafe import Document

BASE = "claims"  # the folder of the page every contributed text is shown on
# Browsers drop tabs, line breaks and controls inside a URL; so does the renderer before it reads the target.
_DROPPED = re.compile("[\x00-\x20\x7f]+")


def resolve(href: str) -> tuple[str | None, str | None] | None:
    """(page, None) for a relative link to a page, (None, reason) for a relative link to no page, and None for a
    link that is not relative (a scheme, a fragment alone, another host: other rules judge those)."""
    cleaned = _DROPPED.sub("", href)
    if not cleaned or cleaned.startswith("#") or cleaned.startswith("//") or SCHEME_RE.match(cleaned):
        return None
    # Split by hand: urlsplit raises on some hostile targets ("a/[x]" is fine, "//[x]" is not), a checker never may.
    rest = cleaned.partition("#")[0]
    raw_path, question, _ = rest.partition("?")
    path = unquote(raw_path)
    if question:
        return None, "a link to a page has no query (?...)"
    if path.startswith("/"):
        return None, ("an absolute path depends on where the site is published: write the page's path relative to "
                      "the claim's page, e.g. ../index.md")
    if not path.endswith(".md"):
        return None, ("links from claims go to pages, written as their .md file (e.g. ../reading/index.md); "
                      "link any other file by its https:// URL")
    page = posixpath.normpath(posixpath.join(BASE, path))
    if page == ".." or page.startswith("../"):
        return None, "the link leaves the site's pages (docs/): relative links are read from the claim's page, claims/<id>.md"
    return page, None


def find(doc: Document, texts: Iterable[tuple[tuple, str, bool]], where: Callable[[tuple], str]) -> list[PageLink]:
    """Every relative link in the given Markdown fields of a claim document (path, text, whether rendered as one
    line), resolved, with its place in the file."""
    found: list[PageLink] = []
    for at, raw, inline in texts:
        # Only a text with a link or a reference definition can hold a link; text over the markup budget is shown
        # as written, without links (markdown.too_much_markup), so it holds none either.
        if ("](" not in raw and "]:" not in raw) or markdown.too_much_markup(raw):
            continue
        # The text as the site renders it: the model strips statements and annotations; a note is one line, its
        # whitespace collapsed (a fence or a list in a note is no block on the page).
        text = " ".join(raw.split()) if inline else raw.strip()
        relative = [(link, resolved) for link in markdown.links(text, inline)
                    if (resolved := resolve(link.href)) is not None]
        places = doc.locate_many(at, [_snippet(text, link) for link, _ in relative])
        for (link, (page, problem)), (line, col) in zip(relative, places):
            found.append(PageLink(link.href, page, problem, line, col, where(at)))
    return found


def _snippet(text: str, link: markdown.Link) -> str | None:
    """How the link's target is written in the text: the parser normalizes a target (percent-encoding, entities),
    so try it decoded, then as the parser has it; None when neither is there (the field's own place is used)."""
    for snippet in (unquote(link.href), link.href):
        if snippet and snippet in text:
            return snippet
    return None


def pages(kb: KnowledgeBase) -> set[str]:
    """Every page of the site built from kb, as docs-relative .md paths."""
    found = set(kb.docs) | set(GENERATED_PAGES)
    found.update(f"claims/{cid}.md" for cid in kb.claims)
    found.update(f"references/{key}.md" for key in kb.references)
    found.update(f"domains/{key}.md" for key in kb.domains)
    found.update(f"kinds/{key}.md" for key in kb.kinds)
    for full, new in kb.aliases.items():  # a retired name keeps a page that says where the entry went
        section, old = full.split(":", 1)
        if new in (kb.claims if section == "claims" else kb.references):
            found.add(f"{section}/{old}.md")
    return found

