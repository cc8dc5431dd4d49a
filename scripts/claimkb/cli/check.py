"""`claimkb check`: every problem in the knowledge base, one per line, as text, JSON or GitHub annotations."""
from __future__ import annotations

import argparse
import sys

from ..core import diagnostics as diag
from ..core import loader, validate
from .common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, add_root, is_knowledge_base, relative_to_root, root_path


def cmd_check(args: argparse.Namespace) -> int:
    root = root_path(args.root)
    if not is_knowledge_base(root):
        return EXIT_USAGE
    result = loader.load(root)
    found = validate.check(result.kb, result.diagnostics)
    if args.since:
        from ..core import history

        try:
            found = sorted(set(found) | set(history.check_since(result.kb, args.since)))
        except history.RevisionError as exc:
            print(f"claimkb: --since {args.since}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if args.files:
        # A pre-commit run names changed files: report on those, but resolve them against the whole knowledge base.
        wanted = {relative_to_root(f, root) for f in args.files}
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



def register(sub: argparse._SubParsersAction) -> None:
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
