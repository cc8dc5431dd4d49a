"""`claimkb init DIR`: a new knowledge base that checks and builds as it stands, asked for on a terminal.

The files come from the skeleton folder beside this module (package data), with @@name@@ markers filled in;
a folder or file name starting with "dot-" is written with a leading "." (package data skips dotfiles). The
example claim is written from the claim schema, as `claimkb new claim` writes one, so it shows every field.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlsplit

import yaml

from .. import REPOSITORY, version
from ..core import diagnostics as diag
from ..core import loader, validate
from ..core.settings import MAX_PREFIX, PREFIX_RE
from ..core.template import render_claim, schema_location
from .common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from .new import Prompter, Refusal

MARKER_RE = re.compile(r"@@([a-z_]+)@@")
# Words that say nothing about which reading it is: left out of the citation prefix made from the title.
FILLER = {"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the", "to", "with",
          "reading", "reader", "notes", "annotated", "knowledge", "base"}
LICENSE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]*$")  # an SPDX identifier's shape, such as CC-BY-4.0
DEFAULT_LICENSE = "CC-BY-4.0"
# The example claim: what the skeleton's _domains.yaml and references.bib are about (Turing 1950, section 1).
EXAMPLE_ID = "imitation-game-replaces-the-question"
EXAMPLE = {
    "title": "Turing replaces 'Can machines think?' with the imitation game",
    "statement": ("Turing sets aside the question whether machines can think, whose terms resist definition, and "
                  "replaces it with a closely related one: whether a machine playing the imitation game leads the "
                  "interrogator to decide wrongly as often as a human player does."),
    "kind": "thesis",
    "domain": "philosophy-of-mind",
    "claimed_by": {"ref": "turing1950computing", "locator": "§1"},
    "tags": ["imitation-game"],
}
EXAMPLE_NOTE = ("# An example claim, from the example reading in claims/_domains.yaml and references/references.bib:\n"
                "# replace it with your reading's first claim (.venv/bin/claimkb new claim), or delete it.")


@dataclass(frozen=True, slots=True)
class Answers:
    title: str
    description: str
    editors: tuple[str, ...]
    repo_url: str
    site_url: str
    prefix: str
    license: str


def skeleton() -> Traversable:
    return resources.files("claimkb").joinpath("cli/skeleton")


def derive_prefix(title: str) -> str:
    """A citation prefix from the title: its first two telling words, e.g. 'Reading Turing on Machines' -> 'turing-machines'."""
    words = [w for w in validate.suggest_id(title).split("-") if w and w not in FILLER]
    prefix = "-".join(words[:2])[:MAX_PREFIX].strip("-")
    return prefix if PREFIX_RE.match(prefix) else "kb"


def pages_url(repo_url: str) -> str:
    """Where GitHub Pages publishes a github.com repository's site, or '' for any other host."""
    parts = urlsplit(repo_url)
    path = [p for p in parts.path.split("/") if p]
    if parts.netloc.lower() != "github.com" or len(path) != 2:
        return ""
    owner, repo = path[0].lower(), path[1].removesuffix(".git")
    return f"https://{owner}.github.io/" if repo.lower() == f"{owner}.github.io" else f"https://{owner}.github.io/{repo}/"


def check_title(value: str) -> None:
    if not value.strip() or "\n" in value or len(value) > 120:
        raise Refusal("the title is one line of at most 120 characters", EXIT_USAGE)


def check_description(value: str) -> None:
    if not value.strip() or "\n" in value or len(value) > 300:
        raise Refusal("the description is one line of at most 300 characters", EXIT_USAGE)


def check_url(value: str) -> None:
    parts = urlsplit(value)
    if value and (parts.scheme not in ("https", "http") or not parts.netloc or any(c.isspace() for c in value)):
        raise Refusal(f"'{value[:80]}' is not an http(s) URL, such as https://example.org/", EXIT_USAGE)


def check_prefix(value: str) -> None:
    if not (PREFIX_RE.match(value) and len(value) <= MAX_PREFIX):
        raise Refusal(f"'{value[:40]}' is not a citation prefix: lower-case letters, digits and single hyphens, at "
                      f"most {MAX_PREFIX} characters (claims are cited as <prefix>:<claim-id>)", EXIT_USAGE)


def check_license(value: str) -> None:
    if not LICENSE_RE.match(value):
        raise Refusal(f"'{value[:40]}' is not an SPDX licence identifier, such as CC-BY-4.0 or CC0-1.0", EXIT_USAGE)


def check_editors(names: Sequence[str]) -> None:
    if any(not n.strip() or "\n" in n for n in names):
        raise Refusal("each editor is one non-empty line: a name", EXIT_USAGE)


def gather(args: argparse.Namespace, interactive: bool, prompter: Prompter) -> Answers:
    """The answers: given as options, else asked on a terminal, else the defaults (only the title has none)."""
    title = args.title
    if title is None and not interactive:
        raise Refusal("missing --title; standard input is not a terminal, so nothing can be asked: give it as an "
                      "option\nusage: claimkb init DIR --title TITLE [--editor NAME ...] [--repo-url URL] "
                      "[--site-url URL] [--prefix PREFIX] [--license SPDX] [--description TEXT]", EXIT_USAGE)
    ask = interactive and not args.no_input

    def value(given: str | None, question: str, default: str, check) -> str:
        if given is not None:
            check(given)
            return given.strip()
        if not ask:
            return default
        return prompter.text(question, check, default=default)

    if ask:
        prompter.say("A new knowledge base: answer each question, or press Enter for the default in brackets "
                     "(Ctrl-C to stop; nothing is written until the end).")
    if title is None:
        title = prompter.text("Title of the knowledge base (e.g. Reading Turing 1950)", check_title)
    check_title(title)
    title = title.strip()
    description = value(args.description, "One-line description", f"{title}: claims and references, checked and "
                        "citable.", check_description)
    if args.editor:
        editors = tuple(e.strip() for e in args.editor)
        check_editors(editors)
    elif ask:
        answer = prompter.text("Editors (names separated by ';')", lambda v: check_editors(v.split(";")),
                               default=f"{title} editors")
        editors = tuple(e.strip() for e in answer.split(";"))
    else:
        editors = (f"{title} editors",)
    repo_url = value(args.repo_url, "Repository URL (Enter for none yet)", "", check_url).rstrip("/")
    site_url = value(args.site_url, "Site URL (Enter for none yet)", pages_url(repo_url), check_url)
    if site_url and not site_url.endswith("/"):
        site_url += "/"
    prefix = value(args.prefix, "Citation key prefix (claims are cited as PREFIX:claim-id)", derive_prefix(title),
                   check_prefix)
    license_id = value(args.license, "Licence of the content (SPDX)", DEFAULT_LICENSE, check_license)
    return Answers(title, description.strip(), editors, repo_url, site_url, prefix, license_id)


def _yaml(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's), so no title can change the file's structure."""
    return json.dumps(text, ensure_ascii=False)


def _requirement(current: str) -> str:
    """The requirement a new knowledge base pins: this release's minor series (0.2.x: >=0.2.0,<0.3)."""
    m = re.match(r"^(\d+)\.(\d+)\.(\d+)$", current)
    if not m:
        return "claimkb"
    major, minor = int(m[1]), int(m[2])
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}"
    return f"claimkb>={current},<{upper}"


def values(a: Answers, current: str) -> dict[str, str]:
    """What fills each @@marker@@ of the skeleton: already in the syntax of the file that holds it."""
    tag = f"v{current}" if re.match(r"^\d+\.\d+\.\d+$", current) else "main"
    github = urlsplit(a.repo_url).netloc.lower() == "github.com"
    return {
        "title": a.title,  # in Markdown: the editors' own text, as they would type it there
        "description": a.description,
        "title_yaml": _yaml(a.title),
        "description_yaml": _yaml(a.description),
        "site_url": f"site_url: {_yaml(a.site_url)}" if a.site_url else
                    "# site_url: https://example.org/  # where the site is published: citations name claims' URLs",
        "repo_url": f"repo_url: {_yaml(a.repo_url)}" if a.repo_url else
                    "# repo_url: https://github.com/OWNER/REPOSITORY  # adds 'edit this page' links",
        "edit_uri": "edit_uri: edit/main/docs/" if github else "# edit_uri: edit/main/docs/",
        "copyright": _yaml(f"Content: {a.license}."),
        "editors": "\n".join(f"      - {_yaml(e)}" for e in a.editors),
        "prefix": a.prefix,
        "license": a.license,
        "cff_authors": "\n".join(f"  - name: {_yaml(e)}" for e in a.editors),
        "cff_urls": "\n".join(line for line in (f"url: {_yaml(a.site_url)}" if a.site_url else "",
                                                f"repository-code: {_yaml(a.repo_url)}" if a.repo_url else "") if line),
        "requirement": _requirement(current),
        "tool_repository": REPOSITORY,
        "tool_rev": tag,
        "docs": f"{REPOSITORY}/blob/{tag}/docs",
    }


def _walk(folder: Traversable, rel: str = "") -> list[tuple[str, Traversable]]:
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        name = "." + entry.name[4:] if entry.name.startswith("dot-") else entry.name
        path = f"{rel}{name}"
        found += _walk(entry, f"{path}/") if entry.is_dir() else [(path, entry)]
    return found


def files(a: Answers, current: str | None = None) -> dict[str, str]:
    """Every file of the new knowledge base, by POSIX path, as text."""
    current = current or version()
    fill = values(a, current)
    out: dict[str, str] = {}
    for rel, source in _walk(skeleton()):
        text = source.read_text("utf-8")
        missing = sorted(set(MARKER_RE.findall(text)) - set(fill))
        assert not missing, f"the skeleton's {rel} has markers with no value: {missing}"
        out[rel] = MARKER_RE.sub(lambda m: fill[m[1]], text)
    schema = loader.claim_schema()
    schema_ref = schema_location(Path("/nonexistent"), Path("/nonexistent/claims"), a.site_url, schema["$id"])
    known = {name: ", ".join(yaml.safe_load(out[f"claims/_{name}s.yaml"])) for name in ("domain", "kind")}
    claim = render_claim(schema, EXAMPLE, schema_ref, {name: f"Known {name}s: {keys}." for name, keys in known.items()})
    first, rest = claim.split("\n", 1)
    out[f"claims/{EXAMPLE_ID}.yaml"] = f"{first}\n{EXAMPLE_NOTE}\n{rest}"
    return out


def refuse_non_empty(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise Refusal(f"{target} is a file: give a new or empty folder", EXIT_USAGE)
    if target.is_dir():
        # An empty clone (only .git) is as good as an empty folder: `git clone` of a new repository makes one.
        found = sorted(p.name for p in target.iterdir() if p.name != ".git")
        if found:
            shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
            raise Refusal(f"{target} is not empty ({shown}): give a new or empty folder; claimkb init never writes "
                          "over anything", EXIT_USAGE)


def write(target: Path, texts: dict[str, str]) -> None:
    """Write every file under target, or nothing: on any failure, what was written is taken back."""
    created_root = not target.exists()
    written: list[Path] = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for rel, text in texts.items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8", newline="\n") as out:  # "x": never over an existing file
                written.append(path)
                out.write(text)
            if text.startswith("#!"):
                path.chmod(path.stat().st_mode | 0o111)  # .ci/run: executable, as CI runs it
    except BaseException:
        if created_root:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for path in written:
                path.unlink(missing_ok=True)
            for folder in sorted({p.parent for p in written}, key=lambda p: len(p.parts), reverse=True):
                if folder != target and folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
        raise


def cmd_init(args: argparse.Namespace, prompter: Prompter | None = None) -> int:
    target = Path(args.dir).expanduser().resolve()
    try:
        refuse_non_empty(target)
        answers = gather(args, sys.stdin.isatty(), prompter or Prompter())
        refuse_non_empty(target)  # again: it may have filled while the questions were answered
        texts = files(answers)
        write(target, texts)
    except Refusal as why:
        print(f"claimkb init: {why}", file=sys.stderr)
        return why.code
    except (EOFError, KeyboardInterrupt):
        print("\nclaimkb init: stopped before every answer was given; nothing was written", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"claimkb init: cannot write {target}: {exc.strerror or exc}; nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    result = loader.load(target)
    found = validate.check(result.kb, result.diagnostics)
    for d in found:
        print(d)
    errors, warnings = diag.count(found)
    shown = os.path.relpath(target) if target.is_relative_to(Path.cwd()) else str(target)
    print(f"Created a knowledge base in {shown}: {len(texts)} files; {len(result.kb.claims)} claim, "
          f"{len(result.kb.references)} reference: {errors} errors, {warnings} warnings.")
    if errors:
        print("claimkb init: the new knowledge base has errors (above): please report this", file=sys.stderr)
        return EXIT_PROBLEMS
    print("\nNext:\n"
          f"  cd {shown}\n"
          "  git init                        # if it is not a repository yet\n"
          "  make serve                      # preview at http://127.0.0.1:8000 (sets up .venv first)\n"
          "  .venv/bin/claimkb new claim     # add a claim; replace the example in claims/ with your reading's\n"
          "  make test                       # check and build, as CI does")
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="start a new knowledge base in a new or empty folder", description=(
        "Write a new knowledge base into DIR: mkdocs.yml, vocabularies with commented examples, an example claim "
        "and reference, docs/index.md, a Makefile, CI (.ci/run and a GitHub workflow), a pre-commit config and "
        "CITATION.cff. It passes `claimkb check` and `mkdocs build --strict` as written. On a terminal it asks "
        "for what the options do not give; otherwise only --title is needed. Refuses a DIR that is not empty "
        "(a lone .git is fine). Exit 0 written, 2 usage."))
    p.add_argument("dir", metavar="DIR", help="the folder to create, or an empty one")
    p.add_argument("--title", metavar="TITLE", help="the knowledge base's title (the site's name)")
    p.add_argument("--description", metavar="TEXT", help="one line saying what it reads (default: from the title)")
    p.add_argument("--editor", metavar="NAME", action="append",
                   help="an editor's name; repeat for each (default: '<TITLE> editors')")
    p.add_argument("--repo-url", metavar="URL", help="its repository, e.g. https://github.com/OWNER/NAME (default: none)")
    p.add_argument("--site-url", metavar="URL",
                   help="where the site will be published (default: the GitHub Pages URL of --repo-url, else none)")
    p.add_argument("--prefix", metavar="PREFIX",
                   help="claims are cited as PREFIX:claim-id (default: from the title, e.g. 'turing' for 'Reading Turing')")
    p.add_argument("--license", metavar="SPDX", help=f"the content's licence (default: {DEFAULT_LICENSE})")
    p.add_argument("--no-input", action="store_true", help="ask nothing, even on a terminal: defaults for what is not given")
    p.set_defaults(func=cmd_init)
