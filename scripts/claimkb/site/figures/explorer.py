"""The argument explorer: every claim and relation as a compact data file with positions computed at build time,
and the page fragment (controls, canvas, legend) that assets/claimkb/explorer.js brings to life.

The page is static and the same under any engine: the script reads the data file next to it and draws it with
the vendored Cytoscape.js; nothing runs at build time in the engine. The data is small by construction (short
keys, integer positions, edges as triples of indexes, statements in a second file fetched on first use), so a
5,000-claim knowledge base opens in the browser without laying anything out there.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Container, Sequence

from ...cite import formatting as cite
from ...core import markdown
from ...core.model import KINDS, Claim, KnowledgeBase
from .. import html
from ..html import Markup
from .layout import layered
from .palette import kind_class

GRAPH_FILE = "data/argument-graph.json"  # docs-relative; published beside the pages
TEXT_FILE = "data/argument-text.json"
FORMAT_VERSION = 1
# Every relation the explorer draws, in the order of the legend; each has its own line style in explorer.js.
RELATIONS = ("supports", "rebuts", "refines", "depends-on", "interprets", "restates")
RELATION_LEGEND = {
    "supports": "supports: a solid arrow to the claim it supports",
    "rebuts": "rebuts: a dashed orange line ending in a bar",
    "refines": "refines: a blue arrow with an open head",
    "depends-on": "depends on: a dotted arrow to the claim it needs",
    "interprets": "interprets: a dotted grey line ending in a circle",
    "restates": "restates: a double line ending in a diamond",
}
# The explorer's scripts, under assets/claimkb/, in load order: loaded by the map page alone.
SCRIPTS = ("vendor/cytoscape/cytoscape.min.js", "vendor/cytoscape-dagre/cytoscape-dagre.min.js", "explorer.js")


@dataclass(frozen=True, slots=True)
class Data:
    graph: str  # GRAPH_FILE's text
    text: str  # TEXT_FILE's text


def relation_edges(kb: KnowledgeBase) -> list[tuple[str, str, str]]:
    """(source, relation, target) for every relation between two different existing claims, once each."""
    seen = dict.fromkeys((c.id, r.type, r.target) for c in sorted(kb.claims.values(), key=lambda c: c.id)
                         for r in c.relations if r.target in kb.claims and r.target != c.id)
    return list(seen)


def works(kb: KnowledgeBase) -> list[tuple[str, str, int]]:
    """The works claims are taken from, most claims first: (key, short citation, number of claims)."""
    count = Counter(c.claimed_by.ref for c in kb.claims.values() if c.claimed_by and c.claimed_by.ref in kb.references)
    return [(key, cite.short_citation(kb, kb.references[key]), n)
            for key, n in sorted(count.items(), key=lambda kv: (-kv[1], kv[0].lower()))]


def plain(text: str) -> str:
    """Contributed Markdown as the plain text a reader sees (for the hover panel, which takes text, never HTML)."""
    if not markdown.MARKUP_CHARS_RE.search(text) or markdown.too_much_markup(text):
        return _text(text)
    words = []
    for token in markdown.parse(text):
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type == "claimkb_shortcode":
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        if token.type.endswith("_close") and token.block:
            words.append(" ")
    return " ".join(html.INVISIBLE_RE.sub("", "".join(words)).split())


def data(kb: KnowledgeBase, theses: Sequence[Claim], claim_url: str, has_page: Container[str]) -> Data:
    """The graph file and the text file. claim_url: a claim page's URL relative to the explorer page, with {id}
    where the id goes; has_page: the claim ids that have a page (a refused page name has none)."""
    claims = sorted(kb.claims.values(), key=lambda c: c.id)
    index = {c.id: i for i, c in enumerate(claims)}
    kinds = [k for k in KINDS if k in kb.kinds] + [k for k in kb.kinds if k not in KINDS]
    kind_index = {k: i for i, k in enumerate(kinds)}
    domains = list(kb.domains)
    domain_index = {d: i for i, d in enumerate(domains)}
    claimed = works(kb)
    work_index = {key: i for i, (key, _, _) in enumerate(claimed)}
    rel_index = {r: i for i, r in enumerate(RELATIONS)}
    edges = [(index[s], index[t], rel_index.get(r, -1)) for s, r, t in relation_edges(kb)]
    # depends-on reads against the direction of support: what a claim needs is drawn below it, like its supports.
    below_above = [(t, s) if RELATIONS[r] == "depends-on" else (s, t) for s, t, r in edges]
    layout = layered(len(claims), below_above, [index[t.id] for t in theses])
    nodes = [[c.id, _title(c), kind_index.get(c.kind, -1), domain_index.get(c.domain, -1),
              work_index.get(c.claimed_by.ref, -1) if c.claimed_by else -1, layout.row[i], layout.x[i]]
             for i, c in enumerate(claims)]
    graph = {
        "version": FORMAT_VERSION,
        "url": claim_url,
        "kinds": [[k, kb.kinds[k].title, kind_class(kb, k)] for k in kinds],
        "domains": [[d, _text(kb.domains[d].title)] for d in domains],
        "works": [[key, _text(name)] for key, name, _ in claimed],
        "relations": list(RELATIONS),
        "theses": [index[t.id] for t in theses if t.id in index],
        "nodes": nodes,
        "edges": [v for edge in edges for v in edge],
    }
    missing = [i for i, c in enumerate(claims) if c.id not in has_page]
    if missing:
        graph["nopage"] = missing
    text = {"version": FORMAT_VERSION, "statements": [plain(c.statement) for c in claims]}
    return Data(_json(graph), _json(text))


def _title(claim: Claim) -> str:
    return _text(claim.title)


def _text(value: str) -> str:
    return " ".join(html.INVISIBLE_RE.sub("", value).split())


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def block(kb: KnowledgeBase, theses: Sequence[Claim], url: Callable[[str], str],
          data_url: Callable[[str], str] | None = None) -> Markup:
    """The explorer's markup: find box, filters, canvas, details panel and legend; url gives a docs page's URL from
    the explorer page. Its scripts (SCRIPTS, under assets/claimkb/) go on the page after it (figures/embed.py)."""
    options = {
        "thesis": [("", "All claims")] + [(t.id, _text(t.title)) for t in theses],
        "domain": [("", "All domains")] + [(d, _text(kb.domains[d].title)) for d in kb.domains],
        "kind": [("", "All kinds")] + [(k, _text(kb.kinds[k].title)) for k in kb.kinds],
        "work": [("", "Any work")] + [(key, f"{_text(name)} ({n})") for key, name, n in works(kb)],
    }
    labels = {"thesis": "Thesis and its support", "domain": "Domain", "kind": "Kind", "work": "Claimed by"}
    filters = [html.tag("div", html.join([
        html.tag("label", labels[name], for_=f"ckb-x-{name}"),
        html.tag("select", html.join(html.tag("option", text, value=value) for value, text in choices),
                 id=f"ckb-x-{name}", data_filter=name)]), class_="ckb-x-field") for name, choices in options.items()]
    find = html.tag("div", html.join([
        html.tag("label", "Find a claim", for_="ckb-x-find"),
        void("input", type="search", id="ckb-x-find", role="combobox", autocomplete="off", spellcheck="false",
             placeholder="Title or id", aria_autocomplete="list", aria_expanded="false", aria_controls="ckb-x-results"),
        html.tag("ul", id="ckb-x-results", role="listbox", aria_label="Matching claims", class_="ckb-x-results",
                 hidden=True)]), class_="ckb-x-field ckb-x-find")
    buttons = html.tag("div", html.join([
        html.tag("button", "Zoom in", type="button", data_action="zoom-in", class_="md-button"),
        html.tag("button", "Zoom out", type="button", data_action="zoom-out", class_="md-button"),
        html.tag("button", "Whole graph", type="button", data_action="fit", class_="md-button"),
        html.tag("button", "Clear filters", type="button", data_action="clear", class_="md-button")]),
        class_="ckb-x-buttons")
    controls = html.tag("form", html.join([find, *filters, buttons]), class_="ckb-x-controls", role="search",
                        aria_label="Find and filter claims")
    canvas = html.tag("div", "", id="ckb-x-canvas", class_="ckb-x-canvas", tabindex="0", role="application",
                      aria_roledescription="argument graph", aria_describedby="ckb-x-keys",
                      aria_label="Argument graph")
    keys = html.tag("p", "In the graph: arrow up goes to a claim the selected one bears on, arrow down to a claim "
                         "that bears on it, left and right along its row; Enter opens the claim's page; + and - zoom.",
                    id="ckb-x-keys", class_="ckb-x-keys")
    details = html.tag("div", html.tag("p", "Point at a claim, or select one with the keyboard, to read it here. "
                                            "Click a claim to open its page."),
                       class_="ckb-x-details", aria_live="polite")
    status = html.tag("p", "Loading the argument graph…", class_="ckb-x-status", role="status")
    return html.tag("div", html.join([
        controls, status,
        html.tag("div", html.join([canvas, details]), class_="ckb-x-main"),
        keys, legend(kb)]),
        class_="ckb-explorer", data_graph=(data_url or url)(GRAPH_FILE), data_text=(data_url or url)(TEXT_FILE))


def void(name: str, **attrs: object) -> Markup:
    """An element without content or end tag (input); attrs as html.tag takes them."""
    return Markup(str(html.tag(name, **attrs)).removesuffix(f"></{name}>") + ">")


def legend(kb: KnowledgeBase) -> Markup:
    """Kinds by colour and relations by line, drawn with the same CSS variables the canvas reads."""
    kinds = html.join(html.tag("li", html.join([html.tag("span", "", class_=f"ckb-x-swatch ckb-x-kind-{kind_class(kb, k)}",
                                                         aria_hidden="true"), html.text(kb.kinds[k].title)]))
                      for k in kb.kinds)
    lines = html.join(html.tag("li", html.join([_edge_sample(r), html.text(RELATION_LEGEND[r])])) for r in RELATIONS)
    return html.tag("div", html.join([
        html.tag("p", html.tag("strong", "Kinds of claim"), class_="ckb-x-legend-title"), html.tag("ul", kinds, class_="ckb-x-kinds"),
        html.tag("p", html.tag("strong", "Relations"), class_="ckb-x-legend-title"), html.tag("ul", lines, class_="ckb-x-rels"),
        html.tag("p", "Each box names its kind and its evidence domain on the first line. Arrows point from a claim "
                      "to the claim it bears on, so what a thesis rests on sits below it.")]),
        class_="ckb-x-legend")


def _edge_sample(relation: str) -> Markup:
    marker = {"supports": "M30 5 l-7 -4 v8 z", "rebuts": "M30 0 v10", "refines": "M23 1 l7 4 l-7 4",
              "depends-on": "M30 5 l-7 -4 v8 z", "interprets": "M27 5 m-3 0 a3 3 0 1 0 6 0 a3 3 0 1 0 -6 0",
              "restates": "M30 5 l-4 -4 l-4 4 l4 4 z"}[relation]
    return Markup(f'<svg class="ckb-x-edge ckb-x-rel-{relation}" width="34" height="10" viewBox="0 0 34 10" '
                  f'aria-hidden="true" focusable="false"><line x1="1" y1="5" x2="28" y2="5"/>'
                  f'<path d="{marker}"/></svg>')
