"""A claim's neighbourhood as a figure of plain HTML: what the claim bears on above it, the claim, what bears on it
below, every box with its whole title, kind and domain, every link an ordinary link. No script and no canvas: the
figure reflows to any width, reads in order without CSS, and a screen reader meets it as two labelled lists."""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

from ...core.model import Claim, KnowledgeBase
from .. import html
from ..html import Markup
from .palette import kind_class

Edge = tuple[str, str, "str | None", "str | None"]  # (relation, other claim, note, fidelity), as the relation index holds them
# How a neighbour's box is labelled, by side: up = the claim bears on it, down = it bears on the claim. depends-on
# reads against the direction of support: what a claim needs sits below it, what needs it above.
UP = {"supports": "supported by this claim", "rebuts": "rebutted by this claim", "refines": "refined by this claim",
      "interprets": "interpreted by this claim", "restates": "restated by this claim", "depends-on": "depends on this claim"}
DOWN = {"supports": "supports this claim", "rebuts": "rebuts this claim", "refines": "refines this claim",
        "interprets": "interprets this claim", "restates": "restates this claim", "depends-on": "needed by this claim"}
ORDER = ("supports", "depends-on", "refines", "rebuts", "interprets", "restates")


def sides(claim_id: str, out: Mapping[str, Sequence[Edge]], into: Mapping[str, Sequence[Edge]]
          ) -> tuple[list[tuple[str, tuple[str, ...]]], list[tuple[str, tuple[str, ...]]]]:
    """(neighbour, its relations) above the claim and below it: each neighbour once a side, with every relation it
    has on that side, in the order of ORDER; neighbours by their first relation, then by id."""
    up = [(r, o) for r, o, _, _ in out.get(claim_id, ()) if r != "depends-on"]
    up += [(r, o) for r, o, _, _ in into.get(claim_id, ()) if r == "depends-on"]
    down = [(r, o) for r, o, _, _ in into.get(claim_id, ()) if r != "depends-on"]
    down += [(r, o) for r, o, _, _ in out.get(claim_id, ()) if r == "depends-on"]
    rank = {r: i for i, r in enumerate(ORDER)}

    def grouped(pairs: list[tuple[str, str]]) -> list[tuple[str, tuple[str, ...]]]:
        by: dict[str, list[str]] = {}
        for r, o in pairs:
            if r not in by.setdefault(o, []):
                by[o].append(r)
        rels = {o: tuple(sorted(rs, key=lambda r: rank.get(r, len(ORDER)))) for o, rs in by.items()}
        return sorted(rels.items(), key=lambda item: (rank.get(item[1][0], len(ORDER)), item[0]))

    return grouped(up), grouped(down)


def block(kb: KnowledgeBase, claim: Claim, out: Mapping[str, Sequence[Edge]], into: Mapping[str, Sequence[Edge]],
          url: Callable[[str], str]) -> Markup | None:
    """The figure, or None when the claim has no relation; url gives a docs page's URL from the claim's page."""
    up, down = sides(claim.id, out, into)
    if not up and not down:
        return None
    parts = []
    if up:
        parts.append(_band("ckb-hood-up", "This claim bears on", up, UP, kb, url))
    parts.append(html.tag("div", _box(kb, claim, None, "This claim"), class_="ckb-hood-focus"))
    if down:
        parts.append(_band("ckb-hood-down", "Bearing on this claim", down, DOWN, kb, url))
    caption = html.tag("figcaption", "The claim in the middle, the claims it bears on above it and the claims that "
                                     "bear on it below; dashed orange frames are rebuttals.", class_="ckb-sr")
    return html.tag("figure", html.join([caption, *parts]),
                    class_="ckb-hood" + (" ckb-hood-has-up" if up else "") + (" ckb-hood-has-down" if down else ""))


def _band(cls: str, heading: str, neighbours: list[tuple[str, tuple[str, ...]]], labels: Mapping[str, str],
          kb: KnowledgeBase, url: Callable[[str], str]) -> Markup:
    items = [html.tag("li", _box(kb, kb.claims[other], url(f"claims/{other}.md"), "; ".join(labels.get(r, r) for r in rels)),
                      class_=f"ckb-hood-item ckb-hood-rel-{rels[0] if rels[0] in ORDER else 'other'}")
             for other, rels in neighbours]
    return html.tag("div", html.join([html.tag("p", heading, class_="ckb-hood-heading"),
                                      html.tag("ul", html.join(items), class_="ckb-hood-list")]),
                    class_=f"ckb-hood-band {cls}")


def _box(kb: KnowledgeBase, claim: Claim, href: str | None, relation: str) -> Markup:
    kind = kind_class(kb, claim.kind)
    domain = kb.domains.get(claim.domain)
    meta = html.join([html.text(claim.kind), *([" · ", html.text(domain.title)] if domain else [])])
    content = html.join([html.tag("span", relation, class_="ckb-hood-relation"),
                         html.tag("span", meta, class_="ckb-hood-meta"),
                         html.tag("span", html.text(claim.title), class_="ckb-hood-title")])
    if href is None:
        return html.tag("div", content, class_=f"ckb-hood-node ckb-hood-self ckb-x-kind-{kind}")
    return html.link(href, content, class_=f"ckb-hood-node ckb-x-kind-{kind}")
