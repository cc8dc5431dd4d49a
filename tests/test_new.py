"""`claimkb new claim` and `claimkb new reference`: files that pass the checker, refusals, prompts, roll-back."""
from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SCRIPTS, check_inprocess, make_kb, parse_output

from claimkb.cli import new as scaffold
from claimkb.core import template

SCHEMA = json.loads((REPO / "scripts/claimkb/schema/claim.schema.json").read_text("utf-8"))
CLAIM_ARGS = ("--kind", "premise", "--domain", "biology", "--claimed-by", "smith2020")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SCRIPTS), env.get("PYTHONPATH")]))
    return env


def claimkb(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command, with standard input that is not a terminal (as in CI and pre-commit)."""
    return subprocess.run([sys.executable, "-m", "claimkb", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", env=_env(), cwd=cwd or REPO, stdin=subprocess.DEVNULL, timeout=60,
                          check=False)


def diagnostics_for(root: Path, rel: str) -> list:
    code, out, _ = check_inprocess(root)
    found, _ = parse_output(out)
    return [d for d in found if d.path == rel]


def placeholders(root: Path, path: str) -> list[str]:
    """The fields reported as unwritten placeholders; fails on any other diagnostic for path."""
    found = diagnostics_for(root, path)
    assert all(d.code == "placeholder-text" and d.severity == "warning" for d in found), found
    return [d.message.split(" still holds", 1)[0] for d in found]


def test_new_claim_writes_every_schema_field_and_passes_check(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    done = claimkb("new", "claim", "finite-budgets", *CLAIM_ARGS, "--root", root)
    assert done.returncode == 0, done.stderr
    file = root / "claims/finite-budgets.yaml"
    text = file.read_text("utf-8")
    first = text.splitlines()[0]
    # No schema file in the knowledge base and no site URL yet: the schema's own identifier.
    assert first == f"# yaml-language-server: $schema={SCHEMA['$id']}"
    data = yaml.safe_load(text)
    assert list(data) == list(SCHEMA["properties"])  # every field, in schema order
    assert set(data["claimed_by"]) == set(SCHEMA["properties"]["claimed_by"]["properties"])
    assert data["kind"] == "premise" and data["domain"] == "biology" and data["claimed_by"]["ref"] == "smith2020"
    for name in SCHEMA["properties"]:
        # each field is preceded by a comment that holds the start of its schema description
        before = text.split(f"\n{name}:", 1)[0].rsplit("\n\n", 1)[-1]
        description = template.resolve(SCHEMA, SCHEMA["properties"][name]).get("description", "")
        assert " ".join(description.split()[:4]) in " ".join(before.replace("#", " ").split()), name
    assert "Known kinds: thesis, premise, evidence" in text  # the knowledge base's kinds listed
    assert "One of: supports, rebuts" in text  # and the tool's enums
    # No error: only the reminders that the placeholders are still to be written.
    assert placeholders(root, "claims/finite-budgets.yaml") == ["title", "statement", "claimed_by.locator"]
    assert "TODO" in data["title"] and "TODO" in data["statement"]


def test_new_claim_in_a_subfolder_points_at_the_repository_schema(tmp_path: Path) -> None:
    schema = (REPO / template.SCHEMA_REL).read_text("utf-8")
    root = make_kb(tmp_path, {template.SCHEMA_REL: schema})
    done = claimkb("new", "claim", "finite-budgets", *CLAIM_ARGS, "--locator", "§4", "--title", "Budgets are finite",
                   "--dir", "paper", "--root", root)
    assert done.returncode == 0, done.stderr
    text = (root / "claims/paper/finite-budgets.yaml").read_text("utf-8")
    assert text.startswith(f"# yaml-language-server: $schema=../../{template.SCHEMA_REL}\n")
    data = yaml.safe_load(text)
    assert data["title"] == "Budgets are finite" and data["claimed_by"]["locator"] == "§4"
    assert placeholders(root, "claims/paper/finite-budgets.yaml") == ["statement"]


def test_new_claim_points_at_the_schema_its_site_publishes(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"mkdocs.yml": "site_name: Example\nsite_url: https://example.org/reading/\n"})
    done = claimkb("new", "claim", "finite-budgets", *CLAIM_ARGS, "--root", root)
    assert done.returncode == 0, done.stderr
    first = (root / "claims/finite-budgets.yaml").read_text("utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=https://example.org/reading/schema/claim.schema.json"


def test_new_claim_uses_the_knowledge_base_kinds(tmp_path: Path) -> None:
    kinds = "position:\n  title: Positions\n  role: thesis\nreason:\n  title: Reasons\n"
    root = make_kb(tmp_path, {"claims/_kinds.yaml": kinds, "claims/alpha-thesis.yaml": None,
                              "claims/beta-premise.yaml": None, "claims/gamma-evidence.yaml": None,
                              "claims/sub/delta-objection.yaml": None, "docs/index.md": None})
    done = claimkb("new", "claim", "finite-budgets", "--kind", "premise", "--domain", "biology",
                   "--claimed-by", "smith2020", "--root", root)
    assert done.returncode == 1 and "unknown kind 'premise'; allowed: position, reason" in done.stderr
    done = claimkb("new", "claim", "finite-budgets", "--kind", "reason", "--domain", "biology",
                   "--claimed-by", "smith2020", "--root", root)
    assert done.returncode == 0, done.stderr
    assert "Known kinds: position, reason." in (root / "claims/finite-budgets.yaml").read_text("utf-8")


def test_new_claim_refuses_to_overwrite(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    before = (root / "claims/alpha-thesis.yaml").read_bytes()
    done = claimkb("new", "claim", "alpha-thesis", *CLAIM_ARGS, "--root", root)
    assert done.returncode == 1
    assert "already exists" in done.stderr and "never overwrites" in done.stderr
    assert (root / "claims/alpha-thesis.yaml").read_bytes() == before


def test_new_claim_refuses_an_id_used_in_another_subfolder(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    done = claimkb("new", "claim", "delta-objection", *CLAIM_ARGS, "--root", root)
    assert done.returncode == 1
    assert "claims/sub/delta-objection.yaml" in done.stderr
    assert not (root / "claims/delta-objection.yaml").exists()


def test_new_claim_refuses_a_retired_id(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"claims/_aliases.yaml": "claims:\n  old-thesis: alpha-thesis\n"})
    done = claimkb("new", "claim", "old-thesis", *CLAIM_ARGS, "--root", root)
    assert done.returncode == 1
    assert "retired" in done.stderr and "alpha-thesis" in done.stderr
    assert not (root / "claims/old-thesis.yaml").exists()


@pytest.mark.parametrize(("args", "expected"), [
    (("My Claim!", *CLAIM_ARGS), "try 'my-claim'"),
    (("new-one", "--kind", "evidance", "--domain", "biology", "--claimed-by", "smith2020"),
     "did you mean 'evidence'?); allowed: thesis, premise, evidence"),
    (("new-one", "--kind", "premise", "--domain", "biolgy", "--claimed-by", "smith2020"),
     "did you mean 'biology'?); allowed: biology, machine-learning"),
    (("new-one", "--kind", "premise", "--domain", "biology", "--claimed-by", "smith2002"),
     "did you mean 'smith2020'?"),
    (("new-one", "--kind", "premise", "--domain", "biology", "--claimed-by", "Smith2020"),
     "there is 'smith2020'"),
])
def test_new_claim_refuses_bad_values_with_a_suggestion(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    root = make_kb(tmp_path)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    done = claimkb("new", "claim", *args, "--root", root)
    assert done.returncode == 1
    assert expected in done.stderr
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_new_claim_without_a_terminal_is_a_usage_error(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    done = claimkb("new", "claim", "new-one", "--kind", "premise", "--root", root)
    assert done.returncode == 2
    assert "missing --domain, --claimed-by" in done.stderr
    assert "usage: claimkb new claim ID --kind KIND" in done.stderr
    assert not (root / "claims/new-one.yaml").exists()
    assert claimkb("new", "claim", "--root", root).returncode == 2
    assert claimkb("new").returncode == 2


def test_new_claim_rejects_a_subfolder_outside_claims(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    done = claimkb("new", "claim", "new-one", *CLAIM_ARGS, "--dir", "../outside", "--root", root)
    assert done.returncode == 2
    assert not (root.parent / "outside").exists()


def test_new_claim_takes_back_a_file_with_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb(tmp_path)
    monkeypatch.setitem(template.PLACEHOLDERS, "title", "<b>bold</b>")  # raw-html: the checker must refuse it
    code = scaffold.new_claim(str(root), "new-one", "premise", "biology", "smith2020", subfolder="fresh/deeper",
                              interactive=False)
    assert code == 1
    out, err = capsys.readouterr()
    assert "raw-html" in out and "removed" in err
    assert not (root / "claims/fresh").exists()
    assert not any(p.name.endswith(".tmp") for p in (root / "claims").rglob("*"))


class Terminal:
    """The real command on a pseudo-terminal, answered like a person would."""

    def __init__(self, args: list[str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen([sys.executable, "-m", "claimkb", *args], stdin=slave, stdout=slave,
                                     stderr=slave, env=_env(), cwd=REPO, close_fds=True)
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"never saw {text!r}; got:\n{self.seen}"
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the child closed the terminal
                    chunk = b""
                assert chunk, f"the command ended before {text!r}; got:\n{self.seen}"
                self.seen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")

    def answer(self, text: str) -> None:
        os.write(self.master, text.encode("utf-8") + b"\n")

    def finish(self) -> int:
        try:
            while True:
                ready, _, _ = select.select([self.master], [], [], 30)
                if not ready:
                    break
                chunk = os.read(self.master, 4096)
                if not chunk:
                    break
                self.seen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        except OSError:
            pass
        os.close(self.master)
        return self.proc.wait(timeout=30)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_new_claim_asks_on_a_terminal(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    term = Terminal(["new", "claim", "--root", str(root)])
    term.expect("Claim id")
    term.answer("Alpha Thesis")  # invalid: asked again with a suggestion
    term.expect("try 'alpha-thesis'")
    term.answer("alpha-thesis")  # taken: asked again
    term.expect("already exists")
    term.answer("finite-budgets")
    term.expect("Kind (number or name)")
    term.answer("2")  # premise
    term.expect("Domain (number or name)")
    term.answer("biolgy")
    term.expect("did you mean 'biology'?")
    term.answer("biology")
    term.expect("claimed_by")
    term.answer("smith2020")
    term.expect("locator")
    term.answer("§3")
    code = term.finish()
    assert code == 0, term.seen
    data = yaml.safe_load((root / "claims/finite-budgets.yaml").read_text("utf-8"))
    assert (data["kind"], data["domain"], data["claimed_by"]) == ("premise", "biology", {"ref": "smith2020", "locator": "§3"})
    assert placeholders(root, "claims/finite-budgets.yaml") == ["title", "statement"]


def test_new_reference_appends_an_entry_that_passes_check(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    before = (root / "references/main.bib").read_text("utf-8")
    done = claimkb("new", "reference", "roe2018", "--type", "book", "--root", root)
    assert done.returncode == 0, done.stderr
    after = (root / "references/main.bib").read_text("utf-8")
    assert after.startswith(before)  # appended: nothing before it changed
    assert "@book{roe2018," in after and "publisher" in after
    found = diagnostics_for(root, "references/main.bib")
    assert [d.code for d in found] == ["unused-reference"], found  # the only warning: nothing cites it yet
    assert "unused-reference" in done.stdout


@pytest.mark.parametrize("entry_type", sorted(scaffold.BIBTEX_REQUIRED))
def test_every_entry_type_has_its_required_fields_and_checks_clean(tmp_path: Path, entry_type: str,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb(tmp_path)
    assert scaffold.new_reference(str(root), "roe2018", entry_type, "references/new.bib", interactive=False) == 0
    text = (root / "references/new.bib").read_text("utf-8")
    for name in scaffold.BIBTEX_REQUIRED[entry_type]:
        assert f"\n  {name} " in text
    assert [d.code for d in diagnostics_for(root, "references/new.bib")] == ["unused-reference"]


@pytest.mark.parametrize(("key", "expected"), [
    ("SMITH2020", "already used by references/main.bib"),
    ("bad key", "not a valid BibTeX key"),
])
def test_new_reference_refuses_a_taken_or_invalid_key(tmp_path: Path, key: str, expected: str) -> None:
    root = make_kb(tmp_path)
    before = (root / "references/main.bib").read_bytes()
    done = claimkb("new", "reference", key, "--type", "book", "--root", root)
    assert done.returncode == 1
    assert expected in done.stderr
    assert (root / "references/main.bib").read_bytes() == before


def test_new_reference_needs_a_file_when_there_are_several(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"references/other.bib": ""})
    done = claimkb("new", "reference", "roe2018", "--type", "book", "--root", root)
    assert done.returncode == 2
    assert "references/main.bib, references/other.bib" in done.stderr
    done = claimkb("new", "reference", "roe2018", "--type", "boook", "--root", root, "--file", "other.bib")
    assert done.returncode == 1 and "did you mean 'book'?" in done.stderr
    done = claimkb("new", "reference", "roe2018", "--type", "book", "--root", root, "--file", "other.bib")
    assert done.returncode == 0, done.stderr
    assert "@book{roe2018," in (root / "references/other.bib").read_text("utf-8")
    done = claimkb("new", "reference", "roe2019", "--type", "book", "--root", root, "--file", "../outside.bib")
    assert done.returncode == 2


def test_new_reference_without_a_terminal_is_a_usage_error(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    done = claimkb("new", "reference", "roe2018", "--root", root)
    assert done.returncode == 2
    assert "missing --type" in done.stderr and "usage: claimkb new reference KEY --type TYPE" in done.stderr


def test_new_reference_restores_the_file_on_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = make_kb(tmp_path)
    before = (root / "references/main.bib").read_bytes()
    monkeypatch.setattr(scaffold, "render_entry", lambda key, entry_type: f"@book{{{key},\n  title = {{Unclosed\n")
    assert scaffold.new_reference(str(root), "roe2018", "book", None, interactive=False) == 1
    assert "restored" in capsys.readouterr().err
    assert (root / "references/main.bib").read_bytes() == before
    assert not any(p.name.endswith(".tmp") for p in (root / "references").iterdir())
