"""Citing: references formatted with pybtex, short author-year citations, and BibTeX and CSL-JSON for references and claims."""
from __future__ import annotations

import codecs
import copy
import re
import string
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

import latexcodec  # noqa: F401 - registers the "ulatex" codecs
from pybtex.database import Entry, Person
from pybtex.plugin import enumerate_plugin_names, find_plugin
from pybtex.richtext import Text

from ..core.model import Citation, Claim, KnowledgeBase, Locator, Reference

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
# Normalized BibTeX writes these first, in this order; any other field follows in alphabetical order.
FIELD_ORDER = ("author", "editor", "title", "subtitle", "booktitle", "journal", "journaltitle", "series", "edition",
               "volume", "number", "chapter", "pages", "howpublished", "organization", "institution", "school",
               "publisher", "address", "location", "month", "year", "date", "isbn", "issn", "doi", "eprint",
               "archiveprefix", "primaryclass", "eprinttype", "eprintclass", "url", "urldate", "note")
# Fields that hold identifiers, not text: never LaTeX-decoded or encoded.
VERBATIM_FIELDS = frozenset({"url", "doi", "eprint", "archiveprefix", "primaryclass", "eprinttype", "eprintclass",
                             "isbn", "issn", "urldate", "file", "pmid", "pubmed"})
CSL_TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "book": "book",
    "proceedings": "book",
    "collection": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "unpublished": "manuscript",
    "online": "webpage",
    "software": "software",
    "dataset": "dataset",
}

_FORMATTING = re.compile(r"\\(?:emph|textit|textbf|textsc|texttt|textrm|textsf|textup|textsl|textmd|textnormal|mbox|text)\s*\{")
_URL_COMMAND = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}(?:\s*\{([^{}]*)\})?")


# Escapes for characters that are LaTeX syntax. latexcodec leaves some as written, decodes others to accents and
# reads a bare % as a comment (dropping the rest of the field); pybtex would read a bare { or } as a group. So they
# travel through decoding as private-use placeholders.
_LITERALS = {"textbraceleft": "{", "textbraceright": "}", "textasciicircum": "^", "textasciitilde": "~",
             "textbackslash": "\\", "textunderscore": "_", "{": "{", "}": "}", "$": "$", "^": "^", "~": "~", "%": "%", "&": "&",
             "#": "#", "_": "_"}
_LITERAL_RE = re.compile(r"\\(textbraceleft|textbraceright|textasciicircum|textasciitilde|textbackslash|textunderscore)"
                         r"(?:\{\}|\s+|(?![A-Za-z]))|\\([{}$%&#_])|\\([~^])\{\}|(?<!\\)(%)")
_PLACEHOLDERS = {ch: chr(0xE000 + i) for i, ch in enumerate(string.punctuation)}
_RESTORE = str.maketrans({v: k for k, v in _PLACEHOLDERS.items()})


def _verbatim(text: str) -> str:
    """Text that decoding must not touch (a URL: -- stays two hyphens, ~ stays a tilde)."""
    return "".join(_PLACEHOLDERS.get(ch, ch) for ch in text)


def _simplify(latex: str) -> str:
    """LaTeX that latexcodec and pybtex decode cleanly: formatting commands become plain groups, \\url{x} becomes x."""
    latex = _URL_COMMAND.sub(lambda m: m.group(2) if m.group(2) is not None else _verbatim(m.group(1)), latex)
    latex = _FORMATTING.sub("{", latex)
    latex = _LITERAL_RE.sub(lambda m: _PLACEHOLDERS[_LITERALS[next(g for g in m.groups() if g)]], latex)
    # {\relax X} is how reference_bibtex protects characters that have no LaTeX macro.
    return latex.replace("\\relax ", "")


@lru_cache(maxsize=1)
def _text_backend() -> Any:
    # render_as("text") looks the plugin up through the entry points on every call: milliseconds each.
    return find_plugin("pybtex.backends", "text")()


def _plain(text: str) -> str:
    return " ".join(text.translate(_RESTORE).replace("\u00a0", " ").split())


@lru_cache(maxsize=16384)
def to_unicode(latex: str) -> str:
    """A BibTeX field's value as plain Unicode text: accents decoded, -- as an en dash, protecting braces removed."""
    simple = _simplify(latex)
    try:
        text = Text.from_latex(simple).render(_text_backend())
    except Exception:  # noqa: BLE001 - unbalanced braces and codec surprises degrade to a cruder decoding
        try:
            text = codecs.decode(simple, "ulatex")
        except Exception:  # noqa: BLE001
            text = simple
        text = text.replace("{", "").replace("}", "")
    return _plain(text)


def _field_text(ref: Reference, name: str) -> str | None:
    value = ref.field(name)
    if value is None or not value.strip():
        return None
    return value.strip() if name in VERBATIM_FIELDS else to_unicode(value)


def _persons(ref: Reference, role: str) -> list[Person]:
    if ref.entry is not None:
        return list(ref.entry.persons.get(role, []))
    out = []
    for r, names in ref.persons:
        if r == role:
            for name in names:
                try:
                    out.append(Person(name))
                except Exception:  # noqa: BLE001 - a malformed name is kept whole
                    out.append(Person(last=name))
    return out


def _is_literal(person: Person) -> bool:
    """An organisation written in braces, {OpenAI}: one protected last name and nothing else."""
    last = person.last_names
    return (len(last) == 1 and last[0].startswith("{") and last[0].endswith("}")
            and not (person.first_names or person.middle_names or person.prelast_names or person.lineage_names))


def _is_others(person: Person) -> bool:
    return [n.lower() for n in person.last_names] == ["others"] and not person.first_names


def _family(person: Person) -> str:
    return to_unicode(" ".join(person.prelast_names + person.last_names))


def _display_name(person: Person) -> str:
    parts = person.first_names + person.middle_names + person.prelast_names + person.last_names
    name = to_unicode(" ".join(parts))
    if person.lineage_names:
        name += ", " + to_unicode(" ".join(person.lineage_names))
    return name


def _csl_name(person: Person) -> dict[str, str]:
    if _is_literal(person):
        return {"literal": to_unicode(person.last_names[0])}
    name: dict[str, str] = {"family": to_unicode(" ".join(person.last_names))}
    given = to_unicode(" ".join(person.first_names + person.middle_names))
    if given:
        name["given"] = given
    if person.prelast_names:
        name["non-dropping-particle"] = to_unicode(" ".join(person.prelast_names))
    if person.lineage_names:
        name["suffix"] = to_unicode(" ".join(person.lineage_names))
    return name


def _join_names(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def _month_number(value: str | None) -> int | None:
    if not value:
        return None
    text = value.strip().strip("{}").strip().lower().rstrip(".")
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    for i, name in enumerate(MONTHS, 1):
        if len(text) >= 3 and name.startswith(text):
            return i
    return None


def _year(ref: Reference) -> str | None:
    year = ref.field("year")
    if year and year.strip():
        return to_unicode(year)
    date = ref.field("date")
    if date and re.match(r"^\d{4}", date.strip()):
        return date.strip()[:4]
    return None


def _iso_parts(date: str) -> list[int] | None:
    m = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", date.strip())
    return [int(p) for p in m.groups() if p is not None] if m else None


def _issued(ref: Reference) -> dict[str, Any] | None:
    date = ref.field("date")
    if date and _iso_parts(date):
        return {"date-parts": [_iso_parts(date)]}
    year = ref.field("year")
    if not year:
        return None
    year = to_unicode(year)
    if not re.fullmatch(r"-?\d{1,4}", year):
        return {"literal": year}
    parts = [int(year)]
    month = _month_number(ref.field("month"))
    if month:
        parts.append(month)
    return {"date-parts": [parts]}


def available_styles() -> list[str]:
    return list(_style_names())


@lru_cache(maxsize=1)
def _style_names() -> tuple[str, ...]:
    # Listing plugins scans the installed packages' entry points: tens of milliseconds, so once per process.
    return tuple(sorted(enumerate_plugin_names("pybtex.style.formatting")))


@lru_cache(maxsize=None)
def _style(name: str) -> Any:
    return find_plugin("pybtex.style.formatting", name)()


def _lookup(kb: KnowledgeBase, key_or_ref: str | Reference) -> Reference | None:
    if isinstance(key_or_ref, Reference):
        return key_or_ref
    return kb.references.get(key_or_ref)


def format_reference(kb: KnowledgeBase, key_or_ref: str | Reference, style: str | None = None) -> str:
    """The reference formatted by a pybtex style as plain Unicode text; a best-effort form when the style cannot."""
    ref = _lookup(kb, key_or_ref)
    if ref is None:
        return f"{key_or_ref} (not in references/)"
    name = style or kb.settings.style
    if name not in _style_names():
        name = "plain"  # a bad style name is a configuration problem, reported elsewhere; pages still render
    return _format(ref, name)


# Unbounded: a bounded cache smaller than the bibliography evicts every entry before its next use (5,000 references
# formatted 29,000 times on one build); a reference formats to a few hundred characters.
@lru_cache(maxsize=None)
def _format(ref: Reference, style: str) -> str:
    if ref.entry is None:
        return fallback_format(ref)
    entry = Entry(ref.entry.type, fields=[(k, v if k.lower() in VERBATIM_FIELDS else _simplify(v))
                                          for k, v in ref.entry.fields.items()], persons=ref.entry.persons)
    try:
        text = _style(style).format_entry(ref.key, entry).text.render(_text_backend())
    except Exception:  # noqa: BLE001 - FieldIsMissing, unknown entry types, bad names, crossrefs: never abort a build
        return fallback_format(ref)
    return _plain(text) or fallback_format(ref)


def fallback_format(ref: Reference) -> str:
    """'Authors (year). Title. Venue.' from whatever fields the entry has."""
    persons = [p for p in _persons(ref, "author") or _persons(ref, "editor") if not _is_others(p)]
    authors = _join_names([_display_name(p) for p in persons])
    if persons and len(persons) < len(_persons(ref, "author") or _persons(ref, "editor")):
        authors += " et al."
    year = _year(ref)
    parts = []
    head = " ".join(p for p in (authors, f"({year})" if year else "") if p)
    if head:
        parts.append(head)
    venue = next((v for v in (_field_text(ref, n) for n in ("journal", "booktitle", "howpublished", "publisher",
                                                              "school", "institution", "organization")) if v), None)
    if venue is None and ref.field("eprint"):
        venue = f"arXiv:{ref.field('eprint')}" if (ref.field("archiveprefix") or "").lower() == "arxiv" else ref.field("eprint")
    for part in (_field_text(ref, "title"), venue):
        if part:
            parts.append(part)
    if not parts:
        return ref.key
    return " ".join(p if p.endswith((".", "?", "!")) else p + "." for p in parts)


def _locator_text(locator: Locator | str | None) -> str:
    return str(locator).strip() if locator is not None else ""


def short_citation(kb: KnowledgeBase, citation_or_ref: Citation | Reference | str,
                   locator: Locator | str | None = None) -> str:
    """'Smith and Lee 2020, §4': family names (one, two, or the first et al.), the year or n.d., the locator."""
    if isinstance(citation_or_ref, Citation):
        key = citation_or_ref.ref
        locator = locator if locator is not None else citation_or_ref.locator
    elif isinstance(citation_or_ref, Reference):
        key = citation_or_ref.key
    else:
        key = citation_or_ref
    ref = _lookup(kb, citation_or_ref if isinstance(citation_or_ref, Reference) else key)
    if ref is None:
        head = key
    else:
        persons = _persons(ref, "author") or _persons(ref, "editor")
        named = [p for p in persons if not _is_others(p)]
        if not named:
            who = _field_text(ref, "organization") or _field_text(ref, "title") or ref.key
        elif len(persons) == 1:
            who = _family(named[0])
        elif len(persons) == 2 and len(named) == 2:
            who = f"{_family(named[0])} and {_family(named[1])}"
        else:
            who = f"{_family(named[0])} et al."
        head = f"{who} {_year(ref) or 'n.d.'}"
    where = _locator_text(locator)
    return f"{head}, {where}" if where else head


def _encode_char(ch: str) -> str:
    try:
        latex = codecs.encode(ch, "ulatex+ascii")
    except Exception:  # noqa: BLE001 - no LaTeX macro for it (CJK, emoji, currency signs)
        latex = None
    if not latex or not latex.isascii():
        # A brace group starting with a control sequence is one "special character" to bibtex, so label and
        # sorting code never splits the UTF-8 bytes; \relax makes the group print as the bare character.
        return "{\\relax " + ch + "}"
    if latex.startswith("\\"):
        return "{" + latex.strip() + "}"
    return latex


_NON_ASCII = re.compile(r"(?<!\\relax )[^\x00-\x7f]")  # idempotent: {\relax X} is already encoded


def bibtex_encode(value: str) -> str:
    """A field value with each non-ASCII character written as LaTeX that bibtex 0.99d handles: {\\"u}, {\\v Z}."""
    if value.isascii():
        return value
    return _NON_ASCII.sub(lambda m: _encode_char(m.group(0)), value)


def latex_escape(text: str) -> str:
    """Plain text (a claim's title, the knowledge base's name) as BibTeX field content."""
    # Braces as commands, not \\{ and \\}: bibtex counts every brace, escaped or not, and needs them balanced.
    special = {"\\": "\\textbackslash{}", "{": "\\textbraceleft{}", "}": "\\textbraceright{}", "&": "\\&", "%": "\\%",
               "$": "\\$", "#": "\\#", "_": "\\_", "^": "\\textasciicircum{}", "~": "\\textasciitilde{}"}
    escaped = "".join(special.get(ch, ch) for ch in text)
    return re.sub(r"-(?=-)", "-{}", escaped)  # -- and --- are dashes in LaTeX; the text meant hyphens


def _month_macro(value: str) -> str | None:
    number = _month_number(value)
    if number is None or value.strip().lower().rstrip(".") not in (MONTHS[number - 1], MONTHS[number - 1][:3]):
        return None
    return MONTHS[number - 1][:3]


def _field_line(name: str, value: str) -> str:
    if name == "month":
        macro = _month_macro(value)
        if macro:
            return f"  month = {macro},"  # the standard macro: bibtex styles and biber both understand it
    if name in VERBATIM_FIELDS:
        encoded = quote(value, safe="".join(chr(c) for c in range(33, 127))) if name == "url" else value
    else:
        encoded = bibtex_encode(value)
    return f"  {name} = {{{encoded}}},"


def _ordered(fields: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> list[tuple[str, str]]:
    rank = {name: i for i, name in enumerate(FIELD_ORDER)}
    return sorted(fields, key=lambda f: (rank.get(f[0], len(rank)), f[0]))


def _bibtex(entry_type: str, key: str, fields: list[tuple[str, str]]) -> str:
    lines = [f"@{entry_type}{{{key},"]
    lines.extend(_field_line(name, value) for name, value in _ordered(fields))
    lines.append("}")
    return "\n".join(lines) + "\n"


def reference_bibtex(ref: Reference) -> str:
    """The entry as normalized BibTeX: lower-case field names in a fixed order, one per line, values in braces."""
    return _bibtex(ref.type, ref.key, [(name, value) for name, value in ref.fields if value.strip()])


def _arxiv_id(ref: Reference) -> str | None:
    prefix = (ref.field("archiveprefix") or ref.field("eprinttype") or "").lower()
    return ref.field("eprint") if prefix == "arxiv" and ref.field("eprint") else None


def csl_type(ref: Reference) -> str:
    if ref.type in ("misc", "online", "electronic", "www"):
        if _arxiv_id(ref) and not ref.field("howpublished"):
            return "article"  # a preprint: CSL's "article" is an unpublished or preprint article
        if ref.field("url") or ref.type != "misc":
            return "webpage"
        return "document"
    return CSL_TYPES.get(ref.type, "document")


def reference_csl(ref: Reference) -> dict[str, Any]:
    """The reference as a CSL-JSON item, every text field decoded to Unicode: the caller's own copy."""
    return copy.deepcopy(csl_item(ref))


@lru_cache(maxsize=4096)
def csl_item(ref: Reference) -> dict[str, Any]:
    """reference_csl's item, made once per reference and shared: for readers that never change it (a build asks
    for every reference's item several times: pages, page metadata, exports)."""
    item: dict[str, Any] = {"id": ref.key, "type": csl_type(ref)}
    for role in ("author", "editor"):
        names = [_csl_name(p) for p in _persons(ref, role) if not _is_others(p)]
        if names:
            item[role] = names
    issued = _issued(ref)
    if issued:
        item["issued"] = issued
    text_fields = {
        "title": "title", "journal": "container-title", "journaltitle": "container-title", "booktitle": "container-title",
        "series": "collection-title", "volume": "volume", "edition": "edition", "pages": "page", "chapter": "chapter-number",
        "publisher": "publisher", "address": "publisher-place", "location": "publisher-place", "note": "note",
        "abstract": "abstract", "language": "language",
    }
    for name, csl in text_fields.items():
        value = _field_text(ref, name)
        if value and csl not in item:
            item[csl] = value
    number = _field_text(ref, "number")
    if number:
        item["number" if item["type"] in ("report", "document", "webpage") else "issue"] = number
    howpublished = _field_text(ref, "howpublished")
    if howpublished and "container-title" not in item:
        item["container-title"] = howpublished
    for name in ("school", "institution", "organization"):
        value = _field_text(ref, name)
        if value and "publisher" not in item:
            item["publisher"] = value
    for name, csl in (("doi", "DOI"), ("url", "URL"), ("isbn", "ISBN"), ("issn", "ISSN")):
        value = ref.field(name)
        if value and value.strip():
            item[csl] = value.strip()
    if "URL" in item and not web_url(item["URL"]):
        # Only a web address is a URL to the tools that read CSL (Zotero, citeproc, page metadata, the linked
        # data): javascript:, data: or a bare word from a contributed url field stays in the BibTeX, not here.
        del item["URL"]
    arxiv = _arxiv_id(ref)
    if arxiv and item["type"] == "article":
        item.setdefault("publisher", "arXiv")
        item["number"] = f"arXiv:{arxiv}"
        item.setdefault("URL", f"https://arxiv.org/abs/{arxiv}")
    if ref.type in ("phdthesis", "mastersthesis"):
        item["genre"] = "PhD thesis" if ref.type == "phdthesis" else "Master's thesis"
    return item


def claim_key(kb: KnowledgeBase, claim: Claim) -> str:
    return f"{kb.settings.prefix}:{claim.id}"


def _page_url(kb: KnowledgeBase, section: str, name: str) -> str:
    site = kb.settings.site_url
    return f"{site.rstrip('/')}/{section}/{name}/" if site else ""


def claim_url(kb: KnowledgeBase, claim: Claim | str) -> str:
    """The claim's permanent URL, or '' when mkdocs.yml sets no site_url."""
    return _page_url(kb, "claims", claim if isinstance(claim, str) else claim.id)


def reference_url(kb: KnowledgeBase, ref: Reference | str) -> str:
    """The reference page's permanent URL, or '' without site_url; BibTeX keys are forever, like claim ids."""
    return _page_url(kb, "references", quote(ref if isinstance(ref, str) else ref.key, safe=""))


def _authors(kb: KnowledgeBase) -> list[str]:
    return list(kb.settings.editors) or [f"{kb.settings.name} editors"]


def editors(kb: KnowledgeBase) -> list[str]:
    """The names every claim is cited under: mkdocs.yml's editors, or '<name> editors'."""
    return _authors(kb)


def version_of(kb: KnowledgeBase) -> str | None:
    """The release or commit to name in citations; None while the knowledge base is unversioned."""
    version = kb.settings.version.strip()
    return version if version and version != "unversioned" else None


def claim_bibtex(kb: KnowledgeBase, claim: Claim) -> str:
    """The claim as a @misc entry citing it as it stands in the knowledge base, at this version."""
    name = latex_escape(kb.settings.name)
    fields = [
        ("author", " and ".join("{" + latex_escape(a) + "}" for a in _authors(kb))),
        ("title", "{" + latex_escape(claim.title or claim.id) + "}"),
        ("organization", name),
    ]
    url = claim_url(kb, claim)
    if url:
        fields += [("howpublished", f"\\url{{{url}}}"), ("url", url)]
    version = version_of(kb)
    note = f"Claim in {name}" + (f", version {latex_escape(version)}" if version else "")
    fields.append(("note", note))
    parts = _iso_parts(kb.settings.date) if kb.settings.date else None
    if parts:
        fields.append(("year", str(parts[0])))
        if len(parts) > 1 and 1 <= parts[1] <= 12:
            fields.append(("month", MONTHS[parts[1] - 1]))
        if len(parts) == 3:
            fields.append(("date", kb.settings.date.strip()[:10]))
    if version:
        fields.append(("version", latex_escape(version)))
    return _bibtex("misc", claim_key(kb, claim), fields)


def claim_csl(kb: KnowledgeBase, claim: Claim) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": claim_key(kb, claim),
        "type": "entry",
        "title": claim.title or claim.id,
        "author": [{"literal": a} for a in _authors(kb)],
        "container-title": kb.settings.name,
    }
    url = claim_url(kb, claim)
    if url:
        item["URL"] = url
    version = version_of(kb)
    if version:
        item["version"] = version
    parts = _iso_parts(kb.settings.date) if kb.settings.date else None
    if parts:
        item["issued"] = {"date-parts": [parts]}
    return item


def claim_text(kb: KnowledgeBase, claim: Claim) -> str:
    """'Title. In <name>, version X. URL. Claimed by: Smith and Lee 2020, §4.'"""
    version = version_of(kb)
    title = claim.title or claim.id
    parts = [title if title.endswith((".", "?", "!")) else title + ".",
             f"In {kb.settings.name}" + (f", version {version}." if version else ".")]
    url = claim_url(kb, claim)
    if url:
        parts.append(url + ".")
    if claim.claimed_by is not None:
        parts.append(f"Claimed by: {short_citation(kb, claim.claimed_by)}.")
    return " ".join(parts)


def web_url(value: str) -> bool:
    """An http or https URL with a host and no whitespace or quotes: what may become a link or an IRI."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc) and not re.search(r"[\s<>\"'`\\]", value)
