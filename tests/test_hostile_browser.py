"""Issue 10 in a real browser: the hostile pages of a built site open with no dialog, no foreign request, no script error.

The hostile classes of tests/hostile_cases.py (all but the quadratic one, whose cost is a benchmark, not a page)
laid over the clean base together, built with each engine, served on 127.0.0.1 and opened in Debian's chromium
through playwright, as tests/test_browser.py does. Every payload calls alert() (or another dialog), so a dialog
means injected script ran; every request to another host is aborted and recorded; uncaught exceptions and console
errors fail the test, except the local 404s a relative image left in contributed text may cause.
"""
from __future__ import annotations

import functools
import http.server
import threading
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from conftest import ENGINES, make_kb
from hostile_cases import CLASSES, bib_key, claim_id, hostile_files
from test_browser import Browser, Served, _context, _skip_without_browser, chromium, screenshot  # noqa: F401
from test_hostile import build_site

pytestmark = pytest.mark.browser

CLASSES_IN_BROWSER = tuple(c for c in CLASSES if c != "quadratic")


def hostile_pages() -> list[str]:
    """The pages contributed text reaches: each class's claim, reference and domain pages, the claims it relates to,
    and the generated pages listing them."""
    pages = ["", "claims/", "domains/", "kinds/", "bibliography/", "map/", "matrix/", "claims/alpha-thesis/",
             "claims/beta-premise/", "references/doe2019/"]
    for cls in CLASSES_IN_BROWSER:
        if cls != "names":  # a file under an unsafe name is never read (unsafe-name): it has no page to open
            pages += [f"claims/{claim_id(cls)}/", f"references/{bib_key(cls)}/"]
        if cls != "reserved":
            pages.append(f"domains/qz-{cls}/")
    return pages


@pytest.fixture(scope="module", params=ENGINES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           chromium: Browser) -> Iterator[Served | None]:  # noqa: F811 - the fixture imported above
    if chromium.browser is None:
        yield None
        return
    tmp = tmp_path_factory.mktemp(f"hostile-browser-{request.param}")
    root = make_kb(tmp, hostile_files(CLASSES_IN_BROWSER))
    build_site(root, tmp / "site", request.param)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp / "site")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}/", tmp / "site")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _local_404(message) -> bool:
    """A relative resource left in contributed text (<img src=x>, sanitized) that the local server does not have."""
    return message.text.startswith("Failed to load resource: the server responded with a status of 404") and \
        urlsplit(_where(message)).hostname == "127.0.0.1"


def _where(message) -> str:
    return message.location.get("url", "") if isinstance(message.location, dict) else ""


def test_hostile_pages_run_no_injected_script(chromium: Browser, served: Served | None,  # noqa: F811
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _skip_without_browser(chromium, served, capsys)
    served.foreign.clear()
    context = _context(chromium, served)
    events: list[str] = []
    missing: list[str] = []
    try:
        for path in hostile_pages():
            if not (served.site / path / "index.html").exists():
                missing.append(path)
                continue
            p = context.new_page()
            p.set_default_timeout(30_000)

            def dialog(d, path: str = path) -> None:
                events.append(f"{path}: {d.type} dialog {d.message!r}")
                d.dismiss()

            p.on("dialog", dialog)
            p.on("pageerror", lambda e, path=path: events.append(f"{path}: uncaught {str(e)[:120]}"))
            p.on("console", lambda m, path=path: None if m.type != "error" or _local_404(m) else
                 events.append(f"{path}: console error {m.text[:80]!r} at {_where(m)[:80]}"))
            p.goto(served.url + path)
            p.wait_for_load_state("networkidle")
            # Handlers that need a pointer: pass it over the page, top to bottom, then scroll to the end.
            for y in range(20, 900, 80):
                for x in (300, 800):
                    p.mouse.move(x, y)
            p.keyboard.press("Tab")
            p.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
            p.wait_for_timeout(200)
            # Contributed text styled by the theme's classes into a floating banner or dialog (class 6).
            floating = p.evaluate("""() => [...document.querySelectorAll('article *')]
                .filter(e => getComputedStyle(e).position === 'fixed')
                .map(e => e.tagName + '.' + [...e.classList].join('.') + ' ' + e.textContent.trim().slice(0, 40))""")
            events += [f"{path}: fixed-position element in the content: {f}" for f in floating]
            if path == f"claims/{claim_id('admonitions')}/":
                p.evaluate("() => window.scrollTo(0, 0)")
                engine = served.site.parent.name.removeprefix("hostile-browser-").rstrip("0123456789")
                screenshot(p, f"hostile-claim-{engine}.png")
            p.close()
    finally:
        context.close()
    assert missing == [], f"hostile pages not built: {missing}"
    events.sort(key=lambda e: "dialog" not in e)  # dialogs first: script ran
    assert events == [], "injected script ran or injected content failed:\n  " + "\n  ".join(events)
    assert served.foreign == [], f"requests to other hosts: {sorted(set(served.foreign))}"
