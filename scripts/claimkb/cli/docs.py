"""Reference pages generated from their single source, so they cannot drift: the claim format from the JSON
Schema, the command line from the argparse parser. tests/test_docs.py regenerates both and compares."""
from __future__ import annotations

import argparse
import re
import sys
from typing import Any, Callable, Iterator, Mapping

from ..site.formatdoc import CLAIM_FORMAT_COMMAND, cell as _cell, prose as _prose, render_claim_format

CLI_COMMAND = "claimkb cli-doc"

def commands(parser: argparse.ArgumentParser) -> list[tuple[argparse.ArgumentParser, str]]:
    """Every command's parser and its one-line help, nested ones such as `claimkb new claim` too, depth first."""
    found: list[tuple[argparse.ArgumentParser, str]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                found.append((sub, helps.get(name, "")))
                found.extend(commands(sub))
    return found


def _usage(parser: argparse.ArgumentParser) -> str:
    # A fixed width: argparse otherwise wraps to the terminal, and the page must not depend on it.
    formatter = parser.formatter_class(prog=parser.prog, width=100)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups, prefix="")
    return formatter.format_help().strip()


def render_cli(parser: argparse.ArgumentParser) -> str:
    out: list[str] = []
    add = out.append
    add("# Command line")
    add("")
    add(f"This page is generated from the command line's own definitions at every build (`{CLI_COMMAND}` prints "
        "it), so every command and option is here.")
    add("")
    add("In a clone, after `make serve` or `make test` has set up `.venv`, run the commands as `.venv/bin/claimkb` "
        "(or `python -m claimkb`) from the repository's folder. Every command returns 0 when all is well, "
        "1 when it found problems (or refused to do something, saying why), and 2 for a usage error such as a "
        "missing option.")
    add("")
    add("| Command | What it does |")
    add("| --- | --- |")
    for sub, summary in commands(parser):
        add(f"| [`{sub.prog}`](#{_anchor(sub.prog)}) | {_cell(summary)} |")
    add("")
    for sub, _ in commands(parser):
        add(f"## `{sub.prog}`")
        add("")
        if sub.description:
            add(_prose(sub.description))
            add("")
        add("```text")
        add(_usage(sub))
        add("```")
        add("")
        rows = []
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if isinstance(action, argparse._SubParsersAction):
                names = ", ".join(f"`{c}`" for c in action.choices)
                rows.append((f"`{action.metavar or action.dest}`", f"one of {names}: see below"))
                continue
            if action.option_strings:
                shown = ", ".join(f"`{o}{' ' + _metavar(action) if action.nargs != 0 else ''}`"
                                  for o in action.option_strings)
            else:
                shown = f"`{_metavar(action)}`"
            text = (action.help or "").rstrip(".")
            text += "." if text else ""
            if action.choices and not isinstance(action.choices, dict):
                text += f" One of: {', '.join(f'`{c}`' for c in action.choices)}."
            if action.default not in (None, False, argparse.SUPPRESS, []) and action.option_strings:
                text += f" Default: `{action.default}`."
            rows.append((shown, text))
        if rows:
            add("| Argument | Meaning |")
            add("| --- | --- |")
            for shown, text in rows:
                add(f"| {shown} | {_cell(text)} |")
            add("")
    return "\n".join(out)


def _metavar(action: argparse.Action) -> str:
    if isinstance(action.metavar, str):
        return action.metavar
    return action.dest.upper() if action.option_strings else action.dest


def _anchor(prog: str) -> str:
    # Python-Markdown's toc slugify: lower case, punctuation dropped, spaces to hyphens.
    return "-".join(prog.lower().split())


def register(sub: Any, cli_page: Callable[[], str]) -> None:
    """Add `claimkb schema-doc` and `claimkb cli-doc`, which print these pages."""

    def schema_doc(args: argparse.Namespace) -> int:
        from ..core import loader

        sys.stdout.write(render_claim_format(loader.claim_schema()))
        return 0

    def cli_doc(args: argparse.Namespace) -> int:
        sys.stdout.write(cli_page())
        return 0

    p = sub.add_parser("schema-doc", help="print the claim format reference page (Markdown)",
                       description="Print the claim format reference, generated from the JSON Schema, as Markdown.")
    p.set_defaults(func=schema_doc)
    p = sub.add_parser("cli-doc", help="print the command line reference page (Markdown)",
                       description="Print the command line reference, generated from the commands' definitions, "
                                   "as Markdown.")
    p.set_defaults(func=cli_doc)
