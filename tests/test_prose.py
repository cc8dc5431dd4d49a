"""site/prose.py and site/html.py: contributed Markdown becomes allowlisted HTML that no Markdown engine re-reads."""
from __future__ import annotations

import re

import markdown as python_markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from bs4 import BeautifulSoup
from pymdownx.superfences import fence_code_format

from claimkb.core import markdown
from claimkb.site import html, prose

CONTEXT = prose.Context(
    shortcode=lambda code: html.link(f"../{code.key}/", code.key, class_="ckb-claimref") if code.key != "unknown" else None,
    relative=lambda href: "../../reading/s4/" if href.split("#")[0] == "../reading/s4.md" else None,
)
# Every extension a knowledge base might turn on, including those that rewrite raw text (critic, snippets).
EXTENSIONS = ["abbr", "admonition", "attr_list", "def_list", "footnotes", "tables", "toc", "md_in_html",
              "pymdownx.details", "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.tabbed",
              "pymdownx.superfences", "pymdownx.critic", "pymdownx.snippets", "pymdownx.arithmatex",
              "pymdownx.smartsymbols", "pymdownx.betterem", "pymdownx.caret", "pymdownx.mark", "pymdownx.tilde",
              "pymdownx.keys", "pymdownx.magiclink"]
CONFIG = {"pymdownx.superfences": {"custom_fences": [{"name": "mermaid", "class": "mermaid", "format": fence_code_format}]},
          "pymdownx.tabbed": {"alternate_style": True}}
HOSTILE = [
    "<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "<svg/onload=alert(1)>",
    "[a](javascript:alert(1))", "[a](java\nscript:alert(1))", "[a](JaVaScRiPt:alert(1))", "[a](data:text/html,x)",
    "[evil]: javascript:alert(1)\n\n[x][evil]", "- item\n\n  [z]: javascript:alert(2)\n\n  [z]", "[]: javascript:x\n\n[][]",
    "~~~\n<img src=x onerror=alert(1)>\n  ~~~\n", " ~~~\n<b>x</b>\n   ~~~", "```mermaid\ngraph TD; A-->B; click A \"javascript:x\"\n```",
    "![x](https://host/p.png)", "![x](//host/p.png)", "![r][img]\n\n[img]: https://host/p.png", "[p](//host/x)",
    "!!! md-dialog md-dialog--active \"Verified\"\n    x", "{: onclick=alert(1)}", "*[Supports]: x", "[^1]\n\n[^1]: x",
    "## Cite", "# Title", "{++ <b>x</b> ++}", "--8<-- \"/etc/passwd\"", "\x02wzxhzdk:0\x03", "<div markdown=\"1\">*x*</div>",
    "<https://ok.org> <javascript:alert(1)>", "[x](vbscript:msgbox(1))", "| a |\n|---|\n| <b onmouseover=x>y</b> |",
]


def _soup(fragment: str) -> BeautifulSoup:
    return BeautifulSoup(fragment, "html.parser")


def _assert_inert(soup: BeautifulSoup) -> None:
    for element in soup.find_all(True):
        assert element.name in prose.TAGS | {"div"}, element
        for attr, value in element.attrs.items():
            assert not attr.lower().startswith("on"), element
            assert attr in {"href", "title", "rel", "class", "start"}, element
            if attr == "href":
                assert re.match(r"(https?://[^/]|mailto:|#|\.\./)", value), element
    assert not soup.find(["img", "script", "iframe", "style", "form", "h1", "h2", "h3"])
    assert not soup.find(id=True)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_prose_is_inert(text: str) -> None:
    _assert_inert(_soup(prose.render_block(text, CONTEXT)))
    _assert_inert(_soup(prose.render_inline(text, CONTEXT)))


@pytest.mark.parametrize("text", HOSTILE)
def test_embedded_block_passes_through_python_markdown_untouched(text: str) -> None:
    line = html.block(prose.render_block(text, CONTEXT))
    assert "\n" not in line and "{" not in line
    page = f"*[HTML]: Hyper Text\n\n# Title\n\n{line}\n\n## After\n"
    out = python_markdown.markdown(page, extensions=EXTENSIONS, extension_configs=CONFIG)
    assert out.split("\n")[1] == line


def test_the_feature_set() -> None:
    out = _soup(prose.render_block("## Heading\n\nSome *em*, **strong**, `code`, ~~gone~~.\n\n- one\n- two\n\n> quote\n\n"
                                   "| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```\n", CONTEXT))
    assert out.find("h5").text == "Heading"  # demoted three levels
    assert [e.name for e in out.find_all(["em", "strong", "code", "s", "ul", "blockquote", "table", "pre"])] == [
        "em", "strong", "code", "s", "ul", "blockquote", "table", "pre", "code"]
    assert "language-python" not in str(out)


def test_links_by_kind() -> None:
    out = _soup(prose.render_block("[web](https://example.org) [mail](mailto:a@b.org) [page](../reading/s4.md#x) "
                                   "[missing](appendix.md) [frag](#top) [file](data.csv) ![pic](https://h/p.png)", CONTEXT))
    links = {a.text: a for a in out.find_all("a")}
    assert links["web"]["href"] == "https://example.org" and links["web"]["rel"] == ["nofollow", "noopener"]
    assert links["mail"]["href"] == "mailto:a@b.org"
    assert links["page"]["href"] == "../../reading/s4/"  # resolved by the page, not kept as .md
    assert links["frag"]["href"] == "#top"
    assert "missing" not in links and "file" not in links and "missing" in out.text
    assert links["pic"]["href"] == "https://h/p.png" and not out.find("img")


def test_shortcodes_render_through_the_page_and_unknown_ones_stay_as_written() -> None:
    out = _soup(prose.render_inline("See [[some-claim]] and [[unknown]] but not `[[in-code]]`.", CONTEXT))
    assert [a["href"] for a in out.find_all("a")] == ["../some-claim/"]
    assert "[[unknown]]" in out.text and out.find("code").text == "[[in-code]]"


def test_checker_and_renderer_read_the_same_tokens() -> None:
    text = "[[a-b]] `[[c]]` [@k, §4 ¶2]\n\n```\n[[d]] [x](javascript:y)\n```\n\n- [l](y.md)\n\n  [r]: https://z\n\n  [r]"
    assert [(c.kind, c.key, c.locator) for c in markdown.shortcodes(text)] == [("claim", "a-b", None), ("cite", "k", "§4 ¶2")]
    assert [link.href for link in markdown.links(text)] == ["y.md", "https://z"]


def test_dense_markup_is_shown_as_text_at_bounded_cost() -> None:
    text = "[" * 20_000
    assert markdown.too_much_markup(text) == 20_000
    out = prose.render_block(text, CONTEXT)
    assert str(out) == f"<p>{text}</p>"
    assert markdown.too_much_markup("[a](b) " * 100) == 0


def test_page_urls_match_the_engines() -> None:
    assert html.page_url("claims/a.md", "claims/b.md") == "../b/"
    assert html.page_url("claims/a.md", "index.md") == "../../"
    assert html.page_url("map.md", "claims/b.md#x") == "../claims/b/#x"
    assert html.page_url("claims/index.md", "domains/biology.md") == "../domains/biology/"
    assert html.page_url("index.md", "map.md") == "map/"
    assert html.page_url("claims/a.md", "downloads/x.bib") == "../../downloads/x.bib"
    assert html.page_url("claims/a.md", "claims/b.md", directory_urls=False) == "b.html"
    assert html.page_url("index.md", "claims/index.md", directory_urls=False) == "claims/index.html"


def test_heading_text_is_inert_markdown() -> None:
    heading = html.heading_text("Pos. #5: <script> & [x](y) *z* {: .x}")
    out = python_markdown.markdown(f"## {heading}", extensions=EXTENSIONS, extension_configs=CONFIG)
    assert _soup(out).h2.text == "Pos. #5: <script> & [x](y) *z* {: .x}"
    assert "<script>" not in out


# Text a contributor writes without markup: letters, digits, punctuation that opens nothing, spaces, line breaks.
PLAIN = st.text(alphabet=st.sampled_from(list("abcXYZ019 .,;:?()'\"/%$@^=+-#\n\t") + ["é", "—", "§", "¶"]), max_size=80)


@settings(max_examples=300, deadline=None)
@given(PLAIN)
def test_plain_prose_renders_as_the_parser_would(text: str) -> None:
    """The fast path for plain text (no parse, no cleaner) gives what the parser and the cleaner give, whenever it
    applies; where it could differ (a line that starts a block), it does not apply."""
    fast = prose._plain_paragraphs(text)  # noqa: SLF001
    if fast is None:
        return
    slow = prose.clean(prose._Renderer(prose.Context()).render(markdown.parse(text), markdown.parser().options, {}))  # noqa: SLF001
    words = lambda html_: " ".join(_soup(str(html_)).get_text(" ").split())  # noqa: E731
    assert words(prose.render_block(text)) == words(slow)
    assert [p.name for p in _soup(str(prose.render_block(text))).find_all(recursive=False)] == \
           [p.name for p in _soup(str(slow)).find_all(recursive=False)]


def test_inline_fragments_are_inert_in_trusted_markdown() -> None:
    fragment = html.link("claims/a.md", html.text("*x* [y](javascript:z) <b> {: onclick=1 } ++ctrl++ :smile: [^1] *[A]: B"))
    out = python_markdown.markdown(f"See {html.inline(fragment)}.", extensions=EXTENSIONS, extension_configs=CONFIG)
    soup = _soup(out)
    assert [a["href"] for a in soup.find_all("a")] == ["claims/a.md"]
    assert soup.a.get_text() == "*x* [y](javascript:z) <b> {: onclick=1 } ++ctrl++ :smile: [^1] *[A]: B"
    assert not soup.find_all(["em", "b", "kbd", "sup", "abbr"]) and "onclick" not in str(soup.a.attrs)


def test_a_link_that_names_another_host_shows_the_host_it_opens() -> None:
    fake = _soup(str(prose.render_inline("[doi.org/10.1/x](https://evil.example/x) and [github.com](https://github.com.evil.io)")))
    assert [s.get_text() for s in fake.select("span.ckb-host")] == ["(evil.example)", "(github.com.evil.io)"]
    honest = _soup(str(prose.render_inline("[arxiv.org/abs/1](https://arxiv.org/abs/1), [www.doi.org](https://doi.org/x), "
                                           "[the paper](https://example.org), [mail me](mailto:a@b.org)")))
    assert honest.select("span.ckb-host") == []
