"""A layered (Sugiyama-style) drawing of a directed graph in near-linear time: rows, order within rows, x positions.

The argument explorer ships these positions with its data, so the browser draws thousands of claims without laying
them out (a dagre layout of 5,000 nodes takes the browser tens of seconds). Every step is linear or n log n:
cycles broken by one depth-first pass, longest-path layering, wide layers folded into rows, a few barycentre
sweeps to untangle the order, and x positions by isotonic regression (pool-adjacent-violators), which places each
row as close to its neighbours' mean as the minimum spacing allows.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil, sqrt
from typing import Sequence

SWEEPS = 4  # barycentre sweeps down and up; more rarely changes the order of a real argument graph


@dataclass(frozen=True, slots=True)
class Layout:
    row: tuple[int, ...]  # the row of each node, 0 at the top; nodes without an edge share the last rows
    x: tuple[int, ...]  # the centre of each node, in units of the node spacing times 100 (integers keep data small)
    rows: int


def row_limit(n: int) -> int:
    """The widest row: about square overall for large graphs, never fewer than 12 nodes side by side."""
    return max(12, ceil(0.8 * sqrt(n)))


def layered(n: int, edges: Sequence[tuple[int, int]], order: Sequence[int] = (), limit: int | None = None) -> Layout:
    """Nodes 0..n-1 and edges (u, v) meaning u is drawn below v. order: nodes in the order a reader would look for
    them (the heaviest thesis first); it seeds the left-to-right order of every row."""
    limit = limit or row_limit(n)
    up: list[list[int]] = [[] for _ in range(n)]  # u -> the nodes drawn above u
    down: list[list[int]] = [[] for _ in range(n)]
    for u, v in edges:
        if u != v and 0 <= u < n and 0 <= v < n:
            up[u].append(v)
            down[v].append(u)
    seed = list(dict.fromkeys([*order, *range(n)]))
    _break_cycles(seed, up, down)
    layer = _longest_path(seed, up, down)
    linked = [bool(up[i] or down[i]) for i in range(n)]
    rows = _fold(seed, layer, linked, limit, up, down)
    position = [0.0] * n
    for r in rows:
        for i, node in enumerate(r):
            position[node] = i - (len(r) - 1) / 2
    row_of = [0] * n
    for k, r in enumerate(rows):
        for node in r:
            row_of[node] = k
    for sweep in range(SWEEPS):
        for k in (range(1, len(rows)) if sweep % 2 == 0 else range(len(rows) - 2, -1, -1)):
            _reorder(rows[k], position, up if sweep % 2 == 0 else down, row_of)
    for sweep in range(SWEEPS):
        for k in (range(1, len(rows)) if sweep % 2 == 0 else range(len(rows) - 2, -1, -1)):
            _place(rows[k], position, up, down)
    left = min(position, default=0.0)
    return Layout(tuple(row_of), tuple(round((p - left) * 100) for p in position), len(rows))


def _break_cycles(seed: list[int], up: list[list[int]], down: list[list[int]]) -> None:
    """Reverse every edge a depth-first search finds going back to a node on its stack, which leaves no cycle
    (iteratively: deep chains must not hit Python's recursion limit)."""
    state = [0] * len(up)  # 0 unseen, 1 on the stack, 2 done
    back = []
    for root in seed:
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, 0)]
        while stack:
            node, i = stack[-1]
            if i < len(up[node]):
                stack[-1] = (node, i + 1)
                nxt = up[node][i]
                if state[nxt] == 0:
                    state[nxt] = 1
                    stack.append((nxt, 0))
                elif state[nxt] == 1:
                    back.append((node, nxt))
            else:
                state[node] = 2
                stack.pop()
    for u, v in back:
        up[u].remove(v)
        down[v].remove(u)
        up[v].append(u)
        down[u].append(v)


def _longest_path(seed: list[int], up: list[list[int]], down: list[list[int]]) -> list[int]:
    """Each node one row below the lowest node it points to: what a claim bears on is always above it."""
    n = len(up)
    pending = [len(up[i]) for i in range(n)]
    layer = [0] * n
    ready = [i for i in seed if pending[i] == 0]
    for node in ready:  # the list grows while it is read: a topological order from the top
        for below in down[node]:
            layer[below] = max(layer[below], layer[node] + 1)
            pending[below] -= 1
            if pending[below] == 0:
                ready.append(below)
    return layer


def _fold(seed: list[int], layer: list[int], linked: list[bool], limit: int, up: list[list[int]],
          down: list[list[int]]) -> list[list[int]]:
    """Layers as rows in a first order (breadth first from the seed), a layer wider than limit folded into several
    rows, and the nodes without any edge gathered in rows of their own at the bottom."""
    first = {node: i for i, node in enumerate(_breadth_first(seed, up, down))}
    depth = max((layer[i] for i in range(len(layer)) if linked[i]), default=-1) + 1
    layers: list[list[int]] = [[] for _ in range(depth)]
    alone = []
    for node in sorted(range(len(layer)), key=first.__getitem__):
        (layers[layer[node]] if linked[node] else alone).append(node)
    rows = []
    for members in [*layers, alone]:
        count = ceil(len(members) / limit)
        for k in range(count):
            rows.append(members[k::count])  # interleaved: each folded row spans the layer's whole width
    return [r for r in rows if r]


def _breadth_first(seed: list[int], up: list[list[int]], down: list[list[int]]) -> list[int]:
    seen: dict[int, None] = {}
    for root in seed:
        if root in seen:
            continue
        seen[root] = None
        frontier = [root]
        while frontier:
            nxt = []
            for node in frontier:
                for other in (*down[node], *up[node]):
                    if other not in seen:
                        seen[other] = None
                        nxt.append(other)
            frontier = nxt
    return list(seen)


def _reorder(row: list[int], position: list[float], neighbours: list[list[int]], row_of: list[int]) -> None:
    """Sort a row by the mean position of its neighbours in the rows already swept (barycentre heuristic)."""
    here = row_of[row[0]]
    keys = {}
    for node in row:
        others = [position[o] for o in neighbours[node] if row_of[o] != here]
        keys[node] = sum(others) / len(others) if others else position[node]
    row.sort(key=keys.__getitem__)
    for i, node in enumerate(row):
        position[node] = i - (len(row) - 1) / 2


def _place(row: list[int], position: list[float], up: list[list[int]], down: list[list[int]]) -> None:
    """x positions as near the mean of each node's neighbours as a spacing of 1 allows, in the row's order."""
    wanted = []
    for node in row:
        others = [position[o] for o in (*up[node], *down[node])]
        wanted.append(sum(others) / len(others) if others else position[node])
    for node, x in zip(row, isotonic_spaced(wanted, 1.0)):
        position[node] = x


def isotonic_spaced(wanted: Sequence[float], gap: float) -> list[float]:
    """The least-squares positions x, in the given order, with x[i+1] - x[i] >= gap (pool adjacent violators on
    wanted[i] - i*gap, which turns the spacing into plain monotonicity)."""
    blocks: list[list[float]] = []  # [mean, weight]
    for i, w in enumerate(wanted):
        blocks.append([w - i * gap, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, weight = blocks.pop()
            prev = blocks[-1]
            prev[0] = (prev[0] * prev[1] + mean * weight) / (prev[1] + weight)
            prev[1] += weight
    out = []
    for mean, weight in blocks:
        out.extend([mean] * int(weight))
    return [y + i * gap for i, y in enumerate(out)]
