"""A reference's page: the entry formatted, its identifiers, its note, the claims that cite it and how to cite it."""
from __future__ import annotations

import json
from urllib.parse import quote

from ...cite import formatting as cite
from ...core.bibload import ARXIV_RE, DOI_RE
from ...core.markup import is_https_url
from ...core.model import Reference
from .. import html, prose
from ..passages import URL_SAFE
from ..head import reference_head
from ..html import Markup
from .kit import Page, admonition, block, bullets, code, front_matter, heading, paragraph, tabs

GROUPS = (("claimed", "Claims made by this work", "claims-made"), ("cited", "Claims citing this work", "claims-citing"),
          ("context", "Claims for which the editors added this work as context", "claims-context"))


def render(page: Page, ref: Reference) -> str:
    kb = page.kb
    title = ref.field("title") or ref.key
    formatted = page.graph.formatted[ref.key]
    authors = "; ".join(n for _, names in ref.persons for n in names)
    out = [front_matter(f"{ref.key}: {cite.to_unicode(title)}", f"{formatted} Key: {ref.key}. Authors: {authors}",
                        head_html=reference_head(kb, ref)),
           block(html.tag("h1", html.text(cite.to_unicode(title))), paragraph(formatted),
                 paragraph(Markup("Citation key: "), html.tag("code", ref.key)), _links(ref), _note(ref),
                 class_="ckb-block ckb-reference-head")]
    out.append(heading(2, "Claims", "claims"))
    citing = page.graph.citing.get(ref.key, [])
    any_claims = False
    for role, title_text, anchor in GROUPS:
        ids = sorted({cid for cid, r in citing if r == role})
        if ids:
            any_claims = True
            out.append(heading(3, title_text, anchor))
            out.append(block(bullets(page.claim_link(cid) for cid in ids)))
    if not any_claims:
        out.append(block(paragraph("No claim cites this work yet.")))
    out.append(heading(2, "Cite", "cite"))
    out.append(block(tabs("cite", [
        ("Formatted", paragraph(formatted)),
        ("BibTeX", code(cite.reference_bibtex(ref), "bibtex")),
        ("CSL-JSON", code(json.dumps(cite.reference_csl(ref), indent=2, ensure_ascii=False), "json"))])))
    return "".join(out)


def _links(ref: Reference) -> Markup:
    links = []
    doi = ref.field("doi")
    if doi and DOI_RE.match(doi):
        links.append(_external(f"https://doi.org/{quote(doi, safe='/')}", f"DOI {doi}"))
    eprint = ref.field("eprint")
    if eprint and ARXIV_RE.match(eprint):
        links.append(_external(f"https://arxiv.org/abs/{quote(eprint, safe='/')}", f"arXiv:{eprint}"))
    url = ref.field("url")
    if url and is_https_url(url):
        links.append(_external(quote(url, safe=URL_SAFE), url))
    return paragraph(Markup("Links: "), html.join(links, " · ")) if links else Markup("")


def _external(href: str, content: str) -> Markup:
    return html.link(href, html.text(content), class_="ckb-external", rel=prose.EXTERNAL_REL)


def _note(ref: Reference) -> Markup:
    note = ref.field("note")
    return admonition("note", "Note", paragraph(html.text(cite.to_unicode(note)))) if note else Markup("")


def moved(page: Page, old: str, target: str) -> str:
    """The page an old id or key keeps after a rename, pointing at its new home."""
    return (front_matter(f"{old} (renamed)", f"{old} was renamed.") +
            block(html.tag("h1", html.text(old)),
                  paragraph("This entry was renamed. It now lives at ",
                            html.link(page.url(target), html.text(target[:-3])), ".")))
