"""Search for every engine: Pagefind indexes the built site into chunks, so a query fetches only what it needs."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

# The article is what a reader searches; the header, navigation and footer are the same on every page.
ROOT_SELECTOR = "article.md-content__inner"
# Not worth indexing: permalink signs, diagram sources (their labels are titles found elsewhere), and the BibTeX and
# CSL-JSON of the Cite tabs, which repeat the page's title and URL.
EXCLUDE = (".headerlink", ".mermaid", ".tabbed-set pre", ".md-source-file")
BUNDLE = "pagefind"  # the folder the index is published under, at the site's root
# Pagefind's ready-made interfaces: the site uses its own (assets/search.js), so these are not published.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


@dataclass(frozen=True, slots=True)
class Indexed:
    ok: bool
    pages: int
    message: str


def available() -> bool:
    try:
        import pagefind_bin  # noqa: F401 - the wheel that carries the binary

        return True
    except ImportError:
        return False


def command(site: Path, output: Path | None = None) -> list[str]:
    args = [sys.executable, "-m", "pagefind", "--site", str(site), "--root-selector", ROOT_SELECTOR,
            "--glob", "**/index.html", "--force-language", "en", "--quiet"]
    for selector in EXCLUDE:
        args += ["--exclude-selectors", selector]
    if output is not None:
        args += ["--output-path", str(output)]
    return args


def index(site: Path, output: Path | None = None, *, timeout: float = 1800) -> Indexed:
    """Index the built site at site into site/pagefind (or output). Never raises: a failure is reported."""
    if not available():
        return Indexed(False, 0, "pagefind is not installed (pip install 'pagefind[bin]'): the site has no search index")
    done = subprocess.run(command(site, output), capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        return Indexed(False, 0, f"pagefind failed: {(done.stderr or done.stdout).strip()[-2000:]}")
    for name in UNUSED:
        ((output or site / BUNDLE) / name).unlink(missing_ok=True)
    pages = sum(1 for _ in site.rglob("index.html"))
    return Indexed(True, pages, f"search index of {pages} pages")


def index_into(site: Path, target: Path) -> Indexed:
    """Index site, then bring target to the new index file by file: unchanged chunks (Pagefind names them by their
    content) are not touched, so an engine copying target into its site copies only what changed."""
    from .engines import sync

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=target.parent))
    try:
        result = index(site, staging)
        if result.ok:
            files = {f.relative_to(staging).as_posix(): f for f in staging.rglob("*") if f.is_file()}
            sync(target, files)
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)
