"""BibTeX reading with pybtex's tokenizer: entries with their lines, and every problem as a diagnostic."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

import pybtex.errors
from pybtex.database import Entry, Person
from pybtex.bibtex.utils import split_name_list
from pybtex.database.input.bibtex import LowLevelParser, month_names
from pybtex.scanner import PybtexSyntaxError
from pybtex.utils import CaseInsensitiveDict

from .diagnostics import Capped, Diagnostic, make, non_ascii_hint
from .model import Reference

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.+-]*$")
DOI_RE = re.compile(r"^10\.\d{4,9}/[^\s]+$")
ARXIV_RE = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
PERSON_ROLES = ("author", "editor")
# Characters that @string macros may expand to in one file. Real files use a few journal names a few thousand
# times; `@string{b = a # a}` doubled 30 times is 2**30 characters from 600 bytes: the budget stops it.
MAX_MACRO_EXPANSION = 4 * 1024 * 1024
# The longest field value read, after macro expansion: a title or a note runs to hundreds of characters. Author
# lists run longer (a physics collaboration signs with thousands of names), and fields no page shows (an abstract)
# longer still; the exports decode those once a build, not once a page.
MAX_FIELD = 10_000
MAX_PERSONS_FIELD = 200_000
MAX_LONG_FIELD = 1_000_000
LONG_FIELDS = frozenset({"abstract", "annote", "annotation", "file", "keywords"})


@dataclass(slots=True)
class BibFile:
    """One parsed .bib file: its references in file order and its diagnostics."""

    path: str
    references: list[Reference] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


class _Lines:
    """Offsets to 1-based line and column, by bisecting the line starts once per file."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1


class _Parser(LowLevelParser):
    """pybtex's tokenizer with a budget on macro expansion, the BibTeX form of a YAML alias bomb."""

    expanded = 0

    def substitute_macro(self, name: str) -> str:
        if self.expanded > MAX_MACRO_EXPANSION:
            return ""  # already reported once
        value = super().substitute_macro(name)
        self.expanded += len(value)
        if self.expanded > MAX_MACRO_EXPANSION:
            self.handle_error(PybtexSyntaxError(
                f"@string macros expand to more than {MAX_MACRO_EXPANSION:,} characters in this file; "
                "is a macro defined by repeating another?", self))
            return ""
        return value


def parse(text: str, path: str) -> BibFile:
    problems = Capped()  # at most MAX_PER_FILE listed: a hostile file cannot flood the report
    out = BibFile(path, diagnostics=problems)
    lines = _Lines(text)
    errors: list[PybtexSyntaxError] = []
    parser = _Parser(text, macros=CaseInsensitiveDict(month_names), handle_error=errors.append, filename=path)
    seen_errors = 0
    try:
        for command, body in parser:
            start = parser.command_start
            end = parser.pos
            for error in errors[seen_errors:]:
                out.diagnostics.append(_syntax(error, path, lines))
            broken = len(errors) > seen_errors
            seen_errors = len(errors)
            if command.lower() in ("string", "preamble"):
                continue
            key, fields = body
            line, col = lines.at(start)
            if not key:
                if not broken:
                    out.diagnostics.append(make(path, line, col, "bibtex-syntax", "entry has no citation key"))
                continue
            ref = _entry(command, key, fields, text[start:end], start, lines, path, out.diagnostics)
            if ref is not None:
                out.references.append(ref)
    except PybtexSyntaxError as error:  # raised outside an entry body, e.g. an '@' with no name at the end
        out.diagnostics.append(_syntax(error, path, lines))
    except RecursionError:
        out.diagnostics.append(make(path, parser.lineno or 1, 1, "bibtex-syntax", "braces nest too deeply"))
    for error in errors[seen_errors:]:
        out.diagnostics.append(_syntax(error, path, lines))
    out.diagnostics = problems.close()
    return out


def _syntax(error: PybtexSyntaxError, path: str, lines: _Lines) -> Diagnostic:
    entry_line = None
    try:
        entry_start, _, pos = error.error_context_info
        line, col = lines.at(pos)
        if entry_start is not None:
            entry_line = lines.at(entry_start)[0]
    except (TypeError, ValueError, AttributeError):
        line, col = error.lineno or 1, 1
    message = str(error.args[0]) if error.args else str(error)
    # The parser notices a missing comma or brace only at the next token, often lines later (at worst at the end
    # of the file): name the entry it was reading, where the mistake is.
    where = f" (in the entry that starts at line {entry_line}: check its braces, quotes and commas)" \
        if entry_line is not None and entry_line != line else ""
    return make(path, line, col, "bibtex-syntax", f"{error.error_type}: {message}{where}")


def _entry(command: str, key: str, fields: list, source: str, start: int, lines: _Lines, path: str,
           out: list[Diagnostic]) -> Reference | None:
    line, col = lines.at(start)
    if not KEY_RE.match(key) or len(key) > 100:
        out.append(make(path, line, col, "bibtex-invalid-key",
                        f"key '{key[:60]}'{non_ascii_hint(key)} must start with a letter or digit and use only letters, digits and _:.+- "
                        "(keys become URLs and citation keys)"))
        return None
    entry = Entry(command.lower())
    seen: dict[str, int] = {}
    values: list[tuple[str, str]] = []
    persons: list[tuple[str, tuple[str, ...]]] = []
    offsets: dict[str, list[int]] | None = None

    def mark(name: str, occurrence: int = 0) -> tuple[int, int]:
        nonlocal offsets
        if offsets is None:  # indexed once per entry, and only when a problem needs placing: never a scan per problem
            offsets = _field_offsets(source)
        return _nth(offsets.get(name), occurrence, start, lines)

    for name, parts in fields:
        lname = name.lower()
        value = " ".join("".join(parts).split())
        cap = MAX_LONG_FIELD if lname in LONG_FIELDS else MAX_PERSONS_FIELD if lname in PERSON_ROLES else MAX_FIELD
        if len(value) > cap:
            # Decoding LaTeX costs microseconds a character, and a field is decoded on every page that shows the
            # entry: a megabyte title (easily made with @string macros) would cost minutes a build. Cut it here,
            # so nothing downstream ever sees more, and say so.
            fline, fcol = mark(lname)
            out.append(make(path, fline, fcol, "bibtex-field-too-long",
                            f"{lname} of '{key}' is {len(value):,} characters long; at most {cap:,} are read"))
            value = value[:cap]
        occurrence = seen.get(lname, 0)
        seen[lname] = occurrence + 1
        if occurrence:
            fline, fcol = mark(lname, occurrence)
            out.append(make(path, fline, fcol, "bibtex-duplicate-field",
                            f"entry '{key}' has the field '{lname}' twice; keep one"))
            continue
        if lname in PERSON_ROLES:
            with pybtex.errors.capture() as problems:
                names = _split_names(value)
                for n in names:
                    entry.add_person(Person(n), lname)
            for problem in problems:
                fline, fcol = mark(lname)
                out.append(make(path, fline, fcol, "bibtex-name", f"{lname} of '{key}': {problem}"))
            persons.append((lname, tuple(names)))
        else:
            entry.fields[name] = value
        values.append((lname, value))
    return Reference(key, path, line, col, command.lower(), tuple(values), tuple(persons), entry)


def _split_names(value: str) -> list[str]:
    return [n for n in split_name_list(value) if n.strip()]


# A field name where a field can start: at the start of a line, or after the entry's opening brace or a comma.
_FIELD_RE = re.compile(r"(?m)(?:^[ \t]*|[,{(]\s*)([^\s\"#%'(){}=,~]+)\s*=")


def _field_offsets(source: str) -> dict[str, list[int]]:
    """Offsets in source of each field name (lower-cased), in order, from one pass over it."""
    found: dict[str, list[int]] = {}
    for m in _FIELD_RE.finditer(source):
        found.setdefault(m.group(1).lower(), []).append(m.start(1))
    return found


def _nth(found: list[int] | None, occurrence: int, start: int, lines: _Lines) -> tuple[int, int]:
    if not found:
        return lines.at(start)
    return lines.at(start + found[min(occurrence, len(found) - 1)])


@lru_cache(maxsize=4)
def _lines_of(text: str) -> _Lines:
    return _Lines(text)


def field_mark(ref: Reference, source_text: str, name: str) -> tuple[int, int]:
    """Line and column of a field of ref, given the text of the file that holds it."""
    lines = _lines_of(source_text)  # the same file for each of its references: index its lines once
    start = lines.starts[ref.line - 1] + ref.column - 1
    end = source_text.find("\n@", start + 1)
    source = source_text[start:] if end < 0 else source_text[start:end]
    return _nth(_field_offsets(source).get(name), 0, start, lines)
