"""`claimkb cite` and `claimkb export`: one entry, or the whole knowledge base, in the formats citers use."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..cite import formatting as cite
from ..cite import database, export, linked
from ..core import loader
from ..core import validate
from .common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, add_root, is_knowledge_base, root_path
from ..core.model import KnowledgeBase


def _load(root: Path) -> KnowledgeBase | None:
    if not is_knowledge_base(root):
        return None
    return loader.load(root).kb


def _bad_style(style: str | None) -> bool:
    if style is None or style in cite.available_styles():
        return False
    print(f"claimkb: unknown style '{style}'{validate.did_you_mean(style, cite.available_styles())}; "
          f"pybtex styles: {', '.join(cite.available_styles())}", file=sys.stderr)
    return True


# Formats that hold the whole knowledge base, claims and references together.
WHOLE = ("json", "turtle", "jsonld", "sqlite")


def _csl_json(items: list[dict]) -> str:
    return json.dumps(items, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def cmd_cite(args: argparse.Namespace) -> int:
    if _bad_style(args.style):
        return EXIT_USAGE
    kb = _load(root_path(args.root))
    if kb is None:
        return EXIT_USAGE
    target = args.target
    claim_id = target.removeprefix(f"{kb.settings.prefix}:")
    if claim_id in kb.claims:
        claim = kb.claims[claim_id]
        if args.format == "bibtex":
            sys.stdout.write(cite.claim_bibtex(kb, claim))
        elif args.format == "csl-json":
            sys.stdout.write(_csl_json([cite.claim_csl(kb, claim)]))
        else:
            print(cite.claim_text(kb, claim))
        return EXIT_OK
    if target in kb.references:
        ref = kb.references[target]
        if args.format == "bibtex":
            sys.stdout.write(cite.reference_bibtex(ref))
        elif args.format == "csl-json":
            sys.stdout.write(_csl_json([cite.reference_csl(ref)]))
        else:
            print(cite.format_reference(kb, ref, args.style))
        return EXIT_OK
    renamed = kb.aliases.get(f"claims:{claim_id}") or kb.aliases.get(f"references:{target}")
    hint = f" (it was renamed to '{renamed}')" if renamed else validate.did_you_mean(target, [*kb.claims, *kb.references])
    print(f"claimkb: '{target}' is neither a claim id nor a reference key{hint}", file=sys.stderr)
    return EXIT_PROBLEMS


def _output_problem(out: Path, root: Path) -> str | None:
    for folder in ("claims", "references"):
        if out.is_relative_to((root / folder).resolve()):
            return f"refusing to write {out} inside {folder}/: exports are generated files, keep them out of the sources"
    if out.is_dir():
        return f"{out} is a folder: name the file to write"
    if not out.parent.is_dir():
        return f"the folder {out.parent} does not exist"
    return None


def cmd_export(args: argparse.Namespace) -> int:
    if args.format in WHOLE and args.what is not None:
        print(f"claimkb: --what does not apply to --format {args.format}: it holds both claims and references",
              file=sys.stderr)
        return EXIT_USAGE
    if args.format == "sqlite" and not args.output:
        print("claimkb: --format sqlite writes a database file: name it with -o FILE, such as -o kb.db", file=sys.stderr)
        return EXIT_USAGE
    root = root_path(args.root)
    out = Path(args.output).resolve() if args.output else None
    if out is not None:
        problem = _output_problem(out, root)
        if problem:
            print(f"claimkb: {problem}", file=sys.stderr)
            return EXIT_USAGE
    kb = _load(root)
    if kb is None:
        return EXIT_USAGE
    what = args.what or "references"
    text: str | bytes
    if args.format in ("turtle", "jsonld") and not kb.settings.site_url:
        print("claimkb: linked data names each claim by its permanent URL: set site_url in mkdocs.yml",
              file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        text = export.export_dataset(kb)
    elif args.format == "turtle":
        text = linked.export_turtle(kb)
    elif args.format == "jsonld":
        text = linked.export_jsonld(kb)
    elif args.format == "sqlite":
        text = database.export_sqlite(kb)
    elif args.format == "csl-json":
        text = export.export_csl(kb, what)
    else:
        text = export.export_references_bib(kb) if what == "references" else export.export_claims_bib(kb)
    if out is None:
        assert isinstance(text, str)  # a database is only ever written to a file (checked above)
        sys.stdout.write(text)
    else:
        export.write_atomic(out, text)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cite", help="print how to cite one claim or reference", description=(
        "Print one entry: a claim as the @misc entry, CSL-JSON item or text that cites it as it stands in this "
        "knowledge base, or a reference as normalized BibTeX, CSL-JSON or formatted text. "
        "Exit 0 found, 1 unknown id or key, 2 usage."))
    p.add_argument("target", metavar="ID_OR_KEY", help="a claim id (optionally <prefix>:<id>) or a BibTeX key")
    add_root(p)
    p.add_argument("--format", choices=("bibtex", "csl-json", "text"), default="text",
                   help="bibtex, csl-json (an array of one item) or text (default)")
    p.add_argument("--style", metavar="NAME",
                   help="the pybtex style for a reference's text, such as plain, unsrt or alpha "
                        "(default: extra.claimkb.style in mkdocs.yml)")
    p.set_defaults(func=cmd_cite)

    p = sub.add_parser("export", help="write the references, the claims or the whole knowledge base in a format for "
                       "citation managers, linked data or SQL", description=(
        "Write every reference or every claim as BibTeX (--format bibtex) or CSL-JSON (--format csl-json), or the "
        "whole knowledge base as the claims.json dataset (--format json), as linked data with relations mapped to "
        "the Citation Typing Ontology (--format turtle or jsonld; needs site_url in mkdocs.yml), or as a SQLite "
        "database with foreign keys and full-text search (--format sqlite, with -o). Output is deterministic: "
        "sorted, with no timestamps. The Cite and reuse page documents each format. Exit 0 written, 2 usage."))
    p.add_argument("--format", choices=("bibtex", "csl-json", "json", "turtle", "jsonld", "sqlite"), required=True,
                   help="bibtex, csl-json, json (the dataset, with its JSON Schema embedded), turtle or jsonld "
                        "(linked data: CiTO, SKOS, PROV), or sqlite (a database file)")
    p.add_argument("--what", choices=("claims", "references"),
                   help="for bibtex and csl-json: export the references (default) or the claims")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write to FILE (atomically: a temporary file, then a rename) instead of standard output")
    add_root(p)
    p.set_defaults(func=cmd_export)
