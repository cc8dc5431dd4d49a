"""The repository's site in a real browser: search, a claim page with its rendered diagram, a reference link.

Debian's chromium driven by playwright-python (no browser download), the built site served on 127.0.0.1. Every
request to another host is aborted and recorded, and the tests assert there was none: the site works offline and
tells no third party who reads it. Without a usable chromium the tests are skipped with a loud SKIPPED line.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from conftest import ENGINES, build_site, pagefind_docs, REPO

from claimkb.cite import formatting as cite
from claimkb.core import loader

pytestmark = pytest.mark.browser

# Debian's chromium by default; CLAIMKB_CHROMIUM=bundled uses the browser `playwright install` fetched (GitHub's
# runners, where downloads are allowed), any other value is a path to a chromium binary.
CHROMIUM_SETTING = os.environ.get("CLAIMKB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM = Path(CHROMIUM_SETTING)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = REPO / "test-artifacts"
CLAIM = "moravecs-paradox"
# Shadow roots opened, so a test can see into any component that uses one.
OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { return attach.call(this, {...init, mode: "open"}); };
"""


@dataclass
class Browser:
    browser: object | None = None
    reason: str = ""


@dataclass
class Served:
    url: str
    site: Path
    foreign: list[str] = field(default_factory=list)  # requests to any host but 127.0.0.1, aborted


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if CHROMIUM_SETTING != "bundled" and not CHROMIUM.exists():
        yield Browser(reason=f"{CHROMIUM} is absent")
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        yield Browser(reason=f"playwright is not installed ({exc})")
        return
    pw = sync_playwright().start()
    try:
        where = {} if CHROMIUM_SETTING == "bundled" else {"executable_path": str(CHROMIUM)}
        browser = pw.chromium.launch(**where, args=CHROMIUM_ARGS, headless=True, timeout=60_000)
    except Exception as exc:  # noqa: BLE001 - any launch failure means "no usable chromium": skip, loudly
        pw.stop()
        yield Browser(reason=f"playwright cannot launch {CHROMIUM}: {str(exc).splitlines()[0]}")
        return
    try:
        yield Browser(browser)
    finally:
        browser.close()
        pw.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, chromium: Browser) -> Iterator[Served | None]:
    if chromium.browser is None:
        yield None  # no browser: do not spend the build
        return
    site = tmp_path_factory.mktemp("repo-site") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    # --no-strict: this test is about the browser; the strict build of the repository is tested on its own, and
    # some pages named in the nav may still be in the making.
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--no-strict", "-f", str(REPO / "mkdocs.yml"),
                           "-d", str(site)], capture_output=True, text=True, env=env, timeout=180, check=False)
    assert done.returncode == 0, done.stderr

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}/", site)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _skip_without_browser(chromium: Browser, served: Served | None, capsys: pytest.CaptureFixture[str]) -> None:
    if chromium.browser is None or served is None:
        line = f"SKIPPED: chromium not available (apt-get install chromium): browser test not run ({chromium.reason})"
        with capsys.disabled():
            print(f"\n{line}")
        pytest.skip(line)


def _context(chromium: Browser, served: Served, width: int = 1280, scheme: str = "light"):
    """A fresh browser context (no stored palette, no cache) whose requests to any host but 127.0.0.1 are aborted."""
    context = chromium.browser.new_context(viewport={"width": width, "height": 900 if width > 600 else 844},
                                           color_scheme=scheme, service_workers="block")
    context.add_init_script(OPEN_SHADOW_ROOTS)

    def route(r) -> None:
        if urlsplit(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            served.foreign.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    context.on("request", lambda req: None if urlsplit(req.url).scheme in ("data", "blob") or
               urlsplit(req.url).hostname == "127.0.0.1" else served.foreign.append(req.url))
    return context


@pytest.fixture
def page(chromium: Browser, served: Served | None, capsys: pytest.CaptureFixture[str]):
    _skip_without_browser(chromium, served, capsys)
    served.foreign.clear()
    context = _context(chromium, served)
    p = context.new_page()
    p.set_default_timeout(30_000)
    try:
        yield p
    finally:
        context.close()
    assert served.foreign == [], f"requests to other hosts: {sorted(set(served.foreign))}"


@pytest.fixture
def browse(chromium: Browser, served: Served | None, capsys: pytest.CaptureFixture[str]):
    """browse(width, scheme) -> a new page in its own context; all are closed, and no foreign request made."""
    _skip_without_browser(chromium, served, capsys)
    served.foreign.clear()
    contexts = []

    def open_page(width: int = 1280, scheme: str = "light"):
        context = _context(chromium, served, width, scheme)
        contexts.append(context)
        p = context.new_page()
        p.set_default_timeout(30_000)
        errors: list[str] = []
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.errors = errors  # type: ignore[attr-defined]
        return p

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()
    assert served.foreign == [], f"requests to other hosts: {sorted(set(served.foreign))}"


def screenshot(p, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / name), full_page=False)


def distinctive_word(site: Path, location: str, text: str) -> str:
    """The word of text found on the fewest pages of the search index (Pagefind's; ties: the longest)."""
    pages: dict[str, str] = defaultdict(str)
    for doc in pagefind_docs(site):
        pages[doc["url"].lstrip("/")] += f" {doc['meta'].get('title', '')} {doc['content']}"
    assert location in pages
    words = sorted(set(re.findall(r"[A-Za-z]{6,}", text)))

    def spread(word: str) -> int:
        return sum(1 for t in pages.values() if re.search(rf"\b{word}\b", t, re.I))

    return min(words, key=lambda w: (spread(w), -len(w)))


def test_search_finds_a_claim_by_a_distinctive_word(page, served: Served) -> None:
    claim = loader.load(REPO).kb.claims[CLAIM]
    word = distinctive_word(served.site, f"claims/{CLAIM}/", claim.statement)
    page.goto(served.url)
    nav_claims = page.locator("nav.md-nav--primary a[href*='claims/']").evaluate_all("els => els.map(a => a.href)")
    assert all(re.search(r"/claims/(index\.html)?$", href) for href in nav_claims), nav_claims  # no claim page in nav
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").type(word, delay=20)
    # Results follow the typing: wait for those of the whole word (the claim's page), not of its first letters.
    page.wait_for_function("w => [...document.querySelectorAll('.md-search-result__item p mark')]"
                           ".some(m => m.textContent.toLowerCase().includes(w))", arg=word.lower())
    hits = page.locator(".md-search-result__item a.md-search-result__link")
    hrefs = hits.evaluate_all("els => els.map(a => a.href)")
    titles = " ".join(page.locator(".md-search-result__item").all_inner_texts())
    screenshot(page, "browser-search.png")
    assert any(f"/claims/{CLAIM}/" in h for h in hrefs), (word, hrefs)
    assert " ".join(claim.title.split()) in " ".join(titles.split()), (word, titles[:500])


def test_claim_page_relations_diagram_and_reference_link(page, served: Served) -> None:
    kb = loader.load(REPO).kb
    claim = kb.claims[CLAIM]
    page.goto(f"{served.url}claims/{CLAIM}/")
    assert " ".join(page.locator("article h1").inner_text().split()).startswith(" ".join(claim.title.split()))
    assert page.locator("article h2#relations").is_visible()
    groups = page.locator("article h3").all_inner_texts()
    assert {"Supports", "Rebuts"} <= {g.strip().rstrip("¶").strip() for g in groups}, groups
    figure = page.locator("article figure.ckb-hood")
    assert figure.count() == 1 and figure.locator("a.ckb-hood-node").count() >= 2
    figure.scroll_into_view_if_needed()
    screenshot(page, "browser-claim.png")

    ref = kb.references[claim.claimed_by.ref]
    link = page.locator("article h2#claimed-by + .ckb-block p a").first
    link.click()
    page.wait_for_url(re.compile(rf"/references/{re.escape(ref.key)}/$"))
    page.wait_for_function("t => document.querySelector('article h1') && "
                           "document.querySelector('article h1').textContent.includes(t)",
                           arg=cite.to_unicode(ref.field("title")).split(":")[0].strip("{} "))
    heading = " ".join(page.locator("article h1").inner_text().split()).rstrip("¶").strip()
    assert heading == " ".join(cite.to_unicode(ref.field("title")).split())
    screenshot(page, "browser-reference.png")


# --- the figures, accessibility, page weight, screenshots (issue 11) ------------------------------------------

# One page of every kind the site has, on the repository's own site.
PAGES = {
    "home": "",
    "claim": f"claims/{CLAIM}/",
    "reference": "references/goldfeder2026sai/",
    "explorer": "map/",
    "matrix": "matrix/",
    "bibliography": "bibliography/",
    "reading": "reading/s4-why-specialization-wins/",
    "domain": "domains/biology/",
    "kind": "kinds/thesis/",
    "claims-index": "claims/",
    "cite": "cite/",
}
WIDTHS = {"desktop": 1280, "phone": 390}
BUDGET_KB = 500  # gzipped bytes to open the home page or a claim page
READABLE_PX = 12


def _open(p, url: str) -> None:
    p.goto(url)
    p.wait_for_load_state("networkidle")
    if p.locator(".ckb-explorer").count():
        p.wait_for_function("() => ['ready', 'failed'].includes(document.querySelector('.ckb-explorer').dataset.state)")
        assert p.locator(".ckb-explorer").get_attribute("data-state") == "ready"


def _support_tree(kb, thesis: str) -> set[str]:
    """The thesis, the claims its supports, refines and depends-on chains reach, and the claims rebutting any of them."""
    seen, frontier = {thesis}, [thesis]
    while frontier:
        nxt = []
        for node in frontier:
            below = [c.id for c in kb.claims.values() for r in c.relations
                     if r.target == node and r.type in ("supports", "refines")]
            below += [r.target for r in kb.claims[node].relations if r.type == "depends-on" and r.target in kb.claims]
            for other in below:
                if other not in seen:
                    seen.add(other)
                    nxt.append(other)
        frontier = nxt
    return seen | {c.id for c in kb.claims.values() for r in c.relations if r.type == "rebuts" and r.target in seen}


def _visible_nodes(p) -> list[str]:
    return p.evaluate("() => ckbExplorer.cy.nodes().filter(n => n.visible()).map(n => n.id())")


def _node_point(p, claim_id: str) -> tuple[float, float]:
    """Where a node is on the screen (the canvas's offset plus the node's rendered position)."""
    box = p.locator(".ckb-x-canvas").bounding_box()
    pos = p.evaluate("id => ckbExplorer.cy.getElementById(id).renderedPosition()", claim_id)
    return box["x"] + pos["x"], box["y"] + pos["y"]


def test_explorer_shows_the_whole_graph_readably_and_opens_claim_pages(browse, served: Served) -> None:
    kb = loader.load(REPO).kb
    p = browse()
    _open(p, f"{served.url}map/")
    assert sorted(p.evaluate("() => ckbExplorer.cy.nodes().map(n => n.id())")) == sorted(kb.claims)
    edges = p.evaluate("() => ckbExplorer.cy.edges().length")
    assert edges == len({(c.id, r.type, r.target) for c in kb.claims.values() for r in c.relations
                         if r.target in kb.claims and r.target != c.id})
    # Labels: whole titles, wrapped, no ellipsis, and at least 12 px at the default zoom.
    labels = p.evaluate("() => ckbExplorer.cy.nodes().map(n => [n.id(), n.data('label')])")
    for claim_id, label in labels:
        assert " ".join(label.split("\n")[1:]).replace(" ", "") .endswith(kb.claims[claim_id].title.replace(" ", "")[-20:])
        assert not label.rstrip().endswith(("…", "...")), claim_id
    font = p.evaluate("() => parseFloat(ckbExplorer.cy.nodes()[0].style('font-size')) * ckbExplorer.cy.zoom()")
    assert font >= READABLE_PX, font
    # The heaviest thesis is in view, and a click on it opens its page.
    thesis = p.evaluate("() => ckbExplorer.cy.nodes('.thesis').filter(n => n.renderedBoundingBox().x1 >= 0 && "
                        "n.renderedBoundingBox().x2 <= ckbExplorer.cy.width() && n.renderedBoundingBox().y1 >= 0 && "
                        "n.renderedBoundingBox().y2 <= ckbExplorer.cy.height()).map(n => n.id())")
    assert thesis, "no thesis in view at the default zoom"
    p.mouse.move(*_node_point(p, thesis[0]))
    p.wait_for_function("id => document.querySelector('.ckb-x-details').dataset.claim === id", arg=thesis[0])
    p.wait_for_function("() => !document.querySelector('.ckb-x-statement').textContent.startsWith('Loading')")
    shown = " ".join(p.locator(".ckb-x-statement").inner_text().split())
    assert shown and shown[:40] in " ".join(kb.claims[thesis[0]].statement.replace("*", "").split())  # hover: the statement
    screenshot(p, "explorer-hover.png")
    # The canvas follows the palette toggle: its colours are read again from the page's CSS.
    colour = "id => ckbExplorer.cy.getElementById(id).style('background-color')"
    light = p.evaluate(colour, thesis[0])
    p.locator("form[data-md-component=palette] label:visible").first.click()
    p.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'")
    p.wait_for_function(f"([id, before]) => ({colour})(id) !== before", arg=[thesis[0], light])
    p.locator("form[data-md-component=palette] label:visible").first.click()
    p.wait_for_function(f"([id, before]) => ({colour})(id) === before", arg=[thesis[0], light])
    p.mouse.click(*_node_point(p, thesis[0]))
    p.wait_for_url(re.compile(rf"/claims/{re.escape(thesis[0])}/$"))
    assert p.errors == []


def test_explorer_filters_change_what_is_shown(browse, served: Served) -> None:
    kb = loader.load(REPO).kb
    p = browse()
    _open(p, f"{served.url}map/")
    thesis = "pos1-human-intelligence-not-general"
    p.select_option("#ckb-x-thesis", thesis)
    assert sorted(_visible_nodes(p)) == sorted(_support_tree(kb, thesis))
    assert f"thesis={thesis}" in p.evaluate("() => location.hash")  # the view is linkable
    # A filtered view is laid out again to fit, readably.
    assert p.evaluate("() => parseFloat(ckbExplorer.cy.nodes()[0].style('font-size')) * ckbExplorer.cy.zoom()") >= READABLE_PX
    screenshot(p, "explorer-thesis.png")
    p.select_option("#ckb-x-domain", "cognitive-science")
    want = {c for c in _support_tree(kb, thesis) if kb.claims[c].domain == "cognitive-science"}
    assert sorted(_visible_nodes(p)) == sorted(want)
    p.click("button[data-action=clear]")
    assert len(_visible_nodes(p)) == len(kb.claims)
    p.select_option("#ckb-x-kind", "objection")
    assert sorted(_visible_nodes(p)) == sorted(c.id for c in kb.claims.values() if c.kind == "objection")
    p.select_option("#ckb-x-kind", "")
    p.select_option("#ckb-x-work", "lachmann2026inevitable")
    assert sorted(_visible_nodes(p)) == sorted(c.id for c in kb.claims.values()
                                               if c.claimed_by and c.claimed_by.ref == "lachmann2026inevitable")
    # The lists below the map link each thesis to its view: the filters follow and the map comes into sight.
    p.click("button[data-action=clear]")
    p.locator(f"a[href$='#thesis={thesis}']").click()
    assert sorted(_visible_nodes(p)) == sorted(_support_tree(kb, thesis))
    assert p.input_value("#ckb-x-thesis") == thesis
    top = p.locator(".ckb-explorer").evaluate("e => e.getBoundingClientRect().top")
    assert -5 <= top <= 100, top
    assert p.errors == []


def test_explorer_focus_link_find_box_and_keyboard(browse, served: Served) -> None:
    kb = loader.load(REPO).kb
    p = browse()
    _open(p, f"{served.url}map/#focus={CLAIM}")
    assert p.evaluate("() => ckbExplorer.cy.$(':selected').map(n => n.id())") == [CLAIM]
    x, y = _node_point(p, CLAIM)
    box = p.locator(".ckb-x-canvas").bounding_box()
    assert abs(x - (box["x"] + box["width"] / 2)) < 30 and abs(y - (box["y"] + box["height"] / 2)) < 30  # centred
    title = p.locator(".ckb-x-details .ckb-x-title a")
    assert " ".join(title.inner_text().split()) == " ".join(kb.claims[CLAIM].title.split())
    link = p.locator(".ckb-x-details .ckb-x-open a")
    assert link.is_visible() and link.get_attribute("href").endswith(f"claims/{CLAIM}/")
    screenshot(p, "explorer-focus.png")
    # Keyboard: from the focused claim, down to a claim bearing on it, up again, Enter opens the page.
    p.locator(".ckb-x-canvas").focus()
    p.keyboard.press("ArrowUp")
    up = p.evaluate("() => ckbExplorer.cy.$(':selected').map(n => n.id())")
    bears_on = {r.target for r in kb.claims[CLAIM].relations if r.type != "depends-on"}
    bears_on |= {c.id for c in kb.claims.values() for r in c.relations if r.type == "depends-on" and r.target == CLAIM}
    assert len(up) == 1 and up[0] in bears_on
    assert f"focus={up[0]}" in p.evaluate("() => location.hash")
    p.keyboard.press("ArrowDown")
    down = p.evaluate("() => ckbExplorer.cy.$(':selected').map(n => n.id())")[0]
    assert up[0] in {r.target for r in kb.claims[down].relations} | \
        {c.id for c in kb.claims.values() for r in c.relations if r.target == down and r.type == "depends-on"}
    # The find box: type, choose with the arrow keys and Enter; the graph selects and centres the claim.
    find = p.locator("#ckb-x-find")
    find.click()
    find.type("No Free Lunch", delay=10)
    options = p.locator("#ckb-x-results [role=option]")
    assert options.count() >= 1
    chosen = options.first.locator(".ckb-x-option-meta").inner_text().split(" · ")[1]
    p.keyboard.press("Enter")
    assert p.evaluate("() => ckbExplorer.cy.$(':selected').map(n => n.id())") == [chosen]
    assert "no free lunch" in kb.claims[chosen].title.lower()
    p.keyboard.press("Enter")  # focus moved to the graph: Enter opens the claim's page
    p.wait_for_url(re.compile(rf"/claims/{re.escape(chosen)}/$"))
    assert p.errors == []


def test_no_diagram_label_is_cut(browse, served: Served) -> None:
    """Claim neighbourhoods and the home picture hold every title whole, at 12 px or more, inside its box."""
    kb = loader.load(REPO).kb
    for width in WIDTHS.values():
        p = browse(width)
        _open(p, f"{served.url}claims/nfl-defeats-universal-scope/")
        titles = p.locator("figure.ckb-hood .ckb-hood-title").all_inner_texts()
        assert len(titles) >= 4
        assert {" ".join(t.split()) for t in titles} <= {" ".join(c.title.split()) for c in kb.claims.values()}
        sizes = p.locator("figure.ckb-hood .ckb-hood-title").evaluate_all(
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
        assert min(sizes) >= READABLE_PX, sizes
        _open(p, served.url)
        svg = p.locator("svg.ckb-ov-svg:visible")
        assert svg.count() == 1
        fits = svg.evaluate("""svg => [...svg.querySelectorAll('a.ckb-ov-node')].map(a => {
            const box = a.querySelector('rect').getBBox(), scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return [...a.querySelectorAll('text')].map(t => [t.textContent, t.getBBox().x + t.getBBox().width <= box.x + box.width,
                                                             parseFloat(getComputedStyle(t).fontSize) * scale]);
        }).flat()""")
        assert fits and all(inside for _, inside, _ in fits), [t for t, inside, _ in fits if not inside]
        assert min(size for _, _, size in fits) >= READABLE_PX, (width, fits)
        assert not any(text.endswith("…") for text, _, _ in fits)
        theses = p.locator("svg.ckb-ov-svg:visible a.ckb-ov-thesis").evaluate_all("els => els.map(a => a.getAttribute('aria-label'))")
        named = re.findall(r"\[\[([a-z0-9-]+)\]\]", next(line for line in (REPO / "docs/index.md").read_text("utf-8").splitlines()
                                                       if "claimkb:overview" in line))
        assert len(theses) == len(named) == 5  # the five Positions the home page names, in its order
        assert all(label.startswith(" ".join(kb.claims[i].title.split())) for label, i in zip(theses, named))
        p.locator("svg.ckb-ov-svg:visible a.ckb-ov-thesis").first.click()  # each Position opens the explorer on it
        p.wait_for_url(re.compile(r"/map/#thesis=pos1-"))
        p.wait_for_function("() => document.querySelector('.ckb-explorer') && document.querySelector('.ckb-explorer').dataset.state === 'ready'")
        assert sorted(_visible_nodes(p)) == sorted(_support_tree(kb, "pos1-human-intelligence-not-general"))
        assert p.errors == []


def test_matrix_never_scrolls_sideways(browse, served: Served) -> None:
    for name, width in WIDTHS.items():
        p = browse(width)
        _open(p, f"{served.url}matrix/")
        overflow = p.evaluate("""() => {
            const t = document.querySelector('table.ckb-heat'), wrap = t.parentElement;
            return {page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                    table: t.getBoundingClientRect().right - wrap.getBoundingClientRect().right,
                    scroller: [...document.querySelectorAll('article *')].filter(e => e.scrollWidth > e.clientWidth + 1
                               && getComputedStyle(e).overflowX !== 'visible' && e.contains(t)).length};
        }""")
        assert overflow["page"] <= 0 and overflow["table"] <= 1 and overflow["scroller"] == 0, (name, overflow)
        cells = p.locator("table.ckb-heat a.ckb-heat-link")
        assert cells.count() >= 10
        first = cells.first
        fragment = urlsplit(first.get_attribute("href")).fragment
        first.click()  # a cell opens its list of claims
        p.wait_for_function("h => location.hash === '#' + h", arg=fragment)
        assert p.locator(f"[id='{fragment}']").is_visible()


def test_citations_are_never_adjacent_without_a_separator(browse, served: Served) -> None:
    p = browse()
    reading = sorted(f.relative_to(REPO / "docs").with_suffix("").as_posix() for f in (REPO / "docs/reading").glob("s*.md"))
    assert reading
    for name in reading:
        _open(p, f"{served.url}{name}/")
        adjacent = p.evaluate("""() => {
            const links = [...document.querySelectorAll('article a[href*="references/"]')], bad = [];
            for (let i = 1; i < links.length; i++) {
                const a = links[i - 1], b = links[i];
                if (a.closest('p, li, td') !== b.closest('p, li, td')) continue;
                const range = document.createRange();
                range.setStartAfter(a); range.setEndBefore(b);
                if (!/[;,()\\[\\]–—]|\\w/.test(range.toString())) bad.push(a.textContent + ' | ' + b.textContent);
            }
            return bad;
        }""")
        assert adjacent == [], (name, adjacent)


def test_axe_finds_no_serious_violation_and_screenshots_every_kind_of_page(browse, served: Served) -> None:
    """axe-core (as axe-playwright-python ships it) on one page of every kind, light and dark, desktop and phone; a
    screenshot of each goes to test-artifacts/screens/ for a reviewer."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    out = ARTIFACTS / "screens"
    out.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    for scheme in ("light", "dark"):
        for width_name, width in WIDTHS.items():
            p = browse(width, scheme)
            for kind, path in PAGES.items():
                _open(p, f"{served.url}{path}")
                assert p.evaluate("() => document.body.dataset.mdColorScheme") == ("slate" if scheme == "dark" else "default")
                p.screenshot(path=str(out / f"{kind}-{width_name}-{scheme}.png"))
                results = axe.run(p, options={"resultTypes": ["violations"]})
                for v in results.response["violations"]:
                    if v["impact"] in ("serious", "critical"):
                        found.setdefault(f"{kind} {width_name} {scheme}", []).append(
                            f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}")
            assert p.errors == []
    assert found == {}
    assert len(list(out.glob("*.png"))) >= len(PAGES) * 4


def _transferred_gzip(p, url: str) -> tuple[int, list[tuple[str, int]]]:
    """Bytes a page load costs as a server gzips it: every response's body, compressed."""
    bodies: list = []
    p.on("response", lambda r: bodies.append(r))
    _open(p, url)
    p.wait_for_timeout(500)
    sizes = []
    for r in bodies:
        try:
            body = r.body()
        except Exception:  # noqa: BLE001 - a redirect or aborted request has no body
            continue
        sizes.append((urlsplit(r.url).path, len(gzip.compress(body, 6))))
    return sum(n for _, n in sizes), sorted(sizes, key=lambda s: -s[1])


def test_home_and_claim_pages_stay_light(browse, served: Served) -> None:
    report = {}
    for kind in ("home", "claim", "explorer"):
        p = browse()
        total, sizes = _transferred_gzip(p, f"{served.url}{PAGES[kind]}")
        report[kind] = (total, sizes[:4])
        if kind != "explorer":  # the explorer carries its graph library and data; the others carry no diagram code
            assert total <= BUDGET_KB * 1024, (kind, total, sizes[:6])
            assert not any("cytoscape" in path or "mermaid" in path for path, _ in sizes), (kind, sizes)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weight.json").write_text(json.dumps(report, indent=2) + "\n", "utf-8")


HEAD_METADATA = """() => ({
    titles: [...document.head.querySelectorAll('meta[name="citation_title"]')].map(m => m.content),
    dois: [...document.head.querySelectorAll('meta[name="citation_doi"]')].map(m => m.content),
    jsonld: [...document.head.querySelectorAll('script[type="application/ld+json"]')].map(s => JSON.parse(s.text)),
})"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served_at_site_url(tmp_path_factory: pytest.TempPathFactory, chromium: Browser) -> Iterator[Served | None]:
    """The repository's site built with its site_url set to where it is served: Material's instant loading only
    takes over links to pages its sitemap lists, so this is the site as readers get it, pages swapped in place."""
    if chromium.browser is None:
        yield None
        return
    site = tmp_path_factory.mktemp("instant") / "site"
    site.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    build = ("from mkdocs.commands.build import build; from mkdocs.config import load_config; "
             f"build(load_config({str(REPO / 'mkdocs.yml')!r}, site_url={url!r}, site_dir={str(site)!r}))")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-c", build], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(url, site)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_instant_navigation_brings_the_next_pages_citation_metadata(chromium: Browser,
                                                                    served_at_site_url: Served | None) -> None:
    """Material's instant loading swaps pages without a reload: a citation manager saving the page it now shows must
    read that page's citation tags and JSON-LD, not the first page's."""
    if chromium.browser is None or served_at_site_url is None:
        pytest.skip(f"chromium not available (apt-get install chromium): browser test not run ({chromium.reason})")
    kb = loader.load(REPO).kb
    claim = kb.claims[CLAIM]
    ref = kb.references[claim.claimed_by.ref]
    context = chromium.browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.route("**/*", lambda r: r.continue_() if urlsplit(r.request.url).hostname == "127.0.0.1" else r.abort())
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{served_at_site_url.url}claims/{CLAIM}/")
        first = page.evaluate(HEAD_METADATA)
        assert first["titles"] == [claim.title] and [d["name"] for d in first["jsonld"]] == [claim.title]
        page.evaluate("() => { window.ckbSamePage = true; }")  # survives instant loading, not a reload
        page.locator("article h2#claimed-by + .ckb-block p a").first.click()
        page.wait_for_url(re.compile(rf"/references/{re.escape(ref.key)}/$"))
        page.wait_for_function("() => !document.querySelector('meta[name=\"citation_abstract\"]')")
        assert page.evaluate("() => window.ckbSamePage === true"), "the link reloaded the page: no instant loading"
        after = page.evaluate(HEAD_METADATA)
    finally:
        context.close()
    csl = cite.reference_csl(ref)
    assert after["titles"] == [csl["title"]] and [d["name"] for d in after["jsonld"]] == [csl["title"]]
    assert after["dois"] == ([csl["DOI"]] if "DOI" in csl else [])


def test_explorer_under_instant_loading(chromium: Browser, served_at_site_url: Served | None) -> None:
    """As readers get the site (instant loading on): a link swaps the explorer's page in and its scripts run; the
    map's view survives scrolling and the theme's own navigation away and back."""
    if chromium.browser is None or served_at_site_url is None:
        pytest.skip(f"chromium not available (apt-get install chromium): browser test not run ({chromium.reason})")
    kb = loader.load(REPO).kb
    context = chromium.browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.route("**/*", lambda r: r.continue_() if urlsplit(r.request.url).hostname == "127.0.0.1" else r.abort())
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(served_at_site_url.url)
        page.wait_for_load_state("networkidle")
        page.evaluate("() => { window.ckbSamePage = true; }")
        page.locator("article a[href$='map/']").first.click()  # an ordinary link: the theme swaps the page in
        page.wait_for_url(re.compile(r"/map/$"))
        page.wait_for_function("() => document.querySelector('.ckb-explorer') && "
                               "document.querySelector('.ckb-explorer').dataset.state === 'ready'")
        assert page.evaluate("() => window.ckbSamePage === true"), "the link reloaded the page: no instant loading"
        assert len(_visible_nodes(page)) == len(kb.claims)
        page.select_option("#ckb-x-thesis", "pos1-human-intelligence-not-general")
        assert sorted(_visible_nodes(page)) == sorted(_support_tree(kb, "pos1-human-intelligence-not-general"))
        page.mouse.wheel(0, 400)  # scrolling keeps the view in the address (the theme's section tracking is off)
        page.wait_for_timeout(300)
        assert "thesis=pos1-" in page.evaluate("() => location.hash")
        page.locator("nav.md-tabs a", has_text="Home").click()  # away and back, in place: the explorer starts afresh
        page.wait_for_url(re.compile(r"/$"))
        page.go_back()
        page.wait_for_function("() => document.querySelector('.ckb-explorer') && "
                               "document.querySelector('.ckb-explorer').dataset.state === 'ready'")
        assert page.evaluate("() => window.ckbSamePage === true")
    finally:
        context.close()
    assert errors == []


# ---------------------------------------------------------------- search with each engine


@pytest.fixture(scope="module", params=ENGINES)
def served_engine(tmp_path_factory: pytest.TempPathFactory, chromium: Browser,
                  request: pytest.FixtureRequest) -> Iterator[Served | None]:
    """The repository's site built by each engine (MkDocs, then Zensical), served on 127.0.0.1."""
    if chromium.browser is None:
        yield None
        return
    site = tmp_path_factory.mktemp(f"engine-site-{request.param}") / "site"
    done = build_site(REPO, site, request.param, strict=False)
    assert done.returncode == 0, done.stderr
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}/", site)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def engine_page(chromium: Browser, served_engine: Served | None, capsys: pytest.CaptureFixture[str]):
    _skip_without_browser(chromium, served_engine, capsys)
    served_engine.foreign.clear()
    context = _context(chromium, served_engine)
    p = context.new_page()
    p.set_default_timeout(30_000)
    try:
        yield p
    finally:
        context.close()
    assert served_engine.foreign == [], f"requests to other hosts: {sorted(set(served_engine.foreign))}"


@pytest.mark.parametrize("key", ["/", "s"])
def test_search_shortcut_opens_the_box_and_results_have_snippets(engine_page, served_engine: Served, key: str) -> None:
    page = engine_page
    claim = loader.load(REPO).kb.claims[CLAIM]
    word = distinctive_word(served_engine.site, f"claims/{CLAIM}/", claim.statement)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(urlsplit(r.url).path))
    page.goto(f"{served_engine.url}claims/")
    page.wait_for_load_state()
    page.keyboard.press(key)
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')"), "the shortcut focuses the box"
    assert page.locator("#__search").is_checked()
    page.keyboard.type(word, delay=20)
    # Results follow the typing: wait for those of the whole word, not of its first letters.
    page.wait_for_function("w => [...document.querySelectorAll('.md-search-result__item p mark')]"
                           ".some(m => m.textContent.toLowerCase().includes(w))", arg=word.lower())
    first = page.locator(".md-search-result__item").first
    assert first.locator("h1").inner_text().strip()
    assert first.locator("p mark").count() >= 1, "the snippet marks the words that matched"
    assert word.lower() in first.locator("p").inner_text().lower()
    hrefs = page.locator(".md-search-result__item a.md-search-result__link").evaluate_all("els => els.map(a => a.href)")
    assert any(f"/claims/{CLAIM}/" in h for h in hrefs), (word, hrefs)
    assert page.get_by_role("dialog", name="Search").count() == 1, "the search dialog has an accessible name"
    screenshot(page, f"browser-search-{key.replace('/', 'slash')}.png")
    page.keyboard.press("Escape")
    assert not page.locator("#__search").is_checked()
    # Pagefind's chunks and fragments, never an index of the whole site.
    assert not [p for p in fetched if p.endswith(("search_index.json", "/search.json"))], fetched
    assert any(p.endswith(".pf_index") for p in fetched) and any(p.endswith(".pf_fragment") for p in fetched)
