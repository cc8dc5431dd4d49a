"""claimkb.export and `claimkb export`, checked by real clients: bibtex, pandoc's citeproc, citeproc-py, the official schemas."""
from __future__ import annotations

import codecs
import json
import os
import re
import subprocess
from pathlib import Path

import citeproc
import jsonschema
import latexcodec  # noqa: F401 - registers the "ulatex" codec used to read bibtex's special characters
import pytest
import yaml
from citeproc import Citation as CSLCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from pybtex.database import Person, parse_string

from claimkb.cite import export
from claimkb.cite import formatting as cite
from claimkb.core import loader
from claimkb.core.model import FIDELITIES, LOCATOR_LABELS, RELATION_TYPES, KnowledgeBase
from conftest import REPO, make_kb, run_claimkb
from test_cite import CITE_FILES, csl_validator, main

SCHEMAS = Path(__file__).parent / "schemas"
BIBTEX = "/usr/bin/bibtex"
PANDOC = "/usr/bin/pandoc"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_kb(tmp_path, CITE_FILES)


@pytest.fixture
def kb(root: Path) -> KnowledgeBase:
    return loader.load(root).kb


@pytest.fixture(scope="module")
def repo_kb() -> KnowledgeBase:
    return loader.load(REPO).kb


# Determinism

def test_exports_are_deterministic_and_end_with_a_newline(kb: KnowledgeBase, root: Path) -> None:
    again = loader.load(root).kb
    for make in (export.export_references_bib, export.export_claims_bib, export.export_dataset,
                 lambda k: export.export_csl(k, "references"), lambda k: export.export_csl(k, "claims")):
        text = make(kb)
        assert text.endswith("\n") and not text.endswith("\n\n")
        assert make(again) == text


def test_exports_are_sorted(kb: KnowledgeBase) -> None:
    keys = re.findall(r"^@\w+\{([^,]+),$", export.export_references_bib(kb), re.M)
    assert keys == sorted(kb.references, key=str.lower)
    ids = [i["id"] for i in json.loads(export.export_csl(kb, "claims"))]
    assert ids == [f"fx:{c}" for c in sorted(kb.claims)]


# references.bib round-trips through pybtex

_SPECIAL = re.compile(r"\{\\relax (.)\}|\{(\\[^{}]*(?:\{[^{}]*\})?)\}")


def _unencode(value: str) -> str:
    """Undo bibtex_encode: {\\"u} -> ü, {\\relax 漢} -> 漢; every other brace group stays as written."""
    def one(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1)
        decoded = codecs.decode(m.group(2), "ulatex").strip()
        return decoded if len(decoded) == 1 and not decoded.isascii() else m.group(0)
    return _SPECIAL.sub(one, value)


def _meaning(value: str) -> str:
    """A field value as LaTeX means it: --- and an em dash are the same text."""
    return codecs.decode(_unencode(value), "ulatex")


def _names(names: list[str]) -> list[str]:
    return [str(Person(_unencode(n))) for n in names]


def assert_round_trip(kb: KnowledgeBase, text: str) -> None:
    parsed = parse_string(text, "bibtex")
    assert list(parsed.entries) == sorted(kb.references, key=str.lower)
    for key, ref in kb.references.items():
        entry = parsed.entries[key]
        assert entry.type == ref.type
        persons = dict(ref.persons)
        fields = {name: value for name, value in ref.fields if name not in persons}
        assert {name.lower(): _meaning(value) for name, value in entry.fields.items()} == \
            {name: _meaning(value) for name, value in fields.items()}, key
        for role, names in persons.items():
            assert _names([str(p) for p in entry.persons[role]]) == _names(list(names)), (key, role)


def test_references_bib_round_trips_through_pybtex(kb: KnowledgeBase) -> None:
    text = export.export_references_bib(kb)
    assert re.sub(r"\{\\relax .\}", "", text).isascii()  # only characters LaTeX has no macro for stay Unicode
    assert_round_trip(kb, text)


def test_repository_references_bib_round_trips_through_pybtex(repo_kb: KnowledgeBase) -> None:
    assert len(repo_kb.references) > 0
    assert_round_trip(repo_kb, export.export_references_bib(repo_kb))


def test_claims_bib_round_trips_through_pybtex(kb: KnowledgeBase) -> None:
    parsed = parse_string(export.export_claims_bib(kb), "bibtex")
    assert list(parsed.entries) == [f"fx:{c}" for c in sorted(kb.claims)]
    for claim_id, claim in kb.claims.items():
        entry = parsed.entries[f"fx:{claim_id}"]
        assert cite.to_unicode(entry.fields["title"]) == claim.title
        assert entry.fields["url"] == f"https://example.org/fixture/claims/{claim_id}/"
        assert [str(p) for p in entry.persons["author"]] == ["{Fixture Reader editors}"]


# The real bibtex program

def run_bibtex(folder: Path, bib: str, style: str = "plain") -> tuple[str, str]:
    """bibtex on folder/<bib>.bib with \\citation{*}: (its console output, the .bbl)."""
    if not Path(BIBTEX).exists():
        pytest.skip(f"SKIPPED: bibtex not installed at {BIBTEX} (apt-get install texlive-binaries texlive-base)")
    (folder / "test.aux").write_text(f"\\citation{{*}}\n\\bibstyle{{{style}}}\n\\bibdata{{{bib}}}\n", "ascii")
    env = {**os.environ, "openout_any": "p"}
    done = subprocess.run([BIBTEX, "test"], cwd=folder, capture_output=True, env=env, timeout=60, check=False)
    output = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
    assert done.returncode in (0, 1), output  # 2 and 3 mean error messages or a fatal error
    return output, (folder / "test.bbl").read_bytes().decode("utf-8")  # strict: bibtex must not split a character


def bibitems(bbl: str) -> list[str]:
    return re.findall(r"^\\bibitem(?:\[.*?\])?\{([^}]*)\}", bbl, re.M)


@pytest.mark.parametrize("style", ["plain", "alpha"])
def test_bibtex_reads_references_bib(kb: KnowledgeBase, tmp_path: Path, style: str) -> None:
    (tmp_path / "references.bib").write_text(export.export_references_bib(kb), "utf-8")
    output, bbl = run_bibtex(tmp_path, "references", style)
    assert "error message" not in output, output
    assert sorted(bibitems(bbl)) == sorted(kb.references)
    # Unicode went through as LaTeX: bibtex built labels and sort keys from whole characters.
    assert '{Ag{\\"u}era y Arcas}' in bbl and "{\\v Z}{\\'\\i}dek" in bbl and "{\\relax 漢}" in bbl


def test_bibtex_reads_claims_bib_without_warnings(kb: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "claims.bib").write_text(export.export_claims_bib(kb), "utf-8")
    output, bbl = run_bibtex(tmp_path, "claims")
    assert "error message" not in output and "Warning" not in output, output
    assert sorted(bibitems(bbl)) == sorted(f"fx:{c}" for c in kb.claims)
    assert "\\url{https://example.org/fixture/claims/special-title/}" in bbl


def test_bibtex_reads_the_repository_exports(repo_kb: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "references.bib").write_text(export.export_references_bib(repo_kb), "utf-8")
    (tmp_path / "claims.bib").write_text(export.export_claims_bib(repo_kb), "utf-8")
    output, bbl = run_bibtex(tmp_path, "references,claims")
    assert "error message" not in output, output
    expected = [*repo_kb.references, *(cite.claim_key(repo_kb, c) for c in repo_kb.claims.values())]
    assert sorted(bibitems(bbl)) == sorted(expected)


# CSL-JSON: the official schema and real CSL processors

def test_csl_exports_validate_against_the_csl_schema(kb: KnowledgeBase, repo_kb: KnowledgeBase) -> None:
    validator = csl_validator()
    for base in (kb, repo_kb):
        for what in ("references", "claims"):
            items = json.loads(export.export_csl(base, what))
            assert len(items) == len(base.references if what == "references" else base.claims)
            validator.validate(items)


def _squash(text: str) -> str:
    """For comparing a title with a processor's output: case, quotes and spacing vary with the style."""
    return " ".join(text.replace("“", "").replace("”", "").replace("\u00a0", " ").casefold().split())


def titles(items: list[dict]) -> list[str]:
    return [item["title"] for item in items]


def test_pandoc_citeproc_renders_every_title(kb: KnowledgeBase, tmp_path: Path) -> None:
    if not Path(PANDOC).exists():
        pytest.skip(f"SKIPPED: pandoc not installed at {PANDOC} (apt-get install pandoc)")
    (tmp_path / "references.json").write_text(export.export_csl(kb, "references"), "utf-8")
    (tmp_path / "claims.json").write_text(export.export_csl(kb, "claims"), "utf-8")
    (tmp_path / "doc.md").write_text("---\nnocite: '@*'\n---\n", "utf-8")
    done = subprocess.run([PANDOC, "doc.md", "--citeproc", "--bibliography", "references.json",
                           "--bibliography", "claims.json", "--to", "plain", "--wrap", "none"],
                          cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
    assert done.returncode == 0 and not done.stderr, done.stderr
    rendered = _squash(done.stdout)
    items = json.loads(export.export_csl(kb, "references")) + json.loads(export.export_csl(kb, "claims"))
    for title in titles(items):
        assert _squash(title) in rendered, title
    assert "agüera y arcas" in rendered and "žídek" in rendered


def test_citeproc_py_renders_every_title(kb: KnowledgeBase) -> None:
    style_file = Path(citeproc.__file__).parent / "data" / "styles" / "harvard-cite-them-right.csl"
    items = json.loads(export.export_csl(kb, "references")) + json.loads(export.export_csl(kb, "claims"))
    source = CiteProcJSON(items)
    bibliography = CitationStylesBibliography(CitationStylesStyle(str(style_file), validate=False), source, formatter.plain)
    bibliography.register(CSLCitation([CitationItem(item["id"]) for item in items]))
    rendered = _squash("\n".join(str(entry) for entry in bibliography.bibliography()))
    for title in titles(items):
        assert _squash(title) in rendered, title


# claims.json

def dataset_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO / "scripts/claimkb/schema/dataset.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_dataset_validates_against_its_schema(kb: KnowledgeBase) -> None:
    data = json.loads(export.export_dataset(kb))
    dataset_validator().validate(data)
    assert data["schema"] == export.dataset_schema()
    assert (data["name"], data["version"], data["date"], data["license"]) == ("Fixture Reader", "v1.2.0", "2026-03-01",
                                                                              "CC-BY-4.0")
    assert [c["id"] for c in data["claims"]] == sorted(kb.claims)
    assert [r["key"] for r in data["references"]] == sorted(kb.references, key=str.lower)


def test_repository_dataset_validates_against_its_schema(repo_kb: KnowledgeBase) -> None:
    dataset_validator().validate(json.loads(export.export_dataset(repo_kb)))


def test_dataset_resolves_sources_and_relations(kb: KnowledgeBase) -> None:
    claims = {c["id"]: c for c in json.loads(export.export_dataset(kb))["claims"]}
    beta = claims["beta-premise"]
    assert beta["url"] == "https://example.org/fixture/claims/beta-premise/"
    assert beta["claimed_by"] == {
        "ref": "smith2020", "locator": {"label": "section", "value": "2", "text": "§2"},
        "citation": "Smith and Lee 2020, §2", "formatted": cite.format_reference(kb, "smith2020")}
    assert beta["sources"] == [{
        "ref": "jones2021", "locator": {"label": None, "value": "p. 4", "text": "p. 4"}, "citation": "Jones 2021, p. 4",
        "formatted": cite.format_reference(kb, "jones2021"), "role": "cited", "note": "The budget argument."}]
    assert beta["relations"] == [{"type": "supports", "target": "alpha-thesis", "target_title": "Specialization wins",
                                  "note": "A finite budget forces trade-offs.", "fidelity": None},
                                 {"type": "depends-on", "target": "gamma-evidence", "target_title": "Species specialize",
                                  "note": None, "fidelity": None}]
    assert [(r["type"], r["source"]) for r in claims["alpha-thesis"]["inverse_relations"]] == [
        ("supported_by", "beta-premise"), ("rebutted_by", "delta-objection")]
    assert claims["gamma-evidence"]["inverse_relations"] == [
        {"type": "depended_on_by", "source": "beta-premise", "source_title": "Resources are finite", "note": None,
         "fidelity": None}]
    assert claims["beta-premise"]["inverse_relations"] == [
        {"type": "interpreted_by", "source": "delta-objection", "source_title": "Generality is the goal", "note": None,
         "fidelity": "reframing"},
        {"type": "supported_by", "source": "gamma-evidence", "source_title": "Species specialize", "note": None,
         "fidelity": None}]


def test_dataset_schema_enums_follow_the_model() -> None:
    defs = export.dataset_schema()["$defs"]
    assert defs["claim"]["properties"]["kind"]["$ref"] == "#/$defs/id"  # a key of the dataset's own kinds
    assert defs["relation"]["properties"]["type"]["enum"] == list(RELATION_TYPES)
    assert defs["relation"]["properties"]["fidelity"]["enum"] == [*FIDELITIES, None]
    assert defs["inverseRelation"]["properties"]["type"]["enum"] == [export.INVERSE[t] for t in RELATION_TYPES]
    assert defs["locator"]["oneOf"][1]["properties"]["label"]["enum"] == [*LOCATOR_LABELS, None]


# The command

def test_cli_export_writes_each_format(root: Path, kb: KnowledgeBase, tmp_path: Path) -> None:
    cases = {
        ("bibtex", "references"): export.export_references_bib(kb),
        ("bibtex", "claims"): export.export_claims_bib(kb),
        ("csl-json", "references"): export.export_csl(kb, "references"),
        ("csl-json", "claims"): export.export_csl(kb, "claims"),
    }
    for (fmt, what), expected in cases.items():
        out = tmp_path / f"{what}.{fmt}"
        assert main("export", "--root", root, "--format", fmt, "--what", what, "-o", out) == (0, "", "")
        assert out.read_text("utf-8") == expected
    assert main("export", "--root", root, "--format", "json") == (0, export.export_dataset(kb), "")
    assert main("export", "--root", root, "--format", "bibtex")[1] == cases[("bibtex", "references")]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_cli_two_exports_are_byte_identical(root: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert run_claimkb("export", "--root", root, "--format", "json", "-o", first)[0] == 0
    assert run_claimkb("export", "--root", root, "--format", "json", "-o", second)[0] == 0
    assert first.read_bytes() == second.read_bytes()
    dataset_validator().validate(json.loads(first.read_bytes()))
    assert first.stat().st_mode & 0o044 == 0o044  # readable by others, like any download


def test_cli_export_overwrites_atomically(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "references.bib"
    out.write_text("old", "utf-8")
    assert main("export", "--root", root, "--format", "bibtex", "-o", out)[0] == 0
    assert out.read_text("utf-8").startswith("% Fixture Reader: every reference")


@pytest.mark.parametrize("target", ["claims/out.bib", "references/out.bib", "claims/sub/out.json"])
def test_cli_export_refuses_to_write_into_the_sources(root: Path, target: str) -> None:
    code, out, err = main("export", "--root", root, "--format", "bibtex", "-o", root / target)
    assert (code, out) == (2, "")
    assert "refusing to write" in err and not (root / target).exists()


def test_cli_export_usage_errors(root: Path, tmp_path: Path) -> None:
    code, _, err = main("export", "--root", root, "--format", "json", "--what", "claims")
    assert code == 2 and "--what does not apply" in err
    code, _, err = main("export", "--root", root, "--format", "bibtex", "-o", tmp_path / "missing" / "x.bib")
    assert code == 2 and "does not exist" in err
    code, _, err = main("export", "--root", root, "--format", "bibtex", "-o", tmp_path)
    assert code == 2 and "is a folder" in err
    assert main("export", "--root", root)[0] == 2  # --format is required


# CITATION.cff

def test_citation_cff_is_valid_cff_1_2_0() -> None:
    schema = json.loads((SCHEMAS / "citation-file-format-1.2.0.schema.json").read_text("utf-8"))
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text("utf-8"))
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(cff)
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "dataset"
    paper = cff["references"][0]
    assert [a["family-names"] for a in paper["authors"]] == ["Goldfeder", "Wyder", "LeCun", "Shwartz-Ziv"]
    assert {"type": "doi", "value": "10.48550/arXiv.2602.23643"}.items() <= paper["identifiers"][0].items()


def test_citation_cff_agrees_with_the_site_settings(repo_kb: KnowledgeBase) -> None:
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text("utf-8"))
    settings = repo_kb.settings
    assert cff["title"] == cff["preferred-citation"]["title"] == settings.name
    assert cff["url"] == cff["preferred-citation"]["url"] == settings.site_url
    assert cff["license"] == settings.license
    assert cff["repository-code"] == settings.repo_url
    assert [a["name"] for a in cff["authors"]] == list(settings.editors)
    paper = repo_kb.references["goldfeder2026sai"]
    assert cff["references"][0]["title"] == cite.to_unicode(paper.field("title"))
    assert cff["references"][0]["doi"] == paper.field("doi")

