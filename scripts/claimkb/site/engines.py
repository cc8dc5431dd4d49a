"""What every engine gets from render: the page tree on disk, edit-link metadata, and a writer that touches only changes."""
from __future__ import annotations

import json
import os
import posixpath
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import quote, urljoin

from ..core.model import KnowledgeBase
from . import html, render

ENGINES = ("mkdocs", "zensical")
# Folders of the rendered tree that a later step owns: the writer never deletes in them.
KEPT = ("pagefind/",)


def annotate(site: render.Site, cache: dict[str, tuple[str, str]] | None = None) -> dict[str, str]:
    """The site's pages with front matter the theme overrides read (templates/partials/actions.html).

    claimkb_source names the repository file a claim or reference page comes from, percent-encoded, so "edit this
    page" opens the YAML or BibTeX file; every other generated page says claimkb_generated, so no engine invents an
    edit link to a docs/ file that does not exist. One mechanism for MkDocs and Zensical: no hook sets edit_url.
    """
    out: dict[str, str] = {}
    for page, text in site.pages.items():
        hit = cache.get(page) if cache is not None else None
        if hit is not None and hit[0] is text:  # the render memo gave the very same page again
            out[page] = hit[1]
            continue
        source = site.sources.get(page)
        line = (f"claimkb_source: {json.dumps(quote(source, safe='/'))}" if source else "claimkb_generated: true")
        if text.startswith("---\n"):
            out[page] = f"---\n{line}\n{text[4:]}"
        else:
            out[page] = f"---\n{line}\n---\n\n{text}"
        if cache is not None:
            cache[page] = (text, out[page])
    return out


def edit_links(config_dir: Path, docs_dir: Path, repo_url: str, edit_uri: str) -> dict[str, str]:
    """The URL prefixes that "edit" and "view" links of a repository file start with, or {} without a repository.

    edit_uri points into docs_dir (MkDocs' convention); claims/ and references/ live beside it, so the prefix is
    edit_uri followed by the way up from docs_dir to the repository root: "edit/main/docs/../" -> "edit/main/".
    """
    if not repo_url or not edit_uri:
        return {}
    up = Path(os.path.relpath(config_dir, docs_dir)).as_posix()
    base = repo_url.rstrip("/") + "/"
    edit = urljoin(base, quote(f"{edit_uri.strip('/')}/{up}/", safe="/"))
    links = {"edit": edit}
    # GitHub's and GitLab's raw view is the same path with /raw/ for /edit/ or /blob/, in the edit_uri only.
    first, _, rest = edit_uri.strip("/").partition("/")
    if first in ("edit", "blob"):
        links["view"] = urljoin(base, quote(f"raw/{rest}/{up}/", safe="/"))
    return links


def tree(kb: KnowledgeBase, site: render.Site, *, with_docs: bool, assets: Mapping[str, bytes | Path] | None = None,
         cache: dict | None = None, urls: html.Urls = html.Urls("source")) -> dict[str, bytes | Path]:
    """docs-relative path -> content (bytes, or a file to copy) of the whole rendered folder an engine reads.

    cache (a dict kept between calls) saves annotating and encoding the pages the render memo gave unchanged."""
    files: dict[str, bytes | Path] = {}
    if with_docs:
        for page, text in kb.docs.items():
            files[page] = render.expand_shortcodes(kb, page, text, urls).encode("utf-8")
    files.update(render.assets() if assets is None else assets)
    annotated = annotate(site, cache.setdefault("annotated", {}) if cache is not None else None)
    encoded = cache.setdefault("encoded", {}) if cache is not None else {}
    for path, text in {**annotated, **site.files}.items():
        hit = encoded.get(path)
        if hit is not None and hit[0] is text:
            files[path] = hit[1]
        else:
            files[path] = text if isinstance(text, bytes) else text.encode("utf-8")
            if cache is not None:
                encoded[path] = (text, files[path])
    return files


@dataclass(frozen=True, slots=True)
class Written:
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.changed or self.removed)

    def summary(self, limit: int = 6) -> str:
        names = list(self.changed) + [f"-{p}" for p in self.removed]
        shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
        return f"{len(self.changed)} written, {len(self.removed)} removed: {shown}" if names else "nothing changed"


def sync(out: Path, files: Mapping[str, bytes | Path], previous: Mapping[str, bytes] | None = None,
         *, remove: bool = True) -> tuple[Written, dict[str, bytes]]:
    """Make out hold exactly files (under KEPT, whatever else is there stays), writing only what differs.

    A file whose bytes are unchanged is not touched, so an engine watching out rebuilds only the pages that did
    change. Each write goes to a temporary file renamed over the old one: a watcher never sees half a page.
    previous, the bytes written last time, saves reading the folder back. Returns what changed and the new bytes.
    """
    out.mkdir(parents=True, exist_ok=True)
    now: dict[str, bytes] = {}
    changed: list[str] = []
    for path, content in files.items():
        data = content.read_bytes() if isinstance(content, Path) else content
        if previous is not None and previous.get(path) is not None and previous[path] == data:
            now[path] = data
            continue  # written by us last time, unchanged since: no need even to look at the disk
        normal = posixpath.normpath(path)
        if normal != path or normal.startswith(("/", "../")) or normal == "..":
            continue  # never outside out, whatever a page is called (the loader reports bad names)
        target = out / path
        now[path] = data
        if previous is None and target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".claimkb-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        changed.append(path)
    removed: list[str] = []
    if remove and previous is not None:  # what was written last time and is gone now: no need to scan the folder
        for rel in sorted(set(previous) - set(now)):
            (out / rel).unlink(missing_ok=True)
            removed.append(rel)
    elif remove:
        for file in sorted(out.rglob("*")):
            rel = file.relative_to(out).as_posix()
            if file.is_file() and rel not in now and not rel.startswith(KEPT):
                file.unlink()
                removed.append(rel)
        for folder in sorted((d for d in out.rglob("*") if d.is_dir()), key=lambda d: -len(d.parts)):
            if not any(folder.iterdir()):
                folder.rmdir()
    return Written(tuple(changed), tuple(removed)), now
