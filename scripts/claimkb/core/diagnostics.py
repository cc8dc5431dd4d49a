"""Diagnostics: the problems found in a knowledge base, as data, and the catalogue of their codes."""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    path: str  # POSIX path relative to the knowledge-base root
    line: int  # 1-based
    column: int  # 1-based
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity} {self.code}: {self.message}"


# Every code the checker can emit, with its severity and a one-line summary. The docs page
# docs/reference/diagnostics.md must describe each one (tests/test_docs.py keeps them in step).
CODES: dict[str, tuple[Severity, str]] = {
    "file-too-large": ("error", "A claim, vocabulary or BibTeX file is larger than the size limit."),
    "not-utf8": ("error", "A file is not valid UTF-8 text."),
    "nul-byte": ("error", "A file contains a NUL byte."),
    "symlink": ("error", "A file or folder under claims/ or references/ is a symbolic link."),
    "yaml-syntax": ("error", "A YAML file cannot be parsed."),
    "yaml-duplicate-key": ("error", "A YAML mapping has the same key twice (YAML would silently keep the last)."),
    "yaml-alias": ("error", "A YAML file uses anchors and aliases, which a claim never needs."),
    "yaml-tag": ("error", "A YAML file uses an explicit tag such as !!python/object."),
    "yaml-too-deep": ("error", "A YAML document nests deeper than the limit."),
    "not-a-mapping": ("error", "A claim or vocabulary file does not hold a mapping at its top level."),
    "empty-file": ("error", "A claim or vocabulary file is empty."),
    "invalid-id": ("error", "A claim file's stem is not a valid claim id."),
    "duplicate-id": ("error", "Two claim files have the same stem (possibly in different subfolders)."),
    "retired-id": ("error", "A claim reuses an id that was retired or renamed; ids are never reused."),
    "removed-id": ("error", "A claim id or citation key published at an earlier revision is gone without an alias."),
    "unknown-field": ("error", "A claim has a field the schema does not define (often a typo)."),
    "missing-field": ("error", "A claim lacks a required field."),
    "wrong-type": ("error", "A field holds the wrong type of value (YAML 1.1 reads no, on, 1.10 and dates as non-strings)."),
    "invalid-value": ("error", "A field's value breaks a rule of the schema (length, pattern, number of items)."),
    "unknown-kind": ("error", "A claim's kind is not one of the allowed kinds."),
    "unknown-domain": ("error", "A claim's domain is not a key of the domain vocabulary."),
    "unknown-relation-type": ("error", "A relation's type is not one of the allowed relation types."),
    "unknown-fidelity": ("error", "A relation's fidelity is not one of the allowed values."),
    "fidelity-without-interprets": ("error", "A fidelity is given on a relation that is not of type interprets."),
    "unknown-target": ("error", "A relation points to a claim id that does not exist."),
    "self-relation": ("error", "A claim has a relation to itself."),
    "duplicate-relation": ("error", "A claim lists the same relation (type and target) twice."),
    "relation-cycle": ("error", "supports or depends-on relations form a cycle."),
    "unknown-reference": ("error", "claimed_by or a source names a BibTeX key that is not in references/."),
    "duplicate-source": ("warning", "A claim lists the same source with the same locator twice."),
    "invalid-locator": ("error", "A locator does not follow the locator grammar (§4 ¶2, Table 1, p. 15)."),
    "unknown-anchor": ("error", "A locator names a passage that the work's HTML edition has no anchor for."),
    "coarse-locator": ("warning", "A claim's locator reaches only a whole section of a work that has an HTML edition."),
    "edition-invalid": ("error", "An HTML edition file (references/_editions/*.yaml) is malformed."),
    "multiline-title": ("error", "A title spans several lines."),
    "statement-too-long": ("warning", "A statement has more than three sentences."),
    "placeholder-text": ("warning", "A field still holds the TODO placeholder that claimkb new wrote."),
    "raw-html": ("error", "Contributed text contains raw HTML, an HTML comment or a script URL."),
    "unsafe-link": ("error", "A Markdown link or autolink uses a scheme other than http, https or mailto."),
    "unknown-page": ("error", "A relative link in contributed text names no page of the site (or a file that is not a page)."),
    "markup-budget": ("warning", "A text holds so much Markdown syntax that the site shows it as written, unformatted."),
    "unsafe-name": ("error", "A file or folder name under claims/ or references/ has characters that are unsafe in a link."),
    "reserved-name": ("error", "A claim id, key or tag is a name the site's generator uses for its own pages."),
    "uncited-evidence": ("warning", "An evidence claim has no source that the claiming work cites."),
    "too-many-claims": ("error", "The knowledge base has more claims than the limit."),
    "vocabulary-invalid": ("error", "A vocabulary file (claims/_*.yaml) is malformed."),
    "alias-invalid": ("error", "An entry of claims/_aliases.yaml is malformed or points nowhere."),
    "bibtex-field-too-long": ("error", "A BibTeX field is longer than claimkb reads (10,000 characters; more for "
                                       "authors and editors, and for an abstract); the rest is cut."),
    "bibtex-syntax": ("error", "A BibTeX file cannot be parsed at this point."),
    "bibtex-duplicate-key": ("error", "Two BibTeX entries have the same key (within a file or across files)."),
    "bibtex-duplicate-field": ("error", "A BibTeX entry has the same field twice."),
    "bibtex-invalid-key": ("error", "A BibTeX key has characters that make it unsafe in URLs and citations."),
    "bibtex-missing-field": ("warning", "A BibTeX entry lacks a field a citation needs (author or editor, title, year)."),
    "bibtex-name": ("warning", "A BibTeX name list cannot be parsed cleanly."),
    "duplicate-doi": ("error", "The same DOI appears under two keys."),
    "duplicate-arxiv": ("error", "The same arXiv id appears under two keys."),
    "invalid-doi": ("error", "A doi field is not a bare DOI of the form 10.NNNN/suffix."),
    "invalid-arxiv": ("error", "An eprint with archivePrefix arXiv is not a valid arXiv identifier."),
    "invalid-url": ("error", "A url field is not an https:// URL."),
    "unused-reference": ("warning", "A reference is cited by no claim."),
    "docs-unknown-reference": ("error", "A docs page cites a reference key that does not exist."),
    "docs-unknown-claim": ("error", "A docs page links a claim id that does not exist."),
    "docs-unknown-block": ("error", "A docs page asks for a generated block that does not exist, or not on a line of its own."),
    "config-invalid": ("error", "The claimkb settings in mkdocs.yml are malformed."),
    "config-unknown-key": ("warning", "mkdocs.yml's extra.claimkb has a key that is not a setting (often a typo)."),
}


# Problems listed per file and stage: 200,000 duplicate keys fit in 1 MiB, and a report of them helps nobody.
MAX_PER_FILE = 100


class Capped(list):
    """One file's diagnostics, at most MAX_PER_FILE of them: past that, append only notes that some were left out
    (so a hostile file cannot flood the report or memory), and close() says so in one last diagnostic."""

    def __init__(self, limit: int = MAX_PER_FILE) -> None:
        super().__init__()
        self.limit = limit
        self.left_out: Diagnostic | None = None  # the first diagnostic not listed

    @property
    def overflowed(self) -> bool:
        return self.left_out is not None

    def append(self, d: Diagnostic) -> None:
        if len(self) < self.limit:
            super().append(d)
        elif self.left_out is None:
            self.left_out = d

    def extend(self, ds: Iterable[Diagnostic]) -> None:
        for d in ds:
            self.append(d)

    def close(self) -> list[Diagnostic]:
        out = list(self)
        if self.left_out is not None:
            d = self.left_out
            out.append(make(d.path, d.line, d.column, d.code,
                            f"more problems from here on are not listed (at most {self.limit} per file): "
                            "fix the ones above and run check again"))
        return out


# Line breaks, terminal controls and bidirectional overrides. Messages quote contributed text: written raw, a newline
# in a YAML key would forge a diagnostic line of its own and an ESC sequence would drive the reviewer's terminal.
# Lone surrogates too: a file name that is not UTF-8 reaches Python as them, and would go out as the raw bytes.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _visible(text: str) -> str:
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def make(path: str, line: int, column: int, code: str, message: str) -> Diagnostic:
    """Build a diagnostic whose severity comes from the catalogue, so one code always means one severity."""
    severity, _ = CODES[code]
    return Diagnostic(_visible(path), max(line, 1), max(column, 1), severity, code, _visible(message))


def non_ascii_hint(text: str) -> str:
    """Names the first non-ASCII character of an id or key: a Cyrillic 'а' looks exactly like a Latin 'a'."""
    for ch in text:
        if ord(ch) > 127:
            name = unicodedata.name(ch, "an unnamed character")
            return f" (it contains '{ch}', U+{ord(ch):04X} {name}, which is not ASCII)"
    return ""


def count(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    errors = warnings = 0
    for d in diagnostics:
        if d.severity == "error":
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def to_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([asdict(d) for d in diagnostics], indent=2, ensure_ascii=False)


def to_github(d: Diagnostic) -> str:
    """A GitHub Actions workflow command, so the problem shows on the pull request's diff line."""
    command = "error" if d.severity == "error" else "warning"

    def escape_property(value: str) -> str:
        return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")

    def escape_data(value: str) -> str:
        return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    return (
        f"::{command} file={escape_property(d.path)},line={d.line},col={d.column},"
        f"title={escape_property(d.code)}::{escape_data(d.message)}"
    )
