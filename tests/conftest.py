"""Shared test helpers: a small valid knowledge base built on disk, and ways to run `claimkb check` on it.

Other test files import the helpers directly (``from conftest import make_kb, run_check, REPO``) or use the
fixtures below. make_kb writes BASE_FILES (a clean base: 0 errors, 0 warnings) and then the files a test passes,
which replace base files of the same path; a value of None deletes a base file, bytes are written verbatim.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"

DOMAINS = """\
# Two domains, enough for unknown-domain's did-you-mean.
biology:
  title: Biology
  description: Specialization in species and in brains.
machine-learning:
  title: Machine learning
  description: Transfer, mixtures of experts and world models.
"""

ALPHA = """\
title: Specialization wins
statement: Systems that specialize outperform generalists under fixed resources.
kind: thesis
domain: machine-learning
claimed_by:
  ref: smith2020
  locator: "§1"
tags: [specialization]
"""

BETA = """\
title: Resources are finite
statement: Every system has a finite budget of energy and time.
kind: premise
domain: biology
claimed_by:
  ref: smith2020
  locator:
    section: 2
sources:
  - ref: jones2021
    locator: p. 4
    note: The budget argument.
relations:
  - type: supports
    target: alpha-thesis
    note: A finite budget forces trade-offs.
  - type: depends-on
    target: gamma-evidence
"""

GAMMA = """\
title: Species specialize
statement: Field studies find niche specialization across taxa.
kind: evidence
domain: biology
claimed_by:
  ref: smith2020
  locator: Table 1
sources:
  - ref: doe2019
    locator:
      page: 12
relations:
  - type: supports
    target: beta-premise
"""

DELTA = """\
title: Generality is the goal
statement: A single general system is what the field should aim for.
kind: objection
domain: machine-learning
claimed_by:
  ref: jones2021
  locator: "§3"
relations:
  - type: rebuts
    target: alpha-thesis
  - type: interprets
    target: beta-premise
    fidelity: reframing
"""

# A valid claim citing a base reference and breaking no rule: the body of most files a test adds.
EXTRA = """\
title: An extra claim
statement: A claim that breaks no rule.
kind: premise
domain: biology
claimed_by:
  ref: doe2019
  locator: p. 1
"""

BIB = """\
@article{smith2020,
  author = {Smith, Ada and Lee, Bo},
  title = {Why Specialists Win},
  journal = {Journal of Examples},
  year = {2020},
  doi = {10.1234/jex.2020.1},
}

@misc{jones2021,
  author = {Jones, Cy},
  title = {The Case for Generality},
  year = {2021},
  eprint = {2101.00001},
  archivePrefix = {arXiv},
  url = {https://example.org/jones2021},
}

@book{doe2019,
  author = {Doe, Dee},
  title = {Niches},
  publisher = {Example Press},
  year = {2019},
}
"""

DOCS_INDEX = """\
# Home

The thesis [[alpha-thesis]] is argued by [@smith2020, §1].
"""

# The clean base: 4 claims (one in a subfolder), 3 references all cited, every relation type's target present.
BASE_FILES: dict[str, str] = {
    "claims/_domains.yaml": DOMAINS,
    "claims/alpha-thesis.yaml": ALPHA,
    "claims/beta-premise.yaml": BETA,
    "claims/gamma-evidence.yaml": GAMMA,
    "claims/sub/delta-objection.yaml": DELTA,
    "references/main.bib": BIB,
    "docs/index.md": DOCS_INDEX,
}


def make_kb(tmp_path: Path, files: Mapping[str, str | bytes | None] | None = None, *, base: bool = True) -> Path:
    """Write a knowledge base under tmp_path/kb and return its root.

    files maps a root-relative POSIX path to its text (written as UTF-8), its bytes (written verbatim), or None
    (the base file at that path is not written). With base=False only files are written.
    """
    root = tmp_path / "kb"
    wanted: dict[str, str | bytes | None] = dict(BASE_FILES) if base else {}
    wanted.update(files or {})
    for rel, content in wanted.items():
        if content is None:
            continue
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_bytes(content.encode("utf-8"))  # no newline translation: line numbers stay exact
    root.mkdir(parents=True, exist_ok=True)
    return root


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SCRIPTS), env.get("PYTHONPATH")]))
    env.pop("CLAIMKB_VERSION", None)
    env.pop("CLAIMKB_DATE", None)
    return env


def run_claimkb(*args: str | Path, cwd: Path | None = None, timeout: float = 60) -> tuple[int, list[str], str]:
    """Run the real `python -m claimkb ARGS` in a subprocess: (exit code, stdout lines, stderr)."""
    done = subprocess.run([sys.executable, "-m", "claimkb", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", env=_env(), cwd=cwd or REPO, timeout=timeout, check=False)
    return done.returncode, done.stdout.splitlines(), done.stderr


def run_check(root: Path | str, *args: str | Path) -> tuple[int, list[str], str]:
    """Run the real `python -m claimkb check --root ROOT ARGS` in a subprocess: (exit code, stdout lines, stderr)."""
    return run_claimkb("check", "--root", root, *args)


def check_inprocess(root: Path | str, *args: str | Path) -> tuple[int, list[str], str]:
    """The same as run_check, but through claimkb.cli.main in this process (fast: for the bulk of the tests)."""
    from claimkb import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", "--root", str(root), *map(str, args)])
    return code, out.getvalue().splitlines(), err.getvalue()


DIAGNOSTIC_RE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning) "
                           r"(?P<code>[a-z0-9-]+): (?P<message>.+)$")
SUMMARY_RE = re.compile(r"^(?P<claims>\d+) claims, (?P<references>\d+) references: "
                        r"(?P<errors>\d+) errors?, (?P<warnings>\d+) warnings?$")


@dataclass(frozen=True, slots=True)
class Line:
    """One parsed diagnostic line of `claimkb check` text output."""

    path: str
    line: int
    column: int
    severity: str
    code: str
    message: str

    @property
    def prefix(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity} {self.code}"


def parse_output(lines: list[str]) -> tuple[list[Line], re.Match[str]]:
    """Diagnostic lines and the summary of text output; fails on any other line."""
    assert lines, "no output"
    summary = SUMMARY_RE.match(lines[-1])
    assert summary, f"last line is not the summary: {lines[-1]!r}"
    found = []
    for text in lines[:-1]:
        m = DIAGNOSTIC_RE.match(text)
        assert m, f"not a diagnostic line: {text!r}"
        found.append(Line(m["path"], int(m["line"]), int(m["column"]), m["severity"], m["code"], m["message"]))
    return found, summary


def find(found: list[Line], prefix: str, message: str | None = None) -> Line:
    """The one diagnostic whose `path:line:col: severity code` equals prefix (and whose message holds message)."""
    matches = [d for d in found if d.prefix == prefix and (message is None or message in d.message)]
    listing = "\n".join(f"  {d.prefix}: {d.message}" for d in found) or "  (none)"
    assert len(matches) == 1, f"expected one {prefix!r}" + (f" with {message!r}" if message else "") + f"; got:\n{listing}"
    return matches[0]


@pytest.fixture
def kb(tmp_path: Path) -> Callable[..., Path]:
    """make_kb bound to this test's tmp_path: kb({"claims/x.yaml": "..."}) -> root."""

    def build(files: Mapping[str, str | bytes | None] | None = None, *, base: bool = True) -> Path:
        return make_kb(tmp_path, files, base=base)

    return build


@pytest.fixture(scope="session")
def repo_kb():
    """The repository's own knowledge base, loaded once for every test that reads it."""
    from claimkb.core import loader

    return loader.load(REPO).kb


@pytest.fixture(scope="session")
def repo_render(repo_kb):
    """The repository's site as render gives it (pages and downloads), rendered once."""
    from claimkb.site import render

    return render.render(repo_kb)
