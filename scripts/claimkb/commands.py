"""Subcommands beyond check: registered here so cli.py stays a table of contents."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    pass
