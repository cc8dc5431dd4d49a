"""Configuration, not code: mkdocs.yml's extra.claimkb validated by the checker, the plugin's options validated by
MkDocs, and a knowledge base's own kinds with the roles the tool gives them."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ALPHA, GAMMA, check_inprocess, find, make_kb, parse_output
from test_site import fixture_mkdocs_yml, mkdocs_build

from claimkb.core import loader, settings
from claimkb.site import render

KB_YML = "site_name: Example\nextra:\n  claimkb:\n"


def check(tmp_path: Path, files: dict[str, str | None]) -> tuple[list, str]:
    code, out, _ = check_inprocess(make_kb(tmp_path, files))
    found, summary = parse_output(out)
    return found, summary[0]


def test_settings_are_read_with_their_defaults(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"mkdocs.yml": "site_name: Example\nsite_url: https://example.org/x/\n"})
    s = loader.load(root).kb.settings
    assert (s.name, s.editors, s.prefix, s.style, s.license, s.site_url) == (
        "Example", (), "kb", "plain", "", "https://example.org/x/")
    root = make_kb(tmp_path / "b", {"mkdocs.yml": KB_YML + "    name: Named\n    editors: [Ada, Bo]\n    prefix: my-kb\n"
                                                          "    style: alpha\n    license: CC0-1.0\n    version: '2.1'\n"})
    s = loader.load(root).kb.settings
    assert (s.name, s.editors, s.prefix, s.style, s.license, s.version) == (
        "Named", ("Ada", "Bo"), "my-kb", "alpha", "CC0-1.0", "2.1")


def test_a_misspelt_setting_is_reported_where_it_is_written(tmp_path: Path) -> None:
    found, _ = check(tmp_path, {"mkdocs.yml": KB_YML + "    prefix: ok\n    editros: [Ada]\n"})
    d = find(found, "mkdocs.yml:5:5: warning config-unknown-key")
    assert d.message == ("extra.claimkb has no setting 'editros' (did you mean 'editors'?); the settings are: "
                         f"{', '.join(settings.NAMES)}")


@pytest.mark.parametrize(("setting", "message", "field", "default"), [
    ("prefix: Spec Read", "extra.claimkb.prefix is 'Spec Read': use lower-case letters", "prefix", "kb"),
    ("prefix: a:b", "extra.claimkb.prefix is 'a:b'", "prefix", "kb"),
    ("style: harvard", "extra.claimkb.style is 'harvard', not a pybtex style", "style", "plain"),
    ("editors: Ada and Bo", "extra.claimkb.editors must be a list of names, one per item", "editors", ()),
    ("editors: [Ada, 3]", "extra.claimkb.editors must be a list of names", "editors", ()),
    ("name: [a, b]", "extra.claimkb.name must be text", "name", "Example"),
    ("license: |\n      two\n      lines", "extra.claimkb.license must be one line", "license", ""),
])
def test_a_bad_setting_is_an_error_and_falls_back(tmp_path: Path, setting: str, message: str, field: str,
                                                  default: object) -> None:
    root = make_kb(tmp_path, {"mkdocs.yml": KB_YML + f"    {setting}\n"})
    code, out, _ = check_inprocess(root)
    found, _ = parse_output(out)
    d = find(found, "mkdocs.yml:4:5: error config-invalid")
    assert d.message.startswith(message) and code == 1
    assert getattr(loader.load(root).kb.settings, field) == default


def test_extra_claimkb_must_be_a_mapping(tmp_path: Path) -> None:
    found, _ = check(tmp_path, {"mkdocs.yml": "site_name: Example\nextra:\n  claimkb: specread\n"})
    assert find(found, "mkdocs.yml:3:3: error config-invalid").message.startswith("extra.claimkb must be a mapping")


def test_the_settings_table_in_the_docs_lists_every_setting() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs/reference/configuration.md").read_text("utf-8")
    table = page.split("### extra.claimkb", 1)[1].split("###", 1)[0]
    rows = [line.split("|")[1].strip().strip("`") for line in table.splitlines() if line.startswith("| `")]
    assert rows == list(settings.NAMES)
    options = page.split("### The plugin's options", 1)[1].split("##", 1)[0]
    from claimkb.site.mkdocs_plugin import ClaimkbConfig

    documented = [line.split("|")[1].strip().strip("`") for line in options.splitlines() if line.startswith("| `")]
    assert documented == [name for name, _ in ClaimkbConfig._schema]


# --- kinds ------------------------------------------------------------------------------------------------------

KINDS = """\
position:
  title: Positions
  description: What the work argues for.
  role: thesis
finding:
  title: Findings
  role: evidence
reply:
  title: Replies
"""


def own_kinds(text: str) -> dict[str, str | None]:
    return {"claims/_kinds.yaml": KINDS, "claims/alpha-thesis.yaml": ALPHA.replace("kind: thesis", "kind: position"),
            "claims/beta-premise.yaml": None, "claims/sub/delta-objection.yaml": None, "docs/index.md": None,
            "claims/gamma-evidence.yaml": text}


def test_a_knowledge_base_defines_its_kinds(tmp_path: Path) -> None:
    # gamma is a finding (role evidence) with only a context source: the evidence rule follows the role.
    gamma = GAMMA.replace("kind: evidence", "kind: finding").replace("    target: beta-premise", "    target: alpha-thesis")
    gamma = gamma.replace("  - ref: doe2019\n", "  - ref: doe2019\n    role: context\n")
    root = make_kb(tmp_path, own_kinds(gamma))
    code, out, _ = check_inprocess(root)
    found, _ = parse_output(out)
    d = find(found, "claims/gamma-evidence.yaml:1:1: warning uncited-evidence")
    assert d.message.startswith("this finding claim (a kind with the role evidence) has no source")
    kb = loader.load(root).kb
    assert list(kb.kinds) == ["position", "finding", "reply"]
    site = render.render(kb)
    assert "## Specialization wins" in site.pages["map.md"]  # the position heads the map
    assert "No source cited" in site.pages["claims/gamma-evidence.md"]
    assert set(p for p in site.pages if p.startswith("kinds/")) == {
        "kinds/index.md", "kinds/position.md", "kinds/finding.md", "kinds/reply.md"}


def test_a_kind_not_in_the_vocabulary_is_unknown(tmp_path: Path) -> None:
    found, _ = check(tmp_path, own_kinds(GAMMA.replace("kind: evidence", "kind: findng")))
    d = find(found, "claims/gamma-evidence.yaml:3:7: error unknown-kind")
    assert d.message == "kind is 'findng' (did you mean 'finding'?); allowed: position, finding, reply"


def test_a_role_is_one_the_tool_knows(tmp_path: Path) -> None:
    found, _ = check(tmp_path, {"claims/_kinds.yaml": "thesis:\n  title: Theses\n  role: thesys\n"
                                                      "premise:\n  title: P\nevidence:\n  title: E\n"
                                                      "objection:\n  title: O\n"})
    d = find(found, "claims/_kinds.yaml:3:9: error vocabulary-invalid")
    assert d.message == "'thesis': role is 'thesys' (did you mean 'thesis'?); a role is one of thesis, evidence (or leave it out)"


def test_without_a_kinds_file_the_tool_kinds_apply(tmp_path: Path) -> None:
    kb = loader.load(make_kb(tmp_path)).kb
    assert list(kb.kinds) == ["thesis", "premise", "evidence", "definition", "objection", "rebuttal", "implication"]
    assert {k: t.role for k, t in kb.kinds.items() if t.role} == {"thesis": "thesis", "evidence": "evidence"}


# --- the MkDocs plugin's options --------------------------------------------------------------------------------

def with_plugin(options: str) -> str:
    return fixture_mkdocs_yml().replace("  - claimkb\n", f"  - claimkb:\n{options}")


@pytest.mark.slow
def test_root_may_name_a_subfolder(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "outer")  # tmp/outer/kb: claims/, references/, docs/
    (kb.parent / "mkdocs.yml").write_text(with_plugin("      root: kb\n") + "docs_dir: kb/docs\n", "utf-8")
    done = mkdocs_build(kb.parent, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site/claims/alpha-thesis/index.html").is_file()


@pytest.mark.slow
@pytest.mark.parametrize(("options", "message"), [
    ("      root: nowhere\n", "Plugin 'claimkb' option 'root': The path '{root}/nowhere' isn't an existing directory."),
    ("      root: docs\n", "Plugin 'claimkb' option 'root': '{root}/docs' has neither claims/ nor references/"),
    ("      rot: .\n", "Plugin 'claimkb' option 'rot': Unrecognised configuration name: rot"),
])
def test_the_plugin_options_are_validated_by_mkdocs(tmp_path: Path, options: str, message: str) -> None:
    root = make_kb(tmp_path, {"mkdocs.yml": with_plugin(options)})
    done = mkdocs_build(root, tmp_path / "site")
    assert done.returncode == 1
    assert message.format(root=root) in done.stderr, done.stderr


@pytest.mark.slow
def test_a_setting_problem_fails_a_strict_build(tmp_path: Path) -> None:
    config = fixture_mkdocs_yml().replace("    prefix: fx\n", "    prefix: fx\n    editros: [Ada]\n")
    root = make_kb(tmp_path, {"mkdocs.yml": config})
    done = mkdocs_build(root, tmp_path / "site")
    assert done.returncode == 1
    assert "mkdocs.yml" in done.stderr and "config-unknown-key" in done.stderr
