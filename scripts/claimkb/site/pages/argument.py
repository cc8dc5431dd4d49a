"""The argument's pages: the map (the explorer and its text alternative) and the convergence matrix (the heat map)."""
from __future__ import annotations

from urllib.parse import quote

from ...core.model import Claim, KnowledgeBase
from .. import html
from ..figures import embed, explorer, heatmap
from ..graph import Graph
from ..html import Markup
from .kit import ASSET_PREFIX, Page, block, bullets, details, front_matter, heading

# Every thesis lists what leads to it and every matrix cell what fills it, nearest first, up to these bounds:
# without them the map and matrix grow with theses x claims, quadratically (18 MB for 5,000 synthetic claims).
MAP_LIST = 150
MATRIX_LIST = 40
GUIDE = "map-and-matrix.md"  # the hand-written page that explains the map and the matrix, linked when it exists


def theses(kb: KnowledgeBase, graph: Graph) -> list[Claim]:
    """Theses with the broadest support first: the order a reader wants in the map and the matrix."""
    found = [c for c in kb.claims.values() if kb.has_role(c, "thesis")]
    weight = {c.id: len(graph.supporters(c.id)) for c in found}
    return sorted(found, key=lambda c: (-weight[c.id], c.id))


def map_page(page: Page) -> str:
    kb, graph = page.kb, page.graph
    ordered = theses(kb, graph)
    out = [front_matter("Argument map", "The claim graph: every claim and relation, to explore, filter and follow.",
                        hide=("navigation", "toc")),
           "# Argument map { #argument-map }\n\n",
           "Every claim and every relation between them. Point at a claim to read it, click it to open its page, "
           "pick a thesis to see what supports and rebuts it. "
           + (f"[How to read the map]({page.md(GUIDE)}) explains the drawing; the same argument follows "
              "[as lists](#lists).\n\n" if GUIDE in kb.docs else "The same argument follows [as lists](#lists).\n\n")]
    if kb.claims:
        out.append(embed.block(explorer.block(kb, ordered, page.url,
                                                 # read by our script, not by the engine: always as served
                                                 data_url=lambda target: html.page_url(page.path, target)), "ckb-block ckb-explorer-block") + "\n\n")
        out.append(embed.scripts(page.url(f"{ASSET_PREFIX}/{name}") for name in explorer.SCRIPTS) + "\n\n")
    out.append("## The argument as lists { #lists }\n\n")
    out.append("Each thesis with the claims whose supports, refines and depends-on chains lead to it, nearest first, "
               "and the claims that rebut them.\n\n")
    if not ordered:
        out.append("No thesis yet.\n")
    for thesis in ordered:
        reach = graph.supporters(thesis.id)
        members = {thesis.id, *reach}
        rebutters = {source for node in members for t, source, _, _ in graph.into.get(node, ()) if t == "rebuts"}
        out.append(heading(3, thesis.title, f"thesis-{thesis.id}"))
        parts = [html.tag("p", html.join([
            page.claim_link(thesis.id),
            Markup(f": {len(reach)} claim{'s' if len(reach) != 1 else ''} lead to it. "),
            html.link(f"#thesis={quote(thesis.id)}", "Show it in the map"), Markup(".")]))]
        listed = sorted(set(reach) | rebutters, key=lambda n: (reach.get(n, 99), n))
        if listed:
            shown = listed[:MAP_LIST]
            count = f"All {len(listed)}" if len(shown) == len(listed) else f"The nearest {len(shown)} of {len(listed)}"
            items = []
            for n in shown:
                step = f"{reach[n]} step{'s' if reach[n] != 1 else ''}" if n in reach else "rebuts"
                items.append(page.claim_link(n) + html.text(f" ({kb.claims[n].kind}, {step})"))
            parts.append(details("info", f"{count} claims leading to or rebutting this thesis", bullets(items)))
        out.append(block(*parts))
    return "".join(out)


def matrix_page(page: Page) -> str:
    kb, graph = page.kb, page.graph
    matrix = heatmap.build(kb, graph, theses(kb, graph))
    out = [front_matter("Convergence matrix", "The theses against the evidence domains: which fields support each thesis.",
                        hide=("navigation", "toc")),
           "# Convergence matrix { #convergence-matrix }\n\n",
           "Rows are the theses; columns the evidence domains. A cell counts the claims from that domain whose "
           "supports chains reach the thesis, shaded darker the more there are, and, set apart, the claims from that "
           "domain that rebut one of them. Each number opens its list of claims below, nearest to the thesis first."
           + (f" [How to read the matrix]({page.md(GUIDE)}#the-convergence-matrix) explains more."
              if GUIDE in kb.docs else "") + "\n\n"]
    if matrix.theses:
        out.append(embed.block(heatmap.block(kb, matrix, page.url), "ckb-block ckb-matrix") + "\n\n")
    else:
        out.append("No thesis yet.\n\n")
    for t in matrix.theses:
        out.append(heading(2, kb.claims[t].title, f"matrix-{t}"))
        for d in matrix.domains:
            support, against = matrix.support[t, d], matrix.against[t, d]
            if not support and not against:
                continue
            out.append(heading(3, kb.domains[d].title, heatmap.anchor(t, d) or f"matrix-{t}-{d}"))
            items = [page.claim_link(c) for c in support[:MATRIX_LIST]]
            items += [Markup("rebuts: ") + page.claim_link(c) for c in against[:MATRIX_LIST]]
            hidden = max(len(support) - MATRIX_LIST, 0) + max(len(against) - MATRIX_LIST, 0)
            if hidden:
                items.append(html.join([f"and {hidden} more, further along the chains: see the ",
                                        html.link(page.url(f"domains/{d}.md"), "domain page")]))
            out.append(block(bullets(items)))
    return "".join(out)
