"""Docs that tests keep honest: the reference pages cover every schema field, command, option and diagnostic
code, the generated pages match their sources, and every diagnostic example does what the page says."""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import REPO, check_inprocess, make_kb, parse_output

from claimkb import cli
from claimkb.cli import docs as schemadoc
from claimkb.core import loader
from claimkb.site import render
from claimkb.core.diagnostics import CODES

DOCS = REPO / "docs"
SCHEMA = json.loads((REPO / "scripts/claimkb/schema/claim.schema.json").read_text("utf-8"))
SITE = render.render(loader.load(REPO).kb, {"reference/cli.md": cli.cli_page()}).pages
DIAGNOSTICS = DOCS / "reference/diagnostics.md"
# Codes whose example is a file that cannot be shown as text (binary, huge, a link, 50,000 files).
NOT_AS_TEXT = {"file-too-large", "not-utf8", "nul-byte", "symlink", "too-many-claims",
               "removed-id",  # needs git history: tests/test_history.py
               "markup-budget"}  # 2,000 characters and more: tests/test_check_strict.py
FENCE_RE = re.compile(r'^```(?P<lang>[\w-]*)(?: title="(?P<title>[^"]+)")?\n(?P<body>.*?)^```$', re.M | re.S)


def test_claim_format_page_is_generated_from_the_schema() -> None:
    assert SITE["reference/claim-format.md"] == schemadoc.render_claim_format(SCHEMA, loader.load(REPO).kb)
    assert not (DOCS / "reference/claim-format.md").exists(), "generated pages are never committed to docs/"


def _fields(node: Any, seen: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every property name in the schema, following $ref, oneOf, anyOf and items."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            target: Any = SCHEMA
            for part in ref.split("#/", 1)[1].split("/"):
                target = target[part]
            yield from _fields(target, seen | {ref})
        for name, prop in node.get("properties", {}).items():
            yield name
            yield from _fields(prop, seen)
        for key in ("items", "oneOf", "anyOf", "allOf"):
            value = node.get(key)
            for sub in value if isinstance(value, list) else [value] if value else []:
                yield from _fields(sub, seen)


def test_every_schema_field_is_documented() -> None:
    page = SITE["reference/claim-format.md"]
    fields = set(_fields(SCHEMA))
    assert {"title", "claimed_by", "ref", "role", "fidelity", "section", "paragraph"} <= fields
    missing = sorted(f for f in fields if not re.search(rf"`(?:[\w\[\].]*\.)?{re.escape(f)}`", page))
    assert not missing, f"fields missing from docs/reference/claim-format.md: {missing}"


def _commands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    return [sub for sub, _ in schemadoc.commands(parser)]


def test_cli_page_is_generated_from_the_parser() -> None:
    assert SITE["reference/cli.md"] == schemadoc.render_cli(cli.build_parser())
    assert not (DOCS / "reference/cli.md").exists(), "generated pages are never committed to docs/"


def test_every_command_and_option_is_documented() -> None:
    page = SITE["reference/cli.md"]
    commands = _commands(cli.build_parser())
    assert {"claimkb check", "claimkb new claim", "claimkb new reference"} <= {c.prog for c in commands}
    for command in commands:
        heading = f"\n## `{command.prog}`\n"
        assert heading in page, f"no section for {command.prog} in docs/reference/cli.md"
        section = page.split(heading, 1)[1].split("\n## ", 1)[0]
        for action in command._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            for option in action.option_strings or [schemadoc._metavar(action)]:
                assert f"`{option}" in section, f"{command.prog}: {option} is not documented"


def _sections() -> dict[str, str]:
    text = DIAGNOSTICS.read_text("utf-8")
    parts = re.split(r"^### `([a-z0-9-]+)`\n", text, flags=re.M)
    return {parts[i]: re.split(r"^## ", parts[i + 1], flags=re.M)[0] for i in range(1, len(parts), 2)}


def _examples(section: str) -> tuple[list[re.Match[str]], list[re.Match[str]]]:
    assert "\n**Bad**\n" in section and "\n**Fixed**\n" in section
    bad, fixed = section.split("\n**Bad**\n", 1)[1].split("\n**Fixed**\n", 1)
    return list(FENCE_RE.finditer(bad)), list(FENCE_RE.finditer(fixed))


def test_every_diagnostic_code_has_an_entry_with_a_bad_and_a_fixed_example() -> None:
    sections = _sections()
    assert set(sections) == set(CODES), (
        f"undocumented: {sorted(set(CODES) - set(sections))}; not a code: {sorted(set(sections) - set(CODES))}")
    for code, section in sections.items():
        severity, summary = CODES[code]
        assert section.lstrip().startswith(f"**{severity}** · {summary}"), code
        bad, fixed = _examples(section)
        assert bad and fixed, f"{code}: a bad and a fixed example, each in a code block"


def _files(fences: list[re.Match[str]]) -> dict[str, str]:
    return {m["title"]: m["body"] for m in fences}


@pytest.mark.parametrize("code", sorted(set(CODES) - NOT_AS_TEXT))
def test_diagnostic_examples_do_what_the_page_says(tmp_path: Path, code: str) -> None:
    """The bad example, added to the test knowledge base, is reported with its code; the fixed one is not."""
    bad, fixed = _examples(_sections()[code])
    assert all(m["title"] for m in bad + fixed), f"{code}: every example names its file (title=\"...\")"
    _, out, _ = check_inprocess(make_kb(tmp_path / "bad", _files(bad)))
    found, _ = parse_output(out)
    assert code in {d.code for d in found}, f"{code}: the bad example is not reported; got {[d.code for d in found]}"
    files = _files(fixed)
    _, out, _ = check_inprocess(make_kb(tmp_path / "fixed", files))
    found, _ = parse_output(out)
    wrong = [d for d in found if d.code == code or (d.severity == "error" and d.path in files)]
    assert not wrong, f"{code}: the fixed example still has {[(d.path, d.code, d.message) for d in wrong]}"


def _commands_in(text: str) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_contributing_guides_give_the_same_commands() -> None:
    site = _commands_in((DOCS / "contributing.md").read_text("utf-8"))
    root = _commands_in((REPO / "CONTRIBUTING.md").read_text("utf-8"))
    assert root and set(root) <= set(site), f"CONTRIBUTING.md has commands the site's guide lacks: {set(root) - set(site)}"
    for step in ("git clone", "make serve", ".venv/bin/claimkb new claim", ".venv/bin/claimkb check", "git push"):
        assert any(c.startswith(step) for c in root), step
