"""The figures' pure parts: the layered layout, text wrapping, the overview marker and the explorer data."""
from __future__ import annotations

import json
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_kb

from claimkb.core import loader
from claimkb.site import render
from claimkb.site.graph import Graph
from claimkb.site.figures import explorer, heatmap, layout, overview


def _check_layout(n: int, edges: list[tuple[int, int]], result: layout.Layout, limit: int) -> None:
    rows: dict[int, list[int]] = {}
    for node, row in enumerate(result.row):
        rows.setdefault(row, []).append(node)
    assert sorted(rows) == list(range(result.rows))  # no empty row
    for members in rows.values():
        assert len(members) <= limit
        xs = sorted(result.x[m] for m in members)
        assert all(b - a >= 99 for a, b in zip(xs, xs[1:])), xs  # one spacing (100) apart, give or take rounding
    linked = {u for e in edges for u in e if e[0] != e[1]}
    alone_rows = {result.row[i] for i in range(n) if i not in linked}
    if linked and alone_rows:
        assert min(alone_rows) > max(result.row[i] for i in linked)  # unconnected claims at the bottom


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 60).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, n - 1),
                                                                                      st.integers(0, n - 1)), max_size=3 * n))))
def test_layout_rows_are_bounded_spaced_and_acyclic(case: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = case
    result = layout.layered(n, edges, limit=8)
    _check_layout(n, edges, result, 8)
    # Every edge points up except those the cycle breaking turned round: at most one per cycle, never a self-loop.
    up = sum(1 for u, v in edges if u != v and result.row[u] > result.row[v])
    same = sum(1 for u, v in edges if u != v and result.row[u] == result.row[v])
    assert same == 0
    if not _has_cycle(n, edges):
        assert up == sum(1 for u, v in edges if u != v)


def _has_cycle(n: int, edges: list[tuple[int, int]]) -> bool:
    out: dict[int, set[int]] = {i: set() for i in range(n)}
    for u, v in edges:
        if u != v:
            out[u].add(v)
    state = [0] * n

    def visit(u: int) -> bool:
        state[u] = 1
        for v in out[u]:
            if state[v] == 1 or (state[v] == 0 and visit(v)):
                return True
        state[u] = 2
        return False

    return any(state[i] == 0 and visit(i) for i in range(n))


def test_layout_of_a_chain_and_a_fan() -> None:
    # 1 and 2 support 0; 3 supports 1: rows 0, 1, 1, 2, and 0 sits between its two supporters.
    result = layout.layered(4, [(1, 0), (2, 0), (3, 1)])
    assert result.row == (0, 1, 1, 2)
    assert min(result.x[1], result.x[2]) <= result.x[0] <= max(result.x[1], result.x[2])


def test_layout_of_a_deep_chain_does_not_recurse() -> None:
    n = 20_000  # deeper than Python's recursion limit
    result = layout.layered(n, [(i + 1, i) for i in range(n - 1)] + [(0, n - 1)])
    assert result.rows == n


def test_layout_is_near_linear() -> None:
    rng = random.Random(3)
    n = 5000
    edges = [(i, rng.randrange(i)) for i in range(1, n) for _ in range(3)]
    result = layout.layered(n, edges)
    _check_layout(n, edges, result, layout.row_limit(n))
    assert result.rows < n / 20  # folded: wide layers become several rows, not one very long one


@given(st.lists(st.floats(-1e3, 1e3), max_size=40), st.floats(0.1, 10))
def test_isotonic_spacing_keeps_the_gap_and_the_mean(wanted: list[float], gap: float) -> None:
    placed = layout.isotonic_spaced(wanted, gap)
    assert len(placed) == len(wanted)
    assert all(b - a >= gap - 1e-6 for a, b in zip(placed, placed[1:]))
    assert abs(sum(placed) - sum(wanted)) < 1e-6 * max(1.0, len(wanted)) * 1e3
    if all(b - a >= gap for a, b in zip(wanted, wanted[1:])):
        assert placed == wanted or all(abs(p - w) < 1e-6 for p, w in zip(placed, wanted))


@given(st.text(max_size=200), st.integers(40, 400))
def test_wrap_keeps_every_word_and_fits_the_width(text: str, width: int) -> None:
    lines = overview.wrap(text, width)
    # Nothing is lost or cut: the lines hold the text's characters in order (a word wider than the line is split).
    assert "".join(lines).replace(" ", "") == "".join(overview.html.INVISIBLE_RE.sub("", text).split())
    assert all(overview.text_width(line) <= width or len(line) <= 2 for line in lines)


def test_overview_marker_draws_the_named_theses_and_skips_code(tmp_path: Path) -> None:
    kb = loader.load(make_kb(tmp_path)).kb
    page = "index.md"
    marker = "<!-- claimkb:overview [[alpha-thesis]] [[no-such-claim]] -->"
    text = f"# Home\n\n{marker}\n\n```\n{marker}\n```\n"
    out = overview.expand(kb, page, text, lambda: Graph(kb), lambda target: target)
    assert out.count('<figure class="ckb-overview"') == 1 and out.count(marker) == 1  # the one in code stays as written
    figure = out.split("\n")[2]
    assert figure.startswith("<div") and "ckb-ov-thesis" in figure
    assert figure.count('class="ckb-ov-node ckb-ov-thesis"') == 2  # the wide and the narrow drawing, one thesis each
    assert "map.md#thesis=alpha-thesis" in figure
    assert 'xlink:href="matrix.md#alpha-thesis--' in figure
    assert overview.expand(kb, page, "no marker", lambda: 1 / 0, lambda t: t) == "no marker"  # no index built


def test_explorer_data_is_compact_and_statements_are_plain(tmp_path: Path) -> None:
    kb = loader.load(make_kb(tmp_path)).kb
    data = explorer.data(kb, [c for c in kb.claims.values() if c.kind == "thesis"], "../claims/{id}/", {"alpha-thesis"})
    graph = json.loads(data.graph)
    assert graph["version"] == explorer.FORMAT_VERSION
    assert len(graph["edges"]) == 3 * len(explorer.relation_edges(kb))
    assert sorted(graph["nopage"]) == sorted(i for i, n in enumerate(graph["nodes"]) if n[0] != "alpha-thesis")
    assert "\n" not in data.graph.rstrip("\n")  # one line, no indentation
    assert explorer.plain("A *strong* claim, see [[alpha-thesis]] and `code`.\n\nSecond **para**.") == \
        "A strong claim, see [[alpha-thesis]] and code. Second para."


def test_heat_levels() -> None:
    assert [heatmap.level(n) for n in (0, 1, 2, 3, 4, 7, 8, 15, 16, 1000)] == [0, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_embed_keeps_figure_structure_and_nothing_live() -> None:
    from claimkb.site.figures import embed
    from markupsafe import Markup

    line = embed.block(Markup('<figure onclick="x()"><svg viewBox="0 0 9 9" role="group" aria-labelledby="t">'
                              '<title id="t">T</title><a xlink:href="../map/#thesis=a" aria-label="A"><rect x="1" '
                              'y="1" width="2" height="2" rx="1"/></a></svg><a href="//evil.example/">far</a>'
                              '<a href="javascript:alert(1)">js</a><select data-filter="kind"><option value="k">K'
                              '</option></select><script>alert(1)</script><style>*{}</style>{x}\n</figure>'))
    assert "\n" not in line and "{" not in line and "}" not in line.replace("&#125;", "")
    for kept in ('viewBox="0 0 9 9"', 'xlink:href="../map/#thesis=a"', 'aria-labelledby="t"', 'data-filter="kind"',
                 '<option value="k">', '<rect x="1" y="1" width="2" height="2" rx="1">'):
        assert kept in line, kept
    for gone in ("onclick", "evil.example", "javascript", "<script", "alert(1)", "<style"):
        assert gone not in line, gone
    assert embed.scripts(["../assets/claimkb/explorer.js"]) == '<script src="../assets/claimkb/explorer.js" defer></script>'
    for bad in ("https://cdn.example/x.js", "../assets/claimkb/x.js?y", "/assets/claimkb/x.js", "javascript:x"):
        try:
            embed.scripts([bad])
        except ValueError:
            continue
        raise AssertionError(bad)


def test_a_kind_of_the_knowledge_bases_own_takes_its_roles_colour(tmp_path: Path) -> None:
    from dataclasses import replace

    from claimkb.core.model import Term
    from claimkb.site.figures import neighbourhood, palette

    kb = loader.load(make_kb(tmp_path)).kb
    kb = replace(kb, kinds={**kb.kinds, "position": Term("position", "Positions", "", role="thesis"),
                            "aside": Term("aside", "Asides", "")},
                 claims={**kb.claims, "alpha-thesis": replace(kb.claims["alpha-thesis"], kind="position")})
    assert [palette.kind_class(kb, k) for k in ("evidence", "position", "aside", "unknown")] == \
        ["evidence", "thesis", "premise", "premise"]
    graph = json.loads(explorer.data(kb, [kb.claims["alpha-thesis"]], "{id}", kb.claims).graph)
    assert ["position", "Positions", "thesis"] in graph["kinds"]
    index = Graph(kb)
    figure = str(neighbourhood.block(kb, kb.claims["beta-premise"], index.out, index.into, lambda t: t))
    assert "ckb-hood-node ckb-x-kind-thesis" in figure  # alpha, now a "position", drawn in the thesis colour
