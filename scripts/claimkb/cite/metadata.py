"""Page metadata for harvesters: Highwire Press tags, Dublin Core and schema.org JSON-LD, from "Cite this"."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from . import formatting as cite
from ..core.bibload import ARXIV_RE, DOI_RE
from ..core.model import Claim, KnowledgeBase, Reference

# schema.org types for CSL types: what Google and other harvesters expect a scholarly page to describe.
SCHEMA_TYPES = {
    "article-journal": "ScholarlyArticle",
    "paper-conference": "ScholarlyArticle",
    "article": "ScholarlyArticle",
    "book": "Book",
    "chapter": "Chapter",
    "thesis": "Thesis",
    "report": "Report",
    "webpage": "WebPage",
    "software": "SoftwareSourceCode",
    "dataset": "Dataset",
}
# Highwire's tag for the container, by CSL type; Zotero and Google Scholar take the item type from it.
CONTAINER_TAGS = {
    "article-journal": "citation_journal_title",
    "paper-conference": "citation_conference_title",
    "chapter": "citation_inbook_title",
}
SPDX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]*$")


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a page says about the work it shows, as plain values; site/head.py writes (and escapes) them."""

    highwire: tuple[tuple[str, str], ...]  # (name, content) of citation_* meta tags, in order
    dublin_core: tuple[tuple[str, str], ...]  # (DC.x or DCTERMS.x, content)
    jsonld: dict[str, Any]  # one schema.org object


def site_url(kb: KnowledgeBase) -> str:
    site = kb.settings.site_url
    return site.rstrip("/") + "/" if site else ""


def doi_of(ref: Reference) -> str | None:
    doi = (ref.field("doi") or "").strip()
    return doi if DOI_RE.match(doi) else None


def arxiv_of(ref: Reference) -> str | None:
    prefix = (ref.field("archiveprefix") or ref.field("eprinttype") or "").lower()
    eprint = (ref.field("eprint") or "").strip()
    return eprint if prefix == "arxiv" and ARXIV_RE.match(eprint) else None


def doi_iri(doi: str) -> str:
    # DOIs may hold ( ) < > and spaces' cousins: percent-encoded, the IRI stays one token in every syntax.
    return f"https://doi.org/{quote(doi, safe='/')}"


def work_iri(kb: KnowledgeBase, ref: Reference) -> str:
    """The work's identity on the web: its DOI, else its arXiv abstract page, else its page on this site."""
    doi = doi_of(ref)
    if doi:
        return doi_iri(doi)
    arxiv = arxiv_of(ref)
    if arxiv:
        return f"https://arxiv.org/abs/{arxiv}"
    return cite.reference_url(kb, ref)


def license_url(kb: KnowledgeBase) -> str | None:
    """mkdocs.yml's license as a URL: an SPDX identifier (CC-BY-4.0) becomes its SPDX page; a URL stays."""
    text = kb.settings.license.strip()
    if not text:
        return None
    if text.startswith(("https://", "http://")):
        return text
    return f"https://spdx.org/licenses/{text}.html" if SPDX_RE.match(text) else None


def _date(issued: dict[str, Any] | None, separator: str) -> str | None:
    parts = (issued or {}).get("date-parts")
    if parts and parts[0]:
        first = list(parts[0])
        return separator.join([f"{first[0]:04d}", *(f"{p:02d}" for p in first[1:3])])
    literal = (issued or {}).get("literal")
    return str(literal) if literal else None


def iso_date(issued: dict[str, Any] | None) -> str | None:
    """A CSL date as ISO 8601 (2026, 2026-02, 2026-02-27); a literal date as written."""
    return _date(issued, "-")


def highwire_date(issued: dict[str, Any] | None) -> str | None:
    """A CSL date the way Google Scholar asks for it: 2026/02/27, or the year alone."""
    return _date(issued, "/")


def name_text(name: dict[str, str]) -> str:
    """A CSL name as 'Family, Given' (Highwire's and Dublin Core's order); a literal name as written."""
    if "literal" in name:
        return name["literal"]
    family = " ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    rest = [p for p in (name.get("given"), name.get("suffix")) if p]
    return ", ".join([family, *rest]) if rest else family


def name_jsonld(name: dict[str, str]) -> dict[str, str]:
    if "literal" in name:
        # A name in braces ({OpenAI}) or a knowledge base's editors: a body, not a person.
        return {"@type": "Organization", "name": name["literal"]}
    family = " ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    full = " ".join(p for p in (name.get("given"), family) if p)
    out = {"@type": "Person", "familyName": family, "name": full + (f", {name['suffix']}" if name.get("suffix") else "")}
    if name.get("given"):
        out["givenName"] = name["given"]
    return out


def _work(kb: KnowledgeBase, ref: Reference, authors: bool = True) -> dict[str, Any]:
    """A reference as a short schema.org object, enough to identify it from a claim page: the claiming work with
    its authors, a cited one without (one source lists forty, and every page stays light)."""
    return dict(_work_of(ref, work_iri(kb, ref), authors))


@lru_cache(maxsize=8192)
def _work_of(ref: Reference, iri: str, authors: bool) -> dict[str, Any]:
    # Every claim citing a work names it the same way: built once per build, copied by _work.
    csl = cite.csl_item(ref)
    out: dict[str, Any] = {"@type": SCHEMA_TYPES.get(csl["type"], "CreativeWork")}
    if iri:
        out["@id"] = iri
    out["name"] = csl.get("title") or ref.key
    if authors and csl.get("author"):
        out["author"] = [name_jsonld(n) for n in csl["author"]]
    date = iso_date(csl.get("issued"))
    if date:
        out["datePublished"] = date
    if csl.get("URL"):
        out["url"] = csl["URL"]
    return out


def claim_metadata(kb: KnowledgeBase, claim: Claim) -> PageMetadata:
    """A claim page cites the claim as an entry of the knowledge base: the values of its CSL-JSON "Cite this"."""
    csl = cite.claim_csl(kb, claim)
    authors = [name_text(n) for n in csl["author"]]
    date = csl.get("issued")
    url = csl.get("URL", "")
    highwire: list[tuple[str, str]] = [("citation_title", csl["title"])]
    highwire += [("citation_author", a) for a in authors]
    if highwire_date(date):
        highwire.append(("citation_publication_date", highwire_date(date)))
    # The container as a journal title: Zotero and Scholar read a page with citation_title as an article, and
    # citation_journal_title is the tag both take the container from (a publisher would be dropped by Zotero).
    highwire.append(("citation_journal_title", csl["container-title"]))
    if url:
        highwire.append(("citation_public_url", url))
    highwire.append(("citation_abstract", claim.statement))
    highwire += [("citation_keywords", t) for t in claim.tags]

    dc: list[tuple[str, str]] = [("DC.title", csl["title"])]
    dc += [("DC.creator", a) for a in authors]
    if iso_date(date):
        dc.append(("DC.date", iso_date(date)))
    dc.append(("DC.publisher", csl["container-title"]))
    dc.append(("DC.description", claim.statement))
    if url:
        dc.append(("DC.identifier", url))
    if site_url(kb):
        dc.append(("DCTERMS.isPartOf", site_url(kb)))
    if license_url(kb):
        dc.append(("DC.rights", license_url(kb)))
    dc += [("DC.subject", t) for t in claim.tags]

    ld: dict[str, Any] = {"@context": "https://schema.org", "@type": "Claim"}
    if url:
        ld["@id"] = url
        ld["url"] = url
    ld["identifier"] = csl["id"]
    ld["name"] = csl["title"]
    ld["text"] = claim.statement
    ld["author"] = [name_jsonld(n) for n in csl["author"]]
    if iso_date(date):
        ld["datePublished"] = iso_date(date)
    if csl.get("version"):
        ld["version"] = csl["version"]
    if claim.tags:
        ld["keywords"] = list(claim.tags)
    domain = kb.domains.get(claim.domain)
    if domain is not None:
        term: dict[str, Any] = {"@type": "DefinedTerm", "name": domain.title, "termCode": domain.key}
        if site_url(kb):
            term["@id"] = f"{site_url(kb)}domains/{domain.key}/"
            term["inDefinedTermSet"] = f"{site_url(kb)}domains/"
        ld["about"] = term
    if claim.claimed_by and claim.claimed_by.ref in kb.references:
        ld["appearance"] = _work(kb, kb.references[claim.claimed_by.ref])
    cited = [s.ref for s in claim.sources if s.role == "cited"] + [s.ref for s in claim.sources if s.role != "cited"]
    works = [_work(kb, kb.references[key], authors=False) for key in dict.fromkeys(cited) if key in kb.references]
    if works:
        ld["citation"] = works
    dataset: dict[str, Any] = {"@type": "Dataset", "name": csl["container-title"]}
    if site_url(kb):
        dataset["@id"] = dataset["url"] = site_url(kb)
    if csl.get("version"):
        dataset["version"] = csl["version"]
    ld["isPartOf"] = dataset
    if license_url(kb):
        ld["license"] = license_url(kb)
    return PageMetadata(tuple(highwire), tuple(dc), ld)


def reference_metadata(kb: KnowledgeBase, ref: Reference) -> PageMetadata:
    """A reference page describes the work itself, so saving it in Zotero gives the work: its CSL-JSON values."""
    csl = cite.csl_item(ref)
    kind = csl["type"]
    title = csl.get("title") or ref.key
    authors = [name_text(n) for n in csl.get("author", [])]
    editors = [name_text(n) for n in csl.get("editor", [])]
    date = csl.get("issued")
    doi, arxiv = doi_of(ref), arxiv_of(ref)
    public = csl.get("URL") or (doi_iri(doi) if doi else "")

    highwire: list[tuple[str, str]] = [("citation_title", title)]
    highwire += [("citation_author", a) for a in authors]
    highwire += [("citation_editor", e) for e in editors]
    if highwire_date(date):
        highwire.append(("citation_publication_date", highwire_date(date)))
    container = csl.get("container-title")
    if container and kind in CONTAINER_TAGS:
        highwire.append((CONTAINER_TAGS[kind], container))
    if kind == "thesis" and csl.get("publisher"):
        highwire.append(("citation_dissertation_institution", csl["publisher"]))
    elif kind == "report" and csl.get("publisher"):
        highwire.append(("citation_technical_report_institution", csl["publisher"]))
    elif csl.get("publisher"):
        highwire.append(("citation_publisher", csl["publisher"]))
    if kind == "report" and csl.get("number"):
        highwire.append(("citation_technical_report_number", csl["number"]))
    for field, tag in (("volume", "citation_volume"), ("issue", "citation_issue")):
        if csl.get(field):
            highwire.append((tag, str(csl[field])))
    pages = str(csl.get("page") or "")
    if pages:
        first, _, last = pages.replace("\u2013", "-").replace("--", "-").partition("-")
        highwire.append(("citation_firstpage", first.strip()))
        if last.strip():
            highwire.append(("citation_lastpage", last.strip()))
    if doi:
        highwire.append(("citation_doi", doi))
    if arxiv:
        highwire.append(("citation_arxiv_id", arxiv))
    for field, tag in (("ISBN", "citation_isbn"), ("ISSN", "citation_issn"), ("language", "citation_language"),
                       ("abstract", "citation_abstract")):
        if csl.get(field):
            highwire.append((tag, csl[field]))
    if public:
        highwire.append(("citation_public_url", public))

    dc: list[tuple[str, str]] = [("DC.title", title)]
    dc += [("DC.creator", a) for a in authors]
    dc += [("DC.contributor", e) for e in editors]
    if iso_date(date):
        dc.append(("DC.date", iso_date(date)))
    if csl.get("publisher"):
        dc.append(("DC.publisher", csl["publisher"]))
    if container:
        dc.append(("DCTERMS.isPartOf", container))
    if doi:
        dc.append(("DC.identifier", f"doi:{doi}"))
    if arxiv:
        dc.append(("DC.identifier", f"arXiv:{arxiv}"))
    if public:
        dc.append(("DC.identifier", public))
    dc.append(("DCTERMS.bibliographicCitation", cite.format_reference(kb, ref)))

    ld: dict[str, Any] = {"@context": "https://schema.org", **_work(kb, ref)}
    if editors:
        ld["editor"] = [name_jsonld(n) for n in csl["editor"]]
    if container:
        ld["isPartOf"] = {"@type": "Periodical" if kind == "article-journal" else "CreativeWork", "name": container}
    if csl.get("publisher"):
        ld["publisher"] = {"@type": "Organization", "name": csl["publisher"]}
    if pages:
        ld["pagination"] = pages
    identifiers = [{"@type": "PropertyValue", "propertyID": "DOI", "value": doi}] if doi else []
    if arxiv:
        identifiers.append({"@type": "PropertyValue", "propertyID": "arXiv", "value": arxiv})
    if identifiers:
        ld["identifier"] = identifiers
    same = [iri for iri in (doi_iri(doi) if doi else None, f"https://arxiv.org/abs/{arxiv}" if arxiv else None)
            if iri and iri != ld.get("@id")]
    if same:
        ld["sameAs"] = same
    if csl.get("ISBN") and ld["@type"] == "Book":
        ld["isbn"] = csl["ISBN"]
    if csl.get("abstract"):
        ld["abstract"] = csl["abstract"]
    if cite.reference_url(kb, ref):
        ld["mainEntityOfPage"] = cite.reference_url(kb, ref)
    return PageMetadata(tuple(highwire), tuple(dc), ld)
