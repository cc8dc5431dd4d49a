"""A claim's page: its statement, sources, relations, neighbourhood, notes and how to cite it."""
from __future__ import annotations

import json
from collections import defaultdict

from ...cite import formatting as cite
from ...core.model import Claim, Locator
from .. import html, passages
from ..figures import embed, neighbourhood
from ..head import claim_head
from ..html import Markup
from .kit import (Page, admonition, block, bullets, code, front_matter, heading, paragraph, read_link, reference_page,
                  tabs)

# How each relation reads from its source and from its target.
RELATION_LABELS: dict[str, tuple[str, str]] = {
    "supports": ("Supports", "Supported by"),
    "rebuts": ("Rebuts", "Rebutted by"),
    "refines": ("Refines", "Refined by"),
    "restates": ("Restates", "Restated by"),
    "interprets": ("Interprets", "Interpreted by"),
    "depends-on": ("Depends on", "Needed by"),
}


def render(page: Page, claim: Claim) -> str:
    kb = page.kb
    out = [front_matter(claim.title, claim.statement, claim.tags, boost=2, head_html=claim_head(kb, claim)),
           block(html.tag("h1", html.text(claim.title)), _badges(page, claim), class_="ckb-block ckb-claim-head"),
           block(page.prose(claim.statement), class_="ckb-block ckb-statement")]
    about = [Markup("Claim id: "), html.tag("code", claim.id)]
    if kb.domains.get(claim.domain):
        about.append(Markup(" · domain: ") + html.text(claim.domain))
    out.append(block(paragraph(*about)))
    if claim.claimed_by:
        out.append(heading(2, "Claimed by", "claimed-by"))
        out.append(block(paragraph(_citation(page, claim.claimed_by.ref, claim.claimed_by.locator, None))))
    out.append(heading(2, "Sources", "sources"))
    out.append(block(_sources(page, claim)))
    out.append(_relations(page, claim))
    out.append(_neighbourhood(page, claim))
    if claim.annotations:
        out.append(heading(2, "Editorial notes", "editorial-notes"))
        out.append(block(page.prose(claim.annotations), class_="ckb-block ckb-notes"))
    if claim.tags:
        out.append(heading(2, "Tags", "tags"))
        out.append(block(paragraph(html.join((html.tag("code", t) for t in claim.tags), " "))))
    out.append(_cite(page, claim))
    return "".join(out)


def _badges(page: Page, claim: Claim) -> Markup:
    kb = page.kb
    parts = []
    if claim.kind in kb.kinds:
        parts.append(html.link(page.url(f"kinds/{claim.kind}.md"), claim.kind,
                               class_=f"ckb-badge ckb-kind-{claim.kind}"))
    if claim.domain in kb.domains:
        parts.append(html.link(page.url(f"domains/{claim.domain}.md"), html.text(kb.domains[claim.domain].title),
                               class_="ckb-badge ckb-domain"))
    return html.tag("p", html.join(parts, " "), class_="ckb-badges") if parts else Markup("")


def _sources(page: Page, claim: Claim) -> Markup:
    kb = page.kb
    cited = [s for s in claim.sources if s.role == "cited"]
    context = [s for s in claim.sources if s.role == "context"]
    out: list[Markup] = []
    if kb.has_role(claim, "evidence") and not cited:
        out.append(admonition("warning", "No source cited", paragraph(
            "The claiming work cites no source for this evidence at this point. See the editorial notes below.")))
    if cited:
        out.append(paragraph("Cited by the claiming work at this point:"))
        out.append(bullets(_citation(page, s.ref, s.locator, s.note) for s in cited))
    if context:
        out.append(paragraph("Added by the editors for context (not cited by the claiming work):"))
        out.append(bullets(_citation(page, s.ref, s.locator, s.note) for s in context))
    if not claim.sources and not kb.has_role(claim, "evidence"):
        out.append(paragraph("No sources are listed for this claim."))
    return html.join(out)


def _citation(page: Page, key: str, locator: object, note: str | None) -> Markup:
    """A source as a line: the formatted reference linked to its page, where in it, a deep link, the note."""
    ref = page.kb.references.get(key)
    where = Markup(", ") + html.text(str(locator)) if locator else Markup("")
    if isinstance(locator, Locator):
        deep = read_link(passages.find(page.kb, key, locator))
        if deep:
            where += Markup(" · ") + deep
    if ref is None:
        out = html.text(f"{key} (unknown reference)") + where
    else:
        formatted = page.graph.formatted[key]
        out = html.link(page.url(reference_page(ref.key)), html.text(formatted.rstrip(".") if locator else formatted),
                        class_="ckb-cite") + where
    if note:
        out += Markup(" — ") + page.prose_inline(note)
    return out


def _relations(page: Page, claim: Claim) -> str:
    groups: dict[str, list[tuple[str, Markup]]] = defaultdict(list)
    for rtype, target, note, fidelity in page.graph.out.get(claim.id, ()):
        groups[RELATION_LABELS.get(rtype, (rtype, rtype))[0]].append((target, _relation(page, target, note, fidelity)))
    for rtype, source, note, fidelity in page.graph.into.get(claim.id, ()):
        groups[RELATION_LABELS.get(rtype, (rtype, rtype))[1]].append((source, _relation(page, source, note, fidelity)))
    out = [heading(2, "Relations", "relations")]
    if not groups:
        return out[0] + block(paragraph("This claim has no relations yet."))
    order = [label for pair in RELATION_LABELS.values() for label in pair]
    for label in sorted(groups, key=lambda g: order.index(g) if g in order else len(order)):
        out.append(heading(3, label, "-".join(label.lower().split())))
        out.append(block(bullets(item for _, item in sorted(groups[label], key=lambda pair: pair[0]))))
    return "".join(out)


def _relation(page: Page, other: str, note: str | None, fidelity: str | None) -> Markup:
    out = page.claim_link(other)
    if fidelity:
        out += Markup(" — fidelity: ") + html.tag("strong", fidelity)
    if note:
        out += Markup(" — ") + page.prose_inline(note)
    return out


def _neighbourhood(page: Page, claim: Claim) -> str:
    figure = neighbourhood.block(page.kb, claim, page.graph.out, page.graph.into, page.url)
    if figure is None:
        return ""
    return heading(2, "Argument neighbourhood", "argument-neighbourhood") + embed.block(figure) + "\n\n"


def _cite(page: Page, claim: Claim) -> str:
    kb = page.kb
    out = [heading(2, "Cite", "cite")]
    parts = [paragraph("Cite this claim as it stands in this knowledge base:"),
             tabs("cite", [("BibTeX", code(cite.claim_bibtex(kb, claim), "bibtex")),
                           ("CSL-JSON", code(json.dumps(cite.claim_csl(kb, claim), indent=2, ensure_ascii=False), "json"))])]
    if claim.claimed_by and claim.claimed_by.ref in kb.references:
        ref = kb.references[claim.claimed_by.ref]
        locator = str(claim.claimed_by.locator) if claim.claimed_by.locator else None
        parts.append(paragraph("Cite the original source:"))
        parts.append(html.tag("blockquote", paragraph(page.graph.formatted[ref.key]) +
                              paragraph(cite.short_citation(kb, ref, locator))))
    out.append(block(*parts))
    return "".join(out)
