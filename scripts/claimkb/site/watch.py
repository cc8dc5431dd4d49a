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
from . import engines, render

WATCHED = ("claims", "references", "docs")
QUIET = 0.15  # seconds without a further change before a burst of saves (an editor's temp file, rename) is taken


@dataclass
class Update:
    pages: engines.Written
    downloads: engines.Written
    errors: list[Diagnostic]
    seconds: float

    def describe(self) -> str:
        parts = []
        if self.pages:
            parts.append(f"pages {self.pages.summary()}")
        if self.downloads:
            parts.append(f"downloads {self.downloads.summary()}")
        text = "; ".join(parts) or "nothing changed"
        errors = f" ({len(self.errors)} error{'s' if len(self.errors) != 1 else ''} in the knowledge base)" if self.errors else ""
        return f"re-rendered in {self.seconds:.2f} s: {text}{errors}"


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

    def update(self, on_pages: Callable[[engines.Written], None] | None = None) -> Update:
        """Load, check, render and write what changed: pages first, then the downloads."""
        start = time.perf_counter()
        result = loader.load(self.root, self.load_cache)
        found = validate.check(result.kb, result.diagnostics)
        errors = [d for d in found if d.severity == "error"]
        site = render.render(result.kb, self.extra_pages(), memo=self.memo, with_downloads=False)
        files: dict[str, bytes | Path] = dict(engines.tree(result.kb, site, with_docs=self.with_docs))
        files.update(self.downloads)  # last run's, until the new ones are ready: nothing is removed meanwhile
        pages, self.written = engines.sync(self.out, files, self.written)
        if on_pages is not None:
            on_pages(pages)
        fresh = {path: text.encode("utf-8") for path, text in render.downloads(result.kb).items()}
        later, _ = engines.sync(self.out, fresh, self.written, remove=False)
        self.downloads = fresh
        self.written = {**self.written, **fresh}
        return Update(pages, later, errors, time.perf_counter() - start)


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

    def wait(self, stop: threading.Event | None = None) -> set[str]:
        """Block until files changed and stayed unchanged for QUIET seconds; the paths that changed."""
        while not (stop and stop.is_set()):
            self.event.wait(self.poll)
            self.event.clear()
            now = snapshot(self.root)
            if now == self.last:
                continue
            # Debounce: an editor's save is often several writes and a rename; take the files once they settle.
            while True:
                time.sleep(QUIET)
                if self.event.is_set():
                    self.event.clear()
                    continue
                settled = snapshot(self.root)
                if settled == now:
                    break
                now = settled
            changed = {p for p in now.keys() | self.last.keys() if now.get(p) != self.last.get(p)}
            self.last = now
            return changed
        return set()

    def close(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)


def run(session: Session, *, stop: threading.Event | None = None, print_line: Callable[[str], None] = print,
        after: Callable[[Update, set[str]], None] | None = None) -> None:
    """Watch session.root and update session.out on every settled change until stop is set (or Ctrl-C)."""
    watcher = Watcher(session.root)
    try:
        while not (stop and stop.is_set()):
            changed = watcher.wait(stop)
            if not changed:
                continue
            shown = ", ".join(sorted(changed)[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
            update = session.update()
            print_line(f"{shown} changed: {update.describe()}")
            for d in update.errors[:5]:
                print_line(str(d))
            if after is not None:
                after(update, changed)
    finally:
        watcher.close()

