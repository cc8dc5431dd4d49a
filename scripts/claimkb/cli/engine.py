"""`claimkb build` and `claimkb serve`: the site with either engine, MkDocs (the default) or Zensical, and its search."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from ..site import engines, search, watch, zensical
from .common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, add_root, is_knowledge_base, root_path

DEFAULT_ADDRESS = "127.0.0.1:8000"
# Seconds without a further change before the downloads are written (and not before Zensical has rebuilt the edited
# pages: a new file would start its build over), and after those before the search index is rebuilt from the site.
DOWNLOADS_AFTER = 0.5
REINDEX_AFTER = 0.5


def _say(text: str) -> None:
    print(f"claimkb: {text}", file=sys.stderr, flush=True)


def _mkdocs(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "mkdocs", *args, "-f", str(root / "mkdocs.yml")]


def _zensical_ready(root: Path) -> bool:
    if not zensical.available():
        _say("the zensical engine is not installed: pip install -e '.[zensical]' (make does it)")
        return False
    if not (root / "mkdocs.yml").is_file():
        _say(f"{root / 'mkdocs.yml'} is missing: the Zensical configuration is generated from it")
        return False
    return True


def _session(root: Path, work: Path, cli_page: Callable[[], str]) -> watch.Session:
    return watch.Session(root, work / "docs", with_docs=True, extra_pages=lambda: {"reference/cli.md": cli_page()})


def cmd_build(args: argparse.Namespace) -> int:
    root = root_path(args.root)
    if not is_knowledge_base(root):
        return EXIT_USAGE
    site = Path(args.site_dir).resolve()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    if args.engine == "mkdocs":
        strict = ["--strict"] if args.strict else []
        return subprocess.run(_mkdocs(root, "build", *strict, "-d", str(site)), env=env, check=False).returncode and EXIT_PROBLEMS
    if not _zensical_ready(root):
        return EXIT_USAGE
    start = time.perf_counter()
    work = root / zensical.WORK
    session = _session(root, work, args.cli_page)
    update, _ = session.update()
    for d in update.errors:
        print(d, file=sys.stderr)
    if update.errors and args.strict:
        _say(f"{len(update.errors)} error(s) in the knowledge base: not building (--no-strict builds anyway)")
        return EXIT_PROBLEMS
    rendered = time.perf_counter()
    zensical.prepare(root, work)
    done = zensical.build(work)
    sys.stderr.write(done.stdout + done.stderr)
    if done.returncode != 0 or not (work / "site" / "index.html").is_file():
        _say("zensical build failed")
        return EXIT_PROBLEMS
    built = time.perf_counter()
    indexed = search.index(work / "site")
    _say(f"{indexed.message} in {time.perf_counter() - built:.1f} s" if indexed.ok else indexed.message)
    if not indexed.ok and args.strict:
        return EXIT_PROBLEMS
    if site != (work / "site").resolve():
        if site.exists():
            shutil.rmtree(site)
        site.parent.mkdir(parents=True, exist_ok=True)
        os.replace(work / "site", site)
    _say(f"built {site} with Zensical in {time.perf_counter() - start:.1f} s (render {rendered - start:.1f} s, "
         f"zensical build {built - rendered:.1f} s, search index {time.perf_counter() - built:.1f} s)")
    return EXIT_OK


class _Reindexer:
    """Rebuilds the search index a moment after the pages settle, in the background, one run at a time."""

    def __init__(self, site: Path, target: Path) -> None:
        self.site, self.target = site, target
        self.due = 0.0
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def soon(self) -> None:
        self.due = time.monotonic() + REINDEX_AFTER
        self.wake.set()

    def _loop(self) -> None:
        while not self.stop.is_set():
            self.wake.wait(1)
            if not self.due or time.monotonic() < self.due:
                continue
            self.wake.clear()
            self.due = 0.0
            result = search.index_into(self.site, self.target)
            _say(f"search: {result.message}" if result.ok else result.message)


def cmd_serve(args: argparse.Namespace) -> int:
    root = root_path(args.root)
    if not is_knowledge_base(root):
        return EXIT_USAGE
    if args.engine == "mkdocs":
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
        return subprocess.run(_mkdocs(root, "serve", "--dev-addr", args.dev_addr, "--livereload"), env=env,
                              check=False).returncode and EXIT_PROBLEMS
    if not _zensical_ready(root):
        return EXIT_USAGE
    work = root / zensical.WORK
    session = _session(root, work, args.cli_page)
    watcher = watch.Watcher(root)  # before the first render: an edit made during the start-up is seen
    pages, downloads = session.update()
    _say(f"rendered {len(session.written or {})} files into {work / 'docs'} in {pages.seconds + downloads.seconds:.1f} s")
    zensical.prepare(root, work)
    # One build first, so the search index exists before the first page is served; serve's own build is then cheap.
    done = zensical.build(work)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        return EXIT_PROBLEMS
    # The index goes into the rendered tree: Zensical empties its site folder when it starts, then copies it over.
    indexed = search.index_into(work / "site", work / "docs" / search.BUNDLE)
    _say(indexed.message)
    server = zensical.serve(work, args.dev_addr)
    reindex = _Reindexer(work / "site", work / "docs" / search.BUNDLE)
    stop = threading.Event()

    def after(update: watch.Update, changed: set[str]) -> None:
        if update.what == "pages" and "mkdocs.yml" in changed:
            zensical.prepare(root, work)
        if update.what == "downloads":  # the pages settled and the engine rebuilt them: index what it built
            reindex.soon()

    _say(f"serving on http://{args.dev_addr}/ (Zensical); watching claims/, references/ and docs/; Ctrl-C stops")
    try:
        watcher = threading.Thread(target=watch.run, kwargs={"session": session, "stop": stop, "after": after,
                                                            "print_line": _say, "downloads_after": DOWNLOADS_AFTER,
                                                            "watcher": watcher, "built": work / "site"},
                                   daemon=True)
        watcher.start()
        while server.poll() is None:
            time.sleep(0.5)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        stop.set()
        reindex.stop.set()
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def register(sub: argparse._SubParsersAction, cli_page: Callable[[], str]) -> None:
    engines_help = "mkdocs (MkDocs with Material, the default) or zensical (needs the [zensical] extra)"
    p = sub.add_parser("build", help="build the site with MkDocs or Zensical, and its search index", description=(
        "Build the static site into --site-dir. With --engine mkdocs (the default) this is `mkdocs build` with the "
        "claimkb plugin; with --engine zensical, claimkb renders the pages into build/zensical/docs, generates "
        "Zensical's configuration from mkdocs.yml, runs `zensical build` and moves the site into place. Either way "
        "Pagefind indexes the built site for the search box. Exit 0 built, 1 failed, 2 usage."))
    p.add_argument("--engine", choices=engines.ENGINES, default="mkdocs", help=engines_help)
    p.add_argument("--site-dir", default="site", metavar="DIR", help="where the site goes (default: site)")
    p.add_argument("--no-strict", dest="strict", action="store_false",
                   help="build even when the knowledge base has errors (the default refuses, like mkdocs --strict)")
    add_root(p)
    p.set_defaults(func=cmd_build, cli_page=cli_page)

    p = sub.add_parser("serve", help="preview the site, re-rendered on every change", description=(
        "Serve the site on --dev-addr and rebuild it on every change to claims/, references/ or docs/. With "
        "--engine mkdocs this is `mkdocs serve`, which rebuilds the whole site on each change. With --engine "
        "zensical, claimkb re-renders incrementally (only files whose content changed are rewritten) and Zensical "
        "rebuilds only those pages: the fast edit loop for large knowledge bases. The search index follows a moment "
        "after each change."))
    p.add_argument("--engine", choices=engines.ENGINES, default="mkdocs", help=engines_help)
    p.add_argument("--dev-addr", default=DEFAULT_ADDRESS, metavar="IP:PORT", help=f"address to serve on (default: {DEFAULT_ADDRESS})")
    add_root(p)
    p.set_defaults(func=cmd_serve, cli_page=cli_page)
