"""The claim-format page's sections on locators, HTML editions and docs shortcodes, from the grammar and the code."""
from __future__ import annotations

from ..core import editions, locators
from ..core.markup import GENERATED_BLOCKS

MAPPING_EXAMPLES = {"section": '"4.2"', "page": "15", "figure": "3", "table": "1", "paragraph": "2", "line": "12"}
# (written, fixed): what invalid-locator reports most, and what to write instead.
MISTAKES = (("Fig. 2", "Figure 2"), ("para. 2", "¶2"), ("§3.2, Table 1", "§3.2 Table 1"), ("pp. 3-5", "pp. 3–5"),
            ('section "Alternative Views"', '"Alternative Views"'), ("§3.2 and §4", "§3.2; §4"),
            ("¶2 §4", "§4 ¶2"), ("“Alternative Views”", '"Alternative Views"'))
# (locator, anchor id, how): the latexml scheme by example; a test resolves them in this repository's paper edition.
LATEXML = (("§4", "S4", ""), ("§3.2", "S3.SS2", ""), ('§2 "Alternative Views"', "S2.SSx1", "from `headings`"),
           ("§4 ¶2", "S4.p2", ""), ("§3.2 ¶2 item 3", "S3.I2.i3", "the list in `S3.SS2.p2`"),
           ("§3.2 Table 1", "S3.T1", ""), ("§3 Figure 1", "S3.F1", ""), ("§3.2 ¶7 footnote 1", "footnote1", ""),
           ("Abstract", "abstract1", "from `headings`"))


def render_locators(description: str, labels: list[str]) -> list[str]:
    out: list[str] = []
    add = out.append
    add(f"{description} A locator written as text follows this grammar, which `claimkb check` enforces "
        "(`invalid-locator` names the position and what was expected there):")
    add("")
    add("```text")
    out.extend(locators.GRAMMAR.splitlines())
    add("```")
    add("")
    add("Examples: " + ", ".join(f"`{e}`" for e in locators.EXAMPLES) + ".")
    add("")
    add("- **¶N** is the N-th block of the (sub)section as the work's HTML edition numbers them: a list, a boxed "
        "passage or a run of sentences each count as one block, and the blocks of a section come before its first "
        "subsection. **item N** is the N-th item of the list in that paragraph; tables, figures and footnotes go by "
        "the work's own numbers. Where a work has no HTML edition, count its paragraphs as printed.")
    add("- Parts run from the largest to the smallest (`§3.2 ¶7 footnote 1`). A place names one part of each kind: "
        "for a run of paragraphs write a range (`¶2–3`, with an en dash), for separate passages write several "
        "places, separated by `; `. **The first place is the one deep links point at**; the checker checks them all.")
    add("- A note in parentheses at the end of a place says what the place is (`(Box 1)`, `(caption)`); "
        "it does not change where the place is.")
    add("- A claim's `claimed_by.locator` should name a paragraph, item, table, figure or footnote. If the claim "
        "spans a whole section, give its most representative paragraph first and the rest after `; `; if no single "
        "passage fits, keep the section and say why in `annotations`, in a paragraph that starts `Locator:`. "
        "The checker's `coarse-locator` warning asks for one of the two when the work has an HTML edition.")
    add("")
    add("| Written | Write instead |")
    add("| --- | --- |")
    for bad, good in MISTAKES:
        add(f"| `{bad}` | `{good}` |")
    add("")
    add("The mapping form, with exactly one label, still works:")
    add("")
    add("| Label | Example | Reads as |")
    add("| --- | --- | --- |")
    for label in labels:
        value = MAPPING_EXAMPLES.get(label, "1")
        parsed = locators.from_label(label, value.strip('"'))
        add(f"| `{label}` | `locator: {{{label}: {value}}}` | `{parsed}` |")
    add("")
    add("A label's value is text or a whole number, 1–200 characters; quote a value such as `\"4.2\"` that YAML "
        "would read as a decimal number. A value that is not a number (or, for `page` and `line`, a range with an "
        "en dash) is shown as written and links nowhere.")
    add("")
    add("## HTML editions and deep links")
    add("")
    add(f"A reference can declare its HTML edition in `{editions.FOLDER}/<key>.yaml`, named by its BibTeX key. "
        "Then every locator citing it links to its exact passage: claim pages show **Read this passage in the "
        "paper** next to the citation (\"in the book\", or the work's `shorttitle`, or \"in the source\" for other "
        "works), a `[[claim-id]]` in a docs page is followed by its place, linked (`§4 ¶2`), and a citation "
        "`[@key, §4 ¶2]` links its locator to the passage. The checker reports a locator whose passage the edition "
        "lacks (`unknown-anchor`), and also a link written out in a docs page, `base#anchor`, whose anchor it lacks.")
    add("")
    add("```yaml")
    add("base: https://arxiv.org/html/2401.00001v2   # version-pinned; a deep link is base#anchor")
    add("scheme: latexml                             # how locators map to anchor ids")
    add("source: https://ar5iv.labs.arxiv.org/html/2401.00001   # optional: where the ids were read")
    add("headings:                                   # unnumbered headings, as titled -> anchor id")
    add('  "Alternative Views": S2.SSx1')
    add("anchors:                                    # the passages, nested as on the page: ids only")
    add("  S2:")
    add("    S2.p2:")
    add("      S2.I1:")
    add("        S2.I1.i1:")
    add("```")
    add("")
    add("| Field | Required | Meaning |")
    add("| --- | --- | --- |")
    add("| `base` | yes | The edition's https URL, pinned to a version (an arXiv URL must end in `v1`, `v2`, ...), "
        "without a fragment. |")
    add(f"| `scheme` | no | How locators map to ids: {', '.join(f'`{s}`' for s in editions.SCHEMES)} (the default; "
        "LaTeXML makes arXiv's and ar5iv's HTML). |")
    add("| `source` | no | The https URL the ids were read from, when it is not `base`. |")
    add("| `headings` | no | Each unnumbered heading, exactly as the work titles it, mapped to its anchor id; "
        "`Abstract` names the abstract. |")
    add("| `anchors` | yes | Every section, paragraph, list, item, table, figure and footnote id, each mapped to "
        "the ids nested in it (or to nothing), in page order. |")
    add("")
    add("An edition stores ids, never the work's text: heading titles are the one exception, because a locator "
        "names such a heading by its title. In the `latexml` scheme a locator's first place resolves to the id of "
        "its most specific part (pages, chapters and lines have no anchors and are skipped):")
    add("")
    add("| Locator | Anchor id | |")
    add("| --- | --- | --- |")
    for written, anchor, how in LATEXML:
        add(f"| `{written}` | `{anchor}` | {how} |")
    add("")
    add("Lists, tables and figures are numbered within the top-level section, not the paragraph that holds them "
        "(the list in §3.2 ¶2 is `S3.I2`), which is why the file keeps the nesting. `claimkb edition KEY PAGE "
        "--base URL` writes the file from a saved copy of the page; `claimkb check` reports a malformed one "
        "(`edition-invalid`).")
    add("")
    add("## Shortcodes in docs pages")
    add("")
    add("Hand-written pages under `docs/` cite and link with `[@key]`, `[@key, locator]` (the locator follows the "
        "grammar above), `[[claim-id]]`, and, alone on a line, `[[generated:name]]`: a block the site computes "
        "from the data at every build, so a page never types a number the data could contradict. The blocks:")
    add("")
    for name, what in GENERATED_BLOCKS.items():
        add(f"- `[[generated:{name}]]`: {what}.")
    add("")
    add("A page can also hold, alone on a line, `<!-- claimkb:overview [[thesis-id]] [[another-thesis-id]] -->`: a "
        "picture of the theses named (the five with the broadest support when none is) and the evidence domains "
        "their support comes from, each linking into the argument map. An engine that does not expand it sees an "
        "HTML comment.")
    add("")
    return out
