"""The locator grammar: what parses and how, what is rejected and exactly where, and the checker reporting it at
the locator's line and column in the YAML (plain, quoted and escaped scalars) and in docs citations."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXTRA, check_inprocess, find, parse_output, run_claimkb

from claimkb.core import loader
from claimkb.core.locators import (EN_DASH, EXAMPLES, GRAMMAR, RANK, LocatorError, ParsedLocator, Part, Place,
                                   from_label, parse)


def ok(text: str) -> ParsedLocator:
    parsed = parse(text)
    assert isinstance(parsed, ParsedLocator), f"{text!r}: {parsed}"
    return parsed


def error(text: str) -> LocatorError:
    parsed = parse(text)
    assert isinstance(parsed, LocatorError), f"{text!r} parsed as {parsed}"
    return parsed


@pytest.mark.parametrize("text", EXAMPLES + ("§5 ¶1–7", "ll. 4–9", "l. 12", "Abstract", "footnote 1",
                                             '"Part One" "Background" ¶2', "ch. 2 p. 15", "p. 4 l. 12",
                                             "§5 ¶2 (Definition box); Abstract; §6 ¶2", "§4 (Fig. 2; see caption)"))
def test_valid_locators_parse_and_print_back_unchanged(text: str) -> None:
    assert str(ok(text)) == text


def test_parts_places_and_notes() -> None:
    parsed = ok('§3.2 ¶7 footnote 1; §2 "Alternative Views" ¶2–3 (the reply)')
    first, second = parsed.places
    assert [(p.kind, p.numbers, p.to) for p in first.parts] == [("section", (3, 2), None), ("paragraph", (7,), None),
                                                                 ("footnote", (1,), None)]
    assert first.note is None and parsed.first is first
    assert [p.kind for p in second.parts] == ["section", "heading", "paragraph"]
    assert second.parts[1].title == "Alternative Views" and second.parts[2].to == 3
    assert second.note == "the reply"
    # Offsets point into the text, for diagnostics: the heading starts at its quote.
    assert parsed.parts()[4].start == '§3.2 ¶7 footnote 1; §2 '.__len__()
    assert ok("pp. 3–5").first.finest == Part("page", (3,), 5)


@pytest.mark.parametrize("text, offset, says", [
    ("Fig. 2", 0, "did you mean 'Figure 2'?"),
    ("§4 fig 2", 3, "did you mean 'Figure 2'?"),
    ("para. 2", 0, "did you mean '¶2'?"),
    ("§3.2 paragraph 10", 5, "did you mean '¶10'?"),
    ("Section 4", 0, "did you mean '§4'?"),
    ("tab. 1", 0, "did you mean 'Table 1'?"),
    ("page 15", 0, "did you mean 'p. 15'?"),
    ("pages 3-5", 0, "did you mean 'pp. 3–5'?"),
    ("fn. 1", 0, "did you mean 'footnote 1'?"),
    ("abstract", 0, "did you mean 'Abstract'?"),
    ("¶2-3", 2, "en dash (–, U+2013), not '-'"),
    ("pp. 3-5", 5, "en dash (–, U+2013), not '-' (U+002D): pp. 3–5"),
    ("§4 ¶2—3", 5, "not '—'"),
    ("p. 3–5", 0, "'pp. 3–5'"),
    ("§3.2, Table 1", 4, "'§3.2 Table 1' (one place) or '§3.2; Table 1' (two places)"),
    ("§3.2 and footnote 1", 5, "'§3.2; footnote 1'"),
    ("§4;§5", 2, "'; '"),
    ("§4;  §5", 4, "'; '"),
    ("§4 ¶2 ¶3", 6, "the range ¶2–3"),
    ("¶2 §4", 3, "from the largest to the smallest"),
    ("Table 1 Figure 2", 8, "cannot both locate one place"),
    ("§4 §5", 3, "a place names one section"),
    ("§ 4", 1, "no space after §"),
    ("¶ 2", 1, "no space after ¶"),
    ("§3.2.", 4, "does not end with a dot"),
    ("§04", 1, "without the leading zero"),
    ("¶0", 1, "numbers start at 1"),
    ("¶3–2", 3, "runs backwards"),
    ("¶2–2", 3, "write '¶2'"),
    ("“Alternative Views”", 0, "straight double quotes"),
    ('"Alternative Views ¶3', 0, "no closing quote"),
    ('""', 0, "the heading is empty"),
    ('" Alternative Views"', 1, "no space just inside the quotes"),
    ('section "Alternative Views"', 0, 'without \'section\': "Alternative Views"'),
    ("opening section", 8, "write 'opening' alone"),
    ("§4 (x", 3, "not closed"),
    ("§4 (a (b))", 6, "cannot contain parentheses"),
    ("§4 ()", 4, "the note is empty"),
    ("§4 ( x)", 4, "no space just inside the parentheses"),
    ("§4 (x) ¶2", 6, "a note ends its place"),
    ("§4(x)", 2, "put a space before the note"),
    ("4", 0, "a bare number"),
    ("X post (whole post)", 0, "expected a part such as §4"),
    ("§4 ¶", 4, "expected a paragraph number after ¶"),
    ("", 0, "the locator is empty"),
    (" §4", 0, "remove the space before"),
    ("§4 ", 2, "remove the space at the end"),
    ("§4\n¶2", 2, "one line"),
    ("§4  ¶2", 3, "one space"),
    ("§4 ¶2;", 5, "'; '"),
    ("§4 ¶2; ", 6, "remove the space at the end"),
    ("item2", 0, "did you mean 'item 2'?"),
    ("§4 & §5", 3, "'§4; §5'"),
])
def test_invalid_locators_report_the_position_and_what_was_expected(text: str, offset: int, says: str) -> None:
    found = error(text)
    assert says in found.message, found.message
    assert found.offset == offset, found


def test_the_grammar_text_names_every_part_kind() -> None:
    for word in ("section", "heading", "paragraph", "item", "table", "figure", "footnote", "page", "chapter", "line",
                 '"Abstract"', '"opening"', "note"):
        assert word in GRAMMAR
    assert set(RANK) == {"chapter", "section", "abstract", "opening", "heading", "page", "paragraph", "table",
                         "figure", "item", "footnote", "line"}


def test_the_mapping_form_reads_as_the_grammar() -> None:
    assert str(from_label("section", "4.2")) == "§4.2"
    assert str(from_label("page", "15")) == "p. 15"
    assert str(from_label("page", f"3{EN_DASH}5")) == "pp. 3–5"
    assert str(from_label("paragraph", "2")) == "¶2"
    assert str(from_label("figure", "3")) == "Figure 3"
    assert from_label("page", "xii") is None  # shown as written, linked nowhere


# --- Printing and parsing round-trip ---------------------------------------------------------------------------

NUM = st.integers(min_value=1, max_value=99999)
TITLE = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters='"\x85'),
                min_size=1, max_size=30).filter(lambda t: t == t.strip() and t.strip() != "")
NOTE = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="()\x85"),
               min_size=1, max_size=30).filter(lambda t: t == t.strip())


@st.composite
def parts(draw: st.DrawFn) -> Part:
    kind = draw(st.sampled_from(sorted(RANK)))
    if kind == "section":
        return Part(kind, tuple(draw(st.lists(NUM, min_size=1, max_size=4))))
    if kind == "heading":
        return Part(kind, title=draw(TITLE))
    if kind in ("abstract", "opening"):
        return Part(kind)
    n = draw(NUM)
    ranged = kind in ("paragraph", "page", "line") and draw(st.booleans())
    return Part(kind, (n,), draw(st.integers(min_value=n + 1, max_value=n + 500)) if ranged else None)


@st.composite
def places(draw: st.DrawFn) -> Place:
    drawn = draw(st.lists(parts(), min_size=1, max_size=5))
    # A place's parts run from the largest to the smallest, one of each rank (headings may nest).
    chosen: list[Part] = []
    for part in sorted(drawn, key=lambda p: RANK[p.kind]):
        if not chosen or RANK[part.kind] > RANK[chosen[-1].kind] or part.kind == chosen[-1].kind == "heading":
            chosen.append(part)
    return Place(tuple(chosen), draw(st.none() | NOTE))


@settings(max_examples=400, deadline=None)
@given(st.lists(places(), min_size=1, max_size=4))
def test_printing_a_parsed_locator_and_parsing_it_again_round_trips(drawn: list[Place]) -> None:
    locator = ParsedLocator(tuple(drawn))
    text = str(locator)
    assert parse(text) == locator, text
    assert str(parse(text)) == text


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('§¶"()–-; .,0123456789pFTilnotemabcg ')), max_size=40))
def test_any_text_either_parses_canonically_or_is_rejected_inside_it(text: str) -> None:
    parsed = parse(text)
    if isinstance(parsed, ParsedLocator):
        assert str(parsed) == text  # one spelling per structure: what parses is already canonical
    else:
        assert 0 <= parsed.offset <= len(text) and parsed.message


# --- The checker, through the real command ---------------------------------------------------------------------

def claim_with(locator_yaml: str, sources: str = "") -> str:
    return EXTRA.replace("  locator: p. 1\n", f"  locator: {locator_yaml}\n") + sources


@pytest.mark.parametrize("written, column", [
    ("Fig. 2", 12),  # plain: the error is at the F, where the value starts
    ('"§4, Table 1"', 15),  # double-quoted: the value starts one past the quote; the comma is 2 further
    ("'§4, Table 1'", 15),
    ("'\"Roe''s\" ¶2, Table 1'", 24),  # '' is one character of the value and two of the file
    ('"\\u00a74, Table 1"', 20),  # \u00a7 is §: six characters in the file, one in the value
])
def test_check_reports_a_malformed_locator_at_its_exact_column(kb, written: str, column: int) -> None:
    root = kb({"claims/extra-claim.yaml": claim_with(written)})
    code, out, _ = check_inprocess(root)
    found, _ = parse_output(out)
    line = find(found, f"claims/extra-claim.yaml:7:{column}: error invalid-locator")
    assert line.message.startswith("claimed_by.locator '")
    assert code == 1


def test_check_reports_source_locators_and_skips_the_todo_placeholder(kb) -> None:
    sources = "sources:\n  - ref: smith2020\n    locator: \"§2 ¶1\"\n  - ref: jones2021\n    locator: ¶2-3\n"
    root = kb({"claims/extra-claim.yaml": claim_with('"TODO: where in the work, e.g. §4, p. 15 or Table 1"', sources)})
    found, _ = parse_output(check_inprocess(root)[1])
    bad = find(found, "claims/extra-claim.yaml:12:16: error invalid-locator")
    assert bad.message.startswith("sources[1].locator '¶2-3': a range takes an en dash")
    assert [d.code for d in found if d.path == "claims/extra-claim.yaml"] == ["placeholder-text", "invalid-locator"]


def test_the_mapping_form_stays_valid_and_renders_in_the_grammar(kb) -> None:
    root = kb({"claims/extra-claim.yaml": EXTRA.replace("  locator: p. 1\n", "  locator:\n    figure: 3\n")})
    code, out, _ = check_inprocess(root)
    assert code == 0, out
    claim = loader.load(root).kb.claims["extra-claim"]
    assert str(claim.claimed_by.locator) == "Figure 3"


def test_check_reports_a_malformed_docs_citation_locator_at_its_column(kb) -> None:
    root = kb({"docs/notes.md": "# Notes\n\nSee [@smith2020, §2, Fig. 1] and [@smith2020, §2 Figure 1].\n"})
    found, _ = parse_output(check_inprocess(root)[1])
    line = find(found, "docs/notes.md:3:20: error invalid-locator")
    assert "[@smith2020, §2, Fig. 1]" in line.message


def test_new_claim_refuses_a_malformed_locator_and_shows_where(kb) -> None:
    root = kb()
    code, out, err = run_claimkb("new", "claim", "my-claim", "--kind", "premise", "--domain", "biology",
                                 "--claimed-by", "smith2020", "--locator", "§2, Fig. 1", "--root", root)
    assert code == 1 and not (root / "claims/my-claim.yaml").exists()
    assert "  §2, Fig. 1\n    ^ the parts of one place" in err
    code, out, err = run_claimkb("new", "claim", "my-claim", "--kind", "premise", "--domain", "biology",
                                 "--claimed-by", "smith2020", "--locator", "§2 Figure 1", "--root", root)
    assert code == 0, err
    assert 'locator: "§2 Figure 1"' in (root / "claims/my-claim.yaml").read_text("utf-8")
