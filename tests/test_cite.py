"""claimkb.cite and `claimkb cite`: formatting, short citations, BibTeX and CSL-JSON for references and claims."""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import jsonschema
import pytest
from pybtex.style.template import FieldIsMissing

from claimkb import cli
from claimkb.cite import formatting as cite
from claimkb.core import loader
from claimkb.core.model import Citation, KnowledgeBase, Locator
from conftest import make_kb, run_claimkb

SCHEMAS = Path(__file__).parent / "schemas"

MKDOCS = """\
site_name: Fixture Reader
site_url: https://example.org/fixture/
extra:
  claimkb:
    name: Fixture Reader
    editors:
      - Fixture Reader editors
    prefix: fx
    style: plain
    version: v1.2.0
    date: "2026-03-01"
    license: CC-BY-4.0
"""

# Entries that exercise the formatter: a missing journal, LaTeX, Unicode (with characters LaTeX has no macro
# for), an organisation, von and Jr parts, "and others", no year, an entry type pybtex's styles do not know.
CITE_BIB = """\
@article{sutton2020nojournal,
  author = {Sutton, Richard S.},
  title = {An Article Without a Journal},
  year = {2020},
}

@article{hannan1977population,
  Title = "The Population Ecology of Organizations",
  Year = 1977,
  Author = {Hannan, Michael T. and Freeman, John},
  JOURNAL = {American Journal of Sociology},
  pages = {929--964},
  month = mar,
  volume = {82}, number = {5},
  doi = {10.1086/226424},
}

@inproceedings{mueller2021latex,
  author = {M{\\"u}ller, J{\\"o}rg and van den Driessche, Jr., George and Smith, Ann},
  title = {{AGI} Benchmarks: Rock \\& Roll, 1990--2000, {\\"u}ber alles},
  booktitle = {Proceedings of {AGI} \\& Friends},
  editor = {Doe, Jane},
  pages = {1--10},
  year = {2021},
}

@book{aguera2024unicode,
  author = {{Agüera y Arcas}, Blaise and Žídek, Augustin and others},
  title = {Ünïcode in Títles — and 漢字 for €5},
  publisher = {Éditions Größe},
  address = {Zürich},
  year = {2024},
}

@misc{openai2023gpt4,
  author = {{OpenAI}},
  title = {{GPT-4} Technical Report},
  year = {2023},
  eprint = {2303.08774},
  archivePrefix = {arXiv},
}

@misc{doe2000undated,
  author = {Doe, Jane},
  title = {An Undated Note},
  howpublished = {Mimeograph},
}

@online{roe2022page,
  author = {Roe, Richard},
  title = {A Page on the Web},
  url = {https://example.org/page},
  year = {2022},
}

@video{lecun2022talk,
  author = {LeCun, Yann},
  title = {A Path Towards Autonomous Machine Intelligence},
  year = {2022},
}
"""

SPECIAL = """\
title: 'Rock & roll: 100% of $5 {braces} #1 a_b ~ ^ \\ back -- über'
statement: A title full of characters that are syntax in LaTeX.
kind: premise
domain: biology
claimed_by:
  ref: mueller2021latex
  locator:
    page: 3
"""

# The conftest base (4 claims, 3 references) plus the entries above, a claim with a hostile title and settings.
CITE_FILES: dict[str, str] = {
    "mkdocs.yml": MKDOCS,
    "references/cite.bib": CITE_BIB,
    "claims/special-title.yaml": SPECIAL,
}


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return loader.load(make_kb(tmp_path, CITE_FILES)).kb


def main(*args: str | Path) -> tuple[int, str, str]:
    """`claimkb ARGS` through cli.main in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def csl_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads((SCHEMAS / "csl-data.json").read_text("utf-8")))


# format_reference

def test_article_without_journal_degrades_instead_of_raising(kb: KnowledgeBase) -> None:
    ref = kb.references["sutton2020nojournal"]
    with pytest.raises(FieldIsMissing):  # the failure format_reference must absorb
        cite._style("plain").format_entry(ref.key, ref.entry)
    assert cite.format_reference(kb, "sutton2020nojournal") == "Richard S. Sutton (2020). An Article Without a Journal."


def test_unknown_entry_type_degrades(kb: KnowledgeBase) -> None:
    assert cite.format_reference(kb, "lecun2022talk") == "Yann LeCun (2022). A Path Towards Autonomous Machine Intelligence."


@pytest.mark.parametrize("style", cite.available_styles())
def test_every_style_formats_every_reference_as_plain_text(kb: KnowledgeBase, style: str) -> None:
    for key in kb.references:
        text = cite.format_reference(kb, key, style)
        assert text and not set(text) & set("{}\\"), (style, key, text)


def test_latex_renders_as_unicode_in_text(kb: KnowledgeBase) -> None:
    text = cite.format_reference(kb, "mueller2021latex")
    assert text == ("Jörg Müller, George van den Driessche, Jr., and Ann Smith. AGI benchmarks: rock & roll, "
                    "1990–2000, über alles. In Jane Doe, editor, Proceedings of AGI & Friends, 1–10. 2021.")


def test_latex_renders_as_unicode_in_csl(kb: KnowledgeBase) -> None:
    item = cite.reference_csl(kb.references["mueller2021latex"])
    assert item["title"] == "AGI Benchmarks: Rock & Roll, 1990–2000, über alles"
    assert item["container-title"] == "Proceedings of AGI & Friends"
    assert item["page"] == "1–10"
    assert item["author"][0] == {"family": "Müller", "given": "Jörg"}


def test_unicode_fields_format(kb: KnowledgeBase) -> None:
    assert cite.format_reference(kb, "aguera2024unicode") == (
        "Blaise Agüera y Arcas, Augustin Žídek, and others. Ünïcode in Títles — and 漢字 for €5. "
        "Éditions Größe, Zürich, 2024.")


def test_style_defaults_to_settings_and_bad_style_falls_back_to_plain(kb: KnowledgeBase) -> None:
    plain = cite.format_reference(kb, "hannan1977population")
    assert plain == cite.format_reference(kb, "hannan1977population", "plain")
    assert cite.format_reference(kb, "hannan1977population", "no-such-style") == plain


def test_unknown_key_does_not_raise(kb: KnowledgeBase) -> None:
    assert cite.format_reference(kb, "nobody1999") == "nobody1999 (not in references/)"


@pytest.mark.parametrize(("latex", "text"), [
    ('{\\"u}ber', "über"),
    ("Rock \\& Roll", "Rock & Roll"),
    ("1990--2000", "1990–2000"),
    ("{AGI} systems", "AGI systems"),
    ("100% sure \\% and \\$5 \\_x \\#1", "100% sure % and $5 _x #1"),
    ("\\emph{Nature} and \\textbf{{DNA}}", "Nature and DNA"),
    ("see \\url{https://a.org/x--y~z}", "see https://a.org/x--y~z"),
    ("\\textbraceleft{}x\\textbraceright{} \\textasciitilde{}", "{x} ~"),
    ("{\\v Z}{\\'\\i}dek {\\relax 漢}", "Žídek 漢"),
    ("``quoted''", "“quoted”"),
])
def test_to_unicode(latex: str, text: str) -> None:
    assert cite.to_unicode(latex) == text


# short_citation

@pytest.mark.parametrize(("key", "expected"), [
    ("sutton2020nojournal", "Sutton 2020"),
    ("hannan1977population", "Hannan and Freeman 1977"),
    ("mueller2021latex", "Müller et al. 2021"),
    ("aguera2024unicode", "Agüera y Arcas et al. 2024"),  # "and others" counts as more authors
    ("openai2023gpt4", "OpenAI 2023"),
    ("doe2000undated", "Doe n.d."),
])
def test_short_citation(kb: KnowledgeBase, key: str, expected: str) -> None:
    assert cite.short_citation(kb, key) == expected
    assert cite.short_citation(kb, kb.references[key]) == expected


def test_short_citation_with_locator(kb: KnowledgeBase) -> None:
    assert cite.short_citation(kb, "hannan1977population", "§4") == "Hannan and Freeman 1977, §4"
    assert cite.short_citation(kb, Citation("smith2020", Locator("section", "2"))) == "Smith and Lee 2020, §2"
    assert cite.short_citation(kb, Citation("smith2020", Locator(None, "Table 1")), "p. 9") == "Smith and Lee 2020, p. 9"
    assert cite.short_citation(kb, kb.claims["special-title"].claimed_by) == "Müller et al. 2021, p. 3"
    assert cite.short_citation(kb, "nobody1999", "§1") == "nobody1999, §1"


# reference_bibtex

def test_reference_bibtex_is_normalized(kb: KnowledgeBase) -> None:
    assert cite.reference_bibtex(kb.references["hannan1977population"]) == """\
@article{hannan1977population,
  author = {Hannan, Michael T. and Freeman, John},
  title = {The Population Ecology of Organizations},
  journal = {American Journal of Sociology},
  volume = {82},
  number = {5},
  pages = {929--964},
  month = mar,
  year = {1977},
  doi = {10.1086/226424},
}
"""


def test_reference_bibtex_writes_unicode_as_ascii_latex(kb: KnowledgeBase) -> None:
    text = cite.reference_bibtex(kb.references["aguera2024unicode"])
    assert text == """\
@book{aguera2024unicode,
  author = {{Ag{\\"u}era y Arcas}, Blaise and {\\v Z}{\\'\\i}dek, Augustin and others},
  title = {{\\"U}n{\\"\\i}code in T{\\'\\i}tles --- and {\\relax 漢}{\\relax 字} for {\\relax €}5},
  publisher = {{\\'E}ditions Gr{\\"o}{\\ss}e},
  address = {Z{\\"u}rich},
  year = {2024},
}
"""
    assert cite.to_unicode("{\\\"U}n{\\\"\\i}code in T{\\'\\i}tles --- and {\\relax 漢}{\\relax 字} for {\\relax €}5") == \
        "Ünïcode in Títles — and 漢字 for €5"


def test_reference_bibtex_is_idempotent(kb: KnowledgeBase, tmp_path: Path) -> None:
    """Exported BibTeX, loaded as a knowledge base's references, exports to the same text."""
    first = "".join(cite.reference_bibtex(r) for r in kb.references.values())
    again = loader.load(make_kb(tmp_path / "again", {"references/main.bib": first, "references/cite.bib": None})).kb
    assert "".join(cite.reference_bibtex(r) for r in again.references.values()) == first


# reference_csl

def test_reference_csl_items(kb: KnowledgeBase) -> None:
    refs = kb.references
    assert cite.reference_csl(refs["hannan1977population"]) == {
        "id": "hannan1977population", "type": "article-journal",
        "author": [{"family": "Hannan", "given": "Michael T."}, {"family": "Freeman", "given": "John"}],
        "issued": {"date-parts": [[1977, 3]]},
        "title": "The Population Ecology of Organizations", "container-title": "American Journal of Sociology",
        "volume": "82", "issue": "5", "page": "929–964", "DOI": "10.1086/226424",
    }
    assert cite.reference_csl(refs["openai2023gpt4"]) == {
        "id": "openai2023gpt4", "type": "article", "author": [{"literal": "OpenAI"}],
        "issued": {"date-parts": [[2023]]}, "title": "GPT-4 Technical Report",
        "publisher": "arXiv", "number": "arXiv:2303.08774", "URL": "https://arxiv.org/abs/2303.08774",
    }
    mueller = cite.reference_csl(refs["mueller2021latex"])
    assert mueller["type"] == "paper-conference"
    assert mueller["author"][1] == {"family": "Driessche", "given": "George", "non-dropping-particle": "van den",
                                    "suffix": "Jr."}
    assert mueller["editor"] == [{"family": "Doe", "given": "Jane"}]
    aguera = cite.reference_csl(refs["aguera2024unicode"])
    assert aguera["author"] == [{"family": "Agüera y Arcas", "given": "Blaise"}, {"family": "Žídek", "given": "Augustin"}]
    assert (aguera["type"], aguera["publisher"], aguera["publisher-place"]) == ("book", "Éditions Größe", "Zürich")
    assert cite.reference_csl(refs["doe2000undated"]) == {
        "id": "doe2000undated", "type": "document", "author": [{"family": "Doe", "given": "Jane"}],
        "title": "An Undated Note", "container-title": "Mimeograph"}
    assert cite.reference_csl(refs["roe2022page"])["type"] == "webpage"


def test_reference_csl_is_valid_csl_json(kb: KnowledgeBase) -> None:
    items = [cite.reference_csl(r) for r in kb.references.values()]
    csl_validator().validate(items)


# claims

def test_claim_bibtex(kb: KnowledgeBase) -> None:
    assert cite.claim_bibtex(kb, kb.claims["alpha-thesis"]) == """\
@misc{fx:alpha-thesis,
  author = {{Fixture Reader editors}},
  title = {{Specialization wins}},
  howpublished = {\\url{https://example.org/fixture/claims/alpha-thesis/}},
  organization = {Fixture Reader},
  month = mar,
  year = {2026},
  date = {2026-03-01},
  url = {https://example.org/fixture/claims/alpha-thesis/},
  note = {Claim in Fixture Reader, version v1.2.0},
  version = {v1.2.0},
}
"""


def test_claim_bibtex_escapes_latex_syntax(kb: KnowledgeBase) -> None:
    text = cite.claim_bibtex(kb, kb.claims["special-title"])
    title = next(line for line in text.splitlines() if line.startswith("  title = "))
    assert title == ("  title = {{Rock \\& roll: 100\\% of \\$5 \\textbraceleft{}braces\\textbraceright{} \\#1 a\\_b "
                     "\\textasciitilde{} \\textasciicircum{} \\textbackslash{} back -{}- {\\\"u}ber}},")
    assert cite.to_unicode(title.removeprefix("  title = {").removesuffix("},")) == kb.claims["special-title"].title


def test_claim_without_date_or_version_has_no_date_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLAIMKB_VERSION", raising=False)
    monkeypatch.delenv("CLAIMKB_DATE", raising=False)
    kb = loader.load(make_kb(tmp_path)).kb  # no mkdocs.yml, not a git checkout
    text = cite.claim_bibtex(kb, kb.claims["alpha-thesis"])
    assert text == """\
@misc{kb:alpha-thesis,
  author = {{Knowledge base editors}},
  title = {{Specialization wins}},
  organization = {Knowledge base},
  note = {Claim in Knowledge base},
}
"""
    assert cite.claim_csl(kb, kb.claims["alpha-thesis"]) == {
        "id": "kb:alpha-thesis", "type": "entry", "title": "Specialization wins",
        "author": [{"literal": "Knowledge base editors"}], "container-title": "Knowledge base"}


def test_claim_csl(kb: KnowledgeBase) -> None:
    item = cite.claim_csl(kb, kb.claims["special-title"])
    assert item == {
        "id": "fx:special-title", "type": "entry", "title": kb.claims["special-title"].title,
        "author": [{"literal": "Fixture Reader editors"}], "container-title": "Fixture Reader",
        "URL": "https://example.org/fixture/claims/special-title/", "version": "v1.2.0",
        "issued": {"date-parts": [[2026, 3, 1]]},
    }
    csl_validator().validate([item])


def test_claim_text(kb: KnowledgeBase) -> None:
    assert cite.claim_text(kb, kb.claims["beta-premise"]) == (
        "Resources are finite. In Fixture Reader, version v1.2.0. https://example.org/fixture/claims/beta-premise/. "
        "Claimed by: Smith and Lee 2020, §2.")


# the command

@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_kb(tmp_path, CITE_FILES)


def test_cli_cites_a_claim_in_each_format(root: Path) -> None:
    code, out, err = main("cite", "beta-premise", "--root", root)
    assert (code, err) == (0, "")
    assert out == ("Resources are finite. In Fixture Reader, version v1.2.0. "
                   "https://example.org/fixture/claims/beta-premise/. Claimed by: Smith and Lee 2020, §2.\n")
    code, out, _ = main("cite", "beta-premise", "--root", root, "--format", "bibtex")
    assert code == 0 and out.startswith("@misc{fx:beta-premise,\n") and out.endswith("}\n")
    code, out, _ = main("cite", "fx:beta-premise", "--root", root, "--format", "csl-json")
    assert code == 0 and [i["id"] for i in json.loads(out)] == ["fx:beta-premise"]
    csl_validator().validate(json.loads(out))


def test_cli_cites_a_reference_in_each_format(root: Path) -> None:
    code, out, _ = main("cite", "aguera2024unicode", "--root", root, "--format", "bibtex")
    assert code == 0 and out.startswith("@book{aguera2024unicode,\n  author = {{Ag{\\\"u}era y Arcas}")
    code, out, _ = main("cite", "aguera2024unicode", "--root", root, "--format", "csl-json")
    assert code == 0 and json.loads(out)[0]["title"] == "Ünïcode in Títles — and 漢字 for €5"
    code, out, _ = main("cite", "hannan1977population", "--root", root, "--style", "alpha")
    assert code == 0
    assert out == ("Michael T. Hannan and John Freeman. The population ecology of organizations. "
                   "American Journal of Sociology, 82(5):929–964, March 1977. doi:10.1086/226424.\n")


def test_cli_cite_runs_as_a_real_command(root: Path) -> None:
    code, out, err = run_claimkb("cite", "mueller2021latex", "--root", root, "--format", "text")
    assert (code, err) == (0, "")
    assert out == [cite.format_reference(loader.load(root).kb, "mueller2021latex")]


def test_cli_unknown_id_suggests_the_closest(root: Path) -> None:
    code, out, err = main("cite", "beta-premis", "--root", root)
    assert (code, out) == (1, "")
    assert err == "claimkb: 'beta-premis' is neither a claim id nor a reference key (did you mean 'beta-premise'?)\n"
    code, _, err = main("cite", "hannan1977populatoin", "--root", root)
    assert code == 1 and "(did you mean 'hannan1977population'?)" in err


def test_cli_bad_style_is_a_usage_error(root: Path) -> None:
    code, out, err = main("cite", "smith2020", "--root", root, "--style", "chicago")
    assert (code, out) == (2, "")
    assert err == f"claimkb: unknown style 'chicago'; pybtex styles: {', '.join(cite.available_styles())}\n"
    assert "plain" in cite.available_styles() and "alpha" in cite.available_styles()


def test_cli_cite_without_a_knowledge_base_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = main("cite", "x", "--root", tmp_path)
    assert code == 2 and "neither claims/ nor references/" in err
