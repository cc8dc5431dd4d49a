"""`claimkb new`: scaffolding a claim file from the JSON Schema, or a BibTeX entry, that the checker accepts.

Both commands refuse rather than guess (an id or key already taken, an unknown kind, domain or reference),
write atomically and never over an existing file, and run the checker on the whole knowledge base after
writing: if what they wrote has an error, they take it back, so a broken file is never left behind.
"""
from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..core import loader
from ..core import validate
from ..core import editions, locators
from ..core import diagnostics as diag
from ..core import names
from ..core.bibload import KEY_RE
from .common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, add_root
from ..core.diagnostics import Diagnostic
from ..core.model import KINDS, KnowledgeBase
from ..core.template import render_claim, schema_location

# The fields each BibTeX entry type requires (the standard styles' rules), with "author" standing for
# "author or editor" where BibTeX accepts either. misc requires nothing in BibTeX, but a citation needs
# an author, a title and a year, and a reader needs to know where it appeared.
BIBTEX_REQUIRED: dict[str, tuple[str, ...]] = {
    "article": ("author", "title", "journal", "year"),
    "book": ("author", "title", "publisher", "year"),
    "booklet": ("author", "title", "howpublished", "year"),
    "inbook": ("author", "title", "chapter", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "manual": ("author", "title", "organization", "year"),
    "mastersthesis": ("author", "title", "school", "year"),
    "misc": ("author", "title", "howpublished", "year"),
    "phdthesis": ("author", "title", "school", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "unpublished": ("author", "title", "note", "year"),
}
BIBTEX_PLACEHOLDERS: dict[str, str] = {
    "author": "TODO, Given and TODO, Given",
    "title": "TODO: the title as printed",
    "journal": "TODO: journal name",
    "booktitle": "TODO: title of the proceedings or collection",
    "publisher": "TODO: publisher",
    "howpublished": "TODO: where it appeared (a magazine, a website, arXiv)",
    "chapter": "TODO: chapter number",
    "organization": "TODO: organization",
    "school": "TODO: university",
    "institution": "TODO: institution",
    "note": "TODO: status, e.g. manuscript",
    "year": "TODO",
}


class Refusal(Exception):
    """A reason not to write, shown to the user as is."""

    def __init__(self, message: str, code: int = EXIT_PROBLEMS) -> None:
        super().__init__(message)
        self.code = code


def _root(value: str | None) -> Path:
    root = Path(value or ".").resolve()
    if not (root / "claims").is_dir():
        raise Refusal(f"{root} has no claims/ folder: run this in the knowledge base's folder, or give --root",
                      EXIT_USAGE)
    return root


def _choices(word: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    return f"{validate.did_you_mean(word, allowed)}; allowed: {', '.join(allowed)}"


def claim_files(root: Path) -> dict[str, Path]:
    """Every claim file under claims/ by stem, including ones that do not parse (an id is taken all the same)."""
    found: dict[str, Path] = {}
    for path in sorted((root / "claims").rglob("*")):
        if path.suffix in loader.CLAIM_SUFFIXES and not path.name.startswith("_") and path.is_file():
            found.setdefault(path.stem, path)
    return found


def check_new_id(root: Path, kb: KnowledgeBase, claim_id: str, target: Path) -> None:
    if not validate.valid_id(claim_id):
        raise Refusal(f"'{claim_id[:100]}' is not a valid claim id: use lower-case letters, digits and single "
                      f"hyphens (kebab-case), at most {validate.MAX_ID} characters; "
                      f"try '{validate.suggest_id(claim_id)}'")
    if names.is_reserved(claim_id):
        raise Refusal(f"'{claim_id}' is a name the site uses for its own pages ({', '.join(sorted(names.RESERVED_NAMES))}): "
                      "choose another id")
    if target.exists():
        raise Refusal(f"{target.relative_to(root).as_posix()} already exists; claimkb new never overwrites a file: "
                      "edit it, or choose another id")
    taken = claim_files(root).get(claim_id)
    if taken is not None:
        raise Refusal(f"the id '{claim_id}' is already used by {taken.relative_to(root).as_posix()}; "
                      "ids are unique across subfolders: choose another id")
    retired = kb.aliases.get(f"claims:{claim_id}")
    if retired is not None:
        raise Refusal(f"the id '{claim_id}' was retired (claims/_aliases.yaml maps it to '{retired}'); "
                      "ids are never reused: choose another id")


def check_kind(kb: KnowledgeBase, kind: str) -> None:
    if not kb.kinds:
        raise Refusal("claims/_kinds.yaml defines no kind: add one (key: {title, description}) or remove the file")
    if kind not in kb.kinds:
        raise Refusal(f"unknown kind '{kind}'{_choices(kind, kb.kinds)}")


def check_domain(kb: KnowledgeBase, domain: str) -> None:
    if not kb.domains:
        raise Refusal("claims/_domains.yaml defines no domain: add one (key: {title, description}) first")
    if domain not in kb.domains:
        raise Refusal(f"unknown domain '{domain}'{_choices(domain, sorted(kb.domains))}")


def check_reference(kb: KnowledgeBase, key: str) -> None:
    if key in kb.references:
        return
    same = [k for k in kb.references if k.lower() == key.lower()]
    if same:
        raise Refusal(f"no reference '{key}', but there is '{same[0]}' (keys are case-sensitive in claims)")
    renamed = kb.aliases.get(f"references:{key}")
    hint = f" (it was renamed to '{renamed}')" if renamed else validate.did_you_mean(key, kb.references)
    raise Refusal(f"no reference '{key}' in references/{hint}; add it first with: "
                  f"claimkb new reference {key} --type TYPE")


def check_locator(kb: KnowledgeBase, key: str, locator: str) -> None:
    """The locator in the grammar, and, when the work has an HTML edition, naming a passage the edition has."""
    parsed = locators.parse(locator)
    if isinstance(parsed, locators.LocatorError):
        pointer = " " * parsed.offset + "^"
        raise Refusal(f"the locator does not follow the locator grammar (see Locators on the claim-format page):\n"
                      f"  {locator}\n  {pointer} {parsed.message}")
    edition = kb.editions.get(key)
    for place in parsed.places if edition else ():
        found = editions.resolve(edition, place)
        if found.problem:
            raise Refusal(f"'{place}': {found.problem}")


def check_subfolder(value: str | None) -> str:
    """A claims/ subfolder given by --dir, as a POSIX path; '' for claims/ itself."""
    if not value:
        return ""
    parts = Path(value.replace("\\", "/")).parts
    if parts[:1] == ("claims",):
        parts = parts[1:]  # --dir claims/replies means the same as --dir replies
    if not parts or any(not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", p) for p in parts):
        raise Refusal(f"--dir '{value}' must name a subfolder of claims/ in lower case, such as 'replies' or "
                      "'chapter-2' (no '..', no leading '_' or '.')", EXIT_USAGE)
    return "/".join(parts)


def _temp_beside(target: Path, text: str) -> Path:
    """text in a hidden temporary file in target's folder (so os.replace and os.link stay on one filesystem)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def write_new(target: Path, text: str) -> None:
    """Create target with text, atomically, failing if target exists (even if it appears meanwhile)."""
    temp = _temp_beside(target, text)
    try:
        try:
            os.link(temp, target)  # fails with FileExistsError rather than replacing
        except FileExistsError:
            raise Refusal(f"{target} appeared while writing; nothing was overwritten") from None
        except OSError:
            if target.exists():  # a filesystem without hard links: check, then rename
                raise Refusal(f"{target} already exists; nothing was overwritten") from None
            os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def replace_text(target: Path, text: str) -> None:
    """Replace target's content atomically, keeping its permissions."""
    temp = _temp_beside(target, text)
    try:
        if target.exists():
            os.chmod(temp, target.stat().st_mode & 0o7777)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def check_after(root: Path, rel: str, result: loader.LoadResult | None = None) -> tuple[list[Diagnostic], int]:
    """The whole base's diagnostics for the file rel, and the number of errors in other files."""
    result = result or loader.load(root)
    found = validate.check(result.kb, result.diagnostics)
    mine = [d for d in found if d.path == rel]
    others = sum(1 for d in found if d.path != rel and d.severity == "error")
    return mine, others


def _report(mine: list[Diagnostic], others: int, out: Callable[[str], None]) -> None:
    for d in mine:
        out(str(d))
    if others:
        out(f"note: the rest of the knowledge base has {others} error{'s' if others != 1 else ''} "
            "(not caused by this file): run claimkb check")


@dataclass
class Prompter:
    """Asks for missing values on a terminal; each answer is checked, and asked again until it is valid."""

    ask: Callable[[str], str] = input
    say: Callable[[str], None] = print

    def text(self, question: str, check: Callable[[str], None] | None = None, default: str | None = None) -> str:
        while True:
            shown = f" [{default}]" if default else ""
            answer = self.ask(f"{question}{shown}: ").strip()
            if not answer and default is not None:
                return default
            if not answer:
                self.say("  an answer is needed (Ctrl-C to stop)")
                continue
            try:
                if check:
                    check(answer)
            except Refusal as why:
                self.say(f"  {why}")
                continue
            return answer

    def choice(self, question: str, options: Sequence[str], check: Callable[[str], None]) -> str:
        self.say(f"{question}:")
        for i, option in enumerate(options, 1):
            self.say(f"  {i}. {option}")

        def by_number(answer: str) -> str:
            return options[int(answer) - 1] if answer.isdigit() and 1 <= int(answer) <= len(options) else answer

        answer = self.text(f"{question} (number or name)", lambda a: check(by_number(a)))
        return by_number(answer)


USAGE = {
    "claim": "claimkb new claim ID --kind KIND --domain DOMAIN --claimed-by KEY [--locator LOCATOR] [--title TITLE] "
             "[--dir SUBFOLDER] [--root DIR]",
    "reference": "claimkb new reference KEY --type TYPE [--file references/NAME.bib] [--root DIR]",
}


def _usage(command: str, missing: Sequence[str]) -> Refusal:
    return Refusal(f"missing {', '.join(missing)}; standard input is not a terminal, so nothing can be asked: "
                   f"give them as arguments\nusage: {USAGE[command]}", EXIT_USAGE)


def new_claim(root_arg: str | None, claim_id: str | None, kind: str | None, domain: str | None,
              claimed_by: str | None, locator: str | None = None, title: str | None = None,
              subfolder: str | None = None, interactive: bool | None = None,
              prompter: Prompter | None = None) -> int:
    try:
        return _new_claim(root_arg, claim_id, kind, domain, claimed_by, locator, title, subfolder,
                          sys.stdin.isatty() if interactive is None else interactive, prompter or Prompter())
    except Refusal as why:
        print(f"claimkb new claim: {why}", file=sys.stderr)
        return why.code
    except EOFError:
        print("claimkb new claim: input ended before every answer was given; nothing was written", file=sys.stderr)
        return EXIT_USAGE


def _new_claim(root_arg: str | None, claim_id: str | None, kind: str | None, domain: str | None,
               claimed_by: str | None, locator: str | None, title: str | None, subfolder: str | None,
               interactive: bool, prompter: Prompter) -> int:
    root = _root(root_arg)
    folder_rel = check_subfolder(subfolder)
    missing = [name for name, value in (("<id>", claim_id), ("--kind", kind), ("--domain", domain),
                                        ("--claimed-by", claimed_by)) if not value]
    if missing and not interactive:
        raise _usage("claim", missing)
    kb = loader.load(root).kb
    folder = root / "claims" / folder_rel if folder_rel else root / "claims"

    def target_of(cid: str) -> Path:
        return folder / f"{cid}.yaml"

    if missing:
        prompter.say("A new claim: answer each question (Ctrl-C to stop; nothing is written until the end).")
        if not claim_id:
            claim_id = prompter.text("Claim id (kebab-case, e.g. memory-is-reconstructive)",
                                     lambda a: check_new_id(root, kb, a, target_of(a)))
        if not kind:
            kind = prompter.choice("Kind", list(kb.kinds), lambda a: check_kind(kb, a))
        if not domain:
            domain = prompter.choice("Domain", sorted(kb.domains), lambda a: check_domain(kb, a))
        if not claimed_by:
            claimed_by = prompter.text("BibTeX key of the work that makes the claim (claimed_by)",
                                       lambda a: check_reference(kb, a))
        if locator is None:
            work = claimed_by
            locator = prompter.text("Where in that work (locator, e.g. §4 ¶2 or p. 15; Enter to fill in later)",
                                    lambda a: check_locator(kb, work, a), default="") or None
    assert claim_id and kind and domain and claimed_by
    target = target_of(claim_id)
    check_new_id(root, kb, claim_id, target)
    check_kind(kb, kind)
    check_domain(kb, domain)
    check_reference(kb, claimed_by)
    if locator:
        check_locator(kb, claimed_by, locator)
    if title is not None and (not title.strip() or "\n" in title):
        raise Refusal("--title must be one non-empty line")

    schema = loader.claim_schema()
    schema_ref = schema_location(root, folder, kb.settings.site_url, schema["$id"])
    values = {"title": title, "kind": kind, "domain": domain,
              "claimed_by": {"ref": claimed_by, "locator": locator}}
    domains = f"Known domains: {', '.join(sorted(kb.domains))}." if kb.domains else ""
    kinds = f"Known kinds: {', '.join(kb.kinds)}." if kb.kinds else ""
    text = render_claim(schema, values, schema_ref, {"domain": domains, "kind": kinds})

    created = [] if folder.exists() else [p for p in [folder, *folder.parents] if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    write_new(target, text)
    rel = target.relative_to(root).as_posix()
    mine, others = check_after(root, rel)
    _report(mine, others, print)
    if any(d.severity == "error" for d in mine):
        target.unlink()
        for empty in created:
            empty.rmdir()
        print(f"claimkb new claim: the new file had errors (above), so it was removed; nothing was written. "
              "Please report this: the scaffold should always pass the checker.", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"wrote {rel}: replace every TODO, then run .venv/bin/claimkb check {rel}")
    return EXIT_OK


ENTRY_KEY_RE = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^,\s{}()]+)\s*,")


def bib_files(root: Path) -> list[Path]:
    top = root / "references"
    return sorted(p for p in top.rglob("*.bib") if p.is_file()) if top.is_dir() else []


def suggest_key(key: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_:.+-]+", "", key).lstrip("_:.+-")[:100]
    return cleaned or "author2024word"


def check_new_key(root: Path, kb: KnowledgeBase, key: str) -> None:
    if not KEY_RE.match(key) or len(key) > 100:
        raise Refusal(f"'{key[:100]}' is not a valid BibTeX key: start with a letter or digit and use only letters, "
                      f"digits and _:.+- (keys become URLs), e.g. '{suggest_key(key)}'")
    if names.is_reserved(key):
        raise Refusal(f"'{key}' is a name the site uses for its own pages ({', '.join(sorted(names.RESERVED_NAMES))}): "
                      "choose another key")
    # Case-insensitive, as bibtex itself compares keys; files that fail to parse are scanned too.
    for file in bib_files(root):
        try:
            text = file.read_text("utf-8", errors="replace")
        except OSError:
            continue
        for m in ENTRY_KEY_RE.finditer(text):
            if m.group(2).lower() == key.lower() and m.group(1).lower() not in ("string", "preamble", "comment"):
                line = text.count("\n", 0, m.start()) + 1
                raise Refusal(f"the key '{key}' is already used by {file.relative_to(root).as_posix()}:{line} "
                              f"('{m.group(2)}'; keys are compared ignoring case): choose another key")
    retired = kb.aliases.get(f"references:{key}")
    if retired is not None:
        raise Refusal(f"the key '{key}' was renamed to '{retired}' (claims/_aliases.yaml); keys are never reused")


def check_type(entry_type: str) -> None:
    if entry_type.lower() not in BIBTEX_REQUIRED:
        raise Refusal(f"unknown entry type '{entry_type}'{_choices(entry_type.lower(), BIBTEX_REQUIRED)}")


def render_entry(key: str, entry_type: str) -> str:
    entry_type = entry_type.lower()
    fields = BIBTEX_REQUIRED[entry_type]
    width = max(len(f) for f in fields)
    lines = [f"% Added by `claimkb new reference`: replace every TODO with the data printed in the work itself, and add",
             "% doi = {10.NNNN/...} or url = {https://...} if it has one. Never invent a DOI, a page or a year.",
             f"@{entry_type}{{{key},"]
    lines += [f"  {name.ljust(width)} = {{{BIBTEX_PLACEHOLDERS[name]}}}," for name in fields]
    lines.append("}")
    return "\n".join(lines) + "\n"


def new_reference(root_arg: str | None, key: str | None, entry_type: str | None, file: str | None,
                  interactive: bool | None = None, prompter: Prompter | None = None) -> int:
    try:
        return _new_reference(root_arg, key, entry_type, file,
                              sys.stdin.isatty() if interactive is None else interactive, prompter or Prompter())
    except Refusal as why:
        print(f"claimkb new reference: {why}", file=sys.stderr)
        return why.code
    except EOFError:
        print("claimkb new reference: input ended before every answer was given; nothing was written",
              file=sys.stderr)
        return EXIT_USAGE


def _pick_file(root: Path, file: str | None, interactive: bool, prompter: Prompter) -> Path:
    """The .bib file to append to: --file (relative to the root; a bare name means references/NAME), else the
    only .bib file, else references/references.bib in an empty folder; with several, ask or refuse."""
    existing = [p.relative_to(root).as_posix() for p in bib_files(root)]
    if file:
        given = Path(file.replace("\\", "/"))
        if not given.is_absolute() and len(given.parts) == 1:
            given = Path("references") / given
        path = (given if given.is_absolute() else root / given).resolve()
        try:
            inside = path.relative_to(root / "references")
        except ValueError:
            inside = None
        if inside is None or path.suffix != ".bib" or any(p.startswith((".", "_")) for p in inside.parts):
            raise Refusal(f"--file '{file}' must name a .bib file under references/, e.g. references/context.bib",
                          EXIT_USAGE)
        return path
    if len(existing) == 1:
        return root / existing[0]
    if not existing:
        return root / "references" / "references.bib"
    if interactive:
        def known(answer: str) -> None:
            if answer not in existing:
                raise Refusal(f"'{answer}' is not one of the files listed")

        return root / prompter.choice("BibTeX file", existing, known)
    raise Refusal(f"there are several .bib files: choose one with --file ({', '.join(existing)})", EXIT_USAGE)


def _new_reference(root_arg: str | None, key: str | None, entry_type: str | None, file: str | None,
                   interactive: bool, prompter: Prompter) -> int:
    root = Path(root_arg or ".").resolve()
    if not (root / "references").is_dir() and not (root / "claims").is_dir():
        raise Refusal(f"{root} has neither claims/ nor references/: run this in the knowledge base's folder, "
                      "or give --root", EXIT_USAGE)
    missing = [name for name, value in (("<key>", key), ("--type", entry_type)) if not value]
    if missing and not interactive:
        raise _usage("reference", missing)
    loaded = loader.load(root)
    kb = loaded.kb
    if not key:
        key = prompter.text("BibTeX key (e.g. bartlett1932remembering)", lambda a: check_new_key(root, kb, a))
    if not entry_type:
        entry_type = prompter.choice("Entry type", list(BIBTEX_REQUIRED), check_type)
    check_new_key(root, kb, key)
    check_type(entry_type)
    target = _pick_file(root, file, interactive, prompter)
    rel = target.relative_to(root).as_posix()

    entry = render_entry(key, entry_type)
    target.parent.mkdir(parents=True, exist_ok=True)
    existed = target.exists()
    if existed:
        before_bytes = target.read_bytes()
        try:
            before = before_bytes.decode("utf-8")
        except UnicodeDecodeError:
            raise Refusal(f"{rel} is not UTF-8 text: run claimkb check, fix it, then try again") from None
        separator = "" if not before else ("\n" if before.endswith("\n") else "\n\n")
        errors_before = {d for d in check_after(root, rel, loaded)[0] if d.severity == "error"}
        replace_text(target, before + separator + entry)
    else:
        before_bytes, errors_before = b"", set()
        write_new(target, entry)
    mine, others = check_after(root, rel)
    new_errors = [d for d in mine if d.severity == "error" and d not in errors_before]
    _report([d for d in mine if d not in errors_before], others, print)
    if new_errors:
        if existed:
            replace_text(target, before)
        else:
            target.unlink()
        print(f"claimkb new reference: the entry caused errors (above), so {rel} was restored", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"added @{entry_type.lower()}{{{key}, ...}} to {rel}: fill in every TODO from the work itself, "
          f"then cite it from a claim (claimed_by or sources) and run .venv/bin/claimkb check")
    return EXIT_OK


def register(sub: Any) -> None:
    """Add `claimkb new claim` and `claimkb new reference` to the command line's subparsers."""
    p = sub.add_parser("new", help="scaffold a claim file or a BibTeX entry that passes the checker", description=(
        "Write a new claim file or BibTeX entry with every field present, then run the checker on it. Never "
        "overwrites; refuses a taken or retired id or key; takes back what it wrote if the checker finds an error."))
    p.set_defaults(func=lambda args: (p.print_help(sys.stderr), EXIT_USAGE)[1])
    what = p.add_subparsers(dest="what", metavar="WHAT")

    c = what.add_parser("claim", help="write claims/[SUBFOLDER/]ID.yaml from the schema", description=(
        "Write claims/[SUBFOLDER/]ID.yaml with every schema field present and commented, the "
        "yaml-language-server schema line first, and placeholders (TODO) that pass the checker. "
        "Missing values are asked for on a terminal; without a terminal they are a usage error (exit 2)."))
    c.add_argument("id", nargs="?", metavar="ID",
                   help="the new claim's id, in kebab-case (e.g. memory-is-reconstructive)")
    c.add_argument("--kind", metavar="KIND", help=f"the claim's role: a key of claims/_kinds.yaml (without that file: "
                                                  f"{', '.join(KINDS)})")
    c.add_argument("--domain", metavar="DOMAIN", help="a key of claims/_domains.yaml")
    c.add_argument("--claimed-by", metavar="KEY", help="the BibTeX key of the work that makes the claim")
    c.add_argument("--locator", metavar="LOCATOR",
                   help="where in that work, e.g. '§4' or 'p. 15' (default: a TODO placeholder)")
    c.add_argument("--title", metavar="TITLE", help="a one-line title (default: a TODO placeholder)")
    c.add_argument("--dir", metavar="SUBFOLDER", help="a subfolder of claims/ to write into, e.g. one per work read")
    add_root(c)
    c.set_defaults(func=lambda a: new_claim(a.root, a.id, a.kind, a.domain, a.claimed_by, a.locator, a.title, a.dir))

    r = what.add_parser("reference", help="append a skeleton BibTeX entry to a .bib file", description=(
        "Append an entry of the chosen type with its required fields (TODO placeholders) to a .bib file under "
        "references/. Refuses a key that is already used in any .bib file (ignoring case) or was retired."))
    r.add_argument("key", nargs="?", metavar="KEY", help="the new BibTeX key, e.g. bartlett1932remembering")
    r.add_argument("--type", metavar="TYPE", help=f"the entry type: {', '.join(BIBTEX_REQUIRED)}")
    r.add_argument("--file", metavar="references/NAME.bib",
                   help="the .bib file to append to (default: the only .bib file; required when there are several)")
    add_root(r)
    r.set_defaults(func=lambda a: new_reference(a.root, a.key, a.type, a.file))
