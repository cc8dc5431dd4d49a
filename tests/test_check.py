"""`claimkb check` on real bad files: each check's exact code, severity, line and column, and the command's contract.

Most tests run the command in this process (claimkb.cli.main) for speed; the exit-code and output-format tests run
the real `python -m claimkb` in a subprocess. Every test starts from the clean base of conftest.BASE_FILES, so the
diagnostics a test expects are the only ones it may get.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

import pytest

from claimkb.core import loader
from conftest import (ALPHA, BETA, BIB, DELTA, EXTRA, GAMMA, Line, check_inprocess, find, make_kb, parse_output,
                      run_check)

KB = Callable[..., Path]


# A fourth reference, appended to the base .bib (it starts at line 25) and cited by the claim below.
EXTRA_BIB = """
@misc{extra2022,
  author = {Xu, Yan},
  title = {Extra},
  year = {2022},
}
"""
CITE_EXTRA = {"claims/cites-extra.yaml": EXTRA.replace("ref: doe2019", "ref: extra2022")}


def diagnose(kb: KB, files: dict[str, str | bytes | None], *args: str) -> tuple[int, list[Line], dict[str, int]]:
    """Build the base plus files, run check in process: (exit code, diagnostics, summary counts)."""
    code, out, _ = check_inprocess(kb(files), *args)
    found, summary = parse_output(out)
    return code, found, {k: int(v) for k, v in summary.groupdict().items()}


def prefixes(found: list[Line]) -> list[str]:
    return [d.prefix for d in found]


def only(found: list[Line], *expected: str) -> None:
    """found is exactly these `path:line:col: severity code` prefixes (in output order), nothing else."""
    assert prefixes(found) == list(expected), "\n".join(f"{d.prefix}: {d.message}" for d in found)


# --- the base itself ------------------------------------------------------------------------------------------


def test_base_is_clean(kb: KB) -> None:
    code, found, summary = diagnose(kb, {})
    assert (code, found) == (0, [])
    assert summary == {"claims": 4, "references": 3, "errors": 0, "warnings": 0}


# --- YAML ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "line", "col", "message"), [
    ("title: x\n  statement: y\n", 2, 12, "mapping values are not allowed"),
    ("title: x\n\tstatement: y\n", 2, 1, "tab character"),
    ('title: "unclosed\nstatement: y\n', 3, 1, "end of stream"),
], ids=["indentation", "tab", "unclosed-quote"])
def test_yaml_syntax(kb: KB, text: str, line: int, col: int, message: str) -> None:
    code, found, summary = diagnose(kb, {"claims/broken.yaml": text})
    only(found, f"claims/broken.yaml:{line}:{col}: error yaml-syntax")
    assert message in found[0].message
    assert code == 1 and summary["claims"] == 4  # the broken file is skipped, the rest still loads


def test_yaml_duplicate_key_top_level(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": ALPHA + "title: Again\n"})
    only(found, "claims/alpha-thesis.yaml:9:1: error yaml-duplicate-key")
    assert "duplicate key 'title' (first at line 1)" in found[0].message


def test_yaml_duplicate_key_nested_in_source(kb: KB) -> None:
    beta = BETA.replace("    note: The budget argument.\n", "    note: The budget argument.\n    locator: p. 5\n")
    _, found, _ = diagnose(kb, {"claims/beta-premise.yaml": beta})
    only(found, "claims/beta-premise.yaml:13:5: error yaml-duplicate-key")
    assert "duplicate key 'locator' (first at line 11)" in found[0].message


@pytest.mark.parametrize(("old", "new", "line", "col", "where"), [
    ("tags: [specialization]", "tags: &t [specialization]\nannotations: *t", 8, 7, "annotations"),
    ("title: Specialization wins", "title: &t Specialization wins\nannotations: *t", 1, 8, "annotations"),
], ids=["sequence", "scalar"])
def test_yaml_alias(kb: KB, old: str, new: str, line: int, col: int, where: str) -> None:
    # Reported at the anchor (the node the alias shares), naming the field that holds the alias; the value refused
    # is not reported a second time as "annotations must be a string".
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": ALPHA.replace(old, new)})
    only(found, f"claims/alpha-thesis.yaml:{line}:{col}: error yaml-alias")
    assert f"{where} is an alias" in found[0].message


@pytest.mark.parametrize("tagged", ["!!python/object:os.system {}", "!!python/name:os.system", "!custom text",
                                    "!!set {a, b}"])
def test_yaml_explicit_tag(kb: KB, tagged: str) -> None:
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": ALPHA + f"annotations: {tagged}\n"})
    only(found, "claims/alpha-thesis.yaml:9:14: error yaml-tag")
    assert "is not allowed" in found[0].message


# --- schema: types, fields, ids -------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "line", "col", "source", "read_as"), [
    ("title: Specialization wins", "title: no", 1, 8, "no", "a boolean"),
    ('locator: "§1"', "locator: 1.10", 7, 12, "1.10", "a number"),
    ("statement: Systems that specialize outperform generalists under fixed resources.",
     "statement: 2026-01-01", 2, 12, "2026-01-01", "a date"),
    ("ref: smith2020", "ref: 2020", 6, 8, "2020", "an integer"),
    ("tags: [specialization]", "tags: [specialization, on]", 8, 24, "on", "a boolean"),
], ids=["title-no", "locator-1.10", "date-in-statement", "integer-key", "tag-on"])
def test_wrong_type_from_yaml_1_1(kb: KB, old: str, new: str, line: int, col: int, source: str, read_as: str) -> None:
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": ALPHA.replace(old, new)})
    code_line = find(found, f"claims/alpha-thesis.yaml:{line}:{col}: error wrong-type")
    assert f"YAML reads {source} as {read_as}, not text; quote it: \"{source}\"" in code_line.message
    if read_as != "an integer":  # an integer key is also unknown-reference: the wrong-type is the one to read first
        assert len(found) == 1


def test_wrong_type_in_a_locator_mapping(kb: KB) -> None:
    beta = BETA.replace("    section: 2\n", "    page: 4.2\n")
    _, found, _ = diagnose(kb, {"claims/beta-premise.yaml": beta})
    only(found, "claims/beta-premise.yaml:8:11: error wrong-type")
    assert 'quote it: "4.2"' in found[0].message


def test_empty_value_is_wrong_type_without_a_garbled_quote_hint(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": ALPHA.replace("title: Specialization wins", "title:")})
    only(found, "claims/alpha-thesis.yaml:1:7: error wrong-type")
    assert "title is empty" in found[0].message


def test_wrong_type_plain(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": ALPHA.replace("tags: [specialization]", "tags: specialization")})
    only(found, "claims/alpha-thesis.yaml:8:7: error wrong-type")
    assert "tags must be an array, not text" in found[0].message


def test_unknown_field_with_did_you_mean(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": ALPHA + "soruces:\n  - ref: doe2019\n"})
    only(found, "claims/alpha-thesis.yaml:9:1: error unknown-field")
    assert "unknown field 'soruces'" in found[0].message and "did you mean 'sources'?" in found[0].message


def test_unknown_field_nested(kb: KB) -> None:
    beta = BETA.replace("    note: The budget argument.\n", "    note: The budget argument.\n    nots: typo\n")
    _, found, _ = diagnose(kb, {"claims/beta-premise.yaml": beta})
    only(found, "claims/beta-premise.yaml:13:5: error unknown-field")
    assert "did you mean 'note'?" in found[0].message


@pytest.mark.parametrize(("field", "line_text"), [
    ("kind", "kind: thesis\n"), ("title", "title: Specialization wins\n"), ("domain", "domain: machine-learning\n"),
])
def test_missing_field(kb: KB, field: str, line_text: str) -> None:
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": ALPHA.replace(line_text, "")})
    only(found, "claims/alpha-thesis.yaml:1:1: error missing-field")
    assert f"lacks the required field '{field}'" in found[0].message


def test_missing_nested_field_points_at_its_mapping(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": ALPHA.replace('  locator: "§1"\n', "")})
    only(found, "claims/alpha-thesis.yaml:6:3: error missing-field")
    assert "claimed_by lacks the required field 'locator'" in found[0].message


def test_invalid_id(kb: KB) -> None:
    code, found, summary = diagnose(kb, {"claims/Bad_Id.yaml": EXTRA})
    only(found, "claims/Bad_Id.yaml:1:1: error invalid-id")
    assert "'Bad_Id' is not a valid claim id" in found[0].message and "'bad-id'" in found[0].message
    assert code == 1 and summary["claims"] == 4


def test_duplicate_id_across_subfolders(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/more/delta-objection.yaml": DELTA})
    only(found, "claims/sub/delta-objection.yaml:1:1: error duplicate-id")
    assert "already used by claims/more/delta-objection.yaml" in found[0].message


# --- vocabularies and enums -----------------------------------------------------------------------------------


def test_unknown_kind(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": ALPHA.replace("kind: thesis", "kind: thesys")})
    only(found, "claims/alpha-thesis.yaml:3:7: error unknown-kind")
    assert "did you mean 'thesis'?" in found[0].message


def test_unknown_domain(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": ALPHA.replace("domain: machine-learning", "domain: biolgy")})
    only(found, "claims/alpha-thesis.yaml:4:9: error unknown-domain")
    assert "did you mean 'biology'?" in found[0].message and "biology, machine-learning" in found[0].message


def test_unknown_relation_type(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/beta-premise.yaml": BETA.replace("type: supports", "type: suports")})
    only(found, "claims/beta-premise.yaml:14:11: error unknown-relation-type")
    assert "did you mean 'supports'?" in found[0].message


def test_unknown_fidelity(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/sub/delta-objection.yaml": DELTA.replace("fidelity: reframing", "fidelity: faithfull")})
    only(found, "claims/sub/delta-objection.yaml:13:15: error unknown-fidelity")
    assert "did you mean 'faithful'?" in found[0].message


def test_fidelity_on_a_relation_that_does_not_interpret(kb: KB) -> None:
    delta = DELTA.replace("    target: alpha-thesis\n", "    target: alpha-thesis\n    fidelity: faithful\n")
    _, found, _ = diagnose(kb, {"claims/sub/delta-objection.yaml": delta})
    only(found, "claims/sub/delta-objection.yaml:11:15: error fidelity-without-interprets")


# --- relations ------------------------------------------------------------------------------------------------


def test_relation_to_a_missing_claim(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/beta-premise.yaml": BETA.replace("target: alpha-thesis", "target: alpha-thesys")})
    only(found, "claims/beta-premise.yaml:15:13: error unknown-target")
    assert "'alpha-thesys' is not a claim (did you mean 'alpha-thesis'?)" in found[0].message


def test_relation_to_itself(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/beta-premise.yaml": BETA.replace("target: alpha-thesis", "target: beta-premise")})
    only(found, "claims/beta-premise.yaml:15:13: error self-relation")


def test_duplicated_relation(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/beta-premise.yaml": BETA + "  - type: supports\n    target: alpha-thesis\n"})
    only(found, "claims/beta-premise.yaml:20:13: error duplicate-relation")
    assert "'supports alpha-thesis' is listed twice" in found[0].message


def _cycle_claim(target: str, relation: str) -> str:
    return EXTRA + f"relations:\n  - type: rebuts\n    target: alpha-thesis\n  - type: {relation}\n    target: {target}\n"


@pytest.mark.parametrize("relation", ["supports", "depends-on"])
def test_relation_cycle(kb: KB, relation: str) -> None:
    files = {"claims/cyc-a.yaml": _cycle_claim("cyc-b", relation),
             "claims/cyc-b.yaml": _cycle_claim("cyc-c", relation),
             "claims/cyc-c.yaml": _cycle_claim("cyc-a", relation)}
    code, found, _ = diagnose(kb, files)
    # One diagnostic per cycle, on the relation that closes it (line 12 is the second relation's target). The
    # search starts at cyc-a and follows "rests on" edges (x -> y: x supports y, or y depends-on x): with supports
    # that is a -> b -> c, closed by "cyc-c supports cyc-a"; with depends-on the edges run the other way,
    # a -> c -> b, closed by "cyc-a depends-on cyc-b", which cyc-a holds.
    if relation == "supports":
        only(found, "claims/cyc-c.yaml:12:13: error relation-cycle")
        assert "the argument rests on itself: cyc-a -> cyc-b -> cyc-c -> cyc-a (" in found[0].message
    else:
        only(found, "claims/cyc-a.yaml:12:13: error relation-cycle")
        assert "the argument rests on itself: cyc-a -> cyc-c -> cyc-b -> cyc-a (" in found[0].message
    assert found[0].message.endswith("(a -> b: a supports b, or b depends-on a); "
                                     "remove or reverse one of these relations")
    assert code == 1


def test_cycle_through_both_acyclic_relation_types(kb: KB) -> None:
    # The base has gamma supports beta, beta supports alpha and beta depends-on gamma: all say the argument rests
    # on gamma. "gamma depends-on alpha" makes gamma rest on alpha in turn: a circle of both relation types.
    gamma = GAMMA + "  - type: depends-on\n    target: alpha-thesis\n"
    _, found, _ = diagnose(kb, {"claims/gamma-evidence.yaml": gamma})
    assert {d.code for d in found} == {"relation-cycle"}
    assert "alpha-thesis -> gamma-evidence -> beta-premise -> alpha-thesis" in "\n".join(d.message for d in found)
    assert all(d.path == "claims/gamma-evidence.yaml" or d.path == "claims/beta-premise.yaml" for d in found)


def test_depends_on_in_the_direction_of_support_is_no_cycle(kb: KB) -> None:
    # "beta depends-on gamma" and "gamma supports beta" say the same thing: no circle.
    code, found, _ = diagnose(kb, {})
    assert (code, found) == (0, [])


def test_other_relation_types_may_form_cycles(kb: KB) -> None:
    # rebuts and interprets already point back at alpha-thesis and beta-premise: a rebuttal chain is not circular reasoning.
    alpha = ALPHA + "relations:\n  - type: rebuts\n    target: delta-objection\n"
    code, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": alpha})
    assert (code, found) == (0, [])


# --- references from claims -----------------------------------------------------------------------------------


def test_unknown_reference_in_claimed_by(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": ALPHA.replace("ref: smith2020", "ref: smith2002")})
    only(found, "claims/alpha-thesis.yaml:6:8: error unknown-reference")
    assert "claimed_by.ref 'smith2002' is not in references/ (did you mean 'smith2020'?)" in found[0].message


def test_unknown_reference_in_sources(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/beta-premise.yaml": BETA.replace("ref: jones2021", "ref: jones2012")})
    only(found, "claims/beta-premise.yaml:10:10: error unknown-reference")
    assert "sources[0].ref 'jones2012' is not in references/ (did you mean 'jones2021'?)" in found[0].message


# --- BibTeX ---------------------------------------------------------------------------------------------------


def test_bibtex_syntax_error_at_the_problem(kb: KB) -> None:
    # '@misc jones2021,' lacks its brace: the error is on that line, and the entries after it still load.
    code, found, summary = diagnose(kb, {"references/main.bib": BIB.replace("@misc{jones2021,", "@misc jones2021,")})
    find(found, "references/main.bib:9:7: error bibtex-syntax", "'(' or '{' expected")
    assert summary["references"] == 2 and code == 1
    assert {d.code for d in found} == {"bibtex-syntax", "unknown-reference"}  # only jones2021 is lost


def test_bibtex_missing_comma_names_the_entry(kb: KB) -> None:
    bib = BIB.replace("journal = {Journal of Examples},", "journal = {Journal of Examples}")
    _, found, summary = diagnose(kb, {"references/main.bib": bib})
    # The parser notices at the next field (line 5); the message names the entry where the comma is missing.
    find(found, "references/main.bib:5:3: error bibtex-syntax", "in the entry that starts at line 1")
    assert summary["references"] == 3


def test_bibtex_unclosed_brace_at_end_of_file_names_the_entry(kb: KB) -> None:
    bib = BIB + EXTRA_BIB.replace("title = {Extra},", "title = {Extra,")
    _, found, summary = diagnose(kb, {"references/main.bib": bib, **CITE_EXTRA})
    find(found, "references/main.bib:30:1: error bibtex-syntax", "premature end of file (in the entry that starts at line 25")
    assert summary["references"] == 4


def test_bibtex_duplicate_key_within_a_file(kb: KB) -> None:
    bib = BIB + EXTRA_BIB.replace("extra2022", "doe2019")
    _, found, summary = diagnose(kb, {"references/main.bib": bib})
    only(found, "references/main.bib:25:1: error bibtex-duplicate-key")
    assert "key 'doe2019' is already defined at references/main.bib:18" in found[0].message
    assert summary["references"] == 3


def test_bibtex_duplicate_key_across_files_ignores_case(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"references/more.bib": EXTRA_BIB.replace("extra2022", "Smith2020").lstrip()})
    only(found, "references/more.bib:1:1: error bibtex-duplicate-key")
    assert "already defined at references/main.bib:1" in found[0].message


def test_duplicate_doi_under_two_keys(kb: KB) -> None:
    more = EXTRA_BIB.lstrip().replace("  year = {2022},\n", "  year = {2022},\n  doi = {10.1234/JEX.2020.1},\n")
    _, found, _ = diagnose(kb, {"references/more.bib": more, **CITE_EXTRA})
    only(found, "references/more.bib:1:1: error duplicate-doi")
    assert "also the DOI of 'smith2020' (references/main.bib:1)" in found[0].message


def test_duplicate_arxiv_id_under_two_keys(kb: KB) -> None:
    more = EXTRA_BIB.lstrip().replace("  year = {2022},\n",
                                      "  year = {2022},\n  eprint = {2101.00001v2},\n  archivePrefix = {arXiv},\n")
    _, found, _ = diagnose(kb, {"references/more.bib": more, **CITE_EXTRA})
    only(found, "references/more.bib:1:1: error duplicate-arxiv")
    assert "also the arXiv id of 'jones2021'" in found[0].message


def test_malformed_doi_arxiv_and_url_at_their_field(kb: KB) -> None:
    bib = (BIB.replace("doi = {10.1234/jex.2020.1}", "doi = {https://doi.org/10.1234/jex.2020.1}")
              .replace("eprint = {2101.00001}", "eprint = {arXiv:2101.1}")
              .replace("url = {https://example.org/jones2021}", "url = {http://example.org/jones2021}"))
    _, found, _ = diagnose(kb, {"references/main.bib": bib})
    only(found, "references/main.bib:6:3: error invalid-doi", "references/main.bib:13:3: error invalid-arxiv",
         "references/main.bib:15:3: error invalid-url")
    assert "without https://doi.org/" in found[0].message
    assert "only https:// URLs" in found[2].message


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "https://", "https://exa mple.org/"])
def test_other_bad_urls(kb: KB, url: str) -> None:
    _, found, _ = diagnose(kb, {"references/main.bib": BIB.replace("https://example.org/jones2021", url)})
    only(found, "references/main.bib:15:3: error invalid-url")


def test_missing_author_title_year_warn_and_keep_loading(kb: KB) -> None:
    bib = (BIB.replace("  author = {Smith, Ada and Lee, Bo},\n", "")
              .replace("  title = {The Case for Generality},\n", "")
              .replace("  year = {2019},\n", ""))
    code, found, summary = diagnose(kb, {"references/main.bib": bib})
    only(found, "references/main.bib:1:1: warning bibtex-missing-field", "references/main.bib:8:1: warning bibtex-missing-field",
         "references/main.bib:16:1: warning bibtex-missing-field")
    assert ["author or editor", "title", "year"] == [d.message.split(" lacks ")[1].split(":")[0] for d in found]
    assert code == 0 and summary == {"claims": 4, "references": 3, "errors": 0, "warnings": 3}


def test_unused_reference_is_a_warning(kb: KB) -> None:
    code, found, summary = diagnose(kb, {"references/main.bib": BIB + EXTRA_BIB})
    only(found, "references/main.bib:25:1: warning unused-reference")
    assert "'extra2022' is cited by no claim" in found[0].message
    assert code == 0 and summary["warnings"] == 1


# --- files that cannot be trusted as text ---------------------------------------------------------------------


@pytest.mark.parametrize("rel", ["claims/zz-bad.yaml", "references/zz-bad.bib", "docs/zz-bad.md"])
def test_not_utf8(kb: KB, rel: str) -> None:
    _, found, _ = diagnose(kb, {rel: b"% line one\n% caf\xe9\n"})
    only(found, f"{rel}:2:6: error not-utf8")
    assert "byte 0xe9" in found[0].message


@pytest.mark.parametrize("rel", ["claims/zz-bad.yaml", "references/zz-bad.bib"])
def test_nul_byte(kb: KB, rel: str) -> None:
    _, found, _ = diagnose(kb, {rel: "% line one\n% a\0b\n"})
    only(found, f"{rel}:2:4: error nul-byte")


def test_file_larger_than_1_mib(kb: KB) -> None:
    rel = "claims/zz-big.yaml"
    _, found, _ = diagnose(kb, {rel: "#" + "x" * (1024 * 1024) + "\n"})
    only(found, f"{rel}:1:1: error file-too-large")
    assert "1 MiB" in found[0].message


def test_bibliography_larger_than_1_mib_is_read(kb: KB) -> None:
    """A .bib file is one reference manager's export: 2 MiB of comment is read (the limit is 64 MiB)."""
    _, found, _ = diagnose(kb, {"references/zz-big.bib": "%" + "x" * (2 * 1024 * 1024) + "\n"})
    only(found)


def test_file_of_exactly_1_mib_is_read(kb: KB) -> None:
    body = EXTRA + "annotations: "
    text = body + "x" * (1024 * 1024 - len(body.encode()) - 1) + "\n"
    assert len(text.encode()) == 1024 * 1024
    _, found, summary = diagnose(kb, {"claims/zz-big.yaml": text})
    only(found, "claims/zz-big.yaml:8:14: error invalid-value")  # too long for annotations, but read and checked
    assert summary["claims"] == 5


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"], ids=["empty", "blank", "comment", "marker"])
def test_empty_file(kb: KB, text: str) -> None:
    _, found, _ = diagnose(kb, {"claims/zz-empty.yaml": text})
    only(found, "claims/zz-empty.yaml:1:1: error empty-file")


@pytest.mark.parametrize(("text", "found_as"), [("- title: x\n- statement: y\n", "a list"), ("just text\n", "a single value")])
def test_top_level_not_a_mapping(kb: KB, text: str, found_as: str) -> None:
    _, found, _ = diagnose(kb, {"claims/zz-list.yaml": text})
    only(found, "claims/zz-list.yaml:1:1: error not-a-mapping")
    assert found[0].message.endswith(found_as)


# --- contributed Markdown -------------------------------------------------------------------------------------


def test_raw_html_in_statement_points_at_the_tag(kb: KB) -> None:
    alpha = ALPHA.replace("statement: Systems that", "statement: Systems <b>that</b>")
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": alpha})
    only(found, "claims/alpha-thesis.yaml:2:20: error raw-html")
    assert found[0].message.startswith("statement: raw HTML '<b>'")


def test_javascript_link_in_annotations_points_at_its_line(kb: KB) -> None:
    alpha = ALPHA + "annotations: |\n  See the note.\n  Click [here](javascript:alert(1)) now.\n"
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": alpha})
    only(found, "claims/alpha-thesis.yaml:11:16: error unsafe-link")
    assert "annotations: link 'javascript:" in found[0].message


@pytest.mark.parametrize(("annotations", "code"), [
    ("<!-- hidden -->", "raw-html"),
    ("<script>alert(1)</script>", "raw-html"),
    ("[x](JaVaScRiPt:alert(1))", "unsafe-link"),
    ("[x](java&#115;cript:alert(1))", "unsafe-link"),
    ("<data:text/html,hi>", "unsafe-link"),
    ("[x]: vbscript:run", "unsafe-link"),
])
def test_other_unsafe_markup(kb: KB, annotations: str, code: str) -> None:
    _, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": ALPHA + f"annotations: '{annotations}'\n"})
    assert code in {d.code for d in found}
    assert all(d.path == "claims/alpha-thesis.yaml" and d.line == 9 for d in found)


def test_markup_inside_code_is_inert(kb: KB) -> None:
    alpha = ALPHA + "annotations: |\n  Use `<b>` and `[x](javascript:y)`.\n\n  ```\n  <script>\n  ```\n"
    code, found, _ = diagnose(kb, {"claims/alpha-thesis.yaml": alpha})
    assert (code, found) == (0, [])


def test_uncited_evidence_is_a_warning(kb: KB) -> None:
    gamma = GAMMA.replace("  - ref: doe2019\n", "  - ref: doe2019\n    role: context\n")
    code, found, _ = diagnose(kb, {"claims/gamma-evidence.yaml": gamma})
    only(found, "claims/gamma-evidence.yaml:1:1: warning uncited-evidence")
    assert code == 0


# --- docs pages -----------------------------------------------------------------------------------------------

GUIDE = """\
# Guide

See [@smith2021] and
also [[alpha-thesys]], but [@jones2021, p. 3] and [[beta-premise]] exist.

`[@nokey]` and ``[[no-claim]]`` are code spans.

```
[@nokey2] [[no-claim2]]
```

~~~md
[[no-claim3]]
~~~
"""


def test_docs_unknown_reference_and_claim(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"docs/guide.md": GUIDE})
    only(found, "docs/guide.md:3:5: error docs-unknown-reference", "docs/guide.md:4:6: error docs-unknown-claim")
    assert "did you mean 'smith2020'?" in found[0].message
    assert "did you mean 'alpha-thesis'?" in found[1].message


def test_docs_in_subfolders(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"docs/reading/s1.md": "Intro.\n\n  [[gone]]\n"})
    only(found, "docs/reading/s1.md:3:3: error docs-unknown-claim")


# --- aliases --------------------------------------------------------------------------------------------------


def test_retired_id_reused(kb: KB) -> None:
    aliases = "claims:\n  alpha-thesis: beta-premise\nreferences:\n  smith2020: jones2021\n"
    _, found, _ = diagnose(kb, {"claims/_aliases.yaml": aliases})
    only(found, "claims/alpha-thesis.yaml:1:1: error retired-id", "references/main.bib:1:1: error retired-id")
    assert "'alpha-thesis' was retired (it now means 'beta-premise')" in found[0].message


def test_relation_to_a_renamed_claim_names_the_new_id(kb: KB) -> None:
    files = {"claims/_aliases.yaml": "claims:\n  old-thesis: alpha-thesis\n",
             "claims/beta-premise.yaml": BETA.replace("target: alpha-thesis", "target: old-thesis")}
    _, found, _ = diagnose(kb, files)
    only(found, "claims/beta-premise.yaml:15:13: error unknown-target")
    assert "(it was renamed to 'alpha-thesis')" in found[0].message


def test_alias_to_nothing(kb: KB) -> None:
    _, found, _ = diagnose(kb, {"claims/_aliases.yaml": "claims:\n  old-thesis: no-such-claim\n"})
    only(found, "claims/_aliases.yaml:1:1: error alias-invalid")


# --- the command's contract -----------------------------------------------------------------------------------

MANY_ERRORS: dict[str, str | bytes | None] = {
    "claims/alpha-thesis.yaml": ALPHA.replace("title: Specialization wins", "title: no").replace("kind: thesis", "kind: thesys"),
    "claims/beta-premise.yaml": BETA.replace("ref: jones2021", "ref: jones2012") + "soruces: []\n",
    "claims/gamma-evidence.yaml": GAMMA.replace("target: beta-premise", "target: beta-premis"),
    "claims/sub/delta-objection.yaml": DELTA.replace("fidelity: reframing", "fidelity: faithfull"),
    "claims/Bad_Id.yaml": EXTRA,
    "claims/zz-broken.yaml": "title: x\n  statement: y\n",
    "claims/zz-empty.yaml": "",
    "references/main.bib": BIB.replace("url = {https://example.org/jones2021}", "url = {http://example.org/jones2021}"),
    "references/zz-bad.bib": b"@misc{caf\xe9,\n}\n",
    "docs/guide.md": "[@nope] [[nope]]\n",
}
MANY_EXPECTED = [
    "claims/Bad_Id.yaml:1:1: error invalid-id",
    "claims/alpha-thesis.yaml:1:8: error wrong-type",
    "claims/alpha-thesis.yaml:3:7: error unknown-kind",
    "claims/beta-premise.yaml:10:10: error unknown-reference",
    "claims/beta-premise.yaml:19:1: error unknown-field",
    "claims/gamma-evidence.yaml:14:13: error unknown-target",
    "claims/sub/delta-objection.yaml:13:15: error unknown-fidelity",
    "claims/zz-broken.yaml:2:12: error yaml-syntax",
    "claims/zz-empty.yaml:1:1: error empty-file",
    "docs/guide.md:1:1: error docs-unknown-reference",
    "docs/guide.md:1:9: error docs-unknown-claim",
    "references/main.bib:15:3: error invalid-url",
    "references/zz-bad.bib:1:10: error not-utf8",
]


def test_many_errors_all_reported_in_one_run(kb: KB) -> None:
    code, found, summary = diagnose(kb, MANY_ERRORS)
    only(found, *MANY_EXPECTED)
    assert code == 1 and summary["errors"] == len(MANY_EXPECTED) and summary["warnings"] == 0


def test_diagnostics_are_sorted(kb: KB) -> None:
    _, found, _ = diagnose(kb, MANY_ERRORS)
    keys = [(d.path, d.line, d.column, d.severity, d.code, d.message) for d in found]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_json_format(kb: KB) -> None:
    root = kb(MANY_ERRORS)
    code, out, err = run_check(root, "--format", "json")
    data = json.loads("\n".join(out))
    assert isinstance(data, list) and code == 1
    assert all(list(d) == ["path", "line", "column", "severity", "code", "message"] for d in data)
    assert [f"{d['path']}:{d['line']}:{d['column']}: {d['severity']} {d['code']}" for d in data] == MANY_EXPECTED
    assert all(isinstance(d["line"], int) and isinstance(d["column"], int) for d in data)
    assert err.strip() == f"4 claims, 3 references: {len(MANY_EXPECTED)} errors, 0 warnings"


def test_json_format_clean_base_is_an_empty_array(kb: KB) -> None:
    code, out, err = run_check(kb())
    assert (code, out, err) == (0, ["4 claims, 3 references: 0 errors, 0 warnings"], "")
    code, out, err = run_check(kb(), "--format", "json")
    assert (code, json.loads("\n".join(out))) == (0, [])


def test_github_format(kb: KB) -> None:
    code, out, _ = check_inprocess(kb({"claims/alpha-thesis.yaml": ALPHA.replace("kind: thesis", "kind: thesys")}),
                                   "--format", "github")
    assert code == 1
    assert out[0].startswith("::error file=claims/alpha-thesis.yaml,line=3,col=7,title=unknown-kind::kind is 'thesys'")


def test_text_format_through_the_real_command(kb: KB) -> None:
    code, out, err = run_check(kb(MANY_ERRORS))
    found, summary = parse_output(out)
    assert code == 1 and err == ""
    assert prefixes(found) == MANY_EXPECTED


def test_exit_code_0_when_only_warnings(kb: KB) -> None:
    code, out, _ = run_check(kb({"references/main.bib": BIB + EXTRA_BIB}))
    assert code == 0 and out[-1] == "4 claims, 4 references: 0 errors, 1 warning"


def test_exit_code_1_on_errors(kb: KB) -> None:
    code, out, _ = run_check(kb({"claims/zz-empty.yaml": ""}))
    assert code == 1 and out[-1] == "4 claims, 3 references: 1 error, 0 warnings"


@pytest.mark.parametrize("args", [["--root", "{missing}"], ["--root", "{root}", "--bogus"], ["--root", "{root}", "--format", "xml"]],
                         ids=["bad-root", "unknown-option", "unknown-format"])
def test_exit_code_2_on_usage_errors(kb: KB, tmp_path: Path, args: list[str]) -> None:
    from conftest import run_claimkb

    root = kb()
    code, out, err = run_claimkb("check", *(a.format(root=root, missing=tmp_path / "missing") for a in args))
    assert code == 2 and out == []
    assert err.strip() and "Traceback" not in err


def test_root_with_neither_claims_nor_references_is_a_usage_error(kb: KB) -> None:
    code, out, err = run_check(kb({"docs/only.md": "x\n"}, base=False))
    assert code == 2 and "is --root right?" in err


def test_file_arguments_filter_the_report(kb: KB, tmp_path: Path) -> None:
    root = kb(MANY_ERRORS)
    # Relative to --root (the current folder is elsewhere), absolute, and relative to the current folder.
    code, out, err = run_check(root, "claims/alpha-thesis.yaml", str(root / "docs/guide.md"))
    found, _ = parse_output(out)
    assert code == 1 and "Traceback" not in err
    assert {d.path for d in found} == {"claims/alpha-thesis.yaml", "docs/guide.md"}
    from conftest import run_claimkb

    code, out, _ = run_claimkb("check", "--root", root, "references/main.bib", cwd=root)
    found, _ = parse_output(out)
    assert prefixes(found) == ["references/main.bib:15:3: error invalid-url"]
    code, out, _ = run_claimkb("check", "--root", root, "claims/beta-premise.yaml", cwd=tmp_path)
    found, _ = parse_output(out)
    assert prefixes(found) == ["claims/beta-premise.yaml:10:10: error unknown-reference",
                               "claims/beta-premise.yaml:19:1: error unknown-field"]
    outside = tmp_path / "outside.yaml"
    outside.write_text("title: x\n")
    code, out, err = run_claimkb("check", "--root", root, outside, "no/such/file.yaml")
    assert (code, out, err) == (0, ["4 claims, 3 references: 0 errors, 0 warnings"], "")


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_check_never_writes(kb: KB) -> None:
    root = kb(MANY_ERRORS)
    past = 1_000_000_000  # 2001: any rewrite, even of the same bytes, would move the mtime
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, ns=(past * 10**9, past * 10**9))
    before = _snapshot(root)
    listing = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
    run_check(root)
    check_inprocess(root, "--format", "json")
    assert _snapshot(root) == before
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == listing  # no new files or folders (caches)


def test_a_vocabulary_is_read_only_at_the_top_of_claims(tmp_path: Path) -> None:
    """A _domains.yaml in a subfolder, or a second spelling beside the real one, would retitle every domain page."""
    root = make_kb(tmp_path, {"claims/zz/_domains.yaml": "biology:\n  title: Verified by the editors\n",
                              "claims/_domains.yml": "biology:\n  title: Verified by the editors\n"})
    code, lines, _ = check_inprocess(root)
    found, _ = parse_output(lines)
    find(found, "claims/zz/_domains.yaml:1:1: error vocabulary-invalid", "only at the top of claims/")
    find(found, "claims/_domains.yml:1:1: error vocabulary-invalid", "second file is not read")
    kb = loader.load(root).kb
    assert all(term.title != "Verified by the editors" for term in kb.domains.values())
    assert code == 1
