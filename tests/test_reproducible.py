"""Reproducible output: the same knowledge base gives byte-identical sites, rendered pages and exports.

Each pair of runs differs in everything that should not matter: the folder the knowledge base sits in (two copies),
the output folder, the hash seed (so set and dict order effects show) and the time (at least a second apart). The
fixture has no mkdocs.yml version or date and is not a git checkout, and CLAIMKB_DATE is unset: nothing may come
from the clock.
"""
from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, SCRIPTS, make_kb
from test_hostile import site_config

# Beyond the base: a renamed claim and reference (redirect pages), non-ASCII text, a second domain with claims.
EXTRA_FILES = {
    "claims/_aliases.yaml": "claims:\n  old-alpha: alpha-thesis\nreferences:\n  smith2020old: smith2020\n",
    "claims/epsilon-evidence.yaml": """\
title: Über-specialists in «nature»
statement: Niche partitioning — “specialists” — shows in 12 of 14 taxa.
kind: evidence
domain: biology
claimed_by:
  ref: doe2019
  locator:
    page: 7
sources:
  - ref: smith2020
    locator: Table 2
relations:
  - type: supports
    target: gamma-evidence
  - type: refines
    target: beta-premise
tags: [niches, taxa]
""",
}
# Generated output the comparison covers (the site's own assets are copied, not generated, and compared too).
GENERATED = ("claims/", "references/", "domains/", "kinds/", "map/", "matrix/", "bibliography/", "cite/", "downloads/")


def _env(seed: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONHASHSEED=seed, NO_MKDOCS_2_WARNING="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(SCRIPTS), os.environ.get("PYTHONPATH")])))
    for name in ("CLAIMKB_DATE", "CLAIMKB_VERSION", "SOURCE_DATE_EPOCH"):
        env.pop(name, None)
    return env


def _run(args: list[str], cwd: Path, seed: str) -> None:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=_env(seed), cwd=cwd,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder by relative path, the sitemap without its dates.

    MkDocs stamps the sitemap with the day of the build, in each <lastmod> and in the gzip header of sitemap.xml.gz
    (SOURCE_DATE_EPOCH pins both for a release). That is MkDocs, not generated content, and two builds a second apart
    on either side of midnight would differ: the sitemap is compared decompressed and without <lastmod>.
    """
    files = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            if p.name.startswith("sitemap.xml"):
                data = re.sub(rb"<lastmod>[^<]*</lastmod>", b"", gzip.decompress(data) if p.suffix == ".gz" else data)
            files[p.relative_to(folder).as_posix()] = data
    return files


def _differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two copies of one knowledge base, in different folders."""
    first = make_kb(tmp_path_factory.mktemp("first"), EXTRA_FILES)
    (first / "mkdocs.yml").write_text(site_config(), "utf-8")
    second = tmp_path_factory.mktemp("second") / "checkout"
    shutil.copytree(first, second)
    return first, second


def test_two_site_builds_are_byte_identical(roots: tuple[Path, Path], tmp_path: Path) -> None:
    first, second = roots
    started = time.monotonic()
    _run(["-m", "mkdocs", "build", "-q", "-f", str(first / "mkdocs.yml"), "-d", str(tmp_path / "a")], first, "1")
    time.sleep(max(0.0, 1.1 - (time.monotonic() - started)))  # a clock-dependent value would change by now
    _run(["-m", "mkdocs", "build", "-q", "-f", str(second / "mkdocs.yml"), "-d", str(tmp_path / "b")], second, "2")
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    generated = [k for k in a if k.startswith(GENERATED)]
    assert len(generated) > 20 and "downloads/claims.json" in generated and "map/index.html" in generated
    assert {"downloads/claims.ttl", "downloads/claims.jsonld", "downloads/claims.db"} <= set(generated)
    assert "sitemap.xml.gz" in a and "search/search_index.json" in a
    assert _differences(a, b) == []


def test_render_twice_gives_identical_trees(roots: tuple[Path, Path], tmp_path: Path) -> None:
    first, second = roots
    _run(["-m", "claimkb", "render", "--root", str(first), "--out", str(tmp_path / "a"), "--with-docs"], REPO, "1")
    time.sleep(1.1)
    _run(["-m", "claimkb", "render", "--root", str(second), "--out", str(tmp_path / "b"), "--with-docs"], REPO, "2")
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert len(a) > 20 and _differences(a, b) == []


@pytest.mark.parametrize("args", [["--format", "json"], ["--format", "bibtex"], ["--format", "bibtex", "--what", "claims"],
                                  ["--format", "csl-json"], ["--format", "csl-json", "--what", "claims"],
                                  ["--format", "turtle"], ["--format", "jsonld"], ["--format", "sqlite"]],
                         ids=["dataset", "references-bib", "claims-bib", "references-csl", "claims-csl", "turtle",
                              "jsonld", "sqlite"])
def test_export_twice_is_identical(roots: tuple[Path, Path], tmp_path: Path, args: list[str]) -> None:
    first, second = roots
    _run(["-m", "claimkb", "export", "--root", str(first), *args, "-o", str(tmp_path / "a")], REPO, "1")
    _run(["-m", "claimkb", "export", "--root", str(second), *args, "-o", str(tmp_path / "b")], REPO, "2")
    a, b = (tmp_path / "a").read_bytes(), (tmp_path / "b").read_bytes()
    assert len(a) > 200 and a == b
    assert str(first).encode() not in a and str(second).encode() not in a  # no absolute path leaks in
