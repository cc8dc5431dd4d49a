"""The repository's site in a real browser: search, a claim page with its rendered diagram, a reference link.

Debian's chromium driven by playwright-python (no browser download), the site built by each engine (MkDocs and
Zensical) and served on 127.0.0.1. Every request to another host is aborted and recorded, and the tests assert
there was none: the site works offline and tells no third party who reads it. Without a usable chromium the tests
are skipped with a loud SKIPPED line.
"""
from __future__ import annotations

import functools
import http.server
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

from conftest import ENGINES, REPO, build_site, pagefind_docs

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
# Material renders each Mermaid diagram into a closed shadow root; opening it lets the test see the SVG.
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


@pytest.fixture(scope="module", params=ENGINES)
def served(tmp_path_factory: pytest.TempPathFactory, chromium: Browser, request: pytest.FixtureRequest) -> Iterator[Served | None]:
    if chromium.browser is None:
        yield None  # no browser: do not spend the build
        return
    site = tmp_path_factory.mktemp(f"repo-site-{request.param}") / "site"
    # Not strict: this test is about the browser; the strict build of the repository is tested on its own, and
    # some pages named in the nav may still be in the making.
    done = build_site(REPO, site, request.param, strict=False)
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


@pytest.fixture
def page(chromium: Browser, served: Served | None, capsys: pytest.CaptureFixture[str]):
    if chromium.browser is None or served is None:
        line = f"SKIPPED: chromium not available (apt-get install chromium): browser test not run ({chromium.reason})"
        with capsys.disabled():
            print(f"\n{line}")
        pytest.skip(line)
    served.foreign.clear()
    context = chromium.browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
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
    p = context.new_page()
    p.set_default_timeout(30_000)
    try:
        yield p
    finally:
        context.close()
    assert served.foreign == [], f"requests to other hosts: {sorted(set(served.foreign))}"


def screenshot(p, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / name), full_page=False)


def distinctive_word(site: Path, location: str, text: str) -> str:
    """The word of text found on the fewest pages of the search index (ties: the longest)."""
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
    page.locator("article .mermaid svg").first.wait_for(state="attached", timeout=30_000)
    assert page.locator("article .mermaid svg").count() >= 1
    page.locator("article .mermaid").first.scroll_into_view_if_needed()
    screenshot(page, "browser-claim.png")

    ref = kb.references[claim.claimed_by.ref]
    link = page.locator("article h2#claimed-by + p a").first
    link.click()
    page.wait_for_url(re.compile(rf"/references/{re.escape(ref.key)}/$"))
    page.wait_for_function("t => document.querySelector('article h1') && "
                           "document.querySelector('article h1').textContent.includes(t)",
                           arg=cite.to_unicode(ref.field("title")).split(":")[0].strip("{} "))
    heading = " ".join(page.locator("article h1").inner_text().split()).rstrip("¶").strip()
    assert heading == " ".join(cite.to_unicode(ref.field("title")).split())
    screenshot(page, "browser-reference.png")


@pytest.mark.parametrize("key", ["/", "s"])
def test_search_shortcut_opens_the_box_and_results_have_snippets(page, served: Served, key: str) -> None:
    claim = loader.load(REPO).kb.claims[CLAIM]
    word = distinctive_word(served.site, f"claims/{CLAIM}/", claim.statement)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(urlsplit(r.url).path))
    page.goto(f"{served.url}claims/")
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
    dialog = page.get_by_role("dialog", name="Search")
    assert dialog.count() == 1, "the search dialog has an accessible name"
    screenshot(page, f"browser-search-{key.replace('/', 'slash')}.png")
    page.keyboard.press("Escape")
    assert not page.locator("#__search").is_checked()
    # Pagefind's chunks and fragments, never an index of the whole site.
    assert not [p for p in fetched if p.endswith(("search_index.json", "/search.json"))], fetched
    assert any(p.endswith(".pf_index") for p in fetched) and any(p.endswith(".pf_fragment") for p in fetched)
    assert not [p for p in fetched if p.endswith("mermaid.min.js")], "no diagram on this page: no Mermaid"


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
        page.locator("article h2#claimed-by + p a").first.click()
        page.wait_for_url(re.compile(rf"/references/{re.escape(ref.key)}/$"))
        page.wait_for_function("() => !document.querySelector('meta[name=\"citation_abstract\"]')")
        assert page.evaluate("() => window.ckbSamePage === true"), "the link reloaded the page: no instant loading"
        after = page.evaluate(HEAD_METADATA)
    finally:
        context.close()
    csl = cite.reference_csl(ref)
    assert after["titles"] == [csl["title"]] and [d["name"] for d in after["jsonld"]] == [csl["title"]]
    assert after["dois"] == ([csl["DOI"]] if "DOI" in csl else [])
