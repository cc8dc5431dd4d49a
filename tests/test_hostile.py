"""Hostile content: the checker flags it, and, independently, the site built from it carries nothing executable.

Two layers, each tested on its own: `claimkb check` rejects raw HTML, script links and attribute lists (raw-html,
unsafe-link); the renderer escapes everything contributed whether or not the checker ran. The site is built once for
all hostile claims together (mkdocs build without --strict, since the checker errors), and the final HTML is parsed
with BeautifulSoup: element, attribute and URL checks, never a grep for one spelling. Scripts are compared with those
of a clean build of the base, so Material's own are allowed and nothing else.
"""
from __future__ import annotations

import json
import posixpath
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import markdown
import pytest
from bs4 import BeautifulSoup, Tag

import conftest
from conftest import ENGINES, REPO, check_inprocess, make_kb, parse_output

from claimkb.core import loader
from claimkb.core import yamlsafe
from claimkb.site import render

# --- building a fixture site with the repository's own MkDocs configuration ----------------------------------

_KEPT = ("site_name", "site_url", "repo_url", "edit_uri", "docs_dir", "theme", "plugins", "markdown_extensions", "extra")


def site_config() -> str:
    """The repository's mkdocs.yml for a fixture: same theme, plugins and Markdown extensions (attr_list and the
    Mermaid fence included) and the claimkb plugin; no nav, watch or extra assets, which name repository files."""
    blocks = re.split(r"(?m)^(?=[A-Za-z_]+:)", (REPO / "mkdocs.yml").read_text("utf-8"))
    kept = [b for b in blocks if b.split(":", 1)[0] in _KEPT]
    return "".join(kept)


def build_site(root: Path, site_dir: Path, engine: str = "mkdocs") -> subprocess.CompletedProcess[str]:
    """The engine's build (not strict: hostile knowledge bases have errors) of the knowledge base at root."""
    (root / "mkdocs.yml").write_text(site_config(), "utf-8")
    done = conftest.build_site(root, site_dir, engine, strict=False)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done


def markdown_extensions() -> tuple[list[str], dict[str, dict[str, Any]]]:
    """mkdocs.yml's markdown_extensions as Python-Markdown arguments (the fence format named by !!python/name)."""
    from pymdownx.superfences import fence_code_format

    config = yamlsafe.load_settings_file((REPO / "mkdocs.yml").read_text("utf-8"))
    names: list[str] = []
    configs: dict[str, dict[str, Any]] = {}
    for item in config["markdown_extensions"]:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        names.append(name)
        if options:
            for fence in options.get("custom_fences", []):
                fence["format"] = fence_code_format
            configs[name] = options
    return names, configs


# --- the hostile knowledge base -----------------------------------------------------------------------------

HEAD = """\
title: {title}
statement: {statement}
kind: premise
domain: biology
claimed_by:
  ref: doe2019
  locator: p. 1
relations:
  - type: supports
    target: alpha-thesis
"""


def claim(statement: str = "A plain statement.", title: str = "A hostile claim", extra: str = "") -> str:
    return HEAD.format(title=json.dumps(title), statement=json.dumps(statement)) + extra


def block(name: str, text: str) -> str:
    return f"{name}: |\n" + "".join(f"  {line}\n" if line else "\n" for line in text.splitlines())


@dataclass(frozen=True)
class Case:
    text: str
    codes: frozenset[str]  # what `claimkb check` must report for this file (besides nothing else of its own)


def case(text: str, *codes: str) -> Case:
    return Case(text, frozenset(codes))


CLAIMS: dict[str, Case] = {
    "script": case(claim("<script>alert('statement')</script> and after"), "raw-html"),
    "img-onerror": case(claim('An image <img src=x onerror="alert(1)"> inline.'), "raw-html"),
    "svg-slash": case(claim("<svg/onload=alert(1)> has no space before its attribute."), "raw-html"),
    "iframe-object-embed": case(claim(extra=block("annotations", '<iframe src="javascript:alert(1)"></iframe>\n\n'
                                                  '<object data="javascript:alert(2)"></object><embed src="x.swf">')),
                                "raw-html"),
    "comment-cdata-pi": case(claim(extra=block("annotations", "<!-- <script>alert(1)</script> -->\n\n"
                                               "<![CDATA[<script>alert(2)</script>]]>\n\n<?php echo 1 ?>")), "raw-html"),
    "javascript-link": case(claim("[click me](javascript:alert(1)) now."), "unsafe-link"),
    "data-link": case(claim("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) and "
                            "![y](data:image/svg+xml,<svg onload=alert(1)>)"), "unsafe-link", "raw-html"),
    "vbscript-link": case(claim("[x](vbscript:msgbox(1))"), "unsafe-link"),
    # Found by the fuzzer: a link target that swallowed the `](` of an image after it hid the image from both layers.
    # The parser reads `[a](...)` as a link to the relative file "[b](javascript:alert(1))": no page (unknown-page).
    "nested-links": case(claim("](![i](data:x) and [a]([b](javascript:alert(1)))"), "unsafe-link", "unknown-page"),
    # markdown-it reads [b]'s target as the relative file "java%09script:alert(2)": no page (unknown-page).
    "obfuscated-links": case(claim(extra=block("annotations", "[a](&#106;avascript:alert(1)) [b](java&#x09;script:alert(2)) "
                                               "[c](JaVaScRiPt:alert(3)) [d]( javascript:alert(4)) "
                                               "[e](<javascript:alert(5)>) [f](javascript&colon;alert(6)) "
                                               "![g](javascript:alert(7))")), "unsafe-link", "unknown-page"),
    "reference-links": case(claim(extra=block("annotations", "See [the docs][evil] and [evil] and ![pic][evil].\n\n"
                                              "[evil]: javascript:alert(1)\n[data]: data:text/html,x")), "unsafe-link"),
    "autolinks": case(claim(extra=block("annotations", "<javascript:alert(1)> and <data:text/html,x> "
                                        "and <vbscript:msgbox(1)>")), "unsafe-link"),
    # Entities show as the characters they stand for, as text: accepted, and nothing becomes markup.
    "entities": case(claim("&lt;script&gt;alert(1)&lt;/script&gt; and &#60;script&#62;alert(2)&#60;/script&#62; "
                           "and &#x3C;img src=x onerror=alert(3)&#x3E;")),
    "attribute-lists": case(claim('Click here {: onclick="alert(1)" }', extra=block(
        "annotations", "A paragraph.\n{: onmouseover=\"alert(2)\" }\n\n# Heading { onclick=alert(3) }\n\n"
        "[link](https://example.org){: onclick=\"alert(4)\" style=\"position:fixed\" }")), "raw-html"),
    "link-title": case(claim('[x](https://example.org "t\\" onmouseover=\\"alert(1)")')),
    # A mermaid fence in contributed Markdown is code, shown as text: accepted, and it never becomes a diagram.
    "mermaid-fence": case(claim(extra=block("annotations", "```mermaid\nflowchart LR\n  A-->B\n  click A call alert(1)\n"
                                            '  click B href "javascript:alert(2)"\n```'))),
    "mermaid-label": case(claim(title='Evil"] --> n0\n  click n0 call alert(1)\n  n9["x'), "multiline-title"),
    "mermaid-title-markup": case(claim(title='A ]] "quote" [[ `tick` <b>bold</b> %%{init: {"securityLevel": "loose"}}%% '
                                             "click n0 call alert(1)"), "raw-html"),
    "front-matter-title": case(claim(title="Quote \" and ' and: colon --- and # hash")),
    "front-matter-newline": case(claim(title="First line\n---\ntitle: injected\n<script>alert(1)</script>"),
                                 "multiline-title", "raw-html"),
    "hostile-tags": case(claim(extra='tags: ["\\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "UPPER"]\n'),
                         "invalid-value"),
    "hostile-locator": case(claim().replace("locator: p. 1", 'locator: "<img src=x onerror=alert(1)>"'), "raw-html",
                            "invalid-locator"),
    "hostile-notes": case(claim(extra="sources:\n  - ref: jones2021\n    note: \"[x](javascript:alert(1)) <b>bold</b>\"\n")
                          .replace("    target: alpha-thesis\n",
                                   "    target: alpha-thesis\n    note: \"<img src=x onerror=alert(2)>\"\n"),
                          "unsafe-link", "raw-html"),
    "hostile-kind-domain": case(claim().replace("kind: premise", "kind: \"<script>alert(1)</script>\"")
                                .replace("domain: biology", "domain: \"javascript:alert(1)\""),
                                "invalid-value"),  # not kebab-case: neither can name a vocabulary entry
    "extensions": case(claim(extra=block("annotations", "Text[^1].\n\n[^1]: <script>alert(1)</script>\n\n"
                                         "*[HTML]: <img src=x onerror=alert(2)>\n\n"
                                         '!!! note "<img src=x onerror=alert(3)>"\n    body\n\n'
                                         '=== "<svg onload=alert(4)>"\n\n    tab\n\n'
                                         "Term\n:   <iframe src=x></iframe>")), "raw-html"),
    "shortcodes": case(claim(extra=block("annotations", "[@hostile2020, <img src=x onerror=alert(1)>] and "
                                         "[[alpha-thesis]] and [@javascript:x]"))
                       .replace("ref: doe2019", "ref: hostile2020"), "raw-html"),
    # Found by the fuzzer: text the layers took for code while Python-Markdown did not, and a fence left open that
    # ran on into the page and closed at the page's own diagram fence.
    "not-code": case(claim("\\`<b>bold</b>` and `<B>`` and ``<b>```~~~`",
                           extra=block("annotations", "```\n<img src=x onerror=alert(1)>\n````")), "raw-html"),
    "open-fence": case(claim("```mermaid\nclick n0 call alert(1)")),
    # Found by the fuzzer: a line of a title starting with a form feed ended the indented BibTeX tab of the page.
    "form-feed-title": case(claim(title="A title\n\fB <script>alert(1)</script>"),
                            "multiline-title", "raw-html", "invalid-value"),
    "code-is-inert": case(claim("Inline `<script>alert(1)</script>` code.", extra=block(
        "annotations", "```html\n<script>alert(2)</script>\n<img src=x onerror=alert(3)>\n```"))),
}

HOSTILE_BIB = r"""
@misc{hostile2020,
  author = {<img src=x onerror=alert(1)>, Evil and Evil, Eve},
  title = {<script>alert("title")</script> and {\url{javascript:alert(1)}}},
  howpublished = {\url{javascript:alert(2)}},
  note = {<iframe src="javascript:alert(3)"></iframe> [x](javascript:alert(4)) {: onclick=alert(5)}},
  url = {javascript:alert(6)},
  year = {2020},
}

@misc{doi2020,
  author = {Doi, Dee},
  title = {A DOI That Closes Its Link},
  year = {2020},
  doi = {10.1234/x)<svg/onload=alert(7)>},
}

@misc{javascript:x,
  author = {Colon, Cy},
  title = {A Key That Looks Like a Scheme},
  year = {2020},
}
"""

ALIASES = "references:\n  old-key: \"javascript:x\"\n"


def hostile_files() -> dict[str, str]:
    files = {f"claims/hostile-{name}.yaml": c.text for name, c in CLAIMS.items()}
    files["references/hostile.bib"] = HOSTILE_BIB
    files["claims/_aliases.yaml"] = ALIASES
    # Every hostile reference cited, so the only diagnostics are the ones under test.
    files["claims/cites-hostile.yaml"] = claim().replace("ref: doe2019", "ref: doi2020") + \
        "sources:\n  - ref: \"javascript:x\"\n"
    return files


# --- the checker --------------------------------------------------------------------------------------------


def test_checker_flags_each_hostile_claim(tmp_path: Path) -> None:
    code, out, err = check_inprocess(make_kb(tmp_path, hostile_files()))
    found, _ = parse_output(out)
    assert code == 1 and "Traceback" not in err
    by_file: dict[str, set[str]] = {}
    for d in found:
        by_file.setdefault(d.path, set()).add(d.code)
    for name, c in CLAIMS.items():
        assert by_file.pop(f"claims/hostile-{name}.yaml", set()) == c.codes, name
    assert by_file == {"references/hostile.bib": {"invalid-url"}}


# --- the renderer alone, page by page through Python-Markdown ------------------------------------------------

SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite",
                  "srcset", "lowsrc", "dynsrc", "ping", "manifest", "codebase", "srcdoc")
FORBIDDEN = ("script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal")


def scheme_of(value: str) -> str:
    """What a browser takes for the scheme: entities decoded (BeautifulSoup did), whitespace and controls dropped."""
    return re.sub(r"[\x00-\x20\x7f]+", "", value).lower()


def problems(soup: BeautifulSoup, allowed_urls: frozenset[str] = frozenset()) -> Iterator[str]:
    """Everything executable in a parsed page, besides what allowed_urls (those of a clean page) already hold."""
    for tag in soup.find_all(True):
        assert isinstance(tag, Tag)
        if tag.name in FORBIDDEN and tag.name != "script":
            yield f"<{tag.name}> element"
        if tag.name == "meta" and str(tag.get("http-equiv", "")).lower() == "refresh":
            yield "<meta http-equiv=refresh>"
        for name, value in tag.attrs.items():
            if name.lower().startswith("on"):
                yield f"<{tag.name} {name}=...> event handler"
            values = value if isinstance(value, list) else [value]
            if name.lower() in URL_ATTRIBUTES:
                for v in values:
                    if scheme_of(v).startswith(SCHEMES) and v not in allowed_urls:
                        yield f"<{tag.name} {name}={v!r}>"


def test_each_hostile_claim_page_renders_inert() -> None:
    """The pages of render.render() (the renderer alone, no checker) through the site's Markdown extensions."""
    import tempfile

    names, configs = markdown_extensions()
    with tempfile.TemporaryDirectory() as tmp:
        kb = loader.load(make_kb(Path(tmp), hostile_files())).kb
    site = render.render(kb)
    assert len(site.pages) > len(CLAIMS)
    for page, text in site.pages.items():
        body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
        soup = BeautifulSoup(markdown.markdown(body, extensions=names, extension_configs=configs), "html.parser")
        found = list(problems(soup))
        found += [f"<script> {s}" for s in soup.find_all("script") if not (page == "map.md" and own_script(s))]
        assert found == [], page


# --- the built site -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session", params=ENGINES)
def site_engine(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory, site_engine: str) -> Path:
    root = make_kb(tmp_path_factory.mktemp(f"hostile-{site_engine}"), hostile_files())
    build_site(root, root.parent / "site", site_engine)
    return root.parent / "site"


@pytest.fixture(scope="session")
def clean_page(tmp_path_factory: pytest.TempPathFactory, site_engine: str) -> BeautifulSoup:
    """A claim page of the clean base, built the same way: what the theme puts on every page."""
    root = make_kb(tmp_path_factory.mktemp(f"clean-{site_engine}"))
    build_site(root, root.parent / "site", site_engine)
    return BeautifulSoup((root.parent / "site/claims/alpha-thesis/index.html").read_text("utf-8"), "html.parser")


def script_signature(tag: Tag) -> tuple[str, ...]:
    """A script as comparable across pages: relative paths and the page's base removed."""
    src = tag.get("src")
    if src:
        return ("src", posixpath.basename(urlsplit(str(src)).path))
    text = tag.string or ""
    if tag.get("type") == "application/ld+json":
        json.loads(text)  # citation metadata: data that must parse, whatever a title holds (see test_metadata)
        return ("json-ld",)
    if tag.get("type") == "application/json":
        data = json.loads(text)
        data.pop("base", None)
        text = re.sub(r'"(?:\.\./|\./|/)+', '"', json.dumps(data, sort_keys=True))
        return ("json", str(tag.get("id")), text)
    return ("inline", str(tag.get("type", "")), re.sub(r'new URL\("[^"]*",location\)', "new URL(base,location)", text))


def pages(site: Path) -> list[Path]:
    found = sorted(site.rglob("*.html"))
    assert len(found) > len(CLAIMS)
    return found


def own_script(tag: Tag) -> bool:
    """One of the explorer's scripts, which the map page loads: our asset by a relative URL, with no inline code."""
    return not tag.get_text() and bool(re.fullmatch(r"(\.\./)*assets/claimkb/[a-z0-9/_.-]+\.js", str(tag.get("src", ""))))


def test_built_site_has_only_materials_scripts(hostile_site: Path, clean_page: BeautifulSoup) -> None:
    allowed = {script_signature(s) for s in clean_page.find_all("script")}
    assert len(allowed) >= 2  # the bundle and the config at least: the comparison is not vacuous
    for page in pages(hostile_site):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        is_map = page.relative_to(hostile_site).as_posix() == "map/index.html"
        extra = [str(s)[:120] for s in soup.find_all("script")
                 if script_signature(s) not in allowed and not (is_map and own_script(s))]
        assert extra == [], page.relative_to(hostile_site)


def test_built_site_has_no_executable_markup(hostile_site: Path, clean_page: BeautifulSoup) -> None:
    allowed = frozenset(str(tag.get(a)) for tag in clean_page.find_all(True) for a in URL_ATTRIBUTES if tag.get(a))
    assert list(problems(clean_page)) == []
    for page in pages(hostile_site):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        assert list(problems(soup, allowed)) == [], page.relative_to(hostile_site)


def test_built_site_figures_hold_hostile_text_as_text(hostile_site: Path) -> None:
    """Neighbourhood figures are our markup around escaped text; the explorer's data holds titles as plain strings."""
    figures = 0
    for page in pages(hostile_site):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for figure in soup.select("figure.ckb-hood"):
            figures += 1
            assert {t.name for t in figure.find_all(True)} <= {"figcaption", "div", "p", "ul", "li", "a", "span"}, page
            assert all(not a["href"].startswith(("javascript", "data")) for a in figure.find_all("a")), page
    assert figures >= len(CLAIMS)  # every hostile claim's neighbourhood was checked
    data = json.loads((hostile_site / "data/argument-graph.json").read_text("utf-8"))
    titles = {n[0]: n[1] for n in data["nodes"]}
    for name in CLAIMS:
        title = titles[f"hostile-{name}"]
        assert "\n" not in title and "\x00" not in title and "\u202e" not in title, name


def test_built_site_shows_hostile_text_as_text(hostile_site: Path) -> None:
    """Escaping keeps the words: the reader sees what was written, as characters."""
    soup = BeautifulSoup((hostile_site / "claims/hostile-script/index.html").read_text("utf-8"), "html.parser")
    assert "<script>alert('statement')</script>" in soup.get_text()
    soup = BeautifulSoup((hostile_site / "claims/hostile-entities/index.html").read_text("utf-8"), "html.parser")
    assert "<script>alert(1)</script>" in soup.get_text()
    soup = BeautifulSoup((hostile_site / "references/old-key/index.html").read_text("utf-8"), "html.parser")
    hrefs = [a["href"] for a in soup.find_all("a", href=True) if "javascript" in a["href"]]
    assert hrefs and all(not scheme_of(h).startswith("javascript:") for h in hrefs)
