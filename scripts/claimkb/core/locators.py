"""Locators: the grammar of where in a work a claim is made (§4 ¶2, Table 1, p. 15), parsed into places and parts."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

EN_DASH = "\u2013"

# The grammar as the claim-format page prints it: one text, so the docs and the parser cannot disagree.
GRAMMAR = """\
locator   := place ( "; " place )*              several places; the FIRST is the one deep links point at
place     := part ( " " part )* [ " (" note ")" ]
part      := section | heading | paragraph | item | table | figure | footnote
           | page | chapter | line | "Abstract" | "opening"
section   := "§" NUM ( "." NUM )*                §4   §3.2
heading   := '"' TEXT '"'                        an unnumbered heading, exactly as the work titles it
paragraph := "¶" NUM [ "–" NUM ]                 ¶2   ¶2–3   (en dash for ranges)
item      := "item " NUM                         item 2   (the n-th item of the list in that paragraph)
table     := "Table " NUM
figure    := "Figure " NUM
footnote  := "footnote " NUM
page      := "p. " NUM | "pp. " NUM "–" NUM
chapter   := "ch. " NUM
line      := "l. " NUM | "ll. " NUM "–" NUM
opening   := the text before a work's first heading (for web articles)
note      := free text without parentheses, e.g. (Box 1), (caption)
NUM       := a whole number from 1, without leading zeros"""

EXAMPLES = ("§4 ¶2", "§3.2 ¶10", "§2 ¶2 item 2", "§3.2 ¶7 footnote 1", "§3.2 Table 1", "§3 Figure 1 (caption)",
            "§1 ¶4 (Box 1)", '§2 "Alternative Views" ¶3', "§5.3 ¶1; §6 ¶2", '"Open Problems" ¶2',
            "opening ¶3", "p. 15", "pp. 3–5", "ch. 2")

# Within a place, parts run from the largest to the smallest: §3.2 ¶7 footnote 1, never ¶7 §3.2.
RANK = {"chapter": 0, "section": 1, "abstract": 1, "opening": 1, "heading": 2, "page": 3, "paragraph": 4,
        "table": 4, "figure": 4, "item": 5, "footnote": 5, "line": 6}
PASSAGE_KINDS = ("paragraph", "item", "table", "figure", "footnote")  # below section level
RANGED = ("paragraph", "page", "line")
_KEYWORDS = (("item ", "item"), ("Table ", "table"), ("Figure ", "figure"), ("footnote ", "footnote"),
             ("ch. ", "chapter"), ("pp. ", "page"), ("p. ", "page"), ("ll. ", "line"), ("l. ", "line"))
_WORDS = {"Abstract": "abstract", "opening": "opening"}
_DIGITS = re.compile(r"[0-9]+")
_NOT_DASH = "-\u2010\u2011\u2012\u2014\u2212"  # hyphen-minus, hyphens, figure dash, em dash, minus: not the en dash
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_EXPECTED = ('a part such as §4, ¶2, "Heading", item 2, Table 1, Figure 1, footnote 1, p. 15, pp. 3–5, ch. 2, '
             "l. 12, Abstract or opening")


@dataclass(frozen=True, slots=True)
class Part:
    kind: str  # a key of RANK
    numbers: tuple[int, ...] = ()  # a section's path (3, 2); one number for the other numbered parts
    to: int | None = None  # the end of a range: ¶2–3, pp. 3–5, ll. 4–9
    title: str = ""  # a heading, as the work titles it
    start: int = field(default=0, compare=False)  # offsets in the locator's text, for diagnostics
    end: int = field(default=0, compare=False)

    def __str__(self) -> str:
        n = ".".join(map(str, self.numbers))
        span = f"{n}{EN_DASH}{self.to}" if self.to is not None else n
        if self.kind == "section":
            return f"§{n}"
        if self.kind == "heading":
            return f'"{self.title}"'
        if self.kind == "paragraph":
            return f"¶{span}"
        if self.kind == "page":
            return f"pp. {span}" if self.to is not None else f"p. {n}"
        if self.kind == "line":
            return f"ll. {span}" if self.to is not None else f"l. {n}"
        if self.kind in ("abstract", "opening"):
            return "Abstract" if self.kind == "abstract" else "opening"
        word = {"item": "item", "table": "Table", "figure": "Figure", "footnote": "footnote", "chapter": "ch."}
        return f"{word[self.kind]} {n}"


@dataclass(frozen=True, slots=True)
class Place:
    parts: tuple[Part, ...]
    note: str | None = None
    start: int = field(default=0, compare=False)

    def __str__(self) -> str:
        text = " ".join(map(str, self.parts))
        return f"{text} ({self.note})" if self.note is not None else text

    @property
    def finest(self) -> Part:
        return self.parts[-1]


@dataclass(frozen=True, slots=True)
class ParsedLocator:
    places: tuple[Place, ...]

    def __str__(self) -> str:
        return "; ".join(map(str, self.places))

    @property
    def first(self) -> Place:
        """The place deep links point at."""
        return self.places[0]

    def parts(self) -> tuple[Part, ...]:
        return tuple(p for place in self.places for p in place.parts)


@dataclass(frozen=True, slots=True)
class LocatorError:
    offset: int  # 0-based, in the locator's text
    message: str


class _Fail(Exception):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset, self.message = offset, message


@lru_cache(maxsize=8192)  # a build parses each locator once for the checker, the model and every page linking it
def parse(text: str) -> ParsedLocator | LocatorError:
    """A locator string as places and parts, or the first problem in it, never an exception."""
    try:
        return _locator(text)
    except _Fail as fail:
        return LocatorError(fail.offset, fail.message)


def is_placeholder(text: str) -> bool:
    """`claimkb new` writes 'TODO: ...' as the locator: placeholder-text reports that, not the grammar."""
    return text.lstrip().startswith("TODO")


def from_label(label: str, value: str) -> ParsedLocator | None:
    """The mapping form ({page: 15}, {section: "4.2"}) in the grammar, when its value is a number or a range."""
    head = {"section": "§", "figure": "Figure ", "table": "Table ", "paragraph": "¶"}.get(label)
    if head is None and label in ("page", "line"):
        ranged = EN_DASH in value
        head = {"page": ("p. ", "pp. "), "line": ("l. ", "ll. ")}[label][ranged]
    if head is None:
        return None
    parsed = parse(f"{head}{value}")
    return parsed if isinstance(parsed, ParsedLocator) else None


def _locator(text: str) -> ParsedLocator:
    if not text.strip():
        raise _Fail(0, "the locator is empty: write where in the work, e.g. §4 ¶2")
    control = _CONTROL.search(text)
    if control:
        raise _Fail(control.start(), f"a locator is one line of text; remove the control character U+{ord(control.group()):04X}")
    if text[0].isspace():
        raise _Fail(0, "remove the space before the locator")
    if text[-1].isspace():
        raise _Fail(len(text.rstrip()), "remove the space at the end of the locator")
    places = []
    i = 0
    while True:
        place, i = _place(text, i)
        places.append(place)
        if i == len(text):
            return ParsedLocator(tuple(places))
        i += 2  # _place stops only at the end or at "; "
        if text[i:i + 1].isspace() or text[i:i + 1] == ";":
            raise _Fail(i, "write exactly '; ' (a semicolon and one space) between places")


def _place(text: str, i: int) -> tuple[Place, int]:
    start = i
    parts: list[Part] = []
    while True:
        part, i = _part(text, i)
        _check_order(parts, part)
        parts.append(part)
        if i == len(text) or text.startswith("; ", i):
            return Place(tuple(parts), None, start), i
        if text.startswith(" (", i):
            note, i = _note(text, i + 2)
            if i == len(text) or text.startswith("; ", i):
                return Place(tuple(parts), note, start), i
            raise _Fail(i, "a note ends its place: after ')' comes the end of the locator, or '; ' and the next place")
        if text.startswith(" ", i):
            i += 1
            if text[i:i + 1].isspace():
                raise _Fail(i, "write one space between the parts of a place")
            continue
        raise _Fail(i, _after_part(text, i, part))


def _after_part(text: str, i: int, part: Part) -> str:
    """What went wrong right after a complete part, where only a space, ' (', '; ' or the end may follow."""
    c = text[i]
    if c == ",":
        left, right = text[:i][-40:], text[i + 1:].lstrip()[:40]
        return ("the parts of one place are separated by a space and places by '; ', not by a comma: "
                f"'{left} {right}' (one place) or '{left}; {right}' (two places)")
    if c == ";":
        return "write '; ' (a semicolon and a space) between places"
    if c == "(":
        return "put a space before the note: ' (note)'"
    if c in _NOT_DASH and part.kind in RANGED and part.to is None:
        return f"a range takes an en dash (–, U+2013), not '{c}' (U+{ord(c):04X}): {_range_example(part)}"
    return f"expected a space, ' (note)', '; ' or the end after '{part}', found {_found(text, i)}"


def _range_example(part: Part) -> str:
    n = part.numbers[0] if part.numbers else 1
    return {"paragraph": f"¶{n}–{n + 1}", "page": f"pp. {n}–{n + 1}", "line": f"ll. {n}–{n + 1}"}[part.kind]


def _note(text: str, i: int) -> tuple[str, int]:
    close = text.find(")", i)
    opened = text.find("(", i)
    if opened >= 0 and (close < 0 or opened < close):
        raise _Fail(opened, "a note cannot contain parentheses")
    if close < 0:
        raise _Fail(i - 1, "the note opened here is not closed: add ')'")
    note = text[i:close]
    if not note.strip():
        raise _Fail(i, "the note is empty: remove the parentheses or write the note")
    if note != note.strip():
        raise _Fail(i if note[0].isspace() else close - 1, "no space just inside the parentheses of a note")
    return note, close + 1


def _check_order(parts: list[Part], part: Part) -> None:
    if not parts:
        return
    prev = parts[-1]
    same = [p for p in parts if p.kind == part.kind or RANK[p.kind] == RANK[part.kind]]
    if part.kind == "heading" and prev.kind == "heading":
        return  # nested unnumbered headings: "Part One" "Background" ¶2
    if same:
        other = same[-1]
        if part.kind == other.kind == "paragraph":
            raise _Fail(part.start, f"a place names one paragraph: write the range ¶{other.numbers[0]}–{part.numbers[0]} "
                                    f"for a run of paragraphs, or start another place with '; ' (¶{other.numbers[0]}; ¶{part.numbers[0]})")
        if part.kind == other.kind:
            raise _Fail(part.start, f"a place names one {part.kind}: start another place with '; ' "
                                    f"(e.g. '{other}; {part}')")
        raise _Fail(part.start, f"'{part}' and '{other}' cannot both locate one place: start another place with '; ' "
                                f"(e.g. '{other}; {part}')")
    if RANK[part.kind] < RANK[prev.kind]:
        raise _Fail(part.start, f"'{part}' is larger than '{prev}' before it: write the parts of a place from the "
                                "largest to the smallest, e.g. '§3.2 ¶7 footnote 1'")


def _part(text: str, i: int) -> tuple[Part, int]:
    if i >= len(text):
        raise _Fail(i, f"expected {_EXPECTED} here, found the end of the locator")
    c = text[i]
    if c == "§":
        if text[i + 1:i + 2].isspace():
            raise _Fail(i + 1, "no space after §: write §4")
        if text[i + 1:i + 2] == "§":
            raise _Fail(i, "one section per place: write '§3; §4', or the range of paragraphs you mean")
        numbers, j = _section_numbers(text, i + 1)
        return Part("section", numbers, start=i, end=j), j
    if c == "¶":
        if text[i + 1:i + 2].isspace():
            raise _Fail(i + 1, "no space after ¶: write ¶2")
        n, j = _number(text, i + 1, "a paragraph number after ¶, e.g. ¶2")
        to, j = _range(text, j, n, "paragraph", required=False)
        return Part("paragraph", (n,), to, start=i, end=j), j
    if c == '"':
        close = text.find('"', i + 1)
        if close < 0:
            raise _Fail(i, 'the heading opened here has no closing quote: "Alternative Views"')
        title = text[i + 1:close]
        if not title.strip():
            raise _Fail(i, "the heading is empty: write it exactly as the work titles it")
        if title != title.strip():
            raise _Fail(i + 1 if title[0].isspace() else close - 1, "no space just inside the quotes of a heading")
        return Part("heading", title=title, start=i, end=close + 1), close + 1
    if c in "\u201c\u201d\u201e\u00ab\u00bb'\u2018\u2019":
        raise _Fail(i, f"write a heading between straight double quotes (\"), not '{c}': \"Alternative Views\"")
    for keyword, kind in _KEYWORDS:
        if text.startswith(keyword, i):
            j = i + len(keyword)
            if kind in ("page", "line"):
                ranged = keyword in ("pp. ", "ll. ")
                n, j = _number(text, j, f"a {kind} number after '{keyword.strip()}'")
                if ranged:
                    to, j = _range(text, j, n, kind, required=True)
                    return Part(kind, (n,), to, start=i, end=j), j
                if j < len(text) and (text[j] == EN_DASH or text[j] in _NOT_DASH):
                    after = _DIGITS.match(text, j + 1)
                    example = str(Part(kind, (n,), int(after.group()))) if after else f"{'pp.' if kind == 'page' else 'll.'} {n}–{n + 1}"
                    raise _Fail(i, f"'{keyword.strip()}' is one {kind}; a range of {kind}s is written '{example}'")
                return Part(kind, (n,), start=i, end=j), j
            n, j = _number(text, j, f"a number after '{keyword.strip()}', e.g. '{keyword}1'")
            return Part(kind, (n,), start=i, end=j), j
    for word, kind in _WORDS.items():
        if text.startswith(word, i) and _word_ends(text, i + len(word)):
            return Part(kind, start=i, end=i + len(word)), i + len(word)
    raise _Fail(i, _unknown(text, i))


def _word_ends(text: str, j: int) -> bool:
    return j == len(text) or text[j] in " ;(,"


def _section_numbers(text: str, j: int) -> tuple[tuple[int, ...], int]:
    numbers = []
    while True:
        n, j = _number(text, j, "a section number, e.g. §4 or §3.2")
        numbers.append(n)
        if text[j:j + 1] != "." or not text[j + 1:j + 2].isdigit():
            if text[j:j + 1] == ".":
                raise _Fail(j, "a section number does not end with a dot: write §3.2, not §3.2.")
            return tuple(numbers), j
        j += 1


def _number(text: str, j: int, expected: str) -> tuple[int, int]:
    m = _DIGITS.match(text, j)
    if not m:
        raise _Fail(j, f"expected {expected}, found {_found(text, j)}")
    digits = m.group()
    if digits[0] == "0":
        raise _Fail(j, "numbers start at 1" if int(digits) == 0 else f"write {int(digits)} without the leading zero")
    if len(digits) > 9:
        raise _Fail(j, f"{digits[:12]}… is too large to be a place in a work")
    return int(digits), m.end()


def _range(text: str, j: int, first: int, kind: str, required: bool) -> tuple[int | None, int]:
    c = text[j:j + 1]
    if c and c in _NOT_DASH:
        after = _DIGITS.match(text, j + 1)
        example = str(Part(kind, (first,), int(after.group()))) if after else _range_example(Part(kind, (first,)))
        raise _Fail(j, f"a range takes an en dash (–, U+2013), not '{c}' (U+{ord(c):04X}): {example}")
    if c != EN_DASH:
        if required:
            plural = {"page": "pp.", "line": "ll."}[kind]
            raise _Fail(j, f"'{plural}' is a range: expected an en dash and the last {kind}, e.g. '{plural} {first}–{first + 2}' "
                           f"(or '{plural[0]}. {first}' for one {kind})")
        return None, j
    last, k = _number(text, j + 1, f"the last {kind} of the range after the en dash")
    if last <= first:
        problem = "is one" if last == first else "runs backwards"
        single = str(Part(kind, (first,)))
        raise _Fail(j + 1, f"the range {first}–{last} {problem}: write '{single}'" if last == first
                    else f"the range {first}–{last} {problem}: the last {kind} comes after the first")
    return last, k


def _found(text: str, j: int) -> str:
    if j >= len(text):
        return "the end of the locator"
    m = re.match(r"[^\s;,()]+", text[j:])
    return f"'{m.group()[:30]}'" if m else f"'{text[j]}'"


# Spellings people write for the parts of a locator, folded to lower case without dots, and the part meant.
_MEANT = {
    **dict.fromkeys(("fig", "figs", "figure", "figures"), ("figure", "Figure {n}")),
    **dict.fromkeys(("tab", "tbl", "table", "tables"), ("table", "Table {n}")),
    **dict.fromkeys(("para", "par", "paras", "paragraph", "paragraphs", "¶¶"), ("paragraph", "¶{n}")),
    **dict.fromkeys(("sec", "sect", "section", "sections", "s", "§§"), ("section", "§{n}")),
    **dict.fromkeys(("ch", "chap", "chapter"), ("chapter", "ch. {n}")),
    **dict.fromkeys(("p", "pg", "page"), ("page", "p. {n}")),
    **dict.fromkeys(("pp", "pages"), ("page", "pp. {n}")),
    **dict.fromkeys(("fn", "footnote", "footnotes", "note", "n"), ("footnote", "footnote {n}")),
    **dict.fromkeys(("item", "items", "i"), ("item", "item {n}")),
    **dict.fromkeys(("l", "line"), ("line", "l. {n}")),
    **dict.fromkeys(("ll", "lines"), ("line", "ll. {n}")),
    "abstract": ("abstract", "Abstract"),
    "opening": ("opening", "opening"),
}


def _unknown(text: str, i: int) -> str:
    """The message for text that starts no part: a did-you-mean when it is a known misspelling."""
    m = re.match(r"([^\W\d_]+|¶¶|§§)(\.?)", text[i:])
    if text[i] == "&":
        return f"separate places with '; ', not '&': '{text[:i].rstrip()}; {text[i + 1:].lstrip()}'"
    if text[i].isdigit():
        number = _DIGITS.match(text, i).group()  # type: ignore[union-attr]
        return f"a bare number does not say what it counts: write §{number} for a section, ¶{number} for a paragraph or p. {number} for a page"
    if m:
        word = m.group(1)
        key = word.casefold()
        if key in ("and", "or", "&"):
            before, after = text[:i].rstrip(), text[i + m.end():].lstrip()
            return f"separate places with '; ', not '{word}': '{before}; {after}'"
        meant = _MEANT.get(key)
        if meant and meant[0] == "section" and text[:i].endswith("opening "):
            return "write 'opening' alone: it already names the text before the work's first heading"
        if meant:
            kind, pattern = meant
            rest = text[i + m.end():]
            number = re.match(r"\s*(\d+(?:\.\d+)*)(?:\s*[-\u2010-\u2014\u2212]\s*(\d+))?", rest)
            if kind == "section" and rest.lstrip().startswith('"'):
                return f"write a heading on its own, in straight double quotes, without '{word}': {rest.lstrip()[:40]}"
            if number and kind in ("paragraph", "page", "line") and number.group(2):
                n = f"{number.group(1)}–{number.group(2)}"
                pattern = {"paragraph": "¶{n}", "page": "pp. {n}", "line": "ll. {n}"}[kind]
            else:
                n = number.group(1) if number else "N"
            suggestion = pattern.format(n=n)
            what = "the abstract" if kind == "abstract" else "the opening" if kind == "opening" else f"a {kind}"
            return f"'{text[i:i + m.end()]}' is not how this grammar writes {what}: did you mean '{suggestion}'?"
    return f"expected {_EXPECTED}, found {_found(text, i)}"
