"""Strict YAML reading: plain values plus the line and column of every node, rejecting what claims never need."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .diagnostics import Capped, Diagnostic, make

# libyaml's C composer keeps the 2.6 s floor for 10,000 files; the pure-Python one is ~9x slower.
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.SafeLoader("")  # only its scalar constructors are used, never on untrusted tags

MAX_DEPTH = 16
# A claim's deepest field is sources[0].locator.page: 16 leaves room and still stops a hostile document early.
TOO_DEEP = (f"the document nests deeper than {MAX_DEPTH} levels; no claim field is nested more than a few "
            "(the deepest is sources[0].locator.page): flatten it")

Path_ = tuple[str | int, ...]

# Line breaks as editors, git and GitHub count them. YAML 1.1 also breaks lines at U+0085, U+2028 and U+2029 and
# libyaml's marks count those too: in a file that holds one, positions are worked out from character offsets.
_BREAK_RE = re.compile("\r\n|[\r\n]")
_YAML_ONLY_BREAK_RE = re.compile("[\x85\u2028\u2029]")

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_NULL = "tag:yaml.org,2002:null"
_SCALAR_TAGS = {
    _STR: "string",
    "tag:yaml.org,2002:int": "integer",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:bool": "boolean",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "date",
}


@dataclass(frozen=True, slots=True)
class Document:
    value: Any
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # node path -> 1-based (line, column)
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # mapping entry path -> its key's mark
    implicit: dict[Path_, tuple[str, str]] = field(default_factory=dict)  # path -> (source text, YAML type) of non-strings
    # Paths whose value was refused (alias, tag, too deep) and replaced by None: their error is already reported,
    # so the schema's "must be a string, not empty" about that None would only be noise.
    rejected: set[Path_] = field(default_factory=set)
    spans: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # scalar path -> its character offsets in source
    source: str = ""
    line_starts: list[int] | None = None  # offsets of editor lines, when libyaml's lines are not those

    def position(self, mark: Any) -> tuple[int, int]:
        """A libyaml mark as a 1-based (line, column) in the lines an editor shows."""
        if self.line_starts is None:
            return mark.line + 1, mark.column + 1
        i = bisect.bisect_right(self.line_starts, mark.index) - 1
        return i + 1, mark.index - self.line_starts[i] + 1

    def mark(self, path: Path_) -> tuple[int, int]:
        """The mark of the deepest node on path that has one (a missing key points at its parent)."""
        for n in range(len(path), -1, -1):
            found = self.marks.get(path[:n])
            if found:
                return found
        return (1, 1)

    def is_rejected(self, path: Path_) -> bool:
        return any(path[:n] in self.rejected for n in range(len(path) + 1))

    def locate(self, path: Path_, snippet: str) -> tuple[int, int]:
        """Where snippet is written inside the scalar at path, so a problem on line 7 of a block scalar points at
        line 7 and not at its | indicator; the scalar's own mark when the snippet is not there verbatim."""
        span = self.spans.get(path)
        at = self.source.find(snippet, *span) if span and snippet else -1
        if at < 0:
            return self.mark(path)
        line, col = self.marks[path]
        start = span[0]
        breaks = list(_BREAK_RE.finditer(self.source, start, at))
        if breaks:
            return line + len(breaks), at - breaks[-1].end() + 1
        return line, col + at - start

    def locate_many(self, path: Path_, snippets: list[str | None]) -> list[tuple[int, int]]:
        """locate() for snippets in the order they are written, in one pass over the scalar rather than one pass per
        snippet (a thousand links in one annotation). A snippet not found after the one before it, or None, is
        located from the scalar's start, as locate() does."""
        span = self.spans.get(path)
        if not span or path not in self.marks:
            return [self.mark(path) for _ in snippets]
        start, end = span
        line, col = self.marks[path]
        pos, line_start = start, None  # line_start: where the current line begins, None on the scalar's first line
        out: list[tuple[int, int]] = []
        for snippet in snippets:
            at = self.source.find(snippet, pos, end) if snippet else -1
            if at < 0:
                out.append(self.locate(path, snippet or ""))
                continue
            for m in _BREAK_RE.finditer(self.source, pos, at):
                line, line_start = line + 1, m.end()
            pos = at
            out.append((line, at - line_start + 1) if line_start is not None else (line, col + at - start))
        return out

    def offset_mark(self, path: Path_, offset: int) -> tuple[int, int]:
        """Where character `offset` of the string at path is written: exact in a one-line plain, single- or
        double-quoted scalar (counting '' and backslash escapes), the scalar's own mark otherwise."""
        span = self.spans.get(path)
        if not span or path not in self.marks:
            return self.mark(path)
        src = self.source[span[0]:span[1]]
        line, col = self.marks[path]
        if not src or _BREAK_RE.search(src) or _YAML_ONLY_BREAK_RE.search(src) or src[0] in "|>":
            return line, col
        if src[0] not in "'\"":
            return line, col + offset
        quote, i = src[0], 1
        for _ in range(offset):
            if i >= len(src) - 1:
                break
            if quote == "'" and src.startswith("''", i):
                i += 2
            elif quote == '"' and src[i] == "\\":
                i += {"x": 4, "u": 6, "U": 10}.get(src[i + 1:i + 2], 2)
            else:
                i += 1
        return line, col + i


def read(text: str, path: str) -> tuple[Document | None, list[Diagnostic]]:
    """Parse one YAML document; never raises on bad content."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _document(text).position(mark) if mark else (1, 1)
        if "maximum nesting depth" in (exc.problem or ""):
            # libyaml stops at 1,000 levels, long before a deep document could exhaust memory or the stack.
            return None, [make(path, line, col, "yaml-too-deep", TOO_DEEP)]
        problem = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        hint = "check indentation, quotes and colons"
        if mark and 0 <= mark.index < len(text) and text[mark.index] == "\t":
            hint = "the character there is a tab: YAML indents with spaces only"
        return None, [make(path, line, col, "yaml-syntax", f"{problem} ({hint})")]
    except yaml.reader.ReaderError as exc:
        # A raw control character. libyaml counts its position in UTF-8 bytes, the Python reader in characters.
        pos = exc.position
        before = text.encode("utf-8")[:pos].decode("utf-8", "replace") if _Loader is not yaml.SafeLoader else text[:pos]
        breaks = list(_BREAK_RE.finditer(before))
        line, col = len(breaks) + 1, len(before) - (breaks[-1].end() if breaks else 0) + 1
        return None, [make(path, line, col, "yaml-syntax",
                           f"the control character U+{exc.character:04X} is not allowed in YAML: remove it")]
    except yaml.YAMLError as exc:
        return None, [make(path, 1, 1, "yaml-syntax", str(exc).splitlines()[0])]
    except RecursionError:
        return None, [make(path, 1, 1, "yaml-too-deep", TOO_DEEP)]
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL and not node.value):
        # Nothing, or a bare `---` document marker (an empty null document): both are an empty claim file.
        return None, [make(path, 1, 1, "empty-file", "the file holds no YAML document; a claim is a mapping of fields")]
    doc = _document(text)
    diagnostics = Capped()
    value = _convert(node, (), doc, diagnostics, path, set(), 0)
    object.__setattr__(doc, "value", value)
    return doc, diagnostics.close()


def _document(text: str) -> Document:
    starts = [0] + [m.end() for m in _BREAK_RE.finditer(text)] if _YAML_ONLY_BREAK_RE.search(text) else None
    return Document(None, source=text, line_starts=starts)


def _convert(node: yaml.Node, at: Path_, doc: Document, out: list[Diagnostic], path: str, seen: set[int], depth: int) -> Any:
    line, col = doc.position(node.start_mark)
    doc.marks[at] = (line, col)
    if id(node) in seen:
        # The composer shares one node between an anchor and each alias: a second visit is an alias. The shared
        # node's mark is the anchor's, so the message names where the alias is.
        out.append(make(path, line, col, "yaml-alias", "anchors and aliases (&name, *name) are not allowed: "
                        f"{_dotted(at)} is an alias of the value anchored here; write the value out"))
        doc.rejected.add(at)
        return None
    if depth > MAX_DEPTH:
        out.append(make(path, line, col, "yaml-too-deep", TOO_DEEP))
        doc.rejected.add(at)
        return None
    seen.add(id(node))  # scalars too: `title: &t x` then `statement: *t` shares one scalar node
    if isinstance(node, yaml.ScalarNode):
        doc.spans[at] = (node.start_mark.index, node.end_mark.index)
        if node.tag == _STR:
            return node.value
        kind = _SCALAR_TAGS.get(node.tag)
        if kind is None:
            out.append(make(path, line, col, "yaml-tag", f"the tag '{node.tag}' is not allowed; remove it"))
            doc.rejected.add(at)
            return None
        doc.implicit[at] = (node.value, kind)
        try:
            return _constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            return node.value
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            out.append(make(path, line, col, "yaml-tag", f"the tag '{node.tag}' is not allowed; remove it"))
            doc.rejected.add(at)
            return None
        return [_convert(item, at + (i,), doc, out, path, seen, depth + 1) for i, item in enumerate(node.value)]
    if node.tag != _MAP:
        out.append(make(path, line, col, "yaml-tag", f"the tag '{node.tag}' is not allowed; remove it"))
        doc.rejected.add(at)
        return None
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        kline, kcol = doc.position(key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            out.append(make(path, kline, kcol, "wrong-type", "a mapping key must be a plain name"))
            continue
        # The key's source text, not its YAML 1.1 value: `no:` stays the field name "no".
        key = key_node.value
        if key in result:
            first = doc.key_marks[at + (key,)]
            out.append(make(path, kline, kcol, "yaml-duplicate-key",
                            f"duplicate key '{key}' (first at line {first[0]}); YAML would silently keep only the last"))
            continue
        doc.key_marks[at + (key,)] = (kline, kcol)
        result[key] = _convert(value_node, at + (key,), doc, out, path, seen, depth + 1)
    return result


def _dotted(at: Path_) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(at)) or "the document"


class _SettingsLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose !!python/name tags (Material's emoji and fences) we have no use for."""


_SettingsLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
_SettingsLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def load_settings_file(text: str) -> Any:
    return yaml.load(text, Loader=_SettingsLoader)
