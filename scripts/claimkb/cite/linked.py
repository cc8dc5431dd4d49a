"""Linked data: the knowledge base as an RDF graph (CiTO, SKOS, PROV, Web Annotation), as Turtle and JSON-LD."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS

from . import formatting as cite
from . import metadata
from ..core.model import Citation, Claim, KnowledgeBase, Reference

CITO = Namespace("http://purl.org/spar/cito/")
SCHEMA = Namespace("http://schema.org/")  # the namespace schema.org's own JSON-LD context expands to
OA = Namespace("http://www.w3.org/ns/oa#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
PREFIXES = {"cito": CITO, "schema": SCHEMA, "dcterms": DCTERMS, "skos": SKOS, "prov": PROV, "oa": OA,
            "bibo": BIBO, "foaf": FOAF, "rdf": RDF, "rdfs": RDFS, "xsd": XSD}


@dataclass(frozen=True, slots=True)
class Mapping:
    """One of our terms, the CiTO property it becomes, and why: the table on the Cite and reuse page."""

    term: str
    cito: str
    why: str


# Claim-to-claim relations: the claim holding the relation is CiTO's citing entity, its target the cited one.
RELATIONS = (
    Mapping("supports", "supports", "provides intellectual or factual support for the target's statement"),
    Mapping("rebuts", "disputes", "disputes the target's statement; CiTO's refutes would claim more than a rebuttal "
            "offered"),
    Mapping("refines", "extends", "extends the target, making it narrower or more precise"),
    Mapping("restates", "containsAssertionFrom", "contains the assertion the target makes, in other words"),
    Mapping("interprets", "discusses", "a secondary work's reading of the target; how faithful the reading is, "
            "is the editors' fidelity grade, published as an annotation"),
    Mapping("depends-on", "usesConclusionsFrom", "uses the target's conclusion as a step of its own argument"),
)
# A claim's sources, by role: what the claiming work cites at that point, or what the editors added.
ROLES = (
    Mapping("cited", "citesAsEvidence", "the claiming work cites the source at this point; the citation is derived "
            "from (prov:wasDerivedFrom) the claiming work"),
    Mapping("context", "citesForInformation", "the knowledge base's editors added the source for context; the "
            "citation is attributed to (prov:wasAttributedTo) the editors"),
)
FIDELITY = {
    "faithful": "The secondary work says what the target says, possibly in other words or with a small gloss.",
    "reframing": "The content is the target's, but the secondary work puts it to a use or in a frame the target "
                 "does not.",
    "addition": "The claim has no real counterpart in the target; the target is linked for orientation.",
    "overstatement": "The secondary work states the target's point more strongly than the target does.",
}
_RELATION_CITO = {m.term: CITO[m.cito] for m in RELATIONS}
_ROLE_CITO = {m.term: CITO[m.cito] for m in ROLES}
_DATE_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}
_IRI_RE = re.compile(r"https?://[^\s<>\"{}|\\^`]+")  # a URL field that is a valid IRI; others stay out of the graph


class NoSiteUrl(ValueError):
    """Linked data names every resource by its permanent URL, which needs mkdocs.yml's site_url."""


@lru_cache(maxsize=1)
def shapes_text() -> str:
    """The SHACL shapes the exported graph conforms to (published beside it as claims.shapes.ttl)."""
    return resources.files("claimkb").joinpath("schema/claimkb.shapes.ttl").read_text("utf-8")


def _fragment(text: str) -> str:
    return quote(text, safe=":+-._")


def _date(text: str | None) -> Literal | None:
    if not text:
        return None
    kind = _DATE_TYPES.get(len(text)) if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text) else None
    return Literal(text, datatype=kind) if kind else Literal(text)


class _Builder:
    def __init__(self, kb: KnowledgeBase) -> None:
        site = metadata.site_url(kb)
        if not site:
            raise NoSiteUrl("linked data names each claim by its permanent URL: set site_url in mkdocs.yml")
        self.kb, self.site = kb, site
        self.g = Graph(bind_namespaces="none")
        for prefix, ns in PREFIXES.items():
            self.g.bind(prefix, ns)
        self.dataset = URIRef(site)
        self.editors = URIRef(f"{site}cite/#editors")

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal | str | None) -> None:
        if o is None or o == "":
            return
        self.g.add((s, p, o if isinstance(o, (URIRef, Literal)) else Literal(o)))

    def claim_iri(self, claim_id: str) -> URIRef:
        return URIRef(cite.claim_url(self.kb, claim_id))

    def work(self, key: str) -> URIRef | None:
        ref = self.kb.references.get(key)
        return URIRef(metadata.work_iri(self.kb, ref)) if ref is not None else None

    def build(self) -> Graph:
        self.knowledge_base()
        self.vocabularies()
        for ref in sorted(self.kb.references.values(), key=lambda r: r.key):
            self.reference(ref)
        for claim_id in sorted(self.kb.claims):
            self.claim(self.kb.claims[claim_id])
        self.aliases()
        return self.g

    def knowledge_base(self) -> None:
        kb, g, d = self.kb, self.g, self.dataset
        g.add((d, RDF.type, SCHEMA.Dataset))
        self.add(d, SCHEMA.name, kb.settings.name)
        self.add(d, SCHEMA.version, cite.version_of(kb))
        self.add(d, SCHEMA.datePublished, _date(kb.settings.date[:10] if kb.settings.date else None))
        lic = metadata.license_url(kb)
        self.add(d, SCHEMA.license, URIRef(lic) if lic else None)
        self.add(d, SCHEMA.editor, self.editors)
        g.add((self.editors, RDF.type, PROV.Agent))
        g.add((self.editors, RDF.type, FOAF.Group))
        self.add(self.editors, RDFS.label, f"The editors of {kb.settings.name}")
        for i, name in enumerate(cite.editors(kb), 1):
            member = URIRef(f"{self.site}cite/#editor-{i}")
            g.add((self.editors, FOAF.member, member))
            g.add((member, RDF.type, FOAF.Agent))
            self.add(member, FOAF.name, name)

    def scheme(self, path: str, label: str) -> URIRef:
        scheme = URIRef(f"{self.site}{path}")
        self.g.add((scheme, RDF.type, SKOS.ConceptScheme))
        self.add(scheme, SKOS.prefLabel, label)
        return scheme

    def concept(self, scheme: URIRef, iri: str, notation: str, label: str, definition: str | None) -> None:
        concept = URIRef(iri)
        self.g.add((concept, RDF.type, SKOS.Concept))
        self.g.add((concept, SKOS.inScheme, scheme))
        self.add(concept, SKOS.notation, notation)
        self.add(concept, SKOS.prefLabel, label)
        self.add(concept, SKOS.definition, definition)

    def vocabularies(self) -> None:
        domains = self.scheme("domains/", "Evidence domains")
        for term in self.kb.domains.values():
            self.concept(domains, f"{self.site}domains/{term.key}/", term.key, term.title, term.description)
        kinds = self.scheme("kinds/", "Claim kinds")
        for term in self.kb.kinds.values():
            self.concept(kinds, f"{self.site}kinds/{term.key}/", term.key, term.title, term.description)
        fidelity = self.scheme("cite/#fidelity", "Fidelity of a secondary work's reading")
        for value, definition in FIDELITY.items():
            self.concept(fidelity, f"{self.site}cite/#fidelity-{value}", value, value, definition)

    def reference(self, ref: Reference) -> None:
        iri = URIRef(metadata.work_iri(self.kb, ref))
        csl = cite.reference_csl(ref)
        self.g.add((iri, RDF.type, SCHEMA.CreativeWork))
        kind = metadata.SCHEMA_TYPES.get(csl["type"])
        if kind and kind != "CreativeWork":
            self.g.add((iri, RDF.type, SCHEMA[kind]))
        self.add(iri, SCHEMA.identifier, ref.key)
        self.add(iri, SCHEMA.name, csl.get("title") or ref.key)
        self.add(iri, DCTERMS.bibliographicCitation, cite.format_reference(self.kb, ref))
        self.add(iri, SCHEMA.datePublished, _date(metadata.iso_date(csl.get("issued"))))
        self.add(iri, BIBO.doi, metadata.doi_of(ref))
        url = csl.get("URL", "")
        if _IRI_RE.fullmatch(url) and url != str(iri):
            self.add(iri, SCHEMA.url, URIRef(url))
        page = metadata.reference_url(self.kb, ref)
        if page != str(iri):
            self.add(iri, RDFS.seeAlso, URIRef(page))

    def claim(self, claim: Claim) -> None:
        kb, g = self.kb, self.g
        c = self.claim_iri(claim.id)
        g.add((c, RDF.type, SCHEMA.Claim))
        self.add(c, SCHEMA.identifier, claim.id)
        self.add(c, SCHEMA.name, claim.title)
        self.add(c, SCHEMA.text, claim.statement)
        for tag in claim.tags:
            self.add(c, SCHEMA.keywords, tag)
        g.add((c, SCHEMA.isPartOf, self.dataset))
        if claim.kind in kb.kinds:
            g.add((c, DCTERMS.type, URIRef(f"{self.site}kinds/{claim.kind}/")))
        if claim.domain in kb.domains:
            g.add((c, DCTERMS.subject, URIRef(f"{self.site}domains/{claim.domain}/")))
        claiming = self.work(claim.claimed_by.ref) if claim.claimed_by else None
        if claiming is not None and claim.claimed_by is not None:
            g.add((c, SCHEMA.appearance, claiming))
            derivation = URIRef(f"{c}#claimed-by")
            g.add((c, PROV.qualifiedDerivation, derivation))
            g.add((derivation, RDF.type, PROV.Derivation))
            g.add((derivation, PROV.entity, claiming))
            self.add(derivation, BIBO.locator, str(claim.claimed_by.locator) if claim.claimed_by.locator else None)
        seen: dict[str, int] = {}
        for source in claim.sources:
            self.source(c, source, claiming, seen)
        seen = {}
        for r in claim.relations:
            if r.target not in kb.claims or r.target == claim.id or r.type not in _RELATION_CITO:
                continue  # what the renderer leaves out too; claimkb check reports it
            target, prop = self.claim_iri(r.target), _RELATION_CITO[r.type]
            g.add((c, prop, target))
            node = self.qualified(c, f"relation-{r.type}-{r.target}", seen)
            g.add((node, RDF.type, CITO.Citation))
            g.add((node, CITO.hasCitingEntity, c))
            g.add((node, CITO.hasCitedEntity, target))
            g.add((node, CITO.hasCitationCharacterization, prop))
            g.add((node, PROV.wasAttributedTo, self.editors))  # the relations are the editors' reading
            self.add(node, RDFS.comment, " ".join(r.note.split()) if r.note else None)
            if r.fidelity in FIDELITY:
                grade = URIRef(f"{node}-fidelity")
                g.add((grade, RDF.type, OA.Annotation))
                g.add((grade, OA.motivatedBy, OA.assessing))
                g.add((grade, OA.hasTarget, node))
                g.add((grade, OA.hasBody, URIRef(f"{self.site}cite/#fidelity-{r.fidelity}")))
                g.add((grade, DCTERMS.creator, self.editors))

    def qualified(self, claim: URIRef, name: str, seen: dict[str, int]) -> URIRef:
        """A fragment IRI for one of the claim's citations, named by what it links so it survives reordering."""
        seen[name] = seen.get(name, 0) + 1
        suffix = f"-{seen[name]}" if seen[name] > 1 else ""
        return URIRef(f"{claim}#{_fragment(name)}{suffix}")

    def source(self, c: URIRef, source: Citation, claiming: URIRef | None, seen: dict[str, int]) -> None:
        work = self.work(source.ref)
        if work is None or source.role not in _ROLE_CITO:
            return
        g, prop = self.g, _ROLE_CITO[source.role]
        g.add((c, prop, work))
        node = self.qualified(c, f"source-{source.ref}", seen)
        g.add((node, RDF.type, CITO.Citation))
        g.add((node, CITO.hasCitingEntity, c))
        g.add((node, CITO.hasCitedEntity, work))
        g.add((node, CITO.hasCitationCharacterization, prop))
        self.add(node, BIBO.locator, str(source.locator) if source.locator else None)
        self.add(node, RDFS.comment, " ".join(source.note.split()) if source.note else None)
        if source.role == "context":
            g.add((node, PROV.wasAttributedTo, self.editors))
        elif claiming is not None:
            g.add((node, PROV.wasDerivedFrom, claiming))

    def aliases(self) -> None:
        for full, new in sorted(self.kb.aliases.items()):
            section, old = full.split(":", 1)
            if section == "claims" and new in self.kb.claims:
                self.g.add((self.claim_iri(old), DCTERMS.isReplacedBy, self.claim_iri(new)))
            elif section == "references" and new in self.kb.references:
                self.g.add((URIRef(metadata.reference_url(self.kb, old)), DCTERMS.isReplacedBy, self.work(new)))


def graph(kb: KnowledgeBase) -> Graph:
    """The knowledge base as RDF; raises NoSiteUrl without a site_url to name the resources by."""
    return _Builder(kb).build()


def claim_graph(kb: KnowledgeBase, claim_id: str) -> Graph:
    """The triples about one claim and its citations, as in the whole graph: the Cite and reuse page's example."""
    builder = _Builder(kb)
    builder.claim(kb.claims[claim_id])
    return builder.g


def _header(kb: KnowledgeBase, what: str) -> str:
    version = cite.version_of(kb)
    return f"{kb.settings.name}: {what}" + (f", version {version}" if version else "")


def export_turtle(kb: KnowledgeBase, g: Graph | None = None) -> str:
    """Turtle, subjects and objects sorted by rdflib's serializer: the same graph gives the same text."""
    text = (g if g is not None else graph(kb)).serialize(format="turtle")
    comment = (f"# {_header(kb, 'claims, references and their relations as linked data')}.\n"
               "# Vocabularies: CiTO for relations and sources, SKOS for domains, kinds and fidelity grades, PROV for\n"
               "# who asserted what, Web Annotation for the editors' fidelity grades. SHACL shapes: claims.shapes.ttl.\n")
    return comment + text.rstrip("\n") + "\n"


def _sorted(value: Any) -> Any:
    """JSON-LD with every node and every set of values in one order (rdflib emits them in hash order)."""
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def export_jsonld(kb: KnowledgeBase, g: Graph | None = None) -> str:
    """Compact JSON-LD with the prefixes as its context: the same triples as the Turtle."""
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    text = (g if g is not None else graph(kb)).serialize(format="json-ld", context=context, auto_compact=True)
    data = json.loads(text)
    nodes = data.get("@graph", [data] if "@id" in data else [])
    out = {"@context": context, "@graph": sorted(_sorted(nodes), key=lambda n: n.get("@id", ""))}
    return json.dumps(out, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
