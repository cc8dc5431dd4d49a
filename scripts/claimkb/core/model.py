"""The typed model of a knowledge base: claims, references, vocabularies and settings."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .locators import ParsedLocator

# The kinds of claim when claims/_kinds.yaml does not define them; a knowledge base's _kinds.yaml replaces the list.
KINDS = ("thesis", "premise", "evidence", "definition", "objection", "rebuttal", "implication")
# What the tool does with a kind, whatever the kind is called: a thesis heads the argument map and a row of the
# matrix; evidence needs a source the claiming work cites. _kinds.yaml gives a kind its role with `role:`.
KIND_ROLES = ("thesis", "evidence")
DEFAULT_ROLES = {"thesis": "thesis", "evidence": "evidence"}
RELATION_TYPES = ("supports", "rebuts", "refines", "restates", "interprets", "depends-on")
FIDELITIES = ("faithful", "reframing", "addition", "overstatement")
LOCATOR_LABELS = ("section", "page", "figure", "table", "paragraph", "line")
# Relations whose chains must stay acyclic: an argument cannot rest on itself.
ACYCLIC_RELATIONS = ("supports", "depends-on")


@dataclass(frozen=True, slots=True)
class Locator:
    label: str | None  # a CSL locator label of the mapping form ({page: 15}), or None for a string locator
    value: str
    # The grammar's reading of it (core/locators.py); None for a string it rejects (invalid-locator says why).
    parsed: ParsedLocator | None = field(default=None, compare=False)
    line: int = field(default=1, compare=False)
    column: int = field(default=1, compare=False)
    marks: tuple[tuple[int, int, int], ...] = field(default=(), compare=False, repr=False)  # (offset, line, col) of each part

    def __str__(self) -> str:
        if self.label is None:
            return self.value
        if self.parsed is not None:
            return str(self.parsed)
        short = {"section": "§", "page": "p. ", "figure": "Figure ", "table": "Table ", "paragraph": "¶", "line": "l. "}
        return f"{short[self.label]}{self.value}"

    def mark(self, offset: int) -> tuple[int, int]:
        """Where in its file the part at this offset of the locator's text is written."""
        for at, line, column in self.marks:
            if at == offset:
                return line, column
        return self.line, self.column


@dataclass(frozen=True, slots=True)
class Edition:
    """A reference's HTML edition (references/_editions/<key>.yaml): where its locators point, as anchor ids only."""

    key: str
    path: str
    base: str  # the version-pinned URL of the edition; a deep link is base#anchor
    scheme: str  # how locators map to anchor ids: "latexml"
    parents: Mapping[str, str | None]  # anchor id -> the id it is nested in (None at the top), in document order
    children: Mapping[str | None, tuple[str, ...]]  # the inverse, in document order
    headings: Mapping[str, str] = field(default_factory=dict)  # unnumbered heading as titled -> its anchor id
    source: str = ""  # where the ids were read, when not at base

    def url(self, anchor: str) -> str:
        return f"{self.base}#{anchor}"


@dataclass(frozen=True, slots=True)
class Citation:
    """claimed_by or one of sources: a reference key, where in it, and why."""

    ref: str
    locator: Locator | None = None
    note: str | None = None
    role: str = "cited"  # cited | context; "claimed" for claimed_by
    line: int = 1
    column: int = 1


@dataclass(frozen=True, slots=True)
class Relation:
    type: str
    target: str
    note: str | None = None
    fidelity: str | None = None
    line: int = 1
    column: int = 1


@dataclass(frozen=True, slots=True)
class PageLink:
    """A relative link in a claim's Markdown (core/pagelinks.py): the docs-relative page it names, or why it names
    none, and where the target is written in the claim file."""

    href: str
    page: str | None
    problem: str | None
    line: int
    column: int
    field: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    path: str  # POSIX, relative to the root
    title: str
    statement: str
    kind: str
    domain: str
    claimed_by: Citation | None
    sources: tuple[Citation, ...] = ()
    relations: tuple[Relation, ...] = ()
    annotations: str | None = None
    tags: tuple[str, ...] = ()
    # Relative links to pages in the statement, annotations and notes, checked against the site's pages once every
    # file is loaded. Derived from the text, so left out of comparisons (the render memo compares claims).
    links: tuple[PageLink, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Reference:
    key: str
    path: str
    line: int
    column: int
    type: str  # lower-case entry type
    fields: tuple[tuple[str, str], ...]  # in file order, names lower-cased
    persons: tuple[tuple[str, tuple[str, ...]], ...]  # role -> names as written
    entry: Any = field(default=None, compare=False, repr=False)  # the pybtex Entry, for formatting

    def field(self, name: str) -> str | None:
        for key, value in self.fields:
            if key == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Term:
    """An entry of a vocabulary (a domain or a kind)."""

    key: str
    title: str
    description: str
    role: str | None = None  # kinds only: one of KIND_ROLES, or None for a kind the tool treats like any other


@dataclass(frozen=True, slots=True)
class Settings:
    name: str = "Knowledge base"
    editors: tuple[str, ...] = ()
    prefix: str = "kb"
    site_url: str = ""
    repo_url: str = ""
    edit_uri: str = ""
    style: str = "plain"
    version: str = "unversioned"
    date: str = ""  # ISO date of the release or of the last commit; empty when unknown
    license: str = ""


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    root: Path
    claims: Mapping[str, Claim]
    references: Mapping[str, Reference]
    domains: Mapping[str, Term]
    kinds: Mapping[str, Term]
    aliases: Mapping[str, str] = field(default_factory=dict)  # retired claim id or reference key -> current one
    settings: Settings = field(default_factory=Settings)
    docs: Mapping[str, str] = field(default_factory=dict)  # docs page path -> Markdown, hand-written pages
    editions: Mapping[str, Edition] = field(default_factory=dict)  # reference key -> its HTML edition

    def has_role(self, claim: Claim, role: str) -> bool:
        """True when the claim's kind plays role (one of KIND_ROLES) in this knowledge base."""
        term = self.kinds.get(claim.kind)
        return term is not None and term.role == role
