"""The claimkb command line: check, render, cite, export, new and bench, each a function returning an exit code."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from . import diagnostics as diag
from . import loader, validate

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _root(value: str | None) -> Path:
    return Path(value or ".").resolve()


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", metavar="DIR", help="the knowledge base's folder (default: the current folder)")


def is_knowledge_base(root: Path) -> bool:
    """True when root has claims/ or references/; otherwise says so on stderr (the caller exits 2)."""
    if (root / "claims").is_dir() or (root / "references").is_dir():
        return True
    print(f"claimkb: {root} has neither claims/ nor references/: is --root right?", file=sys.stderr)
    return False


def _relative_to_root(file: str, root: Path) -> str:
    """A FILE argument as the root-relative POSIX path diagnostics use.

    pre-commit passes paths relative to the current folder, a person may pass them relative to --root; a path
    outside root (or deleted) is kept as written and simply matches no diagnostic.
    """
    for candidate in (Path(file), root / file):  # root / an absolute path is that absolute path
        full = candidate.resolve()
        if full.exists() and full.is_relative_to(root):
            return full.relative_to(root).as_posix()
    return Path(file).as_posix()


def cmd_check(args: argparse.Namespace) -> int:
    root = _root(args.root)
    if not is_knowledge_base(root):
        return EXIT_USAGE
    result = loader.load(root)
    found = validate.check(result.kb, result.diagnostics)
    if args.since:
        from . import history

        try:
            found = sorted(set(found) | set(history.check_since(result.kb, args.since)))
        except history.RevisionError as exc:
            print(f"claimkb: --since {args.since}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if args.files:
        # A pre-commit run names changed files: report on those, but resolve them against the whole knowledge base.
        wanted = {_relative_to_root(f, root) for f in args.files}
        found = [d for d in found if d.path in wanted]
    errors, warnings = diag.count(found)
    if args.format == "json":
        print(diag.to_json(found))
    elif args.format == "github":
        for d in found:
            print(diag.to_github(d))
    else:
        for d in found:
            print(d)
    summary = (f"{len(result.kb.claims)} claims, {len(result.kb.references)} references: "
               f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
    print(summary, file=sys.stderr if args.format == "json" else sys.stdout)
    return EXIT_PROBLEMS if errors else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimkb", description="Check, render and cite a knowledge base of claims and references.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("check", help="report every problem in the knowledge base", description=(
        "Load claims/ and references/, validate everything, print one diagnostic per line "
        "(path:line:col: severity code: message) and a summary. Exit 0 clean, 1 errors, 2 usage."))
    add_root(p)
    p.add_argument("--format", choices=("text", "json", "github"), default="text",
                   help="text (default), json (an array of diagnostics) or github (Actions workflow commands)")
    p.add_argument("--since", metavar="REV",
                   help="also report claim ids and citation keys present at git revision REV (e.g. origin/main) "
                        "that are gone without an alias in claims/_aliases.yaml: ids and keys are forever")
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="only report on these files (they are still checked against the whole knowledge base)")
    p.set_defaults(func=cmd_check)

    from . import commands  # the other commands live beside their modules' code

    commands.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
