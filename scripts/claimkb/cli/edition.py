"""`claimkb edition`: a reference's HTML edition file (anchor ids only) from a saved LaTeXML page, for deep links."""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from ..core import editions, latexml, loader, markup, validate
from .common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, add_root, is_knowledge_base, root_path

GENERATOR_RE = re.compile(r"by LaTeXML \(version ([0-9.]+)\)")
CANONICAL_RE = re.compile(r"<link\b[^>]*\brel=\"canonical\"[^>]*\bhref=\"(https://[^\"\s<>]+)\"", re.I)
PLURALS = {"section": "sections", "paragraph": "paragraphs", "list": "lists", "item": "items", "table": "tables",
           "figure": "figures", "footnote": "footnotes", "abstract": "abstracts"}


def cmd_edition(args: argparse.Namespace) -> int:
    root = root_path(args.root)
    if not is_knowledge_base(root):
        return EXIT_USAGE
    base = args.base.strip()
    if not markup.is_https_url(base) or "#" in base:
        print(f"claimkb edition: --base must be the https:// URL of the edition, without a #fragment, "
              f"e.g. https://arxiv.org/html/2401.00001v2 (got '{base[:80]}')", file=sys.stderr)
        return EXIT_USAGE
    if args.source and not markup.is_https_url(args.source):
        print("claimkb edition: --source must be an https:// URL", file=sys.stderr)
        return EXIT_USAGE
    try:
        html = sys.stdin.read() if args.page == "-" else Path(args.page).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"claimkb edition: cannot read {args.page}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return EXIT_USAGE
    kb = loader.load(root).kb
    if args.key not in kb.references:
        print(f"claimkb edition: '{args.key}' is not a reference key{validate.did_you_mean(args.key, kb.references)}: "
              "add the work to references/ first (claimkb new reference)", file=sys.stderr)
        return EXIT_USAGE
    rel = f"{editions.FOLDER}/{args.key}.yaml"
    target = root / rel
    if target.exists() and not args.force:
        print(f"claimkb edition: {rel} exists; pass --force to replace it", file=sys.stderr)
        return EXIT_USAGE
    parents, headings = latexml.outline(html)
    if not parents:
        print(f"claimkb edition: {args.page} has no LaTeXML anchors (S1, S1.p1, S2.I1.i2, ...): is it a page of "
              "arXiv's HTML or of ar5iv, saved as HTML?", file=sys.stderr)
        return EXIT_PROBLEMS
    generator = GENERATOR_RE.search(html)
    canonical = CANONICAL_RE.search(html)
    source = args.source or (canonical.group(1) if canonical and canonical.group(1).rstrip("/") != base.rstrip("/") else "")
    made_by = f", made by LaTeXML {generator.group(1)}" if generator else ""
    comment = [f"The HTML edition of {args.key}: the anchor ids its locators deep-link to (ids only, never its text).",
               f"Written by `claimkb edition` from a saved copy of the page{made_by}. `claimkb check` validates it."]
    text = editions.to_yaml(base, parents, headings, source=source, comment=comment)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8")
    result = loader.load(root)
    problems = [d for d in validate.check(result.kb, result.diagnostics) if d.path == rel]
    for d in problems:
        print(d, file=sys.stderr)
    kinds = Counter(latexml.kind_of(a) for a in parents)
    counted = ", ".join(f"{n} {PLURALS.get(k or '', k) if n != 1 else k}" for k, n in kinds.items())
    print(f"wrote {rel}: {len(parents)} anchors ({counted}), {len(headings)} unnumbered heading"
          f"{'s' if len(headings) != 1 else ''}")
    return EXIT_PROBLEMS if any(d.severity == "error" for d in problems) else EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("edition", help="write a reference's HTML edition file from a saved LaTeXML page", description=(
        "Read a saved HTML page made by LaTeXML (arXiv's HTML papers, ar5iv) and write "
        "references/_editions/KEY.yaml: the page's version-pinned URL and the anchor ids of its sections, "
        "paragraphs, lists, items, tables, figures and footnotes, nested as on the page, plus the titles of its "
        "unnumbered headings. No other text of the work is stored. Locators of claims citing KEY then link to "
        "their exact passage, and the checker reports those that name a passage the page lacks. "
        "Exit 0 written, 1 written with problems or no anchors found, 2 usage."))
    p.add_argument("key", metavar="KEY", help="the BibTeX key of the work (the file is named after it)")
    p.add_argument("page", metavar="PAGE", help="the saved HTML page ('-' reads it from standard input)")
    p.add_argument("--base", required=True, metavar="URL",
                   help="the edition's version-pinned URL, which deep links extend with #anchor, e.g. "
                        "https://arxiv.org/html/2401.00001v2")
    p.add_argument("--source", metavar="URL",
                   help="where the page was saved from, when not at --base (default: the page's canonical link)")
    add_root(p)
    p.add_argument("--force", action="store_true", help="replace an existing edition file")
    p.set_defaults(func=cmd_edition)
