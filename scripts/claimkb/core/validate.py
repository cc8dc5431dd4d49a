"""Validation: the schema and per-file rules for each claim, then the rules that span the whole knowledge base."""
from __future__ import annotations

import copy
import difflib
import re
import unicodedata
from collections import defaultdict
from typing import Any, Iterable, Mapping

import fastjsonschema
import jsonschema

from . import editions, locators, markdown, markup, names, pagelinks
from .bibload import ARXIV_RE, DOI_RE, KEY_RE, field_mark
from .diagnostics import MAX_PER_FILE, Capped, Diagnostic, make, non_ascii_hint
from .model import ACYCLIC_RELATIONS, FIDELITIES, KINDS, RELATION_TYPES, Claim, KnowledgeBase, Reference, Relation, Term
from .yamlsafe import Document

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID = 80
SENTENCE_END = re.compile(r"[.!?](?:[\"')\]]*)(?=\s+[A-Z\"'(\[]|\s*$)")


def valid_id(text: str) -> bool:
    return len(text) <= MAX_ID and bool(ID_RE.match(text))


# Cyrillic and Greek letters drawn like Latin ones, which NFKD does not fold: an id typed on another keyboard.
_LOOKALIKES = str.maketrans("аеорсхуіјѕԁһԛԝοαικνρτυχ", "aeopcxyijsdhqwoaikvptux")


def suggest_id(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower().translate(_LOOKALIKES))
    slug = re.sub(r"[^a-z0-9]+", "-", folded.encode("ascii", "ignore").decode()).strip("-")[:MAX_ID].strip("-")
    return slug or "my-claim"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


class ClaimValidator:
    """Checks one parsed claim document against the JSON Schema and the rules that need only that file."""

    def __init__(self, schema: dict[str, Any], domains: Mapping[str, Term], kinds: Mapping[str, Term] | None = None) -> None:
        self.schema = schema
        self.validator = jsonschema.Draft202012Validator(schema)
        # The same schema compiled to Python: ~35x faster on valid claims, which are nearly all of them.
        # Only a claim it rejects goes through jsonschema, which reports every error with its path.
        # compile() rewrites every $ref in the dict it is given to an absolute URI: give it a copy, so the shared
        # loader.claim_schema() (exported, documented, scaffolded from) stays the file's schema.
        self.fast = fastjsonschema.compile(copy.deepcopy(schema), use_default=False)
        self.fields = list(schema["properties"])
        self.max_items = {name: spec["maxItems"] for name, spec in schema["properties"].items() if "maxItems" in spec}
        self.domains = domains
        # The kinds are the knowledge base's (claims/_kinds.yaml, else the tool's defaults): the schema asks only for
        # a kebab-case name, so unknown kinds are found here, as unknown domains are.
        self.kinds = dict(kinds) if kinds is not None else {k: Term(k, k, "") for k in KINDS}

    def check(self, doc: Document, path: str) -> list[Diagnostic]:
        out = Capped()
        data = doc.value
        for name, limit in self.max_items.items():
            items = data.get(name)
            if isinstance(items, list) and len(items) > limit:
                line, col = doc.mark((name,))
                out.append(make(path, line, col, "invalid-value", f"{name}: has {len(items):,} items; the limit is {limit:,}"))
                # Check only the items within the limit: 500,000 tags in 1 MiB would otherwise take minutes.
                data = {**data, name: items[:limit]}
        try:
            self.fast(data)
        except fastjsonschema.JsonSchemaException:
            for error in self.validator.iter_errors(data):
                if not doc.is_rejected(tuple(error.absolute_path)):
                    out.extend(self._schema_error(error, doc, path))
                if out.overflowed:
                    break
        for at, (source, read_as) in doc.implicit.items():
            # JSON Schema counts 2.0 as an integer, so `page: 2.0` passes the schema, yet a locator is text or a
            # whole number as written, and the model would drop it: say so, as for `page: 4.2`.
            if read_as == "number" and _in_locator(at) and not doc.is_rejected(at):
                out.append(_read_as_text(path, *doc.mark(at), _where(at), source, read_as))
        kind = data.get("kind")
        if isinstance(kind, str) and self.kinds and kind not in self.kinds and ID_RE.match(kind):
            line, col = doc.mark(("kind",))
            out.append(make(path, line, col, "unknown-kind",
                            f"kind is '{kind}'{did_you_mean(kind, self.kinds)}; allowed: {', '.join(self.kinds)}"))
        domain = data.get("domain")
        if isinstance(domain, str) and self.domains and domain not in self.domains and ID_RE.match(domain):
            line, col = doc.mark(("domain",))
            out.append(make(path, line, col, "unknown-domain",
                            f"domain '{domain}' is not in claims/_domains.yaml{did_you_mean(domain, self.domains)}; "
                            f"known domains: {', '.join(sorted(self.domains))}"))
        for at, text in _texts(data):
            if text.lstrip().startswith("TODO"):
                line, col = doc.mark(at)
                out.append(make(path, line, col, "placeholder-text",
                                f"{_where(at)} still holds the placeholder written by `claimkb new`: replace it"))
        for at, text in _locator_texts(data):
            parsed = locators.parse(text)
            if isinstance(parsed, locators.LocatorError) and not locators.is_placeholder(text) and not doc.is_rejected(at):
                line, col = doc.offset_mark(at, parsed.offset)
                out.append(make(path, line, col, "invalid-locator", f"{_where(at)} '{_clip(text)}': {parsed.message}"))
        statement = data.get("statement")
        if isinstance(statement, str) and len(SENTENCE_END.findall(statement.strip())) > 3:
            line, col = doc.mark(("statement",))
            out.append(make(path, line, col, "statement-too-long",
                            "a statement is one to three sentences; move context to annotations"))
        for i, rel in enumerate(data.get("relations") or [] if isinstance(data.get("relations"), list) else []):
            if isinstance(rel, dict) and "fidelity" in rel and rel.get("type") != "interprets":
                line, col = doc.mark(("relations", i, "fidelity"))
                out.append(make(path, line, col, "fidelity-without-interprets",
                                "fidelity only applies to an 'interprets' relation; remove it or change the type"))
        tags = data.get("tags")
        for i, tag in enumerate(tags if isinstance(tags, list) else []):
            if isinstance(tag, str) and names.is_reserved(tag):
                line, col = doc.mark(("tags", i))
                out.append(make(path, line, col, "reserved-name",
                                f"tags[{i}] '{tag}' is a name the site's generator uses for its own pages and folders: "
                                f"choose another tag (reserved: {', '.join(sorted(names.RESERVED_NAMES))})"))
        for at, text in _texts(data):
            dense = markdown.too_much_markup(text)
            if dense:
                out.append(make(path, *doc.mark(at), "markup-budget",
                                f"{_where(at)} has {dense:,} markup characters ([ ] * _ ` < > & ! \\ | ~); above "
                                f"{markdown.MAX_MARKUP_CHARS:,} in a text longer than that, the site shows it as written, "
                                "without formatting or links: use fewer, or put literal text in a code block"))
            for problem in markup.unsafe(text):
                line, col = doc.locate(at, problem.text)
                out.append(make(path, line, col, problem.code, f"{_where(at)}: {problem.message}"))
            invisible = markup.INVISIBLE_RE.search(text)
            if invisible:
                char = invisible.group()
                line, col = doc.locate(at, char)
                name = unicodedata.name(char, "")  # the bidirectional controls have names, C0 and C1 controls none
                what = (f"U+{ord(char):04X} {name}, which reorders the text shown around it" if name
                        else f"the control character U+{ord(char):04X}, invisible on the page")
                out.append(make(path, line, col, "invalid-value", f"{_where(at)} contains {what}: remove it"))
        return out.close()

    def _schema_error(self, error: jsonschema.ValidationError, doc: Document, path: str) -> list[Diagnostic]:
        at = tuple(error.absolute_path)
        where = _where(at) or "the claim"
        v = error.validator
        if v == "additionalProperties":
            # One more than can be listed, so the report says some were left out without a did-you-mean for each.
            extras = [k for k in error.instance if k not in error.schema.get("properties", {})][:MAX_PER_FILE + 1]
            out = []
            for extra in extras:
                line, col = doc.key_marks.get(at + (extra,), doc.mark(at))
                allowed = list(error.schema.get("properties", {}))
                out.append(make(path, line, col, "unknown-field",
                                f"unknown field '{extra}' in {where}{did_you_mean(str(extra), allowed)}; "
                                f"allowed fields: {', '.join(allowed)}"))
            return out
        line, col = doc.mark(at)
        if v == "required":
            missing = re.findall(r"'([^']+)' is a required property", error.message)
            name = missing[0] if missing else error.message
            return [make(path, line, col, "missing-field", f"{where} lacks the required field '{name}'")]
        if v == "type":
            implicit = doc.implicit.get(at)
            expected = error.validator_value if isinstance(error.validator_value, str) else " or ".join(error.validator_value)
            if implicit and expected in ("string", "string or integer"):
                return [_read_as_text(path, line, col, where, *implicit)]
            return [make(path, line, col, "wrong-type", f"{where} must be {_article(expected)}, not {_type_name(error.instance)}")]
        if v == "enum":
            allowed = [str(a) for a in error.validator_value]
            field = at[-1] if at else ""
            code = {"kind": "unknown-kind", "type": "unknown-relation-type", "fidelity": "unknown-fidelity"}.get(str(field), "invalid-value")
            return [make(path, line, col, code,
                         f"{where} is {_show(error.instance)}{did_you_mean(str(error.instance), allowed)}; "
                         f"allowed: {', '.join(allowed)}")]
        if v == "pattern" and at == ("title",):
            return [make(path, line, col, "multiline-title", "the title must be one line; use a plain scalar or quotes, not | or >")]
        if v == "oneOf" and at and (at[-1] == "locator" or "locator" in at):
            # `locator: 1.10`, `locator: no`, `page: 4.2`: the fix is quoting, so say that rather than list the shapes.
            inner = [at] + [at + (k,) for k in error.instance] if isinstance(error.instance, dict) else [at]
            for p in inner:
                implicit = doc.implicit.get(p)
                if implicit and not (p != at and implicit[1] == "integer"):
                    return [_read_as_text(path, *doc.mark(p), _where(p), *implicit)]
            for sub in error.context or []:
                # The right shape but too long or empty (a 5,000-character locator): say that, not which shapes exist.
                if sub.validator in ("maxLength", "minLength"):
                    sub_at = tuple(sub.absolute_path)
                    return [make(path, *doc.mark(sub_at), "invalid-value", f"{_where(sub_at)}: {_limit_message(sub.validator, sub)}")]
            return [make(path, line, col, "invalid-value",
                         f"{where} must be text such as \"§4\" or a mapping with one of "
                         "section, page, figure, table, paragraph, line")]
        if v == "pattern":
            # Match the whole pattern: the BibTeX key pattern also contains "a-z0-9" but allows capitals and _:.+
            if error.validator_value == ID_RE.pattern:
                rule = "use lower-case kebab-case (letters, digits, single hyphens)"
            elif error.validator_value == KEY_RE.pattern:
                rule = "a BibTeX key starts with a letter or digit and has only letters, digits and _:.+-"
            else:
                rule = "not a valid value"
            hint = non_ascii_hint(error.instance) if isinstance(error.instance, str) else ""
            return [make(path, line, col, "invalid-value", f"{where} is {_show(error.instance)}{hint}: {rule}")]
        if v in ("maxLength", "minLength", "maxItems", "minItems", "uniqueItems", "minProperties", "maxProperties"):
            return [make(path, line, col, "invalid-value", f"{where}: {_limit_message(v, error)}")]
        return [make(path, line, col, "invalid-value", f"{where}: {error.message[:200]}")]


def _read_as_text(path: str, line: int, col: int, where: str, source: str, read_as: str) -> Diagnostic:
    """wrong-type for a plain scalar that YAML 1.1 reads as something other than the text that was meant."""
    if read_as == "null":
        return make(path, line, col, "wrong-type", f"{where} is empty; write a value (or remove the field if it is optional)")
    return make(path, line, col, "wrong-type",
                f"{where}: YAML reads {source} as {_article(read_as)}, not text; quote it: \"{source}\"")


def _in_locator(at: tuple) -> bool:
    """at is a locator, or the value inside a locator mapping (claimed_by.locator.page, sources[2].locator)."""
    head = at[:2] if at[:1] == ("claimed_by",) else at[:3] if at[:1] == ("sources",) else ()
    return bool(head) and head[-1] == "locator" and len(at) <= len(head) + 1


def _article(name: str) -> str:
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "text", list: "a list", dict: "a mapping",
            type(None): "empty"}.get(type(value), type(value).__name__)


def _limit_message(v: str, error: jsonschema.ValidationError) -> str:
    limit = error.validator_value
    return {
        "maxLength": f"is {len(error.instance):,} characters long; the limit is {limit:,}",
        "minLength": "must not be empty",
        "maxItems": f"has {len(error.instance):,} items; the limit is {limit:,}",
        "minItems": f"needs at least {limit} item(s)",
        "uniqueItems": "lists the same item twice",
        "minProperties": "must not be empty",
        "maxProperties": f"may have at most {limit} key(s)",
    }[v]


def _where(at: tuple) -> str:
    out = ""
    for part in at:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _texts(data: dict[str, Any]) -> Iterable[tuple[tuple, str]]:
    """Every contributed string that reaches a page, with its path in the document."""
    for name in ("title", "statement", "annotations"):
        if isinstance(data.get(name), str):
            yield (name,), data[name]
    for group in ("sources", "relations"):
        items = data.get(group)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    for key in ("note", "locator"):
                        if isinstance(item.get(key), str):
                            yield (group, i, key), item[key]
    cb = data.get("claimed_by")
    if isinstance(cb, dict) and isinstance(cb.get("locator"), str):
        yield ("claimed_by", "locator"), cb["locator"]


def markdown_texts(data: Any) -> Iterable[tuple[tuple, str, bool]]:
    """The contributed strings the site renders as Markdown, and whether it renders them as one line (notes) or as
    blocks (statement, annotations). Titles and locators are shown as plain text."""
    if not isinstance(data, dict):
        return
    for at, text in _texts(data):
        if at[-1] not in ("title", "locator"):
            yield at, text, at[-1] == "note"


def where(at: tuple) -> str:
    """A path in a claim document as a diagnostic names it: sources[0].note."""
    return _where(at)


def _locator_texts(data: dict[str, Any]) -> Iterable[tuple[tuple, str]]:
    """Every string locator in a claim (the mapping form has its own rules in the schema)."""
    cb = data.get("claimed_by")
    if isinstance(cb, dict) and isinstance(cb.get("locator"), str) and cb["locator"]:
        yield ("claimed_by", "locator"), cb["locator"]
    sources = data.get("sources")
    for i, item in enumerate(sources if isinstance(sources, list) else []):
        if isinstance(item, dict) and isinstance(item.get("locator"), str) and item["locator"]:
            yield ("sources", i, "locator"), item["locator"]


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def check_references_in_file(refs: list[Reference], text: str) -> list[Diagnostic]:
    """Rules on single entries: fields a citation needs, and DOI, arXiv and URL syntax."""
    out: list[Diagnostic] = []
    for ref in refs:
        has_person = any(role in ("author", "editor") and names for role, names in ref.persons)
        missing = [name for name, ok in (("author or editor", has_person), ("title", ref.field("title")),
                                         ("year", ref.field("year") or ref.field("date"))) if not ok]
        if missing and not ref.field("crossref"):
            out.append(make(ref.path, ref.line, ref.column, "bibtex-missing-field",
                            f"'{ref.key}' lacks {', '.join(missing)}: citations of it will be incomplete"))
        doi = ref.field("doi")
        if doi is not None and not DOI_RE.match(doi):
            line, col = field_mark(ref, text, "doi")
            hint = " (write the bare DOI, without https://doi.org/)" if "doi.org" in doi.lower() else ""
            out.append(make(ref.path, line, col, "invalid-doi", f"doi of '{ref.key}' is '{doi[:80]}', not 10.NNNN/suffix{hint}"))
        eprint = ref.field("eprint")
        prefix = (ref.field("archiveprefix") or ref.field("eprinttype") or "").lower()
        if eprint is not None and prefix == "arxiv" and not ARXIV_RE.match(eprint):
            line, col = field_mark(ref, text, "eprint")
            out.append(make(ref.path, line, col, "invalid-arxiv",
                            f"eprint of '{ref.key}' is '{eprint[:80]}', not an arXiv id such as 2101.00001 or cs/0112017"))
        url = ref.field("url")
        if url is not None and not markup.is_https_url(url):
            line, col = field_mark(ref, text, "url")
            out.append(make(ref.path, line, col, "invalid-url",
                            f"url of '{ref.key}' is '{url[:80]}': only https:// URLs are accepted"))
    return out


def check_knowledge_base(kb: KnowledgeBase) -> list[Diagnostic]:
    """Rules across files: references, relation targets, cycles, unused references, aliases, docs links."""
    out: list[Diagnostic] = []
    ref_keys = list(kb.references)
    claim_ids = list(kb.claims)
    cited: set[str] = set()
    for claim in kb.claims.values():
        citations = ([claim.claimed_by] if claim.claimed_by else []) + list(claim.sources)
        seen_sources: set[tuple[str, str]] = set()
        for i, c in enumerate(citations):
            field = "claimed_by.ref" if c.role == "claimed" else f"sources[{i - (1 if claim.claimed_by else 0)}].ref"
            target = kb.references.get(c.ref)
            if target is None:
                alias = kb.aliases.get(f"references:{c.ref}")
                hint = f" (it was renamed to '{alias}')" if alias else did_you_mean(c.ref, ref_keys)
                out.append(make(claim.path, c.line, c.column, "unknown-reference",
                                f"{field} '{c.ref}' is not in references/{hint}"))
            cited.add(c.ref)
            if c.role != "claimed":
                marker = (c.ref, str(c.locator))
                if marker in seen_sources:
                    out.append(make(claim.path, c.line, c.column, "duplicate-source",
                                    f"{field} '{c.ref}' is listed twice with the same locator"))
                seen_sources.add(marker)
        if kb.has_role(claim, "evidence") and not any(s.role == "cited" for s in claim.sources):
            what = "evidence claim" if claim.kind == "evidence" else f"{claim.kind} claim (a kind with the role evidence)"
            out.append(make(claim.path, 1, 1, "uncited-evidence",
                            f"this {what} has no source the claiming work cites; the site will say so "
                            "(add the cited source, or explain in annotations why there is none)"))
        seen_rel: set[tuple[str, str]] = set()
        for r in claim.relations:
            if r.type not in RELATION_TYPES:
                continue  # already reported by the schema
            if r.target == claim.id:
                out.append(make(claim.path, r.line, r.column, "self-relation", f"'{r.type}' points at the claim itself"))
            elif r.target not in kb.claims:
                alias = kb.aliases.get(f"claims:{r.target}")
                hint = f" (it was renamed to '{alias}')" if alias else did_you_mean(r.target, claim_ids)
                out.append(make(claim.path, r.line, r.column, "unknown-target",
                                f"relation target '{r.target}' is not a claim{hint}"))
            if (r.type, r.target) in seen_rel:
                out.append(make(claim.path, r.line, r.column, "duplicate-relation",
                                f"'{r.type} {r.target}' is listed twice"))
            seen_rel.add((r.type, r.target))
    out.extend(_cycles(kb))
    out.extend(_duplicate_identifiers(kb))
    folded = {key.lower() for key in ref_keys}
    for ref in kb.references.values():
        if ref.key not in cited:
            out.append(make(ref.path, ref.line, ref.column, "unused-reference", f"'{ref.key}' is cited by no claim"))
        parent = ref.field("crossref")
        if parent and parent.lower() not in folded:
            # The missing-field check trusts a crossref to fill the gaps: a dangling one fills none.
            out.append(make(ref.path, ref.line, ref.column, "bibtex-missing-field",
                            f"'{ref.key}' takes its missing fields from crossref '{parent}', which is not in "
                            f"references/{did_you_mean(parent, ref_keys)}: citations of it will be incomplete"))
    out.extend(_check_aliases(kb))
    out.extend(check_page_links(kb))
    out.extend(editions.check(kb))
    out.extend(check_docs(kb))
    return out


def check_page_links(kb: KnowledgeBase) -> list[Diagnostic]:
    """Relative links from claims to pages that the site will not have: the strict build would fail after the merge."""
    if not any(claim.links for claim in kb.claims.values()):
        return []
    site = pagelinks.pages(kb)
    candidates = sorted(site - set(names.GENERATED_PAGES))
    hints = 20
    out: list[Diagnostic] = []
    for claim in kb.claims.values():
        missing = Capped()  # per claim, as every per-file rule: a thousand dead links are listed as a hundred
        for link in claim.links:
            if link.page is not None and link.page not in site:
                # Suggestions among the pages a contributor links on purpose (every name is close to claims/index.md),
                # for the first few only: each compares with every page, and dead links are cheap to write.
                hint = did_you_mean(link.page, candidates) if hints > 0 else ""
                hints -= 1
                missing.append(make(claim.path, link.line, link.column, "unknown-page",
                                    f"{link.field}: the link '{link.href[:80]}' names the page {link.page}, which the "
                                    f"site does not have{hint} (relative links are read from the claim's page, "
                                    f"{pagelinks.BASE}/{claim.id}.md)"))
        out.extend(missing.close())
    return out


def _cycles(kb: KnowledgeBase) -> list[Diagnostic]:
    """One diagnostic per circular argument, found by iterative depth-first search over "rests on" edges.

    "a supports b" and "b depends-on a" both say that b rests on a, so both are the edge a -> b; a cycle of
    such edges is an argument that rests on itself.
    """
    # edge source -> [(target, claim holding the relation, the relation)]
    graph: dict[str, list[tuple[str, Claim, Relation]]] = defaultdict(list)
    for claim in kb.claims.values():
        for r in claim.relations:
            if r.type in ACYCLIC_RELATIONS and r.target in kb.claims and r.target != claim.id:
                if r.type == "supports":
                    graph[claim.id].append((r.target, claim, r))
                else:
                    graph[r.target].append((claim.id, claim, r))
    out: list[Diagnostic] = []
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    for start in sorted(graph):
        if start in state:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = [start]
        state[start] = 1
        while stack:
            node, i = stack[-1]
            edges = graph.get(node, [])
            if i < len(edges):
                stack[-1] = (node, i + 1)
                nxt, holder, rel = edges[i]
                if state.get(nxt) == 1:
                    cycle = path[path.index(nxt):] + [nxt]
                    out.append(make(holder.path, rel.line, rel.column, "relation-cycle",
                                    f"the argument rests on itself: {' -> '.join(cycle)} (a -> b: a supports b, "
                                    "or b depends-on a); remove or reverse one of these relations"))
                elif nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                state[node] = 2
                stack.pop()
                path.pop()
    return out


def _duplicate_identifiers(kb: KnowledgeBase) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for field, code, label in (("doi", "duplicate-doi", "DOI"), ("eprint", "duplicate-arxiv", "arXiv id")):
        first: dict[str, Reference] = {}
        for ref in kb.references.values():
            value = ref.field(field)
            if not value or (field == "eprint" and (ref.field("archiveprefix") or "").lower() != "arxiv"):
                continue
            norm = re.sub(r"v\d+$", "", value.lower()) if field == "eprint" else value.lower()
            if norm in first:
                other = first[norm]
                out.append(make(ref.path, ref.line, ref.column, code,
                                f"{label} {value} of '{ref.key}' is also the {label} of '{other.key}' "
                                f"({other.path}:{other.line}); one work, one key"))
            else:
                first[norm] = ref
    return out


def _check_aliases(kb: KnowledgeBase) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    path = "claims/_aliases.yaml"
    for old_full, new in sorted(kb.aliases.items()):
        section, old = old_full.split(":", 1)
        live = kb.claims if section == "claims" else kb.references
        if old in live:
            if section == "claims":
                claim = kb.claims[old]
                out.append(make(claim.path, 1, 1, "retired-id",
                                f"'{old}' was retired (it now means '{new}'); ids are never reused: choose another id"))
            else:
                ref = kb.references[old]
                out.append(make(ref.path, ref.line, ref.column, "retired-id",
                                f"key '{old}' was renamed to '{new}'; keys are never reused: choose another key"))
        if new not in live:
            out.append(make(path, 1, 1, "alias-invalid", f"'{old}' is mapped to '{new}', which does not exist"))
    return out


def check_docs(kb: KnowledgeBase) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for page, text in sorted(kb.docs.items()):
        rel = f"docs/{page}"
        blocks = set()
        for ref in markup.find_shortcodes(text):
            if ref.kind == "cite":
                if ref.key not in kb.references:
                    out.append(make(rel, ref.line, ref.column, "docs-unknown-reference",
                                    f"[@{ref.key}] cites no known reference{did_you_mean(ref.key, kb.references)}"))
                elif ref.locator is not None:
                    out.extend(_docs_locator(kb, rel, text, ref))
            elif ref.kind == "block":
                blocks.add(ref.start)
                if ref.key not in markup.GENERATED_BLOCKS:
                    out.append(make(rel, ref.line, ref.column, "docs-unknown-block",
                                    f"[[generated:{ref.key}]] is no generated block{did_you_mean(ref.key, markup.GENERATED_BLOCKS)}; "
                                    f"known blocks: {', '.join(markup.GENERATED_BLOCKS)}"))
            elif ref.key not in kb.claims:
                out.append(make(rel, ref.line, ref.column, "docs-unknown-claim",
                                f"[[{ref.key}]] links no known claim{did_you_mean(ref.key, kb.claims)}"))
        prose = markup.strip_code(text)
        for m in markup.GENERATED_RE.finditer(prose):
            if m.start() not in blocks:
                line, col = _text_position(text, m.start())
                out.append(make(rel, line, col, "docs-unknown-block",
                                f"'{m.group()[:60]}' must stand alone on its line, as a paragraph of its own, "
                                "with a known block name"))
        for offset, edition, anchor in editions.in_text(kb, prose):
            if anchor not in edition.parents:
                line, col = _text_position(text, offset)
                out.append(make(rel, line, col, "unknown-anchor",
                                f"the link {edition.base}#{anchor[:40]} names no anchor of {edition.key}'s HTML edition "
                                f"({edition.path}){did_you_mean(anchor, edition.parents)}"))
    return out


def _text_position(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _docs_locator(kb: KnowledgeBase, rel: str, text: str, ref: markup.Shortcode) -> list[Diagnostic]:
    """A docs citation's locator, [@key, §4 ¶2]: the grammar, and the anchor when the work has an HTML edition."""
    assert ref.locator is not None
    start = text.index(ref.locator, ref.start + 2 + len(ref.key))
    parsed = locators.parse(ref.locator)
    if isinstance(parsed, locators.LocatorError):
        line, col = _text_position(text, start + parsed.offset)
        return [make(rel, line, col, "invalid-locator", f"[@{ref.key}, {_clip(ref.locator)}]: {parsed.message}")]
    edition = kb.editions.get(ref.key)
    out = []
    for place in parsed.places if edition else ():
        found = editions.resolve(edition, place)
        if found.problem and found.part is not None:
            line, col = _text_position(text, start + found.part.start)
            out.append(make(rel, line, col, "unknown-anchor", f"[@{ref.key}, {_clip(ref.locator)}]: {found.problem}"))
    return out


def check(kb: KnowledgeBase, load_diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """All diagnostics, sorted by path, line and column, without repeats."""
    return sorted(set(load_diagnostics) | set(check_knowledge_base(kb)))


__all__ = ["ClaimValidator", "check", "check_knowledge_base", "check_docs", "valid_id", "suggest_id", "did_you_mean",
           "KINDS", "FIDELITIES"]
