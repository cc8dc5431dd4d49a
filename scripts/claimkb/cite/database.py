"""The knowledge base as a SQLite database (sqlite-utils): tables, foreign keys and full-text search."""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from . import formatting as cite
from . import linked, metadata
from ..core.model import KnowledgeBase

# Each table and what a row is, for the docs; the order is the order they are created in.
TABLES = {
    "knowledge_base": "one row: the name, version, date, licence and URL of the knowledge base",
    "domains": "the evidence domains, in the order the site shows them (position)",
    "kinds": "the claim kinds, in the order the site shows them (position)",
    "references": "one row per reference: its key, type, title, year, identifiers, citation, BibTeX and CSL-JSON "
                  "(references is an SQL keyword: write it in double quotes)",
    "claims": "one row per claim: id, title, statement, kind, domain, the claiming work and its locator",
    "sources": "a claim's sources: the reference, its role (cited or context), locator and note",
    "relations": "claim-to-claim relations: source, type, target, note, fidelity, and the CiTO property they map to",
    "tags": "a claim's tags, one row each",
}
FTS = {"claims": ("title", "statement"), "references": ("title", "formatted")}


def _vocabulary(kb: KnowledgeBase, which: str) -> list[dict[str, Any]]:
    terms = kb.domains if which == "domains" else kb.kinds
    return [{"key": t.key, "position": i, "title": t.title, "description": t.description}
            for i, t in enumerate(terms.values(), 1)]


def _references(kb: KnowledgeBase) -> list[dict[str, Any]]:
    rows = []
    for ref in sorted(kb.references.values(), key=lambda r: r.key):
        csl = cite.csl_item(ref)
        issued = metadata.iso_date(csl.get("issued"))
        rows.append({
            "key": ref.key, "type": ref.type, "csl_type": csl["type"], "title": csl.get("title"),
            "year": issued[:4] if issued and issued[:4].isdigit() else None,
            "doi": metadata.doi_of(ref), "arxiv": metadata.arxiv_of(ref), "url": csl.get("URL"),
            "iri": metadata.work_iri(kb, ref) or None, "page_url": cite.reference_url(kb, ref) or None,
            "citation": cite.short_citation(kb, ref), "formatted": cite.format_reference(kb, ref),
            "bibtex": cite.reference_bibtex(ref), "csl": json.dumps(csl, ensure_ascii=False, sort_keys=True),
        })
    return rows


def _known(value: str | None, keys: Any) -> str | None:
    # Only what resolves: the database keeps its foreign keys true even for a knowledge base `check` rejects.
    return value if value in keys else None


def _claims(kb: KnowledgeBase) -> tuple[list[dict[str, Any]], ...]:
    claims, sources, relations, tags = [], [], [], []
    cito_relation = {m.term: f"cito:{m.cito}" for m in linked.RELATIONS}
    cito_role = {m.term: f"cito:{m.cito}" for m in linked.ROLES}
    for claim_id in sorted(kb.claims):
        claim = kb.claims[claim_id]
        by = claim.claimed_by
        claims.append({
            "id": claim.id, "key": cite.claim_key(kb, claim), "url": cite.claim_url(kb, claim) or None,
            "path": claim.path, "title": claim.title, "statement": claim.statement,
            "kind": _known(claim.kind, kb.kinds), "domain": _known(claim.domain, kb.domains),
            "claimed_by": _known(by.ref, kb.references) if by else None,
            "claimed_by_locator": str(by.locator) if by and by.locator else None,
            "annotations": claim.annotations,
        })
        for position, s in enumerate(claim.sources, 1):
            if s.ref in kb.references:
                sources.append({"claim": claim.id, "position": position, "ref": s.ref, "role": s.role,
                                "locator": str(s.locator) if s.locator else None, "note": s.note,
                                "cito": cito_role.get(s.role)})
        for position, r in enumerate(claim.relations, 1):
            if r.target in kb.claims and r.target != claim.id:  # what the site draws, too
                relations.append({"source": claim.id, "position": position, "type": r.type, "target": r.target,
                                  "note": r.note, "fidelity": r.fidelity, "cito": cito_relation.get(r.type)})
        tags.extend({"claim": claim.id, "tag": t} for t in dict.fromkeys(claim.tags))
    return claims, sources, relations, tags


def _fill(db: sqlite_utils.Database, kb: KnowledgeBase) -> None:
    s = kb.settings
    db["knowledge_base"].insert({"name": s.name, "version": s.version, "date": s.date or None,
                                 "license": s.license or None, "url": metadata.site_url(kb) or None,
                                 "prefix": s.prefix}, columns={"date": str, "license": str, "url": str})
    for which in ("domains", "kinds"):
        db[which].create({"key": str, "position": int, "title": str, "description": str}, pk="key", not_null={"title"})
        db[which].insert_all(_vocabulary(kb, which))
    db["references"].create({"key": str, "type": str, "csl_type": str, "title": str, "year": str, "doi": str,
                             "arxiv": str, "url": str, "iri": str, "page_url": str, "citation": str, "formatted": str,
                             "bibtex": str, "csl": str}, pk="key")
    db["references"].insert_all(_references(kb))
    claims, sources, relations, tags = _claims(kb)
    db["claims"].create({"id": str, "key": str, "url": str, "path": str, "title": str, "statement": str, "kind": str,
                         "domain": str, "claimed_by": str, "claimed_by_locator": str, "annotations": str}, pk="id",
                        not_null={"title", "statement"},
                        foreign_keys=[("kind", "kinds", "key"), ("domain", "domains", "key"),
                                      ("claimed_by", "references", "key")])
    db["claims"].insert_all(claims)
    db["sources"].create({"id": int, "claim": str, "position": int, "ref": str, "role": str, "locator": str,
                          "note": str, "cito": str}, pk="id", not_null={"claim", "ref", "role"},
                         foreign_keys=[("claim", "claims", "id"), ("ref", "references", "key")])
    db["sources"].insert_all(sources)
    db["relations"].create({"id": int, "source": str, "position": int, "type": str, "target": str, "note": str,
                            "fidelity": str, "cito": str}, pk="id", not_null={"source", "type", "target"},
                           foreign_keys=[("source", "claims", "id"), ("target", "claims", "id")])
    db["relations"].insert_all(relations)
    db["tags"].create({"claim": str, "tag": str}, pk=("claim", "tag"), foreign_keys=[("claim", "claims", "id")])
    db["tags"].insert_all(tags)
    for table, columns in (("claims", ("kind",)), ("claims", ("domain",)), ("sources", ("claim",)),
                           ("sources", ("ref",)), ("relations", ("source",)), ("relations", ("target",)),
                           ("tags", ("tag",))):
        db[table].create_index(columns)
    for table, columns in FTS.items():
        db[table].enable_fts(list(columns), fts_version="FTS5", create_triggers=False)


def export_sqlite(kb: KnowledgeBase) -> bytes:
    """The database file's bytes: built in memory, compacted, the same bytes for the same knowledge base."""
    conn = sqlite3.connect(":memory:")
    try:
        db = sqlite_utils.Database(conn)
        with conn:
            _fill(db, kb)
        conn.execute("VACUUM")
        return conn.serialize()
    finally:
        conn.close()


@dataclass(frozen=True, slots=True)
class Query:
    """An example query for the docs, run by the tests against the database of the knowledge base it names."""

    title: str
    sql: str
    explanation: str


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def search_word(kb: KnowledgeBase, claim_id: str | None) -> str:
    """A word worth searching for: the longest in the claim's title (the example claim, so it has hits)."""
    title = kb.claims[claim_id].title if claim_id in kb.claims else ""
    words = sorted(re.findall(r"[A-Za-z]{4,}", title), key=lambda w: (-len(w), w.lower()))
    return words[0].lower() if words else "claim"


def example_queries(kb: KnowledgeBase, claim_id: str | None, thesis_id: str | None) -> list[Query]:
    """Three queries: full-text search, the editors' fidelity grades, and one row of the convergence matrix."""
    word = search_word(kb, claim_id)
    queries = [
        Query("Full-text search", f"""\
SELECT c.id, c.title, c.kind
FROM claims_fts
JOIN claims AS c ON c.rowid = claims_fts.rowid
WHERE claims_fts MATCH {_quote(word)}
ORDER BY claims_fts.rank, c.id
LIMIT 10;""", f"Claims whose title or statement holds the word *{word}*, best match first (FTS5's bm25 rank)."),
        Query("How faithful are the secondary works?", """\
SELECT r.fidelity, count(*) AS relations, count(DISTINCT r.source) AS claims
FROM relations AS r
WHERE r.type = 'interprets'
GROUP BY r.fidelity
ORDER BY relations DESC, r.fidelity;""", "The editors' fidelity grades of every `interprets` relation: how often "
              "a secondary work's claim reads its target faithfully, reframes it, adds to it or overstates it."),
    ]
    if thesis_id is not None:
        t = _quote(thesis_id)
        queries.append(Query("One row of the convergence matrix", f"""\
WITH RECURSIVE reach(claim) AS (
  -- the thesis, then every claim that supports or refines a claim in reach, and every claim one depends on
  SELECT {t}
  UNION
  SELECT CASE r.type WHEN 'depends-on' THEN r.target ELSE r.source END
  FROM relations AS r
  JOIN reach ON reach.claim = CASE r.type WHEN 'depends-on' THEN r.source ELSE r.target END
  WHERE r.type IN ('supports', 'refines', 'depends-on')
),
leading AS (SELECT claim FROM reach WHERE claim <> {t}),
rebutting AS (
  SELECT DISTINCT r.source AS claim
  FROM relations AS r
  WHERE r.type = 'rebuts' AND r.target IN (SELECT claim FROM reach)
    AND r.source NOT IN (SELECT claim FROM leading)
)
SELECT d.title AS domain,
  (SELECT count(*) FROM leading JOIN claims AS c ON c.id = leading.claim WHERE c.domain = d.key) AS supporting,
  (SELECT count(*) FROM rebutting JOIN claims AS c ON c.id = rebutting.claim WHERE c.domain = d.key) AS rebutting
FROM domains AS d
ORDER BY d.position;""", f"The convergence matrix's row for `{thesis_id}`: per domain, the claims whose "
              "supports, refines and depends-on chains lead to the thesis, and the claims that rebut one of them "
              "(the numbers after the slash). Put another thesis's id in both places for its row."))
    return queries
