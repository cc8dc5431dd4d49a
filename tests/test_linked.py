"""Linked data: Turtle and JSON-LD read back by rdflib, validated by pyshacl, mapped to CiTO as documented.

rdflib's JSON-LD parser builds a ConjunctiveGraph internally, which rdflib 7 deprecates; that one warning is ignored
where JSON-LD is parsed, and every other warning stays an error.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyshacl import validate
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from claimkb.cite import export, linked, metadata
from claimkb.cite import formatting as cite
from claimkb.cite.linked import CITO, OA, SCHEMA
from claimkb.core import loader
from claimkb.core.model import RELATION_TYPES, KnowledgeBase
from claimkb.site import render
from conftest import REPO, make_kb, run_claimkb
from test_cite import CITE_FILES

JSONLD_WARNING = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def turtle(repo_kb: KnowledgeBase) -> str:
    return linked.export_turtle(repo_kb)


@pytest.fixture(scope="module")
def graph(turtle: str) -> Graph:
    return Graph().parse(data=turtle, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(data=linked.shapes_text(), format="turtle")


def conforms(data: Graph, shapes: Graph) -> tuple[bool, str]:
    ok, _, text = validate(data, shacl_graph=shapes)
    return bool(ok), str(text)


def iri(kb: KnowledgeBase, claim_id: str) -> URIRef:
    return URIRef(cite.claim_url(kb, claim_id))


# ---------------------------------------------------------------- rdflib and pyshacl on the repository's graph


@JSONLD_WARNING
def test_turtle_and_json_ld_hold_the_same_graph(repo_kb: KnowledgeBase, turtle: str, graph: Graph) -> None:
    from_jsonld = Graph().parse(data=linked.export_jsonld(repo_kb), format="json-ld")
    assert len(graph) == len(from_jsonld) > 20 * len(repo_kb.claims)
    assert set(graph) == set(from_jsonld)  # no blank nodes: the same triples, not only as many


def test_the_graph_conforms_to_the_shapes(graph: Graph, shapes: Graph) -> None:
    ok, report = conforms(graph, shapes)
    assert ok, report


@JSONLD_WARNING
def test_the_json_ld_conforms_too(repo_kb: KnowledgeBase, shapes: Graph) -> None:
    ok, report = conforms(Graph().parse(data=linked.export_jsonld(repo_kb), format="json-ld"), shapes)
    assert ok, report


def _mutated(graph: Graph, remove: list[tuple] = (), add: list[tuple] = ()) -> Graph:
    g = Graph()
    for t in graph:
        g.add(t)
    for t in remove:
        g.remove(t)
    for t in add:
        g.add(t)
    return g


def test_the_shapes_catch_what_they_describe(repo_kb: KnowledgeBase, graph: Graph, shapes: Graph) -> None:
    claim = iri(repo_kb, "dharma-biology-tradeoffs-universal")
    cited = next(s for s in graph.subjects(CITO.hasCitingEntity, claim)
                 if (s, CITO.hasCitationCharacterization, CITO.citesAsEvidence) in graph)
    grade = next(graph.subjects(RDF.type, OA.Annotation))
    other = iri(repo_kb, "pos1-human-intelligence-not-general")
    broken = {
        "a claim without a title": _mutated(graph, remove=[(claim, SCHEMA.name, None)]),
        "a cited source attributed to the editors": _mutated(graph, add=[
            (cited, PROV.wasAttributedTo, URIRef(f"{repo_kb.settings.site_url}cite/#editors"))]),
        "a relation to a work, not a claim": _mutated(graph, add=[(claim, CITO.supports, URIRef("https://doi.org/10.1/x"))]),
        "a fidelity grade outside the scheme": _mutated(graph, remove=[(grade, OA.hasBody, None)],
                                                         add=[(grade, OA.hasBody, other)]),
        "two kinds": _mutated(graph, add=[(claim, DCTERMS.type, URIRef(f"{repo_kb.settings.site_url}kinds/thesis/"))]),
    }
    for what, g in broken.items():
        ok, _ = conforms(g, shapes)
        assert not ok, f"the shapes accept {what}"


# ---------------------------------------------------------------- the mapping, relation by relation


def test_every_relation_type_has_a_cito_property() -> None:
    assert [m.term for m in linked.RELATIONS] == list(RELATION_TYPES)
    assert {m.term: m.cito for m in linked.RELATIONS}["supports"] == "supports"
    assert {m.term: m.cito for m in linked.RELATIONS}["rebuts"] == "disputes"
    assert {m.term: m.cito for m in linked.RELATIONS}["refines"] == "extends"


def test_every_relation_is_a_cito_triple_with_a_reified_citation(repo_kb: KnowledgeBase, graph: Graph) -> None:
    mapping = {m.term: CITO[m.cito] for m in linked.RELATIONS}
    expected = {(iri(repo_kb, c.id), mapping[r.type], iri(repo_kb, r.target))
                for c in repo_kb.claims.values() for r in c.relations if r.target in repo_kb.claims}
    found = {(s, p, o) for p in mapping.values() for s, o in graph.subject_objects(p)}
    assert found == expected and len(expected) > 100
    reified = {(graph.value(n, CITO.hasCitingEntity), graph.value(n, CITO.hasCitationCharacterization),
                graph.value(n, CITO.hasCitedEntity)) for n in graph.subjects(RDF.type, CITO.Citation)}
    assert expected <= reified


def test_sources_keep_cited_and_context_apart(repo_kb: KnowledgeBase, graph: Graph) -> None:
    editors = URIRef(f"{repo_kb.settings.site_url}cite/#editors")
    counts: Counter[str] = Counter()
    for claim in repo_kb.claims.values():
        c = iri(repo_kb, claim.id)
        claiming = URIRef(metadata.work_iri(repo_kb, repo_kb.references[claim.claimed_by.ref]))
        for s in claim.sources:
            work = URIRef(metadata.work_iri(repo_kb, repo_kb.references[s.ref]))
            prop = CITO.citesAsEvidence if s.role == "cited" else CITO.citesForInformation
            assert (c, prop, work) in graph, (claim.id, s.ref)
            node = URIRef(f"{c}#source-{s.ref}")
            assert graph.value(node, CITO.hasCitationCharacterization) == prop
            if s.locator:
                assert graph.value(node, URIRef("http://purl.org/ontology/bibo/locator")) == Literal(str(s.locator))
            if s.role == "cited":
                assert graph.value(node, PROV.wasDerivedFrom) == claiming
            else:
                assert graph.value(node, PROV.wasAttributedTo) == editors
            counts[s.role] += 1
    assert counts["cited"] > 50 and counts["context"] > 5  # the repository has both roles in numbers


def test_the_claiming_work_is_named_by_its_doi_or_arxiv_iri(repo_kb: KnowledgeBase, graph: Graph) -> None:
    claim = iri(repo_kb, "pos1-human-intelligence-not-general")
    paper = URIRef("https://doi.org/10.48550/arXiv.2602.23643")
    assert graph.value(claim, SCHEMA.appearance) == paper
    derivation = graph.value(claim, PROV.qualifiedDerivation)
    assert graph.value(derivation, PROV.entity) == paper
    assert graph.value(paper, SCHEMA.identifier) == Literal("goldfeder2026sai")
    assert (paper, RDF.type, SCHEMA.ScholarlyArticle) in graph


def test_fidelity_grades_are_the_editors_annotations(repo_kb: KnowledgeBase, graph: Graph) -> None:
    grades: Counter[str] = Counter()
    for annotation in graph.subjects(RDF.type, OA.Annotation):
        assert graph.value(annotation, OA.motivatedBy) == OA.assessing
        citation = graph.value(annotation, OA.hasTarget)
        assert graph.value(citation, CITO.hasCitationCharacterization) == CITO.discusses
        assert graph.value(annotation, DCTERMS.creator) == URIRef(f"{repo_kb.settings.site_url}cite/#editors")
        grades[str(graph.value(graph.value(annotation, OA.hasBody), SKOS.notation))] += 1
    expected = Counter(r.fidelity for c in repo_kb.claims.values() for r in c.relations if r.fidelity)
    assert grades == expected and sum(expected.values()) >= 20


def test_domains_and_kinds_are_skos_concepts(repo_kb: KnowledgeBase, graph: Graph) -> None:
    site = repo_kb.settings.site_url
    for section, terms in (("domains", repo_kb.domains), ("kinds", repo_kb.kinds)):
        scheme = URIRef(f"{site}{section}/")
        assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
        concepts = set(graph.subjects(SKOS.inScheme, scheme))
        assert concepts == {URIRef(f"{site}{section}/{key}/") for key in terms}
        for key, term in terms.items():
            assert graph.value(URIRef(f"{site}{section}/{key}/"), SKOS.prefLabel) == Literal(term.title)
    for claim in repo_kb.claims.values():
        assert graph.value(iri(repo_kb, claim.id), DCTERMS.subject) == URIRef(f"{site}domains/{claim.domain}/")
        assert graph.value(iri(repo_kb, claim.id), DCTERMS.type) == URIRef(f"{site}kinds/{claim.kind}/")


# ---------------------------------------------------------------- fixtures: identifiers, aliases, no site_url


@pytest.fixture
def cite_kb(tmp_path: Path) -> KnowledgeBase:
    return loader.load(make_kb(tmp_path, {**CITE_FILES, "claims/_aliases.yaml": "claims:\n  old-alpha: alpha-thesis\n"})).kb


def test_works_are_named_by_doi_then_arxiv_then_their_page(cite_kb: KnowledgeBase) -> None:
    g = set(linked.triples(cite_kb))
    assert (URIRef("https://doi.org/10.1086/226424"), SCHEMA.identifier, Literal("hannan1977population")) in g
    assert (URIRef("https://arxiv.org/abs/2303.08774"), SCHEMA.identifier, Literal("openai2023gpt4")) in g
    page = URIRef("https://example.org/fixture/references/doe2019/")
    assert (page, SCHEMA.identifier, Literal("doe2019")) in g and (page, RDF.type, SCHEMA.CreativeWork) in g
    old = URIRef("https://example.org/fixture/claims/old-alpha/")
    assert (old, DCTERMS.isReplacedBy, URIRef("https://example.org/fixture/claims/alpha-thesis/")) in g


def test_fixture_graph_conforms(cite_kb: KnowledgeBase, shapes: Graph) -> None:
    ok, report = conforms(linked.graph(cite_kb), shapes)
    assert ok, report


def test_export_command_writes_turtle_and_json_ld(tmp_path: Path) -> None:
    root = make_kb(tmp_path, CITE_FILES)
    kb = loader.load(root).kb
    for fmt, make in (("turtle", linked.export_turtle), ("jsonld", linked.export_jsonld)):
        out = tmp_path / f"kb.{fmt}"
        code, _, err = run_claimkb("export", "--root", root, "--format", fmt, "-o", out)
        assert code == 0, err
        assert out.read_text("utf-8") == make(kb)
    code, lines, _ = run_claimkb("export", "--root", root, "--format", "turtle")
    assert "\n".join(lines) + "\n" == linked.export_turtle(kb)


def test_linked_data_without_site_url_is_a_usage_error(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    code, lines, err = run_claimkb("export", "--root", root, "--format", "turtle")
    assert code == 2 and lines == [] and "site_url" in err
    assert "claims.ttl" not in export.downloads(loader.load(root).kb)
    assert "claims.db" in export.downloads(loader.load(root).kb)


def test_the_site_publishes_the_graph_and_its_shapes(repo_kb: KnowledgeBase, repo_render: render.Site,
                                                     turtle: str) -> None:
    files = repo_render.files
    assert files["downloads/claims.ttl"] == turtle
    assert files["downloads/claims.shapes.ttl"] == (REPO / "scripts/claimkb/schema/claimkb.shapes.ttl").read_text("utf-8")
    assert files["downloads/claims.jsonld"] == linked.export_jsonld(repo_kb)


# ---------------------------------------------------------------- the writers, for any text

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@JSONLD_WARNING
@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=4))
def test_any_literal_survives_turtle_and_json_ld(values: list[str]) -> None:
    """Quotes, backslashes, line breaks, triple quotes, controls, any script: rdflib reads back the same values."""
    data = linked.Triples()
    subject, predicate = "https://example.org/claims/x/", str(SCHEMA.keywords)
    for value in values:
        data.add(subject, predicate, linked.Text(value))
    data.add(subject, str(SCHEMA.datePublished), linked.Text("2026-02", str(XSD.gYearMonth)))
    expected = set(data)
    assert set(Graph().parse(data=linked.turtle_text(data), format="turtle")) == expected
    text = json.dumps({"@context": {p: str(ns) for p, ns in linked.PREFIXES.items()}, "@graph": linked.jsonld_nodes(data)})
    assert set(Graph().parse(data=text, format="json-ld")) == expected


def test_an_iri_turtle_cannot_carry_is_refused() -> None:
    data = linked.Triples()
    data.add("https://example.org/a b", str(SCHEMA.name), linked.Text("x"))
    with pytest.raises(Exception, match="does not look like a valid URI"):
        linked.turtle_text(data)
