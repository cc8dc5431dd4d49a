"""Linked data: the knowledge base as an RDF graph (CiTO, SKOS, PROV, Web Annotation), as Turtle and JSON-LD."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator
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
_DATE_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}
_IRI_RE = re.compile(r"https?://[^\s<>\"{}|\\^`]+")  # a URL field that is a valid IRI; others stay out of the graph

# The terms the graph uses, as plain strings looked up once: rdflib makes a new URIRef on every attribute access,
# and hashes one by building a new string each time, which at 250,000 triples cost seconds.
A = str(RDF.type)
_T = {name: str(ns[name]) for ns, names in (
    (SCHEMA, ("Claim", "CreativeWork", "Dataset", "name", "text", "identifier", "keywords", "isPartOf", "appearance",
              "version", "datePublished", "license", "editor", "url")),
    (CITO, ("Citation", "hasCitingEntity", "hasCitedEntity", "hasCitationCharacterization")),
    (PROV, ("Agent", "Derivation", "qualifiedDerivation", "entity", "wasDerivedFrom", "wasAttributedTo")),
    (OA, ("Annotation", "motivatedBy", "assessing", "hasTarget", "hasBody")),
    (SKOS, ("Concept", "ConceptScheme", "inScheme", "notation", "prefLabel", "definition")),
    (FOAF, ("Group", "member")),  # foaf:Agent is written out: "Agent" is PROV's
) for name in names}
FOAF_NAME, DC_TYPE, DC_SUBJECT, DC_CREATOR, DC_CITATION, DC_REPLACED = (
    str(FOAF["name"]), str(DCTERMS.type), str(DCTERMS.subject), str(DCTERMS.creator),
    str(DCTERMS.bibliographicCitation), str(DCTERMS.isReplacedBy))
LABEL, COMMENT, SEE_ALSO = str(RDFS.label), str(RDFS.comment), str(RDFS.seeAlso)
LOCATOR, DOI = str(BIBO.locator), str(BIBO.doi)
_RELATION_CITO = {m.term: str(CITO[m.cito]) for m in RELATIONS}
_ROLE_CITO = {m.term: str(CITO[m.cito]) for m in ROLES}



@dataclass(frozen=True, slots=True)
class Text:
    """A literal: its lexical value and, for a date, its XSD datatype IRI (rdflib's Literal when read as a Graph)."""

    value: str
    datatype: str | None = None

    def literal(self) -> Literal:
        return Literal(self.value, datatype=URIRef(self.datatype) if self.datatype else None)


# An object is an IRI (a plain str) or a Text; subjects and predicates are always IRIs.
Object = str | Text


class NoSiteUrl(ValueError):
    """Linked data names every resource by its permanent URL, which needs mkdocs.yml's site_url."""


@lru_cache(maxsize=1)
def shapes_text() -> str:
    """The SHACL shapes the exported graph conforms to (published beside it as claims.shapes.ttl)."""
    return resources.files("claimkb").joinpath("schema/claimkb.shapes.ttl").read_text("utf-8")


def _fragment(text: str) -> str:
    return quote(text, safe=":+-._")


def _date(text: str | None) -> Text | None:
    if not text:
        return None
    kind = _DATE_TYPES.get(len(text)) if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text) else None
    return Text(text, str(kind) if kind else None)


class Triples:
    """Triples by subject and predicate, in plain strings: what the writers walk in order.

    rdflib's store and serializers took 35 s of a 5,000-claim build, whose budget is 1.3 times plain MkDocs; so the
    graph is written from this index (with rdflib's namespaces and its check that an IRI can be written), and
    `graph()` gives the same triples as an rdflib Graph. The tests parse both files back with rdflib.
    """

    def __init__(self) -> None:
        self.by_subject: dict[str, dict[str, list[Object]]] = {}

    def add(self, s: str, p: str, o: Object | None) -> None:
        if o is None or o == "":
            return
        self.by_subject.setdefault(s, {}).setdefault(p, []).append(o)

    def __iter__(self) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
        seen = set()
        for s, predicates in self.by_subject.items():
            for p, objects in predicates.items():
                for o in objects:
                    triple = (URIRef(s), URIRef(p), URIRef(o) if type(o) is str else o.literal())
                    if triple not in seen:
                        seen.add(triple)
                        yield triple

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Builder:
    def __init__(self, kb: KnowledgeBase) -> None:
        site = metadata.site_url(kb)
        if not site:
            raise NoSiteUrl("linked data names each claim by its permanent URL: set site_url in mkdocs.yml")
        self.kb, self.site = kb, site
        self.g = Triples()
        self.dataset = site
        self.editors = f"{site}cite/#editors"
        self._works: dict[str, str | None] = {}

    def text(self, s: str, p: str, value: str | None) -> None:
        if value:
            self.g.add(s, p, Text(value))

    def claim_iri(self, claim_id: str) -> str:
        return cite.claim_url(self.kb, claim_id)

    def work(self, key: str) -> str | None:
        if key not in self._works:
            ref = self.kb.references.get(key)
            self._works[key] = metadata.work_iri(self.kb, ref) if ref is not None else None
        return self._works[key]

    def build(self) -> Triples:
        self.knowledge_base()
        self.vocabularies()
        for ref in sorted(self.kb.references.values(), key=lambda r: r.key):
            self.reference(ref)
        for claim_id in sorted(self.kb.claims):
            self.claim(self.kb.claims[claim_id])
        self.aliases()
        return self.g

    def knowledge_base(self) -> None:
        kb, add, d = self.kb, self.g.add, self.dataset
        add(d, A, _T["Dataset"])
        self.text(d, _T["name"], kb.settings.name)
        self.text(d, _T["version"], cite.version_of(kb))
        add(d, _T["datePublished"], _date(kb.settings.date[:10] if kb.settings.date else None))
        add(d, _T["license"], metadata.license_url(kb))
        add(d, _T["editor"], self.editors)
        add(self.editors, A, _T["Agent"])
        add(self.editors, A, _T["Group"])
        self.text(self.editors, LABEL, f"The editors of {kb.settings.name}")
        for i, name in enumerate(cite.editors(kb), 1):
            member = f"{self.site}cite/#editor-{i}"
            add(self.editors, _T["member"], member)
            add(member, A, str(FOAF.Agent))
            self.text(member, FOAF_NAME, name)

    def scheme(self, path: str, label: str) -> str:
        scheme = f"{self.site}{path}"
        self.g.add(scheme, A, _T["ConceptScheme"])
        self.text(scheme, _T["prefLabel"], label)
        return scheme

    def concept(self, scheme: str, iri: str, notation: str, label: str, definition: str | None) -> None:
        self.g.add(iri, A, _T["Concept"])
        self.g.add(iri, _T["inScheme"], scheme)
        self.text(iri, _T["notation"], notation)
        self.text(iri, _T["prefLabel"], label)
        self.text(iri, _T["definition"], definition)

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
        add, iri = self.g.add, self.work(ref.key)
        assert iri is not None
        csl = cite.csl_item(ref)
        add(iri, A, _T["CreativeWork"])
        kind = metadata.SCHEMA_TYPES.get(csl["type"])
        if kind and kind != "CreativeWork":
            add(iri, A, str(SCHEMA[kind]))
        self.text(iri, _T["identifier"], ref.key)
        self.text(iri, _T["name"], csl.get("title") or ref.key)
        self.text(iri, DC_CITATION, cite.format_reference(self.kb, ref))
        add(iri, _T["datePublished"], _date(metadata.iso_date(csl.get("issued"))))
        self.text(iri, DOI, metadata.doi_of(ref))
        url = csl.get("URL", "")
        if _IRI_RE.fullmatch(url) and url != iri:
            add(iri, _T["url"], url)
        page = cite.reference_url(self.kb, ref)
        if page != iri:
            add(iri, SEE_ALSO, page)

    def claim(self, claim: Claim) -> None:
        kb, add = self.kb, self.g.add
        c = self.claim_iri(claim.id)
        add(c, A, _T["Claim"])
        self.text(c, _T["identifier"], claim.id)
        self.text(c, _T["name"], claim.title)
        self.text(c, _T["text"], claim.statement)
        for tag in dict.fromkeys(claim.tags):
            self.text(c, _T["keywords"], tag)
        add(c, _T["isPartOf"], self.dataset)
        if claim.kind in kb.kinds:
            add(c, DC_TYPE, f"{self.site}kinds/{claim.kind}/")
        if claim.domain in kb.domains:
            add(c, DC_SUBJECT, f"{self.site}domains/{claim.domain}/")
        claiming = self.work(claim.claimed_by.ref) if claim.claimed_by else None
        if claiming is not None and claim.claimed_by is not None:
            add(c, _T["appearance"], claiming)
            derivation = f"{c}#claimed-by"
            add(c, _T["qualifiedDerivation"], derivation)
            add(derivation, A, _T["Derivation"])
            add(derivation, _T["entity"], claiming)
            self.text(derivation, LOCATOR, str(claim.claimed_by.locator) if claim.claimed_by.locator else None)
        seen: dict[str, int] = {}
        for source in claim.sources:
            self.source(c, source, claiming, seen)
        seen = {}
        for r in claim.relations:
            if r.target not in kb.claims or r.target == claim.id or r.type not in _RELATION_CITO:
                continue  # what the renderer leaves out too; claimkb check reports it
            target, prop = self.claim_iri(r.target), _RELATION_CITO[r.type]
            add(c, prop, target)
            node = self.citation(c, f"relation-{r.type}-{r.target}", seen, target, prop)
            add(node, _T["wasAttributedTo"], self.editors)  # the relations are the editors' reading
            self.text(node, COMMENT, " ".join(r.note.split()) if r.note else None)
            if r.fidelity in FIDELITY:
                grade = f"{node}-fidelity"
                add(grade, A, _T["Annotation"])
                add(grade, _T["motivatedBy"], _T["assessing"])
                add(grade, _T["hasTarget"], node)
                add(grade, _T["hasBody"], f"{self.site}cite/#fidelity-{r.fidelity}")
                add(grade, DC_CREATOR, self.editors)

    def citation(self, claim: str, name: str, seen: dict[str, int], cited: str, prop: str) -> str:
        """The citation reified at a fragment of the claim's URL, named by what it links so it survives reordering."""
        seen[name] = seen.get(name, 0) + 1
        node = f"{claim}#{_fragment(name)}" + (f"-{seen[name]}" if seen[name] > 1 else "")
        add = self.g.add
        add(node, A, _T["Citation"])
        add(node, _T["hasCitingEntity"], claim)
        add(node, _T["hasCitedEntity"], cited)
        add(node, _T["hasCitationCharacterization"], prop)
        return node

    def source(self, c: str, source: Citation, claiming: str | None, seen: dict[str, int]) -> None:
        work = self.work(source.ref)
        if work is None or source.role not in _ROLE_CITO:
            return
        prop = _ROLE_CITO[source.role]
        self.g.add(c, prop, work)
        node = self.citation(c, f"source-{source.ref}", seen, work, prop)
        self.text(node, LOCATOR, str(source.locator) if source.locator else None)
        self.text(node, COMMENT, " ".join(source.note.split()) if source.note else None)
        if source.role == "context":
            self.g.add(node, _T["wasAttributedTo"], self.editors)
        elif claiming is not None:
            self.g.add(node, _T["wasDerivedFrom"], claiming)

    def aliases(self) -> None:
        for full, new in sorted(self.kb.aliases.items()):
            section, old = full.split(":", 1)
            if section == "claims" and new in self.kb.claims:
                self.g.add(self.claim_iri(old), DC_REPLACED, self.claim_iri(new))
            elif section == "references" and new in self.kb.references:
                self.g.add(cite.reference_url(self.kb, old), DC_REPLACED, self.work(new))


def triples(kb: KnowledgeBase) -> Triples:
    """The knowledge base's triples; raises NoSiteUrl without a site_url to name the resources by."""
    return _Builder(kb).build()


def claim_triples(kb: KnowledgeBase, claim_id: str) -> Triples:
    """The triples about one claim and its citations, as in the whole graph: the Cite and reuse page's example."""
    builder = _Builder(kb)
    builder.claim(kb.claims[claim_id])
    return builder.g


def graph(kb: KnowledgeBase, data: Triples | None = None) -> Graph:
    """The knowledge base (or the given triples) as an rdflib Graph, with the prefixes bound."""
    g = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for triple in data if data is not None else triples(kb):
        g.add(triple)
    return g


def _header(kb: KnowledgeBase, what: str) -> str:
    version = cite.version_of(kb)
    return f"{kb.settings.name}: {what}" + (f", version {version}" if version else "")


class _Terms:
    """Terms as Turtle and JSON-LD text: prefixed names where a term has one, and which prefixes were used."""

    _LOCAL = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
    # Turtle's string escapes (ECHAR): every other character may stand as itself between double quotes.
    _ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})

    def __init__(self) -> None:
        self._iris: dict[str, tuple[str, str | None]] = {}  # IRI -> (Turtle form, prefix); also what was written
        self._spaces = sorted(((p, str(ns)) for p, ns in PREFIXES.items()), key=lambda x: -len(x[1]))

    def _iri(self, iri: str) -> tuple[str, str | None]:
        found = self._iris.get(iri)
        if found is None:
            prefix, local = next(((p, iri[len(ns):]) for p, ns in self._spaces
                                  if iri.startswith(ns) and self._LOCAL.fullmatch(iri[len(ns):])), (None, ""))
            # URIRef.n3 refuses an IRI holding a character Turtle cannot carry (< > " { } | \ ^ `, spaces).
            found = self._iris[iri] = (f"{prefix}:{local}" if prefix else URIRef(iri).n3(), prefix)
        return found

    def used(self) -> list[str]:
        return sorted({prefix for _, prefix in self._iris.values() if prefix})

    def turtle(self, term: Object) -> str:
        if type(term) is str:
            return self._iri(term)[0]
        assert isinstance(term, Text)
        text = f'"{term.value.translate(self._ESCAPES)}"'
        return f"{text}^^{self._iri(term.datatype)[0]}" if term.datatype else text

    def compact(self, iri: str) -> str:
        text, prefix = self._iri(iri)
        return text if prefix else iri

    def jsonld(self, term: Object) -> Any:
        if type(term) is str:
            return {"@id": self.compact(term)}
        assert isinstance(term, Text)
        return {"@type": self.compact(term.datatype), "@value": term.value} if term.datatype else term.value


def _jsonld_order(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return ("1", value)
    return ("0", value["@id"]) if "@id" in value else ("2", value["@value"], value.get("@type", ""))


def turtle_text(data: Triples, header: str = "") -> str:
    """Turtle, one block a subject, everything sorted: the same triples give the same text."""
    terms = _Terms()
    blocks = []
    for s in sorted(data.by_subject):
        predicates = data.by_subject[s]
        parts = []
        for p in sorted(predicates, key=lambda p: (p != A, "" if p == A else terms.turtle(p))):
            objects = ",\n        ".join(sorted({terms.turtle(o) for o in predicates[p]}))
            parts.append(f"{'a' if p == A else terms.turtle(p)} {objects}")
        blocks.append(f"{terms.turtle(s)} " + " ;\n    ".join(parts) + " .\n")
    prefixes = "".join(f"@prefix {p}: <{str(PREFIXES[p])}> .\n" for p in terms.used())
    return header + prefixes + "\n" + "\n".join(blocks)


def export_turtle(kb: KnowledgeBase, data: Triples | None = None) -> str:
    header = (f"# {_header(kb, 'claims, references and their relations as linked data')}.\n"
              "# Vocabularies: CiTO for relations and sources, SKOS for domains, kinds and fidelity grades, PROV\n"
              "# for who asserted what, Web Annotation for the editors' fidelity grades.\n"
              "# SHACL shapes: claims.shapes.ttl.\n")
    return turtle_text(data if data is not None else triples(kb), header)


def jsonld_nodes(data: Triples) -> list[dict[str, Any]]:
    """One compact JSON-LD node a subject, sorted, with the prefixes of PREFIXES: the same triples as the Turtle."""
    terms = _Terms()
    nodes = []
    for s in sorted(data.by_subject):
        node: dict[str, Any] = {"@id": terms.compact(s)}
        for p, objects in data.by_subject[s].items():
            if p == A:
                key, values = "@type", sorted({terms.compact(o) for o in objects})
            else:
                unique = {_jsonld_order(v): v for v in (terms.jsonld(o) for o in objects)}
                key, values = terms.compact(p), [unique[k] for k in sorted(unique)]
            node[key] = values[0] if len(values) == 1 else values
        nodes.append(node)
    return nodes


def export_jsonld(kb: KnowledgeBase, data: Triples | None = None) -> str:
    """The graph as JSON-LD: the context, then one node a line (the C JSON encoder: indenting costs seconds)."""
    context = json.dumps({p: str(ns) for p, ns in sorted(PREFIXES.items())}, indent=4)
    nodes = jsonld_nodes(data if data is not None else triples(kb))
    lines = ",\n".join("    " + json.dumps(n, ensure_ascii=False, sort_keys=True) for n in nodes)
    return f'{{\n  "@context": {context[:-1]}  }},\n  "@graph": [\n{lines}\n  ]\n}}\n'
