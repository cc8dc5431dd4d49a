"""Property-based tests: no input crashes `claimkb check`, the renderer never emits live markup, and the schema's two
validators agree.

`make test` runs a few examples of each (CLAIMKB_FUZZ_EXAMPLES, default 50); `make fuzz` runs 10,000 of each. The
knowledge base is the clean base of conftest, built once per module; each example rewrites one file of it.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import fastjsonschema
import jsonschema
import markdown
import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import ALPHA, make_kb, parse_output
from test_hostile import SCHEMES, markdown_extensions, scheme_of

from claimkb import cli
from claimkb.core import bibload
from claimkb.core import loader
from claimkb.core import markup
from claimkb.site import html, prose, render
from claimkb.core.model import KINDS, RELATION_TYPES, Citation, Claim, Locator, Relation

EXAMPLES = int(os.environ.get("CLAIMKB_FUZZ_EXAMPLES", "50"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def root() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield make_kb(Path(tmp))


def check(root: Path) -> tuple[int, list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", "--root", str(root)])
    return code, out.getvalue().splitlines(), err.getvalue()


def assert_sound(root: Path, code: int, out: list[str], err: str) -> None:
    """Exit 0 or 1, only well-formed diagnostic lines, each naming an existing file and a line inside it."""
    assert code in (0, 1) and "Traceback" not in err
    found, summary = parse_output(out)
    assert code == (1 if int(summary["errors"]) else 0)
    for d in found:
        target = root / d.path
        assert target.exists() or d.path in ("claims", "references"), d
        if target.is_file():
            assert 1 <= d.line <= line_count(target.read_bytes()) + 1 and d.column >= 1, d


def line_count(data: bytes) -> int:
    """Lines as an editor counts them: broken by \r\n, \r or \n, and a last line without a break counts too."""
    return len(data.splitlines())


# --- (a) random claim documents -------------------------------------------------------------------------------

FRAGMENTS = ["<script>", "</script>", "<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>", "javascript:", "data:",
             "](", "[", "]", "]:", "(", ")", "{:", "{", "}", "onclick=", "`", "```", "~~~", "\n", "\r\n", "\t", "&#",
             "&lt;", ";", "<!--", "-->", "mermaid", "click", '"', "'", "<", ">", ":", "\\", "*", "_", "|", "#", "!",
             " ", "%%{", "---", "- ", "&", "*a", "&a ", "!!python/object", "? ", "\u202e", "\x00", "\u00e9", "\ufeff",
             "[@smith2020]", "[[alpha-thesis]]", "[^1]", "@", "\u0430", "10.1234/", "https://example.org/",
             "[a](javascript:alert(1))", "[a]: javascript:x", "{: onclick=x}", "```mermaid\nclick A call x\n```",
             "<javascript:x>", "&#106;avascript:", "\\url{", "![i](data:x)", "\n    ", "!!! note ", "=== "]

fragments = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=24).map("".join)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40), fragments,
                    st.sampled_from(["no", "on", "1.10", "2026-01-01", "0o17", "017", ".inf", "12:30", "~", "2.0"]))
keys = st.one_of(st.sampled_from(["title", "statement", "kind", "domain", "claimed_by", "sources", "relations",
                                  "annotations", "tags", "ref", "locator", "note", "role", "type", "target", "fidelity",
                                  "page", "section"]), st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(keys, inner, max_size=5)), max_leaves=20)


def valid_claim() -> dict[str, Any]:
    return yaml.safe_load(ALPHA)


@st.composite
def claim_documents(draw: st.DrawFn) -> bytes:
    """YAML text of a claim: a valid claim with fields replaced or added, random data, or either one mangled."""
    kind = draw(st.sampled_from(["mutated", "random", "mangled", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=400))
    if kind == "random":
        data: Any = draw(values)
    else:
        data = valid_claim()
        for key, value in draw(st.dictionaries(keys, values, max_size=4)).items():
            data[key] = value
    style = draw(st.sampled_from([None, False, True]))
    text = yaml.safe_dump(data, default_flow_style=style, allow_unicode=draw(st.booleans()), sort_keys=False)
    if kind == "mangled" and text:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(fragments) + text[at + draw(st.integers(0, 10)):]
    return text.encode("utf-8", "surrogatepass") if draw(st.booleans()) else text.encode("utf-8", "replace")


@FUZZ
@given(document=claim_documents())
def test_random_claim_documents_never_crash_check(root: Path, document: bytes) -> None:
    (root / "claims/fuzz.yaml").write_bytes(document)
    try:
        assert_sound(root, *check(root))
    finally:
        (root / "claims/fuzz.yaml").unlink()


# --- (b) random BibTeX -----------------------------------------------------------------------------------------

BIB_FRAGMENTS = ["@", "@misc{", "@string{", "@preamble{", "@comment{", "{", "}", "(", ")", '"', ",", "=", "#", "\n",
                 "author", "title", "year", "doi", "url", "crossref", " and ", "\\url{javascript:alert(1)}", "<script>",
                 "{\\\"o}", "%", "jan", "10.1234/x", "https://", "smith2020", "\u00e9", "\x00"]
bib_text = st.lists(st.one_of(st.sampled_from(BIB_FRAGMENTS), st.text(max_size=5)), max_size=40).map("".join)


FIELD_NAMES = ["author", "title", "year", "doi", "url", "note", "crossref", "editor"]
OPENERS, CLOSERS = ["{", '"', ""], ["}", '"', ""]
ENTRY_TYPES = ["misc", "article", "book", "string", "comment", "preamble", ""]


@st.composite
def bibtex_files(draw: st.DrawFn) -> str:
    """Entries with random keys, fields and delimiters (often unbalanced), between random text."""
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.one_of(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_:.+-]{0,12}", fullmatch=True), st.text(max_size=8)))
        fields = [f"  {draw(st.sampled_from(FIELD_NAMES))} = {draw(st.sampled_from(OPENERS))}{draw(bib_text)}"
                  f"{draw(st.sampled_from(CLOSERS))}" for _ in range(draw(st.integers(0, 5)))]
        entries.append(f"@{draw(st.sampled_from(ENTRY_TYPES))}{draw(st.sampled_from(['{', '(', '']))}{key},\n"
                       + ",\n".join(fields) + f"\n{draw(st.sampled_from(['}', ')', '']))}")
    return draw(bib_text) + "\n".join(entries) + draw(bib_text)


@FUZZ
@given(text=bibtex_files())
def test_random_bibtex_never_crashes_check(root: Path, text: str) -> None:
    (root / "references/fuzz.bib").write_text(text, "utf-8", errors="surrogatepass")
    try:
        assert_sound(root, *check(root))
    finally:
        (root / "references/fuzz.bib").unlink()


# --- (c) the renderer never emits live markup ------------------------------------------------------------------

ALLOWED_TAGS = {"p", "a", "em", "strong", "code", "pre", "span", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
                "li", "table", "thead", "tbody", "tr", "th", "td", "blockquote", "hr", "br", "sup", "abbr", "dl", "dt",
                "dd", "details", "summary", "input", "label", "img", "s", "del", "cite", "small",
                # the figures' own structure (site/figures): the explorer's controls, the heat map, the overview SVG
                "figure", "figcaption", "caption", "tfoot", "form", "select", "option", "button", "svg", "path", "rect",
                "text", "line", "title"}
ALLOWED_ATTRIBUTES = {"href", "src", "alt", "title", "id", "class", "name", "type", "checked", "for", "open", "style",
                      "data-tabs", "rel", "role", "tabindex", "scope", "hidden", "value", "placeholder", "autocomplete",
                      "spellcheck", "defer", "focusable", "width", "height", "viewbox", "d", "x", "y", "x1", "y1", "x2",
                      "y2", "rx", "xlink:href"}
# ARIA and data attributes carry our own values (escaped text where a title goes in); scripts only our assets.
ALLOWED_ATTRIBUTE_RE = re.compile(r"(aria|data)-[a-z-]+")
OWN_SCRIPT_RE = re.compile(r"^(\.\./)*assets/claimkb/[a-z0-9/_.-]+\.js$")
SAFE_STYLE = re.compile(r"^text-align: (left|right|center);?$")


def live_markup(html: str) -> Iterator[str]:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        assert isinstance(tag, Tag)
        if tag.name == "script":
            if tag.get_text() or not OWN_SCRIPT_RE.match(str(tag.get("src", ""))):
                yield f"<script {tag.attrs}>"
        elif tag.name not in ALLOWED_TAGS:
            yield f"<{tag.name}>"
        for name, value in tag.attrs.items():
            if name in ("aria-label", "aria-roledescription") or (ALLOWED_ATTRIBUTE_RE.fullmatch(name) and name.startswith("data-")):
                continue
            if ALLOWED_ATTRIBUTE_RE.fullmatch(name) and not str(value).replace("-", "").replace(" ", "").isalnum():
                yield f"<{tag.name} {name}={value!r}>"
            elif ALLOWED_ATTRIBUTE_RE.fullmatch(name):
                continue
            elif name not in ALLOWED_ATTRIBUTES:
                yield f"<{tag.name} {name}>"
            elif name == "style" and not SAFE_STYLE.match(str(value)):
                yield f"<{tag.name} style={value!r}>"
            elif name in ("href", "src", "xlink:href") and scheme_of(str(value)).startswith(SCHEMES):
                yield f"<{tag.name} {name}={value!r}>"
    for element in soup.select(".mermaid"):
        source = element.get_text()
        if "<" in source or "%%{" in source or re.search(r"(?m)^\s*click\b", source):
            yield f"mermaid source {source[:80]!r}"


@pytest.fixture(scope="module")
def base_kb(root: Path) -> Any:
    return loader.load(root).kb


@pytest.fixture(scope="module")
def extensions() -> tuple[list[str], dict[str, dict[str, Any]]]:
    return markdown_extensions()


def to_html(text: str, extensions: tuple[list[str], dict[str, dict[str, Any]]]) -> str:
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    names, configs = extensions
    return markdown.markdown(body, extensions=names, extension_configs=configs)


texts = st.one_of(fragments, st.text(max_size=60))


@FUZZ
@given(title=texts, statement=texts, annotations=st.one_of(st.none(), texts), note=st.one_of(st.none(), texts),
       locator=texts, tag=texts, kind=st.one_of(st.sampled_from(KINDS), texts), rtype=st.sampled_from(RELATION_TYPES))
def test_renderer_never_emits_live_markup(base_kb: Any, extensions: Any, title: str, statement: str,
                                          annotations: str | None, note: str | None, locator: str, tag: str, kind: str,
                                          rtype: str) -> None:
    fuzz = Claim(id="fuzz-claim", path="claims/fuzz-claim.yaml", title=title, statement=statement, kind=kind,
                 domain="biology", claimed_by=Citation("smith2020", Locator(None, locator) if locator else None),
                 sources=(Citation("jones2021", Locator(None, locator) if locator else None, note),),
                 relations=(Relation(rtype, "alpha-thesis", note),), annotations=annotations, tags=(tag,))
    kb = replace(base_kb, claims={**base_kb.claims, fuzz.id: fuzz})
    site = render.render(kb)
    for page in ("claims/fuzz-claim.md", "claims/alpha-thesis.md", "claims/index.md", "map.md", "domains/biology.md",
                 "references/jones2021.md"):
        found = list(live_markup(to_html(site.pages[page], extensions)))
        assert found == [], (page, found)


bib_values = st.one_of(fragments, st.text(max_size=40)).map(lambda t: t.replace("{", "(").replace("}", ")"))


@FUZZ
@given(title=bib_values, author=bib_values, note=bib_values, doi=bib_values, url=bib_values,
       howpublished=bib_values, key=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_:.+-]{0,12}", fullmatch=True))
def test_reference_pages_never_emit_live_markup(base_kb: Any, extensions: Any, title: str, author: str, note: str,
                                                doi: str, url: str, howpublished: str, key: str) -> None:
    fields = {"title": title, "author": author, "note": note, "doi": "10.1234/" + doi, "url": "https://x.org/" + url,
              "howpublished": howpublished, "year": "2020"}
    text = f"@misc{{{key},\n" + "".join(f"  {name} = {{{value}}},\n" for name, value in fields.items()) + "}\n"
    parsed = bibload.parse(text, "references/fuzz.bib")
    assume(parsed.references)
    ref = parsed.references[0]
    kb = replace(base_kb, references={**base_kb.references, ref.key: ref})
    site = render.render(kb)
    for page in (render.reference_page(ref.key), "bibliography.md"):
        found = list(live_markup(to_html(site.pages[page], extensions)))
        assert found == [], (page, found)


def markdown_texts() -> st.SearchStrategy[str]:
    """Markdown built from the pieces that make code, links, raw HTML and attribute lists, on several lines."""
    pieces = st.sampled_from(["`", "``", "```", "~~~", "\\", "<b>", "</b>", "<img src=x onerror=y>", "<svg/onload=y>",
                              "[a]", "](", "(", ")", "javascript:y", "data:y", "![i]", "[r]: ", "{: onclick=y}", "\n",
                              "\n\n", "> ", "- ", "    ", "text", "python", "mermaid", "<!--", "-->", "&lt;", "&#60;",
                              "\r", "<", ">", "'", '"', "=", " "])
    return st.lists(st.one_of(pieces, st.text(max_size=3)), max_size=30).map("".join)


@FUZZ
@given(text=markdown_texts())
def test_html_built_from_any_text_is_inert_in_a_page(extensions: Any, text: str) -> None:
    """Every way contributed text enters a page's Markdown: a raw-HTML block of rendered prose, an inline fragment in
    a hand-written page, a heading's text. Python-Markdown with the site's extensions finds nothing live in any."""
    for rendered in (html.block(prose.render_block(text)), html.block(prose.render_inline(text)),
                     f"See {html.inline(html.link('claims/a.md', html.text(text)))} here.",
                     f"## {html.heading_text(text)} {{ #x }}"):
        found = list(live_markup(to_html(rendered, extensions)))
        assert found == [], (rendered, found)


@FUZZ
@given(text=markdown_texts())
def test_checker_flags_what_markdown_would_make_live(extensions: Any, text: str) -> None:
    """The checker's own layer: text that Python-Markdown, given it raw, turns into live markup is reported."""
    live = list(live_markup(to_html(text, extensions)))
    assert not live or markup.unsafe(text), (text, live)


# --- (d) the fast validator and jsonschema agree ---------------------------------------------------------------

@pytest.fixture(scope="module")
def validators() -> tuple[Any, jsonschema.Draft202012Validator]:
    schema = loader.claim_schema()
    return fastjsonschema.compile(copy.deepcopy(schema), use_default=False), jsonschema.Draft202012Validator(schema)


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10 ** 6),
                         st.floats(allow_nan=False, allow_infinity=False),
                         st.text(max_size=30), st.sampled_from(["thesis", "supports", "interprets", "faithful", "cited",
                                                                 "smith2020", "alpha-thesis", "§1", "", "a" * 121]))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                st.dictionaries(keys, inner, max_size=4)), max_leaves=15)


@st.composite
def schema_documents(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return draw(json_values)
    data = valid_claim()
    data["sources"] = [{"ref": "jones2021", "locator": {"page": 4}, "note": "n", "role": "cited"}]
    data["relations"] = [{"type": "interprets", "target": "beta-premise", "fidelity": "faithful"}]
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from([("title",), ("kind",), ("tags",), ("tags", 0), ("claimed_by", "locator"),
                                     ("claimed_by", "locator", "section"), ("sources", 0, "locator", "page"),
                                     ("sources", 0, "role"), ("relations", 0, "fidelity"), ("relations", 0, "target"),
                                     ("sources",), ("extra",), ("claimed_by", "extra")]))
        at: Any = data
        for part in path[:-1]:
            at = _child(at, part)
        last = path[-1]
        if (isinstance(at, dict) and isinstance(last, str)) or (
                isinstance(at, list) and isinstance(last, int) and last < len(at)):
            at[last] = draw(json_values)
    return data


def _child(at: Any, part: str | int) -> Any:
    if isinstance(at, dict) and isinstance(part, str):
        return at.get(part)
    if isinstance(at, list) and isinstance(part, int) and part < len(at):
        return at[part]
    return None


@FUZZ
@given(document=schema_documents())
def test_fast_validator_agrees_with_jsonschema(validators: Any, document: Any) -> None:
    fast, full = validators
    try:
        fast(copy.deepcopy(document))
        fast_ok = True
    except fastjsonschema.JsonSchemaException:
        fast_ok = False
    assert fast_ok == full.is_valid(document), json.dumps(document, default=str)[:300]
