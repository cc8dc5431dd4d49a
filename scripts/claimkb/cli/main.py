"""The claimkb command line: a table of contents of the commands, each a function returning an exit code."""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from . import check, commands, docs, edition, init, new, site
from .. import version
from .common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "build_parser", "cli_page", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimkb", description="Check, render and cite a knowledge base of claims and references.")
    parser.add_argument("--version", action="version", version=f"claimkb {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    init.register(sub)
    check.register(sub)
    new.register(sub)
    docs.register(sub, cli_page)
    site.register(sub, cli_page)
    commands.register(sub)
    edition.register(sub)
    return parser


def cli_page() -> str:
    """The command line's reference page, generated from the parser so it cannot drift; the site adds it."""
    return docs.render_cli(build_parser())


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
