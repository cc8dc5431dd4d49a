"""The knowledge base in this repository: it passes its own checker and meets the content bar of the reading."""
from __future__ import annotations

import re
from collections import deque

import pytest

from conftest import REPO, parse_output, run_check

from claimkb.core import loader
from claimkb.core import validate


@pytest.fixture(scope="module")
def kb():
    return loader.load(REPO).kb


def test_repository_checks_clean() -> None:
    code, out, err = run_check(REPO)
    found, summary = parse_output(out)
    errors = [str(d.prefix) + ": " + d.message for d in found if d.severity == "error"]
    assert errors == [] and int(summary["errors"]) == 0, "\n".join(errors)
    assert code == 0, err


def test_only_honest_warnings_each_explained(kb) -> None:
    result = loader.load(REPO)
    warnings = [d for d in validate.check(result.kb, result.diagnostics) if d.severity == "warning"]
    assert {d.code for d in warnings} <= {"uncited-evidence"}, [str(d) for d in warnings]
    for d in warnings:
        claim = next(c for c in kb.claims.values() if c.path == d.path)
        assert claim.annotations and re.search(r"cit", claim.annotations, re.I), (
            f"{claim.id}: an uncited-evidence warning must be explained in the annotations")


def test_content_volume(kb) -> None:
    paper = [c for c in kb.claims.values() if c.claimed_by and c.path.startswith("claims/paper/")]
    article = [c for c in kb.claims.values() if c.path.startswith("claims/article/")]
    assert len(paper) >= 80
    assert len(article) >= 20
    assert sum(1 for r in kb.references.values() if r.path == "references/paper.bib") == 53
    assert {"goldfeder2026sai", "lachmann2026inevitable"} <= set(kb.references)
    assert {"moravec1988mind", "nelson1982evolutionary", "forister2015global"} <= {
        r.key for r in kb.references.values() if r.path == "references/context.bib"}


def test_article_claims_interpret_the_paper_with_fidelity(kb) -> None:
    for claim in kb.claims.values():
        if claim.path.startswith("claims/article/"):
            assert claim.claimed_by and claim.claimed_by.ref == "lachmann2026inevitable", claim.id
            interprets = [r for r in claim.relations if r.type == "interprets"]
            assert interprets, f"{claim.id} interprets no paper claim"
            for r in interprets:
                assert r.fidelity and r.note, f"{claim.id} -> {r.target}: fidelity and a note are required"
                assert kb.claims[r.target].path.startswith("claims/paper/")


def test_every_domain_and_kind_has_claims(kb) -> None:
    assert {c.domain for c in kb.claims.values()} >= set(kb.domains)
    assert {c.kind for c in kb.claims.values()} >= {"thesis", "premise", "evidence", "objection", "rebuttal"}


def test_every_thesis_is_reachable_from_evidence_through_supports(kb) -> None:
    supporters: dict[str, list[str]] = {}
    for c in kb.claims.values():
        for r in c.relations:
            if r.type == "supports":
                supporters.setdefault(r.target, []).append(c.id)
    for thesis in (c for c in kb.claims.values() if c.kind == "thesis"):
        seen, queue = {thesis.id}, deque([thesis.id])
        while queue:
            for s in supporters.get(queue.popleft(), ()):
                if s not in seen:
                    seen.add(s)
                    queue.append(s)
        assert any(kb.claims[s].kind == "evidence" for s in seen), f"no evidence supports {thesis.id}"


def test_the_five_positions_are_theses(kb) -> None:
    positions = [c for c in kb.claims.values() if re.match(r"pos[1-5]-", c.id)]
    assert len(positions) == 5 and all(c.kind == "thesis" for c in positions)


def test_objections_the_paper_answers_are_rebutted(kb) -> None:
    rebutted = {r.target for c in kb.claims.values() for r in c.relations if r.type == "rebuts"}
    for oid in ("turing-machine-generality-objection", "bitter-lesson-objection", "semantics-objection"):
        assert kb.claims[oid].kind == "objection" and oid in rebutted


def test_reading_pages_cover_every_section(kb) -> None:
    reading = {p: t for p, t in kb.docs.items() if p.startswith("reading/")}
    text = "\n".join(reading.values())
    for section in ("§1", "§2", "§3", "§3.1", "§3.2", "§4", "§5", "§5.1", "§5.2", "§5.3", "§6"):
        assert section in text, section
    assert "Alternative Views" in text
    for page in ("index.md", "about.md", "open-questions.md", "article-vs-paper.md"):
        assert page in kb.docs
    # Every paper claim is discussed somewhere in the hand-written reading.
    linked = set(re.findall(r"\[\[([a-z0-9-]+)\]\]", "\n".join(kb.docs.values())))
    missing = sorted(c.id for c in kb.claims.values() if c.path.startswith("claims/paper/") and c.id not in linked)
    assert not missing, missing
