"""`claimkb render` and `claimkb bench`: the site's pages on disk for any engine, and the benchmarks."""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable

from ..core import diagnostics as diag
from ..core import loader
from ..site import engines, html, render, watch
from ..core import validate
from .common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, add_root



def cmd_render(args: argparse.Namespace) -> int:
    root = Path(args.root or ".").resolve()
    out = Path(args.out).resolve()
    for protected in ("claims", "references", "docs", "scripts"):
        if out == root / protected or (root / protected) in out.parents:
            print(f"claimkb: refusing to write into {protected}/: generated pages are never committed; "
                  "choose another --out", file=sys.stderr)
            return EXIT_USAGE
    if out.exists() and any(out.iterdir()) and not args.force:
        print(f"claimkb: {out} is not empty; pass --force to replace it", file=sys.stderr)
        return EXIT_USAGE
    if args.watch:
        return _watch(root, out, args)
    result = loader.load(root)
    found = validate.check(result.kb, result.diagnostics)
    errors, _ = diag.count(found)
    for d in found:
        if d.severity == "error":
            print(d, file=sys.stderr)
    urls = html.Urls(args.links)
    site = render.render(result.kb, {"reference/cli.md": args.cli_page()}, urls=urls)
    # Write into a fresh folder beside out, then swap it in: a failed run never leaves half a site.
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".render-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the rendered tree is for an engine and a web server to read
    try:
        if args.with_docs:
            for page, text in result.kb.docs.items():
                target = staging / page
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(render.expand_shortcodes(result.kb, page, text, urls), "utf-8")
        for path, source in render.assets().items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        for path, text in {**engines.annotate(site), **site.files}.items():
            target = staging / path
            if not target.resolve().is_relative_to(staging.resolve()):
                continue  # never written outside --out, whatever a page is called (the loader reports bad names)
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                target.write_bytes(text)  # the SQLite download
            else:
                target.write_text(text, "utf-8")
        if out.exists():
            shutil.rmtree(out)
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    print(f"wrote {len(site.pages)} pages and {len(site.files)} downloads to {out}"
          + (f" ({errors} error{'s' if errors != 1 else ''} in the knowledge base: see above)" if errors else ""))
    return EXIT_PROBLEMS if errors else EXIT_OK


def _watch(root: Path, out: Path, args: argparse.Namespace) -> int:
    """Render into out, then re-render on every change, rewriting only the files whose content changed."""
    session = watch.Session(root, out, with_docs=args.with_docs, extra_pages=lambda: {"reference/cli.md": args.cli_page()},
                            urls=html.Urls(args.links))
    watcher = watch.Watcher(root)  # before the first render: an edit made during it is seen
    update, downloads = session.update()
    print(f"wrote {len(session.written or {})} files to {out} in {update.seconds + downloads.seconds:.1f} s; watching "
          "claims/, references/ and docs/ (Ctrl-C stops)", flush=True)
    for d in update.errors:
        print(d, file=sys.stderr)
    try:
        watch.run(session, print_line=lambda line: print(line, flush=True), watcher=watcher)
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    from . import bench

    argv = ["--check-sizes", args.check_sizes, "--one-bib-sizes", args.one_bib_sizes, "--site-sizes", args.site_sizes,
            "--explorer-sizes", args.explorer_sizes, "--engine-sizes", args.engine_sizes, "--engines", args.engines,
            "--engine-parts", args.engine_parts, "--hostile-sizes", args.hostile_sizes,
            "--hostile-length", str(args.hostile_length)]
    if args.json:
        argv += ["--json", args.json]
    return bench.main(argv)


def register(sub: argparse._SubParsersAction, cli_page: Callable[[], str]) -> None:
    p = sub.add_parser("render", help="write the generated site pages as Markdown to a folder", description=(
        "Render every generated page (claims, references, domains, kinds, map, matrix, bibliography, indexes, "
        "cite page) and the downloads to DIR, exactly as the MkDocs build gets them, so another engine or a "
        "reviewer can use them. Exit 0 written, 1 written but the knowledge base has errors, 2 usage."))
    p.add_argument("--out", metavar="DIR", required=True, help="the folder to write (created; replaced with --force)")
    add_root(p)
    p.add_argument("--with-docs", action="store_true",
                   help="also write the hand-written docs pages with [@key] and [[id]] expanded: a complete docs folder")
    p.add_argument("--force", action="store_true", help="replace DIR if it is not empty")
    p.add_argument("--links", choices=html.URL_STYLES, default="source", help=(
        "how links inside the generated HTML are written: source (paths to the .md files, which Zensical rewrites "
        "as it does Markdown links; the default) or served (the URLs pages are published at, for an engine that "
        "leaves raw HTML alone, as MkDocs does)"))
    p.add_argument("--watch", action="store_true", help=(
        "keep running: re-render on every change to claims/, references/ or docs/, rewriting only the files whose "
        "content changed (an engine serving DIR then rebuilds only those pages)"))
    p.set_defaults(func=cmd_render, cli_page=cli_page)

    p = sub.add_parser("bench", help="benchmark check and the site build on synthetic knowledge bases", description=(
        "Generate synthetic knowledge bases in a temporary folder and time `claimkb check` against a floor "
        "(parsing the same files with libyaml and pybtex), the site build against plain MkDocs building the "
        "same number of equal-sized pages, the argument explorer in headless Chromium against a page that only "
        "loads its data, and for each engine (MkDocs, Zensical) the build, the edit loop under its server and "
        "search in headless Chromium against the plain engine, and the build of claims whose annotations hold "
        "hostile-shaped text against the same build with plain text of the same length. Prints the figures as JSON."))
    p.add_argument("--check-sizes", default="1000,10000", metavar="N,N", help="claim counts for the check benchmark")
    p.add_argument("--one-bib-sizes", default="10000", metavar="N,N", help=(
        "claim counts for the check benchmark with all references (half as many as claims) in one .bib file, "
        "as a reference manager exports them ('' skips it)"))
    p.add_argument("--site-sizes", default="1000,5000", metavar="N,N", help="claim counts for the site benchmark ('' skips it)")
    p.add_argument("--explorer-sizes", default="5000", metavar="N,N",
                   help="claim counts for the argument explorer in headless Chromium ('' skips it)")
    p.add_argument("--engine-sizes", default="1000,10000", metavar="N,N", help=(
        "claim counts for the engine benchmark: build time, edit loop and search in headless Chromium for each "
        "engine, against the plain engine building the same pages ('' skips it)"))
    p.add_argument("--engines", default="mkdocs,zensical", metavar="E,E", help="engines for the engine benchmark")
    p.add_argument("--engine-parts", default="build,search,edit", metavar="P,P",
                   help="what the engine benchmark measures: build, search, edit")
    p.add_argument("--hostile-sizes", default="16", metavar="N,N", help=(
        "claim counts for the hostile-text benchmark: runs of [ * < _ and backticks, > and - nesting, a whole "
        "annotations field each, against plain text of the same length ('' skips it)"))
    p.add_argument("--hostile-length", type=int, default=20_000, metavar="CHARS",
                   help="characters of annotations a claim in the hostile-text benchmark (the field's limit)")
    p.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    p.set_defaults(func=cmd_bench)
