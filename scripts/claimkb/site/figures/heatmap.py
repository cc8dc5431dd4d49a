"""The convergence matrix as a heat map: theses against evidence domains, each cell shaded by how many claims of the
domain support the thesis, with the claims against it set apart, totals for rows and columns, and a link to the
cell's list of claims. One table; narrow screens show it as one card per thesis (claimkb.css), never sideways."""
from __future__ import annotations

import re
from dataclasses import dataclass
from math import log2
from typing import Callable, Mapping, Protocol, Sequence

from ...core.model import Claim, KnowledgeBase
from .. import html
from ..html import Markup

LEVELS = 5  # shades: 1, 2-3, 4-7, 8-15, 16 or more supporting claims
_ANCHOR_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # ids and keys fit to be part of an anchor we write


class Relations(Protocol):
    """What the heat map needs of the relation index (site/render's, or any with the same two members)."""

    into: Mapping[str, Sequence[tuple[str, str, str | None, str | None]]]

    def supporters(self, thesis: str) -> dict[str, int]: ...


@dataclass(frozen=True, slots=True)
class Matrix:
    theses: tuple[str, ...]
    domains: tuple[str, ...]
    support: Mapping[tuple[str, str], tuple[str, ...]]  # (thesis, domain) -> claims whose chains reach it, nearest first
    against: Mapping[tuple[str, str], tuple[str, ...]]  # (thesis, domain) -> claims rebutting a claim of its chains

    def row_total(self, thesis: str) -> tuple[int, int]:
        return (sum(len(self.support[thesis, d]) for d in self.domains),
                len({c for d in self.domains for c in self.against[thesis, d]}))

    def column_total(self, domain: str) -> tuple[int, int]:
        """Distinct claims of the domain behind any thesis (a claim may support several), and against any."""
        return (len({c for t in self.theses for c in self.support[t, domain]}),
                len({c for t in self.theses for c in self.against[t, domain]}))

    def grand_total(self) -> tuple[int, int]:
        return (len({c for cell in self.support.values() for c in cell}),
                len({c for cell in self.against.values() for c in cell}))


def build(kb: KnowledgeBase, relations: Relations, theses: Sequence[Claim]) -> Matrix:
    support: dict[tuple[str, str], tuple[str, ...]] = {}
    against: dict[tuple[str, str], tuple[str, ...]] = {}
    domains = tuple(kb.domains)
    for thesis in theses:
        reach = relations.supporters(thesis.id)
        members = {thesis.id, *reach}
        rebut = {source for node in members for t, source, _, _ in relations.into.get(node, ()) if t == "rebuts"}
        for d in domains:
            support[thesis.id, d] = tuple(sorted((c for c in reach if kb.claims[c].domain == d), key=lambda c: (reach[c], c)))
            against[thesis.id, d] = tuple(sorted(c for c in rebut if kb.claims[c].domain == d and c not in reach))
    return Matrix(tuple(t.id for t in theses), domains, support, against)


def anchor(thesis: str, domain: str) -> str | None:
    """The id of a cell's list on the matrix page, or None when an id or key could not make a safe one."""
    return f"{thesis}--{domain}" if _ANCHOR_RE.fullmatch(thesis) and _ANCHOR_RE.fullmatch(domain) else None


def level(count: int) -> int:
    return 0 if count <= 0 else min(LEVELS, 1 + int(log2(count)))


def block(kb: KnowledgeBase, matrix: Matrix, url: Callable[[str], str]) -> Markup:
    """The heat map table; url gives a docs page's URL from the matrix page."""
    titles = {d: html.text(kb.domains[d].title) for d in matrix.domains}
    head = html.tag("tr", html.join([
        html.tag("th", "Thesis", scope="col", class_="ckb-heat-corner"),
        *(html.tag("th", html.link(url(f"domains/{d}.md"), titles[d]), scope="col") for d in matrix.domains),
        html.tag("th", "All domains", scope="col", class_="ckb-heat-total")]))
    rows = []
    for t in matrix.theses:
        cells = [html.tag("th", html.link(url(f"claims/{t}.md"), html.text(kb.claims[t].title)), scope="row")]
        for d in matrix.domains:
            cells.append(_cell(len(matrix.support[t, d]), len(matrix.against[t, d]), anchor(t, d), titles[d]))
        cells.append(_cell(*matrix.row_total(t), None, Markup("All domains"), total=True))
        rows.append(html.tag("tr", html.join(cells)))
    foot = [html.tag("th", html.join(["Any thesis", html.tag("span", " (distinct claims)", class_="ckb-heat-note")]),
                     scope="row")]
    foot += [_cell(*matrix.column_total(d), None, titles[d], total=True) for d in matrix.domains]
    foot.append(_cell(*matrix.grand_total(), None, Markup("All domains"), total=True))
    caption = html.tag("caption", "Claims from each evidence domain (columns) whose chains of support reach each "
                                  "thesis (rows), and the claims from that domain that rebut them. Darker cells "
                                  "hold more support; select a number for its list of claims.")
    table = html.tag("table", html.join([caption, html.tag("thead", head), html.tag("tbody", html.join(rows)),
                                         html.tag("tfoot", html.tag("tr", html.join(foot)))]), class_="ckb-heat")
    return html.join([table, scale()])


def _cell(support: int, against: int, target: str | None, domain: Markup, total: bool = False) -> Markup:
    number = html.tag("span", str(support), class_="ckb-heat-n")
    parts = [number, html.tag("span", " supporting", class_="ckb-sr")]
    if against:
        parts.append(html.tag("span", f"{against} against", class_="ckb-heat-against"))
    content = html.join(parts)
    if target and (support or against):
        content = html.link(f"#{target}", content, class_="ckb-heat-link")
    classes = f"ckb-heat-cell ckb-heat-{level(support)}" + (" ckb-heat-total" if total else "") + \
        (" ckb-heat-empty" if not support and not against else "")
    return html.tag("td", content, class_=classes, data_label=domain)


def scale() -> Markup:
    """The key to the shades."""
    steps = [("1", 1), ("2–3", 2), ("4–7", 3), ("8–15", 4), ("16 or more", 5)]
    items = [html.tag("li", html.join([html.tag("span", "", class_=f"ckb-heat-swatch ckb-heat-{k}", aria_hidden="true"),
                                       text])) for text, k in steps]
    items.append(html.tag("li", html.join([html.tag("span", "2 against", class_="ckb-heat-against"),
                                           " claims of the domain that rebut the thesis's support"])))
    return html.tag("div", html.join([html.tag("span", "Supporting claims in a cell: ", class_="ckb-heat-key"),
                                      html.tag("ul", html.join(items))]), class_="ckb-heat-scale")
