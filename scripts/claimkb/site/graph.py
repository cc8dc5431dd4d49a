"""The claim graph a render reads: relations indexed both ways, references formatted once, support chains."""
from __future__ import annotations

from collections import defaultdict

from ..cite import formatting as cite
from ..core import pagelinks
from ..core.model import KnowledgeBase


class Graph:
    """Relations indexed both ways and references formatted, computed once per render."""

    def __init__(self, kb: KnowledgeBase) -> None:
        # pybtex formatting is the costliest step of a page: each reference is formatted once per build.
        self.formatted = {key: cite.format_reference(kb, ref) for key, ref in kb.references.items()}
        self._supporters: dict[str, dict[str, int]] = {}
        self._kb = kb
        self._pages: frozenset[str] | None = None
        self.out: dict[str, list[tuple[str, str, str | None, str | None]]] = defaultdict(list)
        self.into: dict[str, list[tuple[str, str, str | None, str | None]]] = defaultdict(list)
        for claim in kb.claims.values():
            for r in claim.relations:
                if r.target in kb.claims and r.target != claim.id:
                    self.out[claim.id].append((r.type, r.target, r.note, r.fidelity))
                    self.into[r.target].append((r.type, claim.id, r.note, r.fidelity))
        self.citing: dict[str, list[tuple[str, str]]] = defaultdict(list)  # ref key -> (claim id, role)
        for claim in kb.claims.values():
            if claim.claimed_by:
                self.citing[claim.claimed_by.ref].append((claim.id, "claimed"))
            for s in claim.sources:
                self.citing[s.ref].append((claim.id, s.role))

    def supporters(self, thesis: str) -> dict[str, int]:
        """Claims whose supports/refines/depends-on chains reach thesis, with their distance."""
        if thesis in self._supporters:
            return self._supporters[thesis]
        seen = {thesis: 0}
        frontier = [thesis]
        while frontier:
            nxt = []
            for node in frontier:
                # What node rests on: claims that support or refine it, and claims it depends on.
                below = [s for t, s, _, _ in self.into.get(node, ()) if t in ("supports", "refines")]
                below += [t for rtype, t, _, _ in self.out.get(node, ()) if rtype == "depends-on"]
                for other in below:
                    if other not in seen:
                        seen[other] = seen[node] + 1
                        nxt.append(other)
            frontier = nxt
        del seen[thesis]
        self._supporters[thesis] = seen
        return seen

    def site_pages(self) -> frozenset[str]:
        """Every page the site will have, as the checker knows them: where contributed links may go."""
        if self._pages is None:
            self._pages = frozenset(pagelinks.pages(self._kb))
        return self._pages
