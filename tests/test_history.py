"""`claimkb check --since REV`: claim ids and citation keys published at REV never vanish without an alias."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import make_kb, parse_output, run_check

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="SKIPPED: git not installed")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   check=True, capture_output=True)


@pytest.fixture
def published(tmp_path: Path) -> Path:
    root = make_kb(tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "published")
    git(root, "tag", "v1")
    return root


def test_nothing_removed_is_clean(published: Path) -> None:
    code, out, _ = run_check(published, "--since", "v1")
    found, summary = parse_output(out)
    assert (code, found) == (0, [])


def test_a_deleted_claim_is_reported_at_its_old_path(published: Path) -> None:
    (published / "claims/gamma-evidence.yaml").unlink()
    (published / "claims/beta-premise.yaml").write_text(
        (published / "claims/beta-premise.yaml").read_text("utf-8").replace(
            "  - type: depends-on\n    target: gamma-evidence\n", ""), "utf-8")
    code, out, _ = run_check(published, "--since", "v1")
    found, _ = parse_output(out)
    errors = [d for d in found if d.severity == "error"]
    assert [d.prefix for d in errors] == ["claims/gamma-evidence.yaml:1:1: error removed-id"]
    found = errors
    assert "claim 'gamma-evidence' was published at v1 and is gone" in found[0].message
    assert code == 1


def test_a_renamed_key_is_reported_at_its_old_line_until_aliased(published: Path) -> None:
    bib = next((published / "references").glob("*.bib"))
    text = bib.read_text("utf-8")
    line = text[: text.index("@article{smith2020")].count("\n") + 1
    for f in [*(published / "claims").rglob("*.yaml"), *(published / "docs").rglob("*.md")]:
        f.write_text(re.sub(r"\bsmith2020\b", "smith2020spec", f.read_text("utf-8")), "utf-8")
    bib.write_text(text.replace("@article{smith2020,", "@article{smith2020spec,"), "utf-8")
    code, out, _ = run_check(published, "--since", "v1")
    found, _ = parse_output(out)
    rel = bib.relative_to(published).as_posix()
    assert [d.prefix for d in found] == [f"{rel}:{line}:1: error removed-id"], out
    assert code == 1
    (published / "claims/_aliases.yaml").write_text("references:\n  smith2020: smith2020spec\n", "utf-8")
    code, out, _ = run_check(published, "--since", "v1")
    assert (code, parse_output(out)[0]) == (0, [])


def test_an_unknown_revision_is_a_usage_error(published: Path) -> None:
    code, _, err = run_check(published, "--since", "no-such-revision")
    assert code == 2 and "--since no-such-revision" in err and "Traceback" not in err


def test_outside_a_git_checkout_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run_check(make_kb(tmp_path), "--since", "HEAD")
    assert code == 2 and "Traceback" not in err
