"""The hostile pull requests of issue 10, one per class, and the scan of a built site that must find nothing live in them.

Each class is a set of files laid over the clean base of conftest (what an outside contributor can change: files
under claims/ and references/), with the class's hostile text in every contributed field: title, statement,
annotations, relation note, source note and locator, tags, its domain's and kind's title and description, and the title,
author, url, doi, howpublished and note of its BibTeX entry. Every field also carries a marker word (QZ...) that
must stay visible as text, so a renderer that blanks the page cannot pass. test_hostile_site and
test_hostile_browser build these; the held-out corpus (CLAIMKB_HOSTILE_CORPUS) is scanned the same way.
"""
from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from test_hostile import script_signature

IMG = "<img src=x onerror=alert(document.domain)>"
# A folder or .bib file name an outside contributor can add: legal on every file system but Windows.
EVIL_NAME = 'x"><img src=x onerror=alert(document.domain)>'


@dataclass(frozen=True)
class Payload:
    """A class's hostile text: block for multi-line fields, line for one-line ones and BibTeX (braces balanced)."""

    block: str
    line: str
    extra_files: dict[str, str] = field(default_factory=dict)


def _fences() -> str:
    # Code to a CommonMark-minded scanner (0-3 spaces of indent anywhere), but not to pymdownx.superfences.
    return (f"~~~\n{IMG}\n   ~~~\n\n"
            f"   ~~~\n{IMG}\n~~~\n\n"
            f" ~~~\n  {IMG}\n  ~~~\n{IMG}\n\n"
            f"  ```\n{IMG}\n```\n\n"
            f"~~~~\n{IMG}\n~~~\n\n"
            f"```\n <svg onload=alert(1)>\n   ```\n<svg onload=alert(2)>\n")


def _linkrefs() -> str:
    js, data = "javascript:alert(document.domain)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
    return (f"- an item with [e1] and [x][e1]\n  [e1]: {js}\n\n"
            f"1. first\n2. second with [e2]\n\n   [e2]: {data}\n\n"
            f'!!! note "n"\n    [e3] in an admonition\n\n    [e3]: {js}\n\n'
            f'??? note "d"\n    [e4] in details\n\n    [e4]: {js}\n\n'
            f'=== "t"\n\n    [e5] in a tab\n\n    [e5]: {js}\n\n'
            f"Text with a footnote[^f].\n\n[^f]: [e6] in a footnote\n\n    [e6]: {js}\n\n"
            f"Term\n:   [e7] in a definition\n\n    [e7]: {js}\n\n"
            f"> [e8] in a quote\n>\n> [e8]: vbscript:msgbox(1)\n\n"
            f"[][] and [] and ![][]\n\n[]: {js}\n")


def _scheme() -> str:
    return ("[split](java\nscript:alert(document.domain)) and [vb](vb\nscript:msgbox(1)) and "
            "[data](da\nta:text/html,<script>alert(1)</script>) and ![img](java\nscript:alert(2))\n\n"
            "[tab](java\tscript:alert(3)) [cr](java\rscript:alert(4)) [ent](java&#10;script:alert(5)) "
            "[hex](&#x6A;avascript:alert(6)) [nul](java\x00script:alert(7)) [ctl](\x01javascript:alert(8))\n\n"
            '<a href="java\nscript:alert(9)">raw</a>\n\n[ref]\n\n[ref]: java&#x0A;script:alert(10)\n')


def _images() -> str:
    return ("![a](https://evil.example/a.png) ![b](//evil.example/b.png) ![c][pic] ![d](http://evil.example/d.png \"t\")\n\n"
            "[pic]: https://evil.example/c.png\n\n"
            '<img src="https://evil.example/raw.png"> <img srcset="https://evil.example/s.png 2x"> '
            '<video poster="//evil.example/v.png"></video> <audio src="https://evil.example/a.mp3" autoplay></audio> '
            '<picture><source srcset="//evil.example/p.webp"></picture>\n\n'
            '<link rel="stylesheet" href="https://evil.example/x.css">\n\n'
            '<div style="background:url(//evil.example/bg.png)">bg</div>\n\n'
            "<style>@import url(https://evil.example/i.css); body{background:url('//evil.example/b2.png')}</style>\n\n"
            '<svg><image href="https://evil.example/i.svg"/></svg>\n\n'
            "![e](https://evil.example/e.png){: width=1 }\n")


def _admonitions() -> str:
    return ('!!! md-dialog md-dialog--active "Verified by the editors"\n    This claim was checked by the editors.\n\n'
            '??? md-banner "Notice"\n    A banner.\n\n'
            '!!! note md-header "Header"\n    A header.\n\n'
            '???+ success md-top md-top--hidden "Top"\n    x\n\n'
            "A paragraph.\n{: .md-dialog .md-dialog--active }\n\n"
            '<div class="md-dialog md-dialog--active">Verified by the editors (raw).</div>\n')


QUADRATIC_RUN = 19_900  # with the marker, inside the 20,000-character annotations limit


def _quadratic(n: int) -> str:
    # Runs of every shape whose cost a Markdown parser may not bound: [, *, <, > and - nesting, backticks, _.
    k = max(n // 8, 1)
    return ("[" * k + "\n\n" + "*" * k + "\n\n" + "<a " * (k // 3) + "\n\n" + "> " * (k // 2) + "x\n\n"
            + "".join("  " * i + "- x\n" for i in range(min(k // 20, 60))) + "\n" + "`" * k + "\n\n" + "_" * k + "\n\n"
            + "[*_`<" * (k // 5) + "\n")


def _pagelinks() -> str:
    return ("[x](appendix.md) [y](../appendix.md) [z](reading/missing.md#frag) [w](appendix.md#top)\n\n"
            "[r] and ![img](appendix.png)\n\n[r]: missing.md\n")


def _spoof() -> str:
    return ("## Cite\n\nA fake cite section.\n\n## Claimed by {#claimed-by}\n\nNobody.\n\n"
            "## Relations {: #relations }\n\nNone.\n\n### Supports\n\nNothing.\n\n"
            "Text with a footnote[^1] and another[^spoof].\n\n"
            "[^1]: A spoofed footnote that renders after the Cite section.\n"
            "[^spoof]: Another one.\n\n"
            "*[Supports]: Refuted by the editors\n*[Cite]: Do not cite\n*[Relations]: Spoofed\n"
            "*[Sources]: Spoofed\n*[Tags]: Spoofed\n*[Formatted]: Spoofed\n*[BibTeX]: Spoofed\n")


# Words the spoofing class defines abbreviations for: all appear in the page's own headings and tabs.
SPOOF_WORDS = frozenset({"Supports", "Cite", "Relations", "Sources", "Tags", "Formatted", "BibTeX"})

PAYLOADS: dict[str, Payload] = {
    # 1. File and folder names (the files themselves: claims/<name>/ and references/<name>.bib, see hostile_files).
    "names": Payload(f'{IMG}\n\n<a href="x" title=\'x"><img src=x onerror=alert(1)>\'>a</a>\n', IMG),
    # 2. Fences our scanner and pymdownx.superfences read differently.
    "fences": Payload(_fences(), f"~~~ {IMG} ~~~ ``{IMG}``"),
    # 3. Link reference definitions inside blocks, and empty-id definitions.
    "linkrefs": Payload(_linkrefs(), "[a][evil] [evil]: javascript:alert(1) [][] []: javascript:alert(2)"),
    # 4. A scheme split by a newline (and other characters browsers strip).
    "scheme": Payload(_scheme(), "[x](java\tscript:alert(1)) [y](java&#13;script:alert(2)) [z](java&#10;script:alert(3))"),
    # 5. Images and other resources from other hosts.
    "images": Payload(_images(), "![a](https://evil.example/l.png) ![b](//evil.example/l2.png) "
                                 "<img src=//evil.example/l3.png>"),
    # 6. Admonition types and attribute lists as CSS classes of the theme.
    "admonitions": Payload(_admonitions(), 'x {: .md-dialog .md-dialog--active } '
                                           '<span class="md-dialog md-dialog--active">Verified</span>'),
    # 7. Quadratic Markdown: the annotations get QUADRATIC_RUN brackets (hostile_files), the rest a mix of runs.
    "quadratic": Payload(_quadratic(4000), "[" * 150 + "*" * 150 + "_" * 150 + "`" * 50),
    # 8. Links to docs pages that do not exist: check-clean, but strict-build-broken.
    "pagelinks": Payload(_pagelinks(), "[x](appendix.md)"),
    # 9. Reserved names: a claim id `index`, a domain key `index` and a tag `index` (see hostile_files).
    "reserved": Payload(f"A claim named index. {IMG}\n", "index"),
    # 10. The page's own structure: abbreviations, footnotes, generated anchors.
    "spoof": Payload(_spoof(), "Supports Cite *[Supports]: Refuted [^1] {#cite} {: #relations }"),
}

CLASSES = tuple(PAYLOADS)

# Fields of a claim and of a reference whose marker must be visible as text on the claim's or reference's page.
CLAIM_FIELDS = ("title", "statement", "annotations", "relnote", "srcnote", "locator")
REFERENCE_FIELDS = ("title", "author", "note")


def marker(cls: str, name: str) -> str:
    """A word no Markdown parser alters, unique to one field of one class."""
    return f"QZ{cls}X{name}"


def claim_id(cls: str) -> str:
    return f"hostile-{cls}"


def bib_key(cls: str) -> str:
    return f"qz{cls}2020"


def _claim(cls: str, p: Payload) -> str:
    def text(name: str, body: str) -> str:
        return f"{marker(cls, name)} {body}"

    def block(name: str, body: str) -> str:
        return f"{marker(cls, name)} starts this field.\n\n{body}"

    annotations = block("annotations", p.block)
    if cls == "quadratic":
        annotations = f"{marker(cls, 'annotations')} " + "[" * QUADRATIC_RUN
    if cls == "spoof":
        # The abbreviations' words used next to a marker: confined to their block, they may attach here and only here.
        annotations = f"{marker(cls, 'annotations')} Supports Cite Relations.\n\n{p.block}"
    doc = {
        "title": text("title", p.line),
        "statement": block("statement", p.block),
        "kind": "premise",
        "domain": "index" if cls == "reserved" else f"qz-{cls}",
        "claimed_by": {"ref": bib_key(cls), "locator": text("locator", p.line)},
        "sources": [{"ref": bib_key(cls), "locator": text("srclocator", p.line), "note": block("srcnote", p.block)},
                    {"ref": "doe2019", "note": text("srcnote2", p.line)}],
        "relations": [{"type": "supports", "target": "alpha-thesis", "note": block("relnote", p.block)},
                      {"type": "refines", "target": "beta-premise", "note": text("relnote2", p.line)}],
        "annotations": annotations,
        "tags": ["index" if cls == "reserved" else f"qz-{cls}", p.line, marker(cls, "tag").lower()],
    }
    # JSON is YAML: every string exactly as written, control characters included.
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _bib_value(text: str) -> str:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0, text
    assert depth == 0, text
    return text.replace("\x00", "").replace("\r", " ")


def _bib(cls: str, p: Payload) -> str:
    line = _bib_value(p.line)
    block = _bib_value(p.block if cls != "quadratic" else p.line)
    return (f"@misc{{{bib_key(cls)},\n"
            f"  author = {{{marker(cls, 'author')}, {line} and Evil, Eve}},\n"
            f"  title = {{{marker(cls, 'title')} {line} \\url{{javascript:alert(1)}} \\href{{javascript:alert(2)}}{{click}}}},\n"
            f"  howpublished = {{{marker(cls, 'howpublished')} \\url{{javascript:alert(3)}} "
            f"\\href{{https://evil.example/h.png}}{{{line}}}}},\n"
            f"  note = {{{marker(cls, 'note')} {block}}},\n"
            f"  url = {{javascript:alert(4)}},\n"
            f"  doi = {{10.1234/x)<svg/onload=alert(5)>}},\n"
            f"  year = {{2020}},\n}}\n\n")


def _domains(classes: tuple[str, ...]) -> str:
    from conftest import DOMAINS

    out = [DOMAINS]
    for cls in classes:
        key = "index" if cls == "reserved" else f"qz-{cls}"
        p = PAYLOADS[cls]
        out.append(f"{key}:\n  title: {json.dumps(marker(cls, 'domaintitle') + ' ' + p.line, ensure_ascii=False)}\n"
                   f"  description: {json.dumps(marker(cls, 'domaindesc') + ' ' + p.block, ensure_ascii=False)}\n")
    return "".join(out)


# A benign claim using every field, in the clean and in every hostile build: the clean pages then show every
# generated section (Editorial notes, Tags, the relation groups) that a hostile page can have.
BENIGN = {
    "claims/benign-fields.yaml": json.dumps({
        "title": "Every field in use", "statement": "A statement with *emphasis* and a [link](https://example.org).",
        "kind": "premise", "domain": "biology", "claimed_by": {"ref": "doe2019", "locator": "p. 2"},
        "sources": [{"ref": "jones2021", "locator": "p. 3", "note": "A plain note."}],
        "relations": [{"type": "supports", "target": "alpha-thesis", "note": "A plain relation note."},
                      {"type": "refines", "target": "beta-premise", "note": "Another."}],
        "annotations": "An editorial note with a list:\n\n- one\n- two\n", "tags": ["benign", "fields"]}, indent=2) + "\n",
}


def clean_files() -> dict[str, str]:
    """The clean build's files laid over the base: what every hostile build has too."""
    return dict(BENIGN)


def _kinds(classes: tuple[str, ...]) -> str:
    """The tool's kinds, as the clean build has them, and a hostile kind a class, with the class's text."""
    from claimkb.core.model import DEFAULT_ROLES, KINDS

    out = []
    for k in KINDS:
        role = f"  role: {DEFAULT_ROLES[k]}\n" if DEFAULT_ROLES.get(k) else ""
        out.append(f"{k}:\n  title: {k.capitalize()}\n  description: \"\"\n{role}")
    for cls in classes:
        p = PAYLOADS[cls]
        out.append(f"qz-{cls}:\n  title: {json.dumps(marker(cls, 'kindtitle') + ' ' + p.line, ensure_ascii=False)}\n"
                   f"  description: {json.dumps(marker(cls, 'kinddesc') + ' ' + p.block, ensure_ascii=False)}\n")
    return "".join(out)


def hostile_files(classes: tuple[str, ...]) -> dict[str, str]:
    """The files of a pull request carrying the given classes, laid over the base (and the clean files)."""
    files: dict[str, str] = {**BENIGN, "claims/_domains.yaml": _domains(classes), "claims/_kinds.yaml": _kinds(classes)}
    bib = []
    for cls in classes:
        p = PAYLOADS[cls]
        folder = f"claims/{EVIL_NAME}/" if cls == "names" else "claims/"
        files[f"{folder}{claim_id(cls)}.yaml"] = _claim(cls, p)
        entry = _bib(cls, p)
        if cls == "names":
            files[f"references/{EVIL_NAME}.bib"] = entry
        else:
            bib.append(entry)
        if cls == "reserved":  # the claim id `index`, besides hostile-reserved in the domain `index`
            files["claims/index.yaml"] = _claim(cls, p).replace(marker(cls, ""), "QZindexX")
    if bib:
        files["references/hostile.bib"] = "".join(bib)
    return files


def minimal_files(cls: str) -> dict[str, str]:
    """The class as a contributor who wants `claimkb check` to pass would write it: the hostile text only in the
    annotations (and the class's names), every other field valid."""
    p = PAYLOADS[cls]
    doc = {"title": f"A claim of class {cls}", "statement": "A plain statement.", "kind": "premise",
           "domain": "index" if cls == "reserved" else "biology",
           "claimed_by": {"ref": "doe2019", "locator": "p. 1"},
           "relations": [{"type": "supports", "target": "alpha-thesis"}],
           "annotations": p.block if cls != "quadratic" else "[" * QUADRATIC_RUN, "tags": [f"class-{cls}"]}
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    folder = f"claims/{EVIL_NAME}/" if cls == "names" else "claims/"
    files = {f"{folder}{claim_id(cls)}.yaml": text}
    if cls == "reserved":
        from conftest import DOMAINS

        files["claims/index.yaml"] = text.replace('"index"', '"biology"')
        files["claims/_domains.yaml"] = DOMAINS + "index:\n  title: Index\n  description: A domain named index.\n"
    if cls == "names":
        files[f"references/{EVIL_NAME}.bib"] = "@book{named2020,\n  author = {Doe, Dee},\n  title = {Named},\n" \
                                               "  publisher = {P},\n  year = {2020},\n}\n"
        files[f"{folder}{claim_id(cls)}.yaml"] = text.replace('"doe2019"', '"named2020"')
    return files


# --- the scan -----------------------------------------------------------------------------------------------

# Material's admonition types and their aliases (squidfunk.github.io/mkdocs-material/reference/admonitions).
ADMONITION_TYPES = frozenset("""note abstract summary tldr info todo tip hint important success check done question help
faq warning caution attention failure fail missing danger error bug example quote cite""".split())
SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite",
                  "srcset", "lowsrc", "dynsrc", "ping", "manifest", "codebase", "srcdoc", "longdesc", "usemap")
# Attributes that make the browser fetch something as the page loads.
RESOURCE_ATTRIBUTES = ("src", "srcset", "poster", "background", "data", "lowsrc", "dynsrc", "manifest", "codebase")
FETCHING_HREF = ("link", "image", "use", "feimage", "script")
FORBIDDEN_IN_CONTENT = ("iframe", "frame", "frameset", "object", "embed", "applet", "form", "style", "base", "portal",
                        "link", "meta", "script")
# Tags contributed prose may legitimately produce besides those the clean site has in its content.
TEXT_TAGS = frozenset("""p a em strong b i s u del ins mark small sub sup code pre kbd samp var br hr ul ol li dl dt dd
blockquote q cite abbr dfn h2 h3 h4 h5 h6 table thead tbody tfoot tr th td caption span div img details summary
figure figcaption""".split())
CSS_URL_RE = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I)
GENERATED_PAGES = ("claims/index.html", "domains/index.html", "kinds/index.html", "bibliography/index.html")


def scheme_of(value: str) -> str:
    """What a browser takes for the scheme: entities decoded (BeautifulSoup did), whitespace and controls dropped."""
    return re.sub(r"[\x00-\x20\x7f]+", "", value).lower()


def host_of(value: str) -> str | None:
    """The host a URL names (absolute or protocol-relative), or None for a relative or local one."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", value).replace("\\", "/")
    if not (cleaned.startswith("//") or re.match(r"^[a-z][a-z0-9+.-]*://", cleaned, re.I)):
        return None
    return urlsplit(cleaned if "://" in cleaned else "https:" + cleaned).hostname or "?"


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class") or []
    return value if isinstance(value, list) else str(value).split()


def _content(soup: BeautifulSoup) -> list[Tag]:
    return soup.select("article.md-content__inner") or soup.select("article") or [soup]


@dataclass(frozen=True)
class Clean:
    """What a clean build of the same base has: anything beyond it in a hostile build came from contributed text."""

    pages: frozenset[str]
    scripts: frozenset[tuple[str, ...]]
    urls: frozenset[str]                      # values of URL attributes anywhere in the clean site
    hosts: frozenset[tuple[str, str]]         # (tag, host) of resources the clean site fetches from another host
    content_tags: frozenset[tuple[str, str]]  # (page kind or page, tag) inside the content
    styled: frozenset[tuple[str, str]]        # (page kind or page, tag) with a style attribute inside the content
    classes: frozenset[str]                   # class tokens inside the content of any page
    generated: dict[str, dict[str, tuple[str, str]]]  # page kind -> generated anchor id -> (tag, text)
    order: dict[str, frozenset[tuple[str, str]]]  # page kind -> (a, b): generated h2 a comes before b
    cite_next: dict[str, str]                 # page kind -> text just after the #cite heading
    listings: dict[str, frozenset[str]]       # generated index page -> the page paths it links to
    titles: dict[str, tuple[str, tuple[str, ...]]]  # generated index page -> its h1 and its edit/view links


def page_kind(rel: str) -> str | None:
    if rel.startswith("claims/") and rel != "claims/index.html":
        return "claim"
    if rel.startswith("references/"):
        return "reference"
    return None


def _key(rel: str) -> str:
    """Pages compared with the clean build: claim pages with claim pages, a domain's page with a domain's, and so on."""
    parts = rel.split("/")
    if len(parts) == 3 and parts[2] == "index.html" and parts[0] in ("domains", "kinds", "tags"):
        return f"{parts[0]}/*"
    return page_kind(rel) or rel


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").replace("¶", "").split())


def _links(site: Path, rel: str, soup: BeautifulSoup) -> frozenset[str]:
    """Site paths the content of a page links to (resolved, normalised to a folder)."""
    out = set()
    base = posixpath.dirname(rel)
    for content in _content(soup):
        for a in content.find_all("a", href=True):
            href = str(a["href"])
            if host_of(href) or ":" in href.split("/")[0] or href.startswith("#"):
                continue
            path = posixpath.normpath(posixpath.join(base, urlsplit(href).path))
            out.add(path.rstrip("/").removesuffix("/index.html") + "/")
    return frozenset(out)


def learn_clean(site: Path) -> Clean:
    scripts, urls, hosts, content_tags, styled, classes = set(), set(), set(), set(), set(), set()
    generated: dict[str, dict[str, tuple[str, str]]] = {}
    order: dict[str, set[tuple[str, str]]] = {}
    cite_next: dict[str, str] = {}
    listings: dict[str, frozenset[str]] = {}
    titles: dict[str, str] = {}
    pages = set()
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        pages.add(rel)
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        scripts.update(script_signature(s) for s in soup.find_all("script"))
        for tag in soup.find_all(True):
            for name, value in tag.attrs.items():
                if name.lower() in URL_ATTRIBUTES:
                    urls.update(value if isinstance(value, list) else [value])
            for url in _resources(tag):
                if host_of(url):
                    hosts.add((tag.name, host_of(url)))
        for content in _content(soup):
            for tag in content.find_all(True):
                content_tags.add((_key(rel), tag.name))
                if tag.get("style") is not None:
                    styled.add((_key(rel), tag.name))
                classes.update(_classes(tag))
        kind = page_kind(rel)
        if kind:
            ids = generated.setdefault(kind, {})
            h2 = [str(h["id"]) for h in soup.select("article h2[id]")]  # h3 groups vary in order page to page
            order.setdefault(kind, set()).update((a, b) for i, a in enumerate(h2) for b in h2[i + 1:])
            for h in soup.select("article h2[id], article h3[id]"):
                ids[h["id"]] = (h.name, _text(h))
            cite = soup.find(id="cite")
            if cite is not None:
                cite_next[kind] = _text(cite.find_next_sibling())[:12]
        if rel in GENERATED_PAGES:
            listings[rel] = _links(site, rel, soup)
            titles[rel] = _identity(soup)
    assert {"claim", "reference"} <= set(generated) and "cite" in generated["claim"], "the clean site has no claim pages"
    assert listings.keys() == set(GENERATED_PAGES), sorted(listings)
    return Clean(frozenset(pages), frozenset(scripts), frozenset(urls), frozenset(hosts), frozenset(content_tags),
                 frozenset(styled), frozenset(classes), generated, {k: frozenset(v) for k, v in order.items()}, cite_next,
                 listings, titles)


def _resources(tag: Tag) -> Iterator[str]:
    """URLs the browser fetches for this element as the page loads (CSS url() and @import included)."""
    for name, value in tag.attrs.items():
        values = value if isinstance(value, list) else [str(value)]
        lname = name.lower()
        if lname in RESOURCE_ATTRIBUTES:
            for v in values:
                yield from (_srcset(v) if lname in ("srcset", "imagesrcset") else [v])
        elif lname == "imagesrcset":
            for v in values:
                yield from _srcset(v)
        elif lname in ("href", "xlink:href") and tag.name in FETCHING_HREF:
            rel = {r.lower() for r in _classes_of(tag.get("rel"))}
            if tag.name != "link" or not rel & {"canonical", "alternate", "prev", "next", "author", "license"}:
                yield from values
        elif lname == "style":
            yield from _css_urls(" ".join(values))
        elif lname == "content" and tag.name == "meta" and str(tag.get("http-equiv", "")).lower() == "refresh":
            yield from re.findall(r"url\s*=\s*['\"]?([^'\";]+)", " ".join(values), re.I)
    if tag.name == "style":
        yield from _css_urls(tag.get_text())


def _classes_of(value: object) -> list[str]:
    if value is None:
        return []
    return value if isinstance(value, list) else str(value).split()


def _css_urls(css: str) -> Iterator[str]:
    for m in CSS_URL_RE.finditer(css):
        yield m.group(1) or m.group(2)


def _section(tag: Tag, generated: dict[str, tuple[str, str]]) -> str:
    """The generated h2 section an element is in: the nearest generated heading before it."""
    for prev in tag.find_all_previous(["h1", "h2"]):
        if prev.name == "h1" or prev.get("id") in generated:
            return str(prev.get("id"))
    return ""


def _identity(soup: BeautifulSoup) -> tuple[str, tuple[str, ...]]:
    """A generated page's h1 and the files its edit and view buttons name (none: no contributed file)."""
    h1 = soup.select_one("article h1")
    return (_text(h1) if h1 else "", tuple(str(a.get("href")) for a in soup.select("a.md-content__button")))


def scan(site: Path, clean: Clean) -> list[str]:
    """Every live or structural problem of every HTML page of a built hostile site: `page: what`."""
    found: list[str] = []
    paths = sorted(site.rglob("*.html"))
    assert paths, f"no pages in {site}"
    built = {p.relative_to(site).as_posix() for p in paths}
    found += [f"{rel}: generated page missing" for rel in sorted(clean.pages - built)]
    for path in paths:
        rel = path.relative_to(site).as_posix()
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        found += [f"{rel}: {p}" for p in page_problems(rel, soup, clean)]
        if rel in clean.listings:
            missing = clean.listings[rel] - _links(site, rel, soup)
            found += [f"{rel}: generated listing lost its link to {m}" for m in sorted(missing)]
            if _identity(soup) != clean.titles[rel]:
                found.append(f"{rel}: generated page taken over: {_identity(soup)} instead of {clean.titles[rel]}")
    return found


def page_problems(rel: str, soup: BeautifulSoup, clean: Clean) -> Iterator[str]:
    is_map = rel == "map/index.html"
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            lname = name.lower()
            if lname.startswith("on"):
                yield f"<{tag.name} {name}=...> event handler"
            values = value if isinstance(value, list) else [str(value)]
            if lname in URL_ATTRIBUTES:
                for v in (_srcset(" ".join(values)) if lname == "srcset" else values):
                    if scheme_of(v).startswith(SCHEMES) and v not in clean.urls:
                        yield f"<{tag.name} {name}={v[:60]!r}> script or data URL"
        if tag.name == "meta" and str(tag.get("http-equiv", "")).lower() == "refresh":
            yield "<meta http-equiv=refresh>"
        for url in _resources(tag):
            host = host_of(url)
            if host and (tag.name, host) not in clean.hosts:
                yield f"<{tag.name}> fetches {url[:60]!r} from another host"
        if tag.name == "script" and script_signature(tag) not in clean.scripts and not (is_map and _own_script(tag)):
            yield f"script not in the clean build: {str(tag)[:80]!r}"
    ids: dict[str, int] = {}
    for tag in soup.find_all(id=True):
        ids[str(tag["id"])] = ids.get(str(tag["id"]), 0) + 1
    yield from (f"id {i!r} used {n} times" for i, n in ids.items() if n > 1)
    for content in _content(soup):
        for tag in content.find_all(True):
            known = (_key(rel), tag.name) in clean.content_tags
            if tag.name in FORBIDDEN_IN_CONTENT and tag.name != "script" and not known:
                yield f"<{tag.name}> in the content"
            elif not known and tag.name not in TEXT_TAGS and tag.name not in FORBIDDEN_IN_CONTENT:
                yield f"<{tag.name}> live in the content"
            if tag.get("style") is not None and (_key(rel), tag.name) not in clean.styled:
                yield f"<{tag.name} style=...> in the content"
            classes = _classes(tag)
            if "admonition" in classes or tag.name == "details":
                odd = [c for c in classes if c not in ADMONITION_TYPES and c != "admonition" and c not in clean.classes]
                if odd:
                    yield f"admonition classes {odd}"
            spoofed = [c for c in classes if c.startswith("md-") and c not in clean.classes]
            if spoofed:
                yield f"<{tag.name}> with the theme's classes {spoofed}"
    yield from structure_problems(rel, soup, clean)


def _own_script(tag: Tag) -> bool:
    return not tag.get_text() and bool(re.fullmatch(r"(\.\./)*assets/claimkb/[a-z0-9/_.-]+\.js", str(tag.get("src", ""))))


def structure_problems(rel: str, soup: BeautifulSoup, clean: Clean) -> Iterator[str]:
    """Generated anchors, headings, footnotes and abbreviations stay where the page put them."""
    kind = page_kind(rel)
    generated = clean.generated.get(kind or "", {})
    if kind:
        h1 = soup.select("article h1")
        if len(h1) != 1:
            yield f"{len(h1)} h1 headings in the content"
        for h in soup.select("article h2"):
            if h.get("id") not in generated:
                yield f"contributed h2 {_text(h)[:40]!r} (id {h.get('id')!r}) among the page's own"
        seen = []
        for anchor, (tag_name, text) in generated.items():
            el = soup.find(id=anchor)
            if el is None:
                continue
            seen.append(anchor)
            if (el.name, _text(el)) != (tag_name, text):
                yield f"#{anchor} taken by <{el.name}> {_text(el)[:40]!r}"
        positions = {a: i for i, a in enumerate(e.get("id") for e in soup.find_all(id=True))}
        for a, b in sorted(clean.order.get(kind, ())):
            if a in seen and b in seen and positions[a] > positions[b]:
                yield f"generated anchor #{b} comes before #{a}"
        cite = soup.find(id="cite")
        if cite is not None and kind in clean.cite_next:
            following = cite.find_next_sibling()
            after = _text(following)[:12] if following is not None else ""
            if after != clean.cite_next[kind]:
                yield f"#cite is followed by {after!r}, not the page's own {clean.cite_next[kind]!r}"
    for ref in soup.select("sup a[href^='#fn']"):
        target = soup.find(id=str(ref["href"])[1:])
        if target is not None and _section(ref, generated) != _section(target, generated):
            yield f"footnote {ref['href']} rendered in section #{_section(target, generated)}, outside its block"
    own_headings = [h for h in soup.find_all(["h1", "h2", "h3"]) if h.get("id") in generated or h.name == "h1"]
    for abbr in soup.find_all("abbr"):
        parent = abbr.find_parent(["h1", "h2", "h3", "h4", "h5", "h6", "nav", "header", "footer", "label", "title"])
        if parent is not None and (parent in own_headings or parent.name not in ("h3", "h4", "h5", "h6")):
            yield f"<abbr> {abbr.get_text()!r} attached to the page's own <{parent.name}>"
            continue
        # The smallest element around it holding contributed text (a marker) must not hold the page's own headings.
        holder = next((a for a in abbr.parents if "QZ" in a.get_text()), None)
        if holder is None or holder.name in ("article", "body", "html", "[document]") or \
                any(h in own_headings for h in holder.find_all(["h1", "h2", "h3"])):
            yield f"<abbr> {abbr.get_text()!r} attached outside the block that defined it"


def visible_markers(site: Path, classes: tuple[str, ...]) -> list[str]:
    """Marker words of contributed fields missing from the text of their pages (empty: all are shown)."""
    missing = []
    for cls in classes:
        page = site / "claims" / claim_id(cls) / "index.html"
        reference = site / "references" / bib_key(cls) / "index.html"
        vocabulary = ((site / "domains" / f"qz-{cls}" / "index.html", ("domaintitle", "domaindesc")),
                      (site / "kinds" / f"qz-{cls}" / "index.html", ("kindtitle", "kinddesc")))
        pages = ((page, CLAIM_FIELDS), (reference, REFERENCE_FIELDS))
        if cls == "names":
            # A folder or .bib file under an unsafe name is never read (unsafe-name): its claim and reference must
            # not be published at all, so no page carries their names.
            missing += [f"{p.relative_to(site)}: published from an unsafely named file" for p, _ in pages if p.exists()]
            pages = ()
        for path, names in (*pages, *vocabulary[cls == "reserved":]):
            if not path.exists():
                missing.append(f"{path.relative_to(site)}: no such page")
                continue
            text = "".join(c.get_text() for c in _content(BeautifulSoup(path.read_text("utf-8"), "html.parser")))
            missing += [f"{path.relative_to(site)}: {marker(cls, n)} not shown" for n in names if marker(cls, n) not in text]
    return missing
