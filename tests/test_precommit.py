"""The pre-commit hook: it names only the changed files, and `claimkb check FILE...` reports on those alone
while still resolving relations and citations against the whole knowledge base."""
from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import REPO, make_kb, parse_output, run_claimkb

BROKEN = """\
title: Broken
statement: Its kind is misspelt.
kind: evidance
domain: biology
claimed_by:
  ref: smith2020
  locator: p. 1
"""


def _hook() -> dict:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text("utf-8"))
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    (hook,) = repo["hooks"]
    return hook


def test_hook_runs_claimkb_check_on_the_changed_files() -> None:
    hook = _hook()
    assert hook["id"] == "claimkb-check"
    assert hook["language"] == "system"
    assert hook["pass_filenames"] is True
    assert shlex.split(hook["entry"])[-2:] == ["claimkb", "check"] or hook["entry"].endswith("claimkb check")
    files = re.compile(hook["files"])
    for path in ("claims/alpha.yaml", "claims/paper/beta.yml", "claims/_domains.yaml", "references/main.bib",
                 "references/_editions/goldfeder2026sai.yaml",
                 "docs/index.md", "docs/reading/s1-introduction.md"):
        assert files.search(path), path
    for path in ("README.md", "scripts/claimkb/cli.py", "claims.yaml", "mkdocs.yml", "tests/claims/x.yaml"):
        assert not files.search(path), path


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return make_kb(tmp_path, {"claims/broken-claim.yaml": BROKEN})


def _check(root: Path, *files: str) -> tuple[int, list]:
    """As pre-commit runs the hook: from the repository's folder, with paths relative to it."""
    code, out, err = run_claimkb("check", *files, cwd=root)
    found, _ = parse_output(out)
    return code, found


def test_a_clean_file_passes_although_another_file_has_an_error(base: Path) -> None:
    code, found = _check(base, "claims/alpha-thesis.yaml")
    assert (code, found) == (0, [])


def test_a_file_with_an_error_fails(base: Path) -> None:
    code, found = _check(base, "claims/broken-claim.yaml")
    assert code == 1
    assert [(d.path, d.code) for d in found] == [("claims/broken-claim.yaml", "unknown-kind")]


def test_only_the_named_files_are_reported(base: Path) -> None:
    code, found = _check(base, "claims/alpha-thesis.yaml", "claims/broken-claim.yaml", "references/main.bib")
    assert code == 1
    assert {d.path for d in found} == {"claims/broken-claim.yaml"}


def test_relations_and_citations_resolve_against_unnamed_files(base: Path) -> None:
    # gamma-evidence's relations point at beta-premise and alpha-thesis, its citations at references/main.bib:
    # none of them is named, and none may be reported unknown.
    code, found = _check(base, "claims/gamma-evidence.yaml", "claims/sub/delta-objection.yaml")
    assert (code, found) == (0, [])


def test_absolute_paths_and_a_root_given_elsewhere(base: Path, tmp_path: Path) -> None:
    code, out, _ = run_claimkb("check", "--root", base, base / "claims/broken-claim.yaml", cwd=tmp_path)
    found, _ = parse_output(out)
    assert code == 1 and [d.path for d in found] == ["claims/broken-claim.yaml"]
    code, out, _ = run_claimkb("check", "--root", base, "claims/gamma-evidence.yaml", cwd=tmp_path)
    assert code == 0 and parse_output(out)[0] == []


def test_the_hook_entry_exists_after_set_up() -> None:
    entry = shlex.split(_hook()["entry"])[0]
    if "/" in entry and not (REPO / entry).exists():
        pytest.skip(f"{entry} appears after `make test` or `make serve` sets up .venv")
    assert "/" not in entry or (REPO / entry).is_file()


def test_the_hook_other_repositories_use_matches_this_one() -> None:
    """.pre-commit-hooks.yaml offers the same check on the same files, installed by pre-commit instead of make."""
    (offered,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    local = _hook()
    assert offered["id"] == local["id"] and offered["files"] == local["files"]
    assert offered["language"] == "python" and offered["entry"] == "claimkb check"
    assert offered["pass_filenames"] is True and offered["require_serial"] is True
    # The entry is the console script the package installs.
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert shlex.split(offered["entry"])[0] in scripts
