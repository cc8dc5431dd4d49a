"""The overview picture for a home page: chosen theses on the right, the evidence domains their support comes from
on the left, and a band between them as wide as the number of the domain's claims behind the thesis. SVG drawn at
build time (no script), every box and band a link into the explorer or the matrix, every label whole and wrapped.

A hand-written page asks for it with a line of its own, outside code:

    <!-- claimkb:overview [[thesis-id]] [[another-thesis-id]] -->

The claim markers name the theses, in order (the checker checks them like any other); without any, the five
theses with the broadest support are drawn. Under an engine that does not expand it, the line is an HTML comment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from ...core.markup import strip_code
from ...core.model import Claim, KnowledgeBase
from .. import html
from ..html import Markup
from . import embed, heatmap

MARKER_RE = re.compile(r"^[ ]{0,3}<!--[ \t]*claimkb:overview(?P<ids>(?:[ \t]+\[\[[a-z0-9]+(?:-[a-z0-9]+)*\]\])*)[ \t]*-->[ \t]*$",
                       re.MULTILINE)
ID_RE = re.compile(r"\[\[([a-z0-9]+(?:-[a-z0-9]+)*)\]\]")
DEFAULT_COUNT = 5
FONT = 13  # label size in px; the SVG is drawn at its own size, never scaled below it on a page that fits it
LINE = 17
PAD = 8
# Widths of the two drawings: the wide one for a desktop column, the narrow one for a phone (claimkb.css shows one).
WIDE, NARROW = 680, 350
UNIT = 2.0  # px of band per claim


class Relations(Protocol):
    def supporters(self, thesis: str) -> dict[str, int]: ...


@dataclass(frozen=True, slots=True)
class Flow:
    domain: str
    thesis: str
    count: int


def expand(kb: KnowledgeBase, page: str, markdown: str, relations: Callable[[], Relations],
           url: Callable[[str], str]) -> str:
    """markdown with each overview marker replaced by the picture (one raw-HTML line); relations is called only
    when there is a marker. url gives a docs page's URL from page."""
    if "claimkb:overview" not in markdown:
        return markdown
    prose = strip_code(markdown)
    out, last = [], 0
    index: Relations | None = None
    for m in MARKER_RE.finditer(prose):
        index = index or relations()
        ids = [i for i in ID_RE.findall(m.group("ids")) if i in kb.claims]
        figure = picture(kb, index, choose(kb, index, ids), url)
        out += [markdown[last:m.start()], embed.block(figure, "ckb-block ckb-overview-block") if figure else ""]
        last = m.end()
    return "".join(out) + markdown[last:]


def choose(kb: KnowledgeBase, relations: Relations, ids: Sequence[str]) -> list[Claim]:
    if ids:
        return [kb.claims[i] for i in dict.fromkeys(ids)]
    theses = [c for c in kb.claims.values() if kb.has_role(c, "thesis")]
    weight = {c.id: len(relations.supporters(c.id)) for c in theses}
    return sorted(theses, key=lambda c: (-weight[c.id], c.id))[:DEFAULT_COUNT]


def flows(kb: KnowledgeBase, relations: Relations, theses: Sequence[Claim]) -> list[Flow]:
    out = []
    for t in theses:
        reach = relations.supporters(t.id)
        for d in kb.domains:
            n = sum(1 for c in reach if kb.claims[c].domain == d)
            if n:
                out.append(Flow(d, t.id, n))
    return out


def picture(kb: KnowledgeBase, relations: Relations, theses: Sequence[Claim], url: Callable[[str], str]) -> Markup | None:
    if not theses:
        return None
    found = flows(kb, relations, theses)
    caption = html.tag("figcaption", html.join([
        "On the right, the theses; on the left, the evidence domains their support comes from. A band's width is "
        "the number of the domain's claims whose chains of support reach the thesis. Select a thesis or a domain to "
        "explore it in the ", html.link(url("map.md"), "argument map"), ", a band for its claims in the ",
        html.link(url("matrix.md"), "convergence matrix"), "."]))
    drawings = [_svg(kb, relations, theses, found, url, width, variant) for width, variant in ((WIDE, "wide"), (NARROW, "narrow"))]
    return html.tag("figure", html.join([*drawings, caption]), class_="ckb-overview")


def _svg(kb: KnowledgeBase, relations: Relations, theses: Sequence[Claim], found: list[Flow], url: Callable[[str], str],
         width: int, variant: str) -> Markup:
    left_w = 170 if variant == "wide" else 120
    right_w = 300 if variant == "wide" else 180
    right_x = width - right_w
    gap = 10
    domains = [d for d in kb.domains if any(f.domain == d for f in found)]
    supporters = {t.id: relations.supporters(t.id) for t in theses}
    domain_total = {d: len({c for t in theses for c in supporters[t.id] if kb.claims[c].domain == d}) for d in domains}
    right = [(t, wrap(t.title, right_w - 2 * PAD - 6), f"{len(supporters[t.id])} claims lead to it") for t in theses]
    left = [(d, wrap(kb.domains[d].title, left_w - 2 * PAD - 6), f"{domain_total[d]} claims") for d in domains]
    # Bands are UNIT px a claim; a box grows to take all its bands, so the thinnest band is still visible.
    into = {t.id: sum(f.count for f in found if f.thesis == t.id) for t in theses}
    out_of = {d: sum(f.count for f in found if f.domain == d) for d in domains}
    unit = UNIT
    right_h = [max(len(lines) * LINE + LINE + 2 * PAD, into[t.id] * unit + 8) for t, lines, _ in right]
    left_h = [max(len(lines) * LINE + LINE + 2 * PAD, out_of[d] * unit + 8) for d, lines, _ in left]
    height = max(sum(right_h) + gap * (len(right) - 1), sum(left_h) + gap * max(len(left) - 1, 0))
    right_y = _spread(right_h, height)
    left_y = _spread(left_h, height)
    colour = {d: i % 8 for i, d in enumerate(kb.domains)}
    bands = []
    cursor_r = {t.id: right_y[k] + (right_h[k] - into[t.id] * unit) / 2 for k, (t, _, _) in enumerate(right)}
    cursor_l = {d: left_y[k] + (left_h[k] - out_of[d] * unit) / 2 for k, (d, _, _) in enumerate(left)}
    order_t = {t.id: k for k, t in enumerate(theses)}
    for f in sorted(found, key=lambda f: (domains.index(f.domain), order_t[f.thesis])):
        h = f.count * unit
        y1, y2 = cursor_l[f.domain], cursor_r[f.thesis]
        cursor_l[f.domain] += h
        cursor_r[f.thesis] += h
        bands.append((f, y1, y2, h))
    x1, x2 = left_w, right_x
    mid = (x1 + x2) / 2
    parts = [html.tag("title", "The theses and the evidence domains behind them", id=f"ckb-ov-{variant}-title")]
    for f, y1, y2, h in bands:
        d = (f"M{x1:.1f} {y1:.1f} C{mid:.1f} {y1:.1f} {mid:.1f} {y2:.1f} {x2:.1f} {y2:.1f} "
             f"L{x2:.1f} {y2 + h:.1f} C{mid:.1f} {y2 + h:.1f} {mid:.1f} {y1 + h:.1f} {x1:.1f} {y1 + h:.1f} Z")
        label = f"{kb.domains[f.domain].title}: {f.count} claim{'s' if f.count != 1 else ''} behind “{kb.claims[f.thesis].title}”"
        target = heatmap.anchor(f.thesis, f.domain)
        parts.append(_link(url("matrix.md") + (f"#{target}" if target else ""), label, "ckb-ov-flow", html.join([
            html.tag("title", html.text(label)), Markup(f'<path d="{d}" class="ckb-ov-band ckb-ov-d{colour[f.domain]}"/>')])))
    for k, (t, lines, note) in enumerate(right):
        parts.append(_box(url("map.md") + f"#thesis={t.id}", right_x, right_y[k], right_w, right_h[k], lines, note,
                          "ckb-ov-thesis", f"{t.title}: {note}. Explore its support in the argument map."))
    for k, (d, lines, note) in enumerate(left):
        parts.append(_box(url("map.md") + f"#domain={d}", 0, left_y[k], left_w, left_h[k], lines, note,
                          f"ckb-ov-domain ckb-ov-d{colour[d]}", f"{kb.domains[d].title}: {note}. Explore the domain in the argument map."))
    return Markup(f'<svg class="ckb-ov-svg ckb-ov-{variant}" width="{width}" height="{height:.0f}" '
                  f'viewBox="0 0 {width} {height:.0f}" role="group" aria-labelledby="ckb-ov-{variant}-title">'
                  f'{html.join(parts)}</svg>')


def _box(href: str, x: float, y: float, w: float, h: float, lines: list[str], note: str, cls: str, label: str) -> Markup:
    text = [f'<text x="{x + PAD + 6:.1f}" y="{y + PAD + 13 + k * LINE:.1f}" class="ckb-ov-label">{html.text(line)}</text>'
            for k, line in enumerate(lines)]
    text.append(f'<text x="{x + PAD + 6:.1f}" y="{y + PAD + 13 + len(lines) * LINE:.1f}" class="ckb-ov-note">{html.text(note)}</text>')
    shape = (f'<rect x="{x + 0.75:.1f}" y="{y + 0.75:.1f}" width="{w - 1.5:.1f}" height="{h - 1.5:.1f}" rx="5" class="ckb-ov-box"/>'
             f'<rect x="{x + 0.75:.1f}" y="{y + 0.75:.1f}" width="5" height="{h - 1.5:.1f}" class="ckb-ov-stripe"/>')
    return _link(href, label, f"ckb-ov-node {cls}", Markup(shape + "".join(text)))


def _link(href: str, label: str, cls: str, content: Markup) -> Markup:
    # xlink:href, not href: Material's instant navigation assigns el.href on every [href] element of a page, which
    # throws on an SVG link (its href is read-only) and stops the page's scripts; xlink:href works everywhere.
    return Markup(str(html.tag("a", content, aria_label=_clean(label), class_=cls, data_href=href))
                  .replace(' data-href="', ' xlink:href="', 1))


def _clean(text: str) -> str:
    return " ".join(html.INVISIBLE_RE.sub("", text).split())


def _spread(heights: list[int], total: float) -> list[float]:
    """Top of each box, the boxes spread evenly down the height."""
    if not heights:
        return []
    if len(heights) == 1:
        return [(total - heights[0]) / 2]
    gap = (total - sum(heights)) / (len(heights) - 1)
    out, y = [], 0.0
    for h in heights:
        out.append(y)
        y += h + gap
    return out


# Advance widths in em of a wide sans-serif (DejaVu Sans, the widest common default), so text never overruns a box.
_NARROW_CHARS = set("fijlrtI.,:;'!|()[] ")
_WIDE_CHARS = set("mwMW@%")


def text_width(text: str, size: float = FONT) -> float:
    em = 0.0
    for ch in text:
        if ch in _NARROW_CHARS:
            em += 0.36
        elif ch in _WIDE_CHARS:
            em += 0.95
        elif ch.isupper() or ch.isdigit():
            em += 0.72
        else:
            em += 0.62
    return em * size


def wrap(text: str, width: float, size: float = FONT) -> list[str]:
    """Greedy word wrap to width; a word wider than the line is split, never cut."""
    lines: list[str] = []
    line = ""
    for word in " ".join(html.INVISIBLE_RE.sub("", text).split()).split(" "):
        while text_width(word, size) > width:
            k = len(word) - 1
            while k > 1 and text_width(word[:k], size) > width:
                k -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:k])
            word = word[k:]
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines
