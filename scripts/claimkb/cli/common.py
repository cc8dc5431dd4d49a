"""What every command shares: exit codes, the --root option, and finding the knowledge base."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def root_path(value: str | None) -> Path:
    return Path(value or ".").resolve()


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", metavar="DIR", help="the knowledge base's folder (default: the current folder)")


def is_knowledge_base(root: Path) -> bool:
    """True when root has claims/ or references/; otherwise says so on stderr (the caller exits 2)."""
    if (root / "claims").is_dir() or (root / "references").is_dir():
        return True
    print(f"claimkb: {root} has neither claims/ nor references/: is --root right?", file=sys.stderr)
    return False


def relative_to_root(file: str, root: Path) -> str:
    """A FILE argument as the root-relative POSIX path diagnostics use.

    pre-commit passes paths relative to the current folder, a person may pass them relative to --root; a path
    outside root (or deleted) is kept as written and simply matches no diagnostic.
    """
    for candidate in (Path(file), root / file):  # root / an absolute path is that absolute path
        full = candidate.resolve()
        if full.exists() and full.is_relative_to(root):
            return full.relative_to(root).as_posix()
    return Path(file).as_posix()
