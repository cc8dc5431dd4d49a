"""Benchmarks: claimkb check and the site build on synthetic knowledge bases, each against a floor measured in the same run."""
from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

DOMAINS = ("optimization-theory", "biology", "organizational-economics", "machine-learning", "cognitive-science")
KINDS = ("thesis", "premise", "evidence", "definition", "objection", "rebuttal", "implication")
WORDS = ("adaptation specialization generality learning transfer evidence niche firm routine world model "
         "planning search energy selection benchmark human machine task speed utility theorem").split()


def _kind(i: int) -> str:
    """About one thesis in fifty, as in real argument maps (the paper's: 13 of 102); the rest in rotation."""
    return "thesis" if i % 50 == 0 else KINDS[1 + i % (len(KINDS) - 1)]


def synthesize(root: Path, n_claims: int, n_refs: int, seed: int = 1, per_file: int = 1000) -> None:
    """A valid knowledge base: every claim with sources and relations, every reference cited, no cycles; per_file
    BibTeX entries a file (one file holds them all when per_file >= n_refs, as a reference manager exports them)."""
    rng = random.Random(seed)
    (root / "claims" / "gen").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "claims" / "_domains.yaml").write_text(
        "".join(f"{d}:\n  title: {d.title()}\n  description: Synthetic domain {d}.\n" for d in DOMAINS), "utf-8")
    keys = [f"ref{i:05d}" for i in range(n_refs)]
    for i, key in enumerate(keys):
        with open(root / "references" / f"synthetic-{i // per_file:03d}.bib", "a", encoding="utf-8") as bib:
            bib.write(f"@article{{{key},\n  author = {{Author, Alice and Bauer, Bernd{i}}},\n"
                      f"  title = {{A Study of {rng.choice(WORDS).title()} Number {i}}},\n"
                      f"  journal = {{Journal of {rng.choice(WORDS).title()}}},\n  volume = {{{i % 90 + 1}}},\n"
                      f"  pages = {{{i}--{i + 9}}},\n  year = {{{1950 + i % 75}}},\n  doi = {{10.9999/synthetic.{i}}}\n}}\n\n")
    for i in range(n_claims):
        words = " ".join(rng.choice(WORDS) for _ in range(18))
        # Relations only point to lower-numbered claims, so supports chains never cycle.
        targets = sorted({rng.randrange(i) for _ in range(3)}) if i else []
        relations = "".join(f"  - type: {'supports' if j % 2 == 0 else 'refines'}\n    target: claim-{t:05d}\n"
                            f"    note: Synthetic relation.\n" for j, t in enumerate(targets))
        sources = "".join(f"  - ref: {keys[(i * 2 + j) % n_refs]}\n    locator: \"p. {j + 1}\"\n    role: cited\n" for j in range(2))
        text = textwrap.dedent(f"""\
            title: Synthetic claim {i} about {rng.choice(WORDS)}
            statement: >-
              Claim {i} says that {words}.
            kind: {_kind(i)}
            domain: {DOMAINS[i % len(DOMAINS)]}
            claimed_by:
              ref: {keys[i % n_refs]}
              locator: "§{i % 9 + 1}"
            sources:
            """) + sources + ("relations:\n" + relations if relations else "relations: []\n") + \
            f"annotations: |\n  **Editorial note.** Synthetic annotation for claim {i}.\ntags: [synthetic, {rng.choice(WORDS)}]\n"
        (root / "claims" / "gen" / f"claim-{i:05d}.yaml").write_text(text, "utf-8")


_FLOOR = """
import sys, time, yaml, pathlib, resource
from pybtex.database.input import bibtex
root = pathlib.Path(sys.argv[1]); t = time.perf_counter()
for f in sorted((root / "claims").rglob("*.yaml")):
    yaml.load(f.read_text("utf-8"), Loader=yaml.CSafeLoader)
for f in sorted((root / "references").glob("*.bib")):
    bibtex.Parser().parse_file(str(f))
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
_CHECK = """
import sys, time, pathlib, resource
from claimkb.core import loader, validate
t = time.perf_counter()
result = loader.load(sys.argv[1]); found = validate.check(result.kb, result.diagnostics)
errors = [d for d in found if d.severity == "error"]
assert not errors, errors[:5]
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _run(code: str, *args: str) -> tuple[float, float]:
    """Seconds and peak resident megabytes of code run in a fresh interpreter (imports excluded from the time)."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    seconds, kib = done.stdout.split()
    return float(seconds), int(kib) / 1024


def bench_check(sizes: list[int], repeat: int = 3, one_bib: bool = False) -> list[dict]:
    """check against the floor; one_bib puts every reference in one .bib file (a reference manager's export)."""
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            n_refs = max(n // 2, 10)
            synthesize(root, n, n_refs, per_file=n_refs if one_bib else 1000)
            floor = min(_run(_FLOOR, tmp) for _ in range(repeat))
            check = min(_run(_CHECK, tmp) for _ in range(repeat))
            bib_bytes = sum(f.stat().st_size for f in (root / "references").glob("*.bib"))
            rows.append({"claims": n, "references": n_refs, "bib_files": len(list((root / "references").glob("*.bib"))),
                         "bib_mb": round(bib_bytes / 1e6, 2), "floor_s": round(floor[0], 3),
                         "check_s": round(check[0], 3), "ratio": round(check[0] / floor[0], 2),
                         "check_peak_mb": round(check[1], 1), "per_claim_ms": round(1000 * check[0] / n, 3)})
            print(_fmt(rows[-1]), file=sys.stderr, flush=True)
    return rows


EXTENSIONS = ("markdown_extensions:\n  - attr_list\n  - admonition\n  - pymdownx.details\n  - pymdownx.highlight\n"
              "  - pymdownx.tabbed:\n      alternate_style: true\n  - pymdownx.superfences\n  - tables\n  - toc:\n      permalink: true\n")
MKDOCS_BASELINE = "site_name: Baseline\ntheme:\n  name: material\n  font: false\nplugins:\n  - search\nnav:\n  - index.md\n"


def _build(project: Path) -> tuple[float, float]:
    code = ("import sys, time, resource, subprocess\nt = time.perf_counter()\n"
            "from mkdocs.__main__ import cli\n"
            "try:\n    cli(['build', '-q', '-f', sys.argv[1], '-d', sys.argv[2]])\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    return _run(code, str(project / "mkdocs.yml"), str(project / "site"))


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def bench_site(sizes: list[int]) -> list[dict]:
    """The knowledge-base build against plain MkDocs building as many hand-written pages of the same size, out of the nav."""
    repo = Path(__file__).resolve().parents[2]
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            kb = Path(tmp) / "kb"
            kb.mkdir()
            synthesize(kb, n, max(n // 2, 10))
            (kb / "docs").mkdir()
            (kb / "docs" / "index.md").write_text("# Synthetic\n", "utf-8")
            (kb / "mkdocs.yml").write_text(
                MKDOCS_BASELINE.replace("Baseline", "Synthetic KB").replace("  - search\n", "  - search\n  - claimkb\n")
                + EXTENSIONS, "utf-8")
            sys.path.insert(0, str(repo / "scripts"))
            from claimkb.core import loader
            from claimkb.site import render

            site = render.render(loader.load(kb).kb)
            base = Path(tmp) / "baseline"
            (base / "docs").mkdir(parents=True)
            (base / "docs" / "index.md").write_text("# Baseline\n", "utf-8")
            (base / "mkdocs.yml").write_text(MKDOCS_BASELINE + EXTENSIONS, "utf-8")
            for path, text in sorted({**site.pages, **site.files}.items()):
                # The very same pages, written by hand into docs/: what is left is the knowledge base's own cost
                # (loading, checking, rendering, the adapter), not Markdown's or Material's.
                target = base / "docs" / path
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(text, bytes):
                    target.write_bytes(text)
                else:
                    target.write_text(text, "utf-8")
            baseline = _build(base)
            built = _build(kb)
            # Pagefind's index (its files are compressed already): what all searches together could ever fetch.
            index = kb / "site" / "pagefind"
            gz = _size(index) if index.is_dir() else 0
            rows.append({"claims": n, "pages": len(site.pages), "baseline_s": round(baseline[0], 2), "kb_s": round(built[0], 2),
                         "ratio": round(built[0] / baseline[0], 2), "kb_peak_mb": round(built[1], 1),
                         "baseline_peak_mb": round(baseline[1], 1), "site_mb": round(_size(kb / "site") / 2**20, 1),
                         "baseline_site_mb": round(_size(base / "site") / 2**20, 1),
                         "search_index_bytes_per_claim": round(gz / n)})
            print(_fmt(rows[-1]), file=sys.stderr, flush=True)
    return rows


# Shapes whose cost a Markdown parser may not bound (issue 10, class 7): each fills a whole annotations field.
HOSTILE_SHAPES = ("[", "*", "<a ", "> ", "- ", "`", "_", "[*_`<")
PLAIN = "specialization adaptation evidence niche transfer learning routine selection "


def hostile_text(shape: str, length: int) -> str:
    """length characters of one hostile shape: a run, or a nesting (quotes and lists one level deeper a line)."""
    if shape in ("> ", "- "):
        lines, depth = [], 0
        while sum(len(x) + 1 for x in lines) < length:
            lines.append(("> " * depth + "x") if shape == "> " else ("  " * depth + "- x"))
            depth += 1
        return "\n".join(lines)[:length]
    return (shape * (length // len(shape) + 1))[:length]


def plain_text(length: int) -> str:
    return (PLAIN * (length // len(PLAIN) + 1))[:length].rstrip() + "."


def _with_annotations(root: Path, texts: list[str]) -> None:
    """Replace the annotations of the synthetic claims, in order, by texts (as JSON strings: YAML keeps them exact)."""
    files = sorted((root / "claims" / "gen").glob("claim-*.yaml"))
    for path, text in zip(files, texts):
        body = path.read_text("utf-8")
        start = body.index("annotations: |\n")
        end = body.index("\ntags:", start)
        path.write_text(body[:start] + "annotations: " + json.dumps(text) + body[end:], "utf-8")


def bench_hostile(sizes: list[int], length: int = 20_000) -> list[dict]:
    """The full MkDocs build of n claims whose annotations hold hostile-shaped text (HOSTILE_SHAPES in turn, length
    characters each: the annotations limit) against the same build with plain text of the same length. Target: <= 2."""
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            times = {}
            for variant in ("plain", "hostile"):
                kb = Path(tmp) / variant
                kb.mkdir()
                synthesize(kb, n, max(n // 2, 10))
                texts = [plain_text(length) if variant == "plain" else hostile_text(HOSTILE_SHAPES[i % len(HOSTILE_SHAPES)], length)
                         for i in range(n)]
                _with_annotations(kb, texts)
                (kb / "docs").mkdir()
                (kb / "docs" / "index.md").write_text("# Synthetic\n", "utf-8")
                (kb / "mkdocs.yml").write_text(
                    MKDOCS_BASELINE.replace("Baseline", "Synthetic KB").replace("  - search\n", "  - search\n  - claimkb\n")
                    + EXTENSIONS, "utf-8")
                times[variant] = _build(kb)
            rows.append({"claims": n, "chars_per_claim": length, "plain_s": round(times["plain"][0], 2),
                         "hostile_s": round(times["hostile"][0], 2),
                         "ratio": round(times["hostile"][0] / times["plain"][0], 2),
                         "hostile_peak_mb": round(times["hostile"][1], 1), "plain_peak_mb": round(times["plain"][1], 1)})
            print(_fmt(rows[-1]), file=sys.stderr, flush=True)
    return rows


_FLOOR_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>floor</title></head><body>
<div class="ckb-explorer" data-graph="data/argument-graph.json"></div><script>
fetch(document.querySelector(".ckb-explorer").dataset.graph).then(r => r.json()).then(d => {
  window.ckbExplorer = {ready: performance.now(), nodes: d.nodes.length};
  document.querySelector(".ckb-explorer").dataset.state = "ready";
});
</script></body></html>
"""


def bench_explorer(sizes: list[int], repeat: int = 3) -> list[dict]:
    """The explorer page opened in headless Chromium: time from navigation until the graph is drawn and answers,
    against a floor page that only fetches and parses the same data file; and the data's gzipped bytes a claim."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("explorer benchmark skipped: playwright is not installed (pip install -e .[test])", file=sys.stderr)
        return []
    chromium = os.environ.get("CLAIMKB_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        print(f"explorer benchmark skipped: no chromium at {chromium}", file=sys.stderr)
        return []
    import functools
    import http.server
    import threading

    from ..core import loader
    from ..site import html, render
    from ..site.figures import explorer

    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "kb"
            synthesize(root, n, max(n // 2, 10))
            kb = loader.load(root).kb
            site = render.render(kb)
            out = Path(tmp) / "site"
            for path, source in render.assets().items():
                (out / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, out / path)
            for name in (explorer.GRAPH_FILE, explorer.TEXT_FILE):
                (out / name).parent.mkdir(parents=True, exist_ok=True)
                (out / name).write_text(site.files[name], "utf-8")
            # The map page as the engine serves it, without the theme: the explorer's own markup, CSS and scripts.
            block = site.pages["map.md"].split("\n")
            markup = next(line for line in block if "ckb-explorer" in line).replace("../", "")
            (out / "map.html").write_text(
                '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>map</title>'
                f'<link rel="stylesheet" href="{render.ASSET_PREFIX}/claimkb.css"></head><body>'
                f'<div class="md-typeset" style="max-width:1200px;margin:auto">{markup}</div></body></html>\n', "utf-8")
            (out / "floor.html").write_text(_FLOOR_PAGE, "utf-8")

            class Quiet(http.server.SimpleHTTPRequestHandler):
                def log_message(self, format: str, *args: object) -> None:
                    pass

            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{server.server_address[1]}/"
            try:
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=chromium, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
                    times: dict[str, list[float]] = {"map.html": [], "floor.html": []}
                    whole: list[float] = []
                    for _ in range(repeat):
                        for page_name in times:
                            context = browser.new_context(viewport={"width": 1280, "height": 900})
                            page = context.new_page()
                            page.goto(base + page_name)
                            page.wait_for_function("() => window.ckbExplorer && window.ckbExplorer.ready", timeout=60_000)
                            if page_name == "map.html":  # interactive: the find box answers
                                page.fill("#ckb-x-find", "claim 1")
                                page.wait_for_selector("#ckb-x-results [role=option]")
                                page.wait_for_function("() => window.ckbExplorer.complete", timeout=120_000)
                                whole.append(page.evaluate("() => window.ckbExplorer.complete") / 1000)
                            times[page_name].append(page.evaluate("() => window.ckbExplorer.ready") / 1000)
                            context.close()
                    browser.close()
            finally:
                server.shutdown()
                server.server_close()
            graph_gz = len(gzip.compress(site.files[explorer.GRAPH_FILE].encode("utf-8"), 6))
            text_gz = len(gzip.compress(site.files[explorer.TEXT_FILE].encode("utf-8"), 6))
            ready, floor = min(times["map.html"]), min(times["floor.html"])
            rows.append({"claims": n, "floor_s": round(floor, 3), "explorer_s": round(ready, 3),
                         "ratio": round(ready / floor, 2), "whole_graph_drawn_s": round(min(whole), 2),
                         "graph_gz_bytes_per_claim": round(graph_gz / n),
                         "statements_gz_bytes_per_claim": round(text_gz / n)})
            print(_fmt(rows[-1]), file=sys.stderr, flush=True)
    return rows


def _fmt(row: dict) -> str:
    return "  ".join(f"{k}={v}" for k, v in row.items())


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="claimkb bench", description="Benchmark check and site build on synthetic data.")
    parser.add_argument("--check-sizes", default="1000,10000", help="claim counts for the check benchmark")
    parser.add_argument("--one-bib-sizes", default="10000",
                        help="claim counts for the check benchmark with every reference in one .bib file ('' to skip)")
    parser.add_argument("--site-sizes", default="1000,5000", help="claim counts for the site benchmark ('' to skip)")
    parser.add_argument("--engine-sizes", default="1000,10000",
                        help="claim counts for the engine benchmark: build, edit loop, search ('' to skip)")
    parser.add_argument("--engines", default="mkdocs,zensical", help="engines for the engine benchmark")
    parser.add_argument("--engine-parts", default="build,search,edit", help="what the engine benchmark measures")
    parser.add_argument("--explorer-sizes", default="5000", help="claim counts for the explorer benchmark ('' to skip)")
    parser.add_argument("--hostile-sizes", default="16",
                        help="claim counts for the hostile-text benchmark: hostile-shaped against plain text ('' to skip)")
    parser.add_argument("--hostile-length", type=int, default=20_000, help="characters of annotations a claim")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    figures: dict[str, list[dict]] = {}
    if args.check_sizes:
        print("check benchmark (floor: yaml CSafeLoader + pybtex parse of the same files)", file=sys.stderr)
        figures["check"] = bench_check([int(s) for s in args.check_sizes.split(",") if s])
    if args.one_bib_sizes:
        print("check benchmark, one .bib file of every reference (floor: the same)", file=sys.stderr)
        figures["check_one_bib"] = bench_check([int(s) for s in args.one_bib_sizes.split(",") if s], one_bib=True)
    if args.site_sizes:
        print("site benchmark (baseline: plain MkDocs + Material, same number of pages of the same size, out of nav)", file=sys.stderr)
        figures["site"] = bench_site([int(s) for s in args.site_sizes.split(",") if s])
    if args.engine_sizes:
        from . import bench_engines

        print("engine benchmark (baseline: the plain engine, with its own search, building the same pages)", file=sys.stderr)
        figures["engines"] = bench_engines.run([int(s) for s in args.engine_sizes.split(",") if s],
                                               tuple(e for e in args.engines.split(",") if e), synthesize, EXTENSIONS,
                                               parts=tuple(p for p in args.engine_parts.split(",") if p))
    if args.explorer_sizes:
        print("explorer benchmark (floor: a page that fetches and parses the same graph data, headless Chromium)",
              file=sys.stderr)
        figures["explorer"] = bench_explorer([int(s) for s in args.explorer_sizes.split(",") if s])
    if args.hostile_sizes:
        print("hostile-text benchmark (floor: the same build with plain text of the same length)", file=sys.stderr)
        figures["hostile"] = bench_hostile([int(s) for s in args.hostile_sizes.split(",") if s], args.hostile_length)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
