"""The command line: each command parses its arguments, calls the core, site or cite layers and returns an exit code."""
from .main import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, build_parser, cli_page, main

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "build_parser", "cli_page", "main"]
