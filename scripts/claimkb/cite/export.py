"""Site-wide downloads: BibTeX, CSL-JSON, the claims.json dataset, linked data and SQLite, each deterministic."""
from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from . import database, linked
from . import formatting as cite
from ..core.model import Citation, Claim, KnowledgeBase, Locator, Reference

INVERSE = {
    "supports": "supported_by",
    "rebuts": "rebutted_by",
    "refines": "refined_by",
    "restates": "restated_by",
    "interprets": "interpreted_by",
    "depends-on": "depended_on_by",
}


@lru_cache(maxsize=1)
def dataset_schema() -> dict[str, Any]:
    return json.loads(resources.files("claimkb").joinpath("schema/dataset.schema.json").read_text("utf-8"))


def _references(kb: KnowledgeBase) -> list[Reference]:
    return sorted(kb.references.values(), key=lambda r: (r.key.lower(), r.key))


def _claims(kb: KnowledgeBase) -> list[Claim]:
    return [kb.claims[k] for k in sorted(kb.claims)]


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _bib(kb: KnowledgeBase, what: str, entries: Iterable[str]) -> str:
    version = cite.version_of(kb)
    header = f"% {kb.settings.name}: {what}" + (f", version {version}" if version else "") + ".\n"
    return header + "".join("\n" + e for e in entries)


def export_references_bib(kb: KnowledgeBase) -> str:
    return _bib(kb, "every reference, normalized", (cite.reference_bibtex(r) for r in _references(kb)))


def export_claims_bib(kb: KnowledgeBase) -> str:
    return _bib(kb, "every claim as a citable entry", (cite.claim_bibtex(kb, c) for c in _claims(kb)))


def export_csl(kb: KnowledgeBase, what: str = "references") -> str:
    if what == "references":
        items = [cite.reference_csl(r) for r in _references(kb)]
    elif what == "claims":
        items = [cite.claim_csl(kb, c) for c in _claims(kb)]
    else:
        raise ValueError(f"what must be 'references' or 'claims', not {what!r}")
    return _json(items)


def _locator(locator: Locator | None) -> dict[str, Any] | None:
    if locator is None:
        return None
    return {"label": locator.label, "value": locator.value, "text": str(locator)}


def _citation(kb: KnowledgeBase, c: Citation, with_role: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ref": c.ref,
        "locator": _locator(c.locator),
        "citation": cite.short_citation(kb, c),
        "formatted": cite.format_reference(kb, c.ref) if c.ref in kb.references else None,
    }
    if with_role:
        out["role"] = c.role
        out["note"] = c.note
    return out


def _claim(kb: KnowledgeBase, claim: Claim, inverse: list[dict[str, Any]]) -> dict[str, Any]:
    def title(claim_id: str) -> str | None:
        target = kb.claims.get(claim_id)
        return target.title if target is not None else None

    return {
        "id": claim.id,
        "key": cite.claim_key(kb, claim),
        "url": cite.claim_url(kb, claim) or None,
        "path": claim.path,
        "title": claim.title,
        "statement": claim.statement,
        "kind": claim.kind,
        "domain": claim.domain,
        "claimed_by": _citation(kb, claim.claimed_by, with_role=False) if claim.claimed_by else None,
        "sources": [_citation(kb, s, with_role=True) for s in claim.sources],
        "relations": [{"type": r.type, "target": r.target, "target_title": title(r.target),
                       "note": r.note, "fidelity": r.fidelity} for r in claim.relations],
        "inverse_relations": inverse,
        "annotations": claim.annotations,
        "tags": list(claim.tags),
    }


def _inverse_relations(kb: KnowledgeBase) -> dict[str, list[dict[str, Any]]]:
    """For each claim, the relations other claims hold to it, named from its side: supported_by, rebutted_by, ..."""
    out: dict[str, list[dict[str, Any]]] = {claim_id: [] for claim_id in kb.claims}
    for claim in _claims(kb):
        for r in claim.relations:
            if r.target in out and r.type in INVERSE:
                out[r.target].append({"type": INVERSE[r.type], "source": claim.id, "source_title": claim.title,
                                      "note": r.note, "fidelity": r.fidelity})
    return out


def claim_entry(kb: KnowledgeBase, claim_id: str) -> dict[str, Any]:
    """One claim's entry in the dataset, as claims.json has it."""
    return _claim(kb, kb.claims[claim_id], _inverse_relations(kb)[claim_id])


def dataset(kb: KnowledgeBase) -> dict[str, Any]:
    """The whole knowledge base as one JSON document, with the schema it follows embedded."""
    settings = kb.settings
    inverse = _inverse_relations(kb)
    return {
        "name": settings.name,
        "version": settings.version,
        "date": settings.date or None,
        "license": settings.license or None,
        "url": settings.site_url or None,
        "schema": dataset_schema(),
        "domains": [{"key": t.key, "title": t.title, "description": t.description}
                    for t in sorted(kb.domains.values(), key=lambda t: t.key)],
        "kinds": [{"key": t.key, "title": t.title, "description": t.description}
                  for t in sorted(kb.kinds.values(), key=lambda t: t.key)],
        "claims": [_claim(kb, c, inverse[c.id]) for c in _claims(kb)],
        "references": [{"key": r.key, "citation": cite.short_citation(kb, r), "formatted": cite.format_reference(kb, r),
                        "csl": cite.reference_csl(r), "bibtex": cite.reference_bibtex(r)} for r in _references(kb)],
    }


def export_dataset(kb: KnowledgeBase) -> str:
    return _json(dataset(kb))


def downloads(kb: KnowledgeBase) -> dict[str, str | bytes]:
    """Every file the site publishes under downloads/, by name. Linked data needs site_url, so without it the
    Turtle and JSON-LD files are left out (the Cite and reuse page says so)."""
    files: dict[str, str | bytes] = {
        "references.bib": export_references_bib(kb),
        "claims.bib": export_claims_bib(kb),
        "references.json": export_csl(kb, "references"),
        "claims-csl.json": export_csl(kb, "claims"),
        "claims.json": export_dataset(kb),
    }
    if kb.settings.site_url:
        data = linked.triples(kb)
        files["claims.ttl"] = linked.export_turtle(kb, data)
        files["claims.jsonld"] = linked.export_jsonld(kb, data)
        files["claims.shapes.ttl"] = linked.shapes_text()
    files["claims.db"] = database.export_sqlite(kb)
    return files


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write text (UTF-8) or bytes to path through a temporary file beside it: readers never see half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)  # mkstemp creates the file private; a download is meant to be read by others
        if isinstance(data, bytes):
            with os.fdopen(fd, "wb") as b:
                b.write(data)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
