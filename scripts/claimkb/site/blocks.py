"""Generated blocks: `[[generated:name]]`, alone on a line of a hand-written page, becomes Markdown computed from the
data at every build (the MkDocs plugin and `claimkb render --with-docs` both expand it), so no page types a count."""
from __future__ import annotations

from collections import Counter
from typing import Callable

from ..core.markup import GENERATED_BLOCKS
from ..core.model import FIDELITIES, Claim, KnowledgeBase

ClaimLink = Callable[[str], str]  # claim id -> a Markdown link to its page, from the page being built


def render(kb: KnowledgeBase, name: str, claim_link: ClaimLink) -> str | None:
    """The block's Markdown, or None for a name that is no block (the checker reports it as docs-unknown-block)."""
    if name not in GENERATED_BLOCKS:
        return None
    return BLOCKS[name](kb, claim_link)


def graded(kb: KnowledgeBase) -> list[tuple[Claim, tuple[str, ...]]]:
    """Each claim with interprets relations and their fidelities, in file order; the first is the claim's grade."""
    out = []
    for claim in sorted(kb.claims.values(), key=lambda c: c.id):
        grades = tuple(r.fidelity for r in claim.relations if r.type == "interprets" and r.fidelity in FIDELITIES)
        if grades:
            out.append((claim, grades))
    return out


def fidelity_counts(kb: KnowledgeBase, claim_link: ClaimLink) -> str:
    rows = graded(kb)
    if not rows:
        return "No claim has an `interprets` relation with a fidelity grade yet.\n"
    by_claim = Counter(grades[0] for _, grades in rows)
    by_relation = Counter(g for _, grades in rows for g in grades)
    out = ["| Fidelity | Claims, by the grade of their first `interprets` relation | All graded `interprets` relations |\n",
           "|---|---|---|\n"]
    out += [f"| {grade} | {by_claim[grade]} | {by_relation[grade]} |\n" for grade in FIDELITIES]
    out.append(f"| **All** | **{sum(by_claim.values())}** | **{sum(by_relation.values())}** |\n\n")
    out.append('??? info "The claims counted under each grade"\n\n')
    for grade in FIDELITIES:
        members = [claim_link(claim.id) for claim, grades in rows if grades[0] == grade]
        if members:
            out.append(f"    - **{grade}** ({len(members)}): {', '.join(members)}\n")
    return "".join(out)


BLOCKS: dict[str, Callable[[KnowledgeBase, ClaimLink], str]] = {"fidelity-counts": fidelity_counts}
