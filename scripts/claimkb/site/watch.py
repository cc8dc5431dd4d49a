"""Incremental rendering: re-render on every change to claims/, references/ or docs/, rewriting only changed files.

A Session keeps what the last run computed: the parse of every unchanged file (loader cache), every claim and
reference page whose inputs are unchanged (render memo) and the bytes last written. An edit to one claim re-parses
one file, re-renders the pages that show it, and rewrites only files whose bytes differ, so an engine watching the
folder rebuilds only those. Downloads, which depend on everything, are written after the pages.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from ..core import loader, validate
from ..core.diagnostics import Diagnostic
from ..core.model import KnowledgeBase
from . import engines, html, render

WATCHED = ("claims", "references", "docs")
QUIET = 0.15  # seconds without a further change before a burst of saves (an editor's temp file, rename) is taken
BUILD_WAIT = 300.0  # the longest the downloads wait for the engine to rebuild the edited pages


@dataclass
class Update:
    written: engines.Written
    errors: list[Diagnostic]
    seconds: float
    what: str = "pages"

    def describe(self) -> str:
        errors = f" ({len(self.errors)} error{'s' if len(self.errors) != 1 else ''} in the knowledge base)" if self.errors else ""
        return f"{self.what} in {self.seconds:.2f} s: {self.written.summary()}{errors}"


@dataclass
class Session:
    root: Path
    out: Path
    with_docs: bool = True
    extra_pages: Callable[[], Mapping[str, str]] = dict
    load_cache: dict = field(default_factory=dict)
    memo: dict = field(default_factory=dict)
    written: dict[str, bytes] | None = None
    downloads: dict[str, bytes] = field(default_factory=dict)
    kb: KnowledgeBase | None = None
    assets: dict[str, bytes] = field(default_factory=dict)
    tree_cache: dict = field(default_factory=dict)
    urls: html.Urls = html.Urls("source")  # the rendered tree is for an engine that rewrites raw-HTML links (Zensical)

    def update_pages(self) -> Update:
        """Load, check and render; write the pages (and assets) whose bytes changed. The downloads stay as they were."""
        start = time.perf_counter()
        result = loader.load(self.root, self.load_cache)
        site = render.render(result.kb, self.extra_pages(), memo=self.memo, with_downloads=False, urls=self.urls)
        if not self.assets:  # read once a session: they belong to the installed package, not the knowledge base
            self.assets = {path: source.read_bytes() for path, source in render.assets().items()}
        files: dict[str, bytes | Path] = dict(engines.tree(result.kb, site, with_docs=self.with_docs, assets=self.assets,
                                                           cache=self.tree_cache, urls=self.urls))
        files.update(self.downloads)  # last run's, until update_downloads: nothing is removed meanwhile
        written, self.written = engines.sync(self.out, files, self.written)
        seconds = time.perf_counter() - start
        self.kb = result.kb
        # Checked after the pages are written, while the engine rebuilds them: the check changes no page.
        found = validate.check(result.kb, result.diagnostics)
        return Update(written, [d for d in found if d.severity == "error"], seconds, "pages")

    def update_downloads(self) -> Update:
        """Write the downloads of the knowledge base update_pages last loaded (they depend on all of it)."""
        start = time.perf_counter()
        assert self.kb is not None, "update_pages first"
        fresh = {path: data if isinstance(data, bytes) else data.encode("utf-8")
                 for path, data in render.downloads(self.kb).items()}
        written, _ = engines.sync(self.out, fresh, self.written, remove=False)
        self.downloads = fresh
        self.written = {**(self.written or {}), **fresh}
        return Update(written, [], time.perf_counter() - start, "downloads")

    def update(self) -> tuple[Update, Update]:
        return self.update_pages(), self.update_downloads()


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every watched file's (modification time, size, inode): an atomic rename shows as a new inode."""
    out: dict[str, tuple[int, int, int]] = {}
    for top in (*WATCHED, "mkdocs.yml"):
        base = root / top
        if base.is_file():
            st = base.stat()
            out[top] = (st.st_mtime_ns, st.st_size, st.st_ino)
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in filenames:
                if name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")):
                    continue  # editors' backup and swap files
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue  # removed between the listing and the stat: the next snapshot tells
                out[os.path.relpath(path, root)] = (st.st_mtime_ns, st.st_size, st.st_ino)
    return out


class Watcher:
    """Waits for a settled change under root: inotify through watchdog when it is installed, polling otherwise."""

    def __init__(self, root: Path, poll: float = 0.5) -> None:
        self.root = root
        self.poll = poll
        self.event = threading.Event()
        self.last = snapshot(root)
        self.observer = None
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError:
            return
        flag = self.event

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:  # noqa: ANN001 - watchdog's event types
                if event.event_type not in ("opened", "closed_no_write"):
                    flag.set()

        self.observer = Observer()
        for top in WATCHED:
            if (root / top).is_dir():
                self.observer.schedule(Handler(), str(root / top), recursive=True)
        if (root / "mkdocs.yml").is_file():
            self.observer.schedule(Handler(), str(root), recursive=False)
        self.observer.start()

    def wait(self, stop: threading.Event | None = None, timeout: float | None = None) -> set[str]:
        """Block until files changed and stayed unchanged for QUIET seconds: the paths that changed (or, after
        timeout seconds without a change, none)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not (stop and stop.is_set()):
            left = self.poll if deadline is None else max(0.0, min(self.poll, deadline - time.monotonic()))
            signalled = self.event.wait(left)
            if self.observer is not None and not signalled:
                if deadline is not None and time.monotonic() >= deadline:
                    return set()
                continue  # inotify said nothing: nothing changed, no need to look
            # Debounce: an editor's save is often several writes and a rename; take the files once they settle.
            while self.event.wait(QUIET):
                self.event.clear()
            self.event.clear()
            now = snapshot(self.root)
            if self.observer is None:  # polling: no events to wait out, so wait until two looks agree
                while now != self.last:
                    time.sleep(QUIET)
                    settled = snapshot(self.root)
                    if settled == now:
                        break
                    now = settled
            if now != self.last:
                changed = {p for p in now.keys() | self.last.keys() if now.get(p) != self.last.get(p)}
                self.last = now
                return changed
            if deadline is not None and time.monotonic() >= deadline:
                return set()
        return set()

    def close(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)


def built_page(site: Path, page: str) -> Path:
    """Where an engine writes the HTML of a docs page (claims/x.md -> claims/x/index.html, index.md -> index.html)."""
    stem = page[:-3]
    if stem == "index" or stem.endswith("/index"):
        return site / stem[: -len("index")] / "index.html"
    return site / stem / "index.html"


def run(session: Session, *, stop: threading.Event | None = None, print_line: Callable[[str], None] = print,
        after: Callable[[Update, set[str]], None] | None = None, downloads_after: float = 0.0,
        watcher: Watcher | None = None, built: Path | None = None) -> None:
    """Watch session.root and update session.out on every settled change until stop is set (or Ctrl-C).

    The pages are written at once; the downloads downloads_after seconds later, once no further change came and,
    with built (the engine's output folder), once the engine has rebuilt the pages just written: an engine that
    restarts its build on every new file would otherwise start the edited page over. Pass a watcher made before
    the first update so that no change made meanwhile is missed.
    """
    watcher = watcher or Watcher(session.root)
    pending: set[str] = set()
    written_at = 0.0
    pages: tuple[str, ...] = ()
    try:
        while not (stop and stop.is_set()):
            changed = watcher.wait(stop, timeout=0.25 if pending else None)
            if changed:
                shown = ", ".join(sorted(changed)[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
                written_at = time.time()
                update = session.update_pages()
                print_line(f"{shown} changed: {update.describe()}")
                for d in update.errors[:5]:
                    print_line(str(d))
                pending |= changed
                pages = tuple(p for p in update.written.changed if p.endswith(".md")) or pages
                if after is not None:
                    after(update, changed)
                continue
            if not pending:
                continue
            waited = time.time() - written_at
            if waited < downloads_after:
                continue
            if built is not None and waited < BUILD_WAIT and not all(
                    _newer(built_page(built, p), written_at) for p in pages):
                continue  # the engine is still rebuilding the edited pages
            update = session.update_downloads()
            if update.written:
                print_line(update.describe())
            if after is not None:
                after(update, pending)
            pending = set()
            pages = ()
    finally:
        watcher.close()


def _newer(file: Path, than: float) -> bool:
    try:
        return file.stat().st_mtime >= than
    except OSError:
        return False
