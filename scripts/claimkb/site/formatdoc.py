"""The claim-format reference page, generated from the JSON Schema at every build so it cannot drift from the checker."""
from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

from ..core import template
from ..core.model import KINDS, KnowledgeBase
from . import html, locatordoc
from .pages.kit import code

CLAIM_FORMAT_COMMAND = "claimkb schema-doc"
TYPE_NAMES = {"string": "text", "integer": "whole number", "number": "number", "boolean": "true or false",
              "array": "list", "object": "mapping", "null": "empty"}
# The example claim when there is no knowledge base to take one from (`claimkb schema-doc`): no reading's values.
EXAMPLE_VALUES = {"title": "Remembering rebuilds the past rather than replaying it",
                  "kind": "premise", "domain": "psychology",
                  "claimed_by": {"ref": "bartlett1932remembering", "locator": "p. 213"}}


def example_values(kb: KnowledgeBase | None) -> dict[str, Any]:
    """The page's example claim: the knowledge base's own first claim (by id), so the page speaks of its reading."""
    claims = sorted((c for c in kb.claims.values() if c.claimed_by) if kb else (), key=lambda c: c.id)
    if not claims:
        return EXAMPLE_VALUES
    claim = claims[0]
    assert claim.claimed_by is not None
    return {"title": claim.title, "kind": claim.kind, "domain": claim.domain,
            "claimed_by": {"ref": claim.claimed_by.ref,
                           "locator": str(claim.claimed_by.locator) if claim.claimed_by.locator else None}}


# File paths such as claims/<id>.yaml, and the docs' own [@key] and [[id]] syntax: shown as code, not read.
PATH_RE = re.compile(r"(?<![\w`])((?:[\w<>\[\]-]+/)+(?:[\w<>\[\]-]+(?:\.\w+)*)?|\[@[^\]\s]*\]|\[\[[^\]\s]*\]\])")


def prose(text: str) -> str:
    """Help or schema text as Markdown: paths and shortcodes in code spans, so '<id>' is not read as HTML."""
    parts = PATH_RE.split(" ".join(text.split()))
    return "".join(f"`{p}`" if i % 2 else p.replace("<", "&lt;").replace(">", "&gt;") for i, p in enumerate(parts))


def cell(text: str) -> str:
    return prose(text).replace("|", "\\|")


def _type(schema: Mapping[str, Any], prop: Mapping[str, Any]) -> str:
    if "enum" in prop:
        return "one of the values listed"
    if "oneOf" in prop:
        return " or ".join(_type(schema, template.resolve(schema, o)) for o in prop["oneOf"])
    kind = prop.get("type")
    if isinstance(kind, list):
        return " or ".join(TYPE_NAMES.get(k, k) for k in kind)
    if kind == "array":
        items = template.resolve(schema, prop.get("items", {}))
        return f"list of {'mappings' if items.get('type') == 'object' else TYPE_NAMES.get(items.get('type', ''), 'values')}"
    return TYPE_NAMES.get(kind or "", "any")


def _rules(name: str, prop: Mapping[str, Any]) -> str:
    rules: list[str] = []
    if "enum" in prop:
        rules.append("one of " + ", ".join(f"`{v}`" for v in prop["enum"]))
    if "default" in prop:
        rules.append(f"default `{prop['default']}`")
    if prop.get("pattern") == r"^[^\n]*$":
        rules.append("one line")
    elif prop.get("pattern") == r"^[a-z0-9]+(?:-[a-z0-9]+)*$":
        rules.append("kebab-case: lower-case letters, digits and single hyphens")
    elif prop.get("pattern") == r"^[A-Za-z0-9][A-Za-z0-9_:.+-]*$":
        rules.append("a letter or digit, then letters, digits and `_:.+-`")
    elif "pattern" in prop:
        rules.append(f"matches `{prop['pattern']}`")
    lo, hi = prop.get("minLength"), prop.get("maxLength")
    if hi is not None:
        rules.append(f"{lo or 0}–{hi:,} characters" if lo else f"at most {hi:,} characters")
    elif lo:
        rules.append("not empty")
    if "maxItems" in prop:
        rules.append(f"at most {prop['maxItems']} items")
    if prop.get("uniqueItems"):
        rules.append("no repeats")
    if "oneOf" in prop and name == "locator":
        rules.append("see [Locators](#locators)")
    return "; ".join(rules)


def walk_fields(schema: Mapping[str, Any], node: Mapping[str, Any] | None = None,
                prefix: str = "") -> Iterator[tuple[str, str, dict[str, Any], bool]]:
    """(dotted path, name, resolved property, required) for every field of a claim, depth first, in schema order.
    Lists of mappings contribute their items' fields as `name[].field`."""
    node = template.resolve(schema, node if node is not None else schema)
    required = set(node.get("required", []))
    for name, raw in node.get("properties", {}).items():
        prop = template.resolve(schema, raw)
        path = f"{prefix}{name}"
        yield path, name, prop, name in required
        if prop.get("type") == "object":
            yield from walk_fields(schema, prop, f"{path}.")
        elif prop.get("type") == "array":
            items = template.resolve(schema, prop.get("items", {}))
            if items.get("type") == "object":
                yield from walk_fields(schema, items, f"{path}[].")


def render_claim_format(schema: Mapping[str, Any], kb: KnowledgeBase | None = None) -> str:
    """The page for the knowledge base kb (its example claim, its kinds), or for none (`claimkb schema-doc`)."""
    out: list[str] = []
    add = out.append
    add("# Claim format")
    add("")
    add(f"This page is generated from claimkb's JSON Schema for claims (published with the site as "
        f"`{template.SCHEMA_PUBLISHED}`) at every build (`{CLAIM_FORMAT_COMMAND}` prints it), so it cannot drift "
        "from what the checker enforces.")
    add("")
    add(f"{prose(schema.get('description', ''))} The id is the file's name without `.yaml`: kebab-case "
        "(lower-case letters, digits and single hyphens), at most 80 characters, unique across all subfolders "
        "of `claims/`, and never reused once retired (`claims/_aliases.yaml` maps retired ids to their "
        "replacements). Subfolders such as `claims/replies/` only organize files; they do not change the id.")
    add("")
    add("## A new claim file")
    add("")
    add("`claimkb new claim` writes this file, every field present and explained by a comment taken from the "
        "schema. The first line tells editors with the YAML language server (VS Code's YAML extension, for one) "
        "where the schema is, so they complete field names and flag mistakes as you type.")
    add("")
    example = template.render_claim(schema, example_values(kb), f"../{template.SCHEMA_PUBLISHED}",
                                    {"domain": "Known domains: the keys of claims/_domains.yaml.",
                                     "kind": "Known kinds: the keys of claims/_kinds.yaml."})
    # The example holds a contributed claim's title: written as HTML, never as a Markdown fence it could close.
    add(html.block(code(example.rstrip("\n"), "yaml"), "ckb-block ckb-example"))
    add("")
    add("## Fields")
    add("")
    add("`name[].field` is a field of each item of the list `name`.")
    add("")
    add("| Field | Required | Type | Rules | Meaning |")
    add("| --- | --- | --- | --- | --- |")
    for path, name, prop, required in walk_fields(schema):
        add(f"| `{path}` | {'yes' if required else 'no'} | {cell(_type(schema, prop))} | "
            f"{cell(_rules(name, prop))} | {cell(prop.get('description', ''))} |")
    add("")
    add("No other field is allowed: a misspelt field name is an error (`unknown-field`), not silently ignored.")
    add("")
    add("## Locators")
    add("")
    locator = template.resolve(schema, {"$ref": "#/$defs/locator"})
    out.extend(locatordoc.render_locators(prose(locator.get("description", "")), template.locator_labels(schema)))
    add("## Kinds and domains")
    add("")
    kinds = list(kb.kinds) if kb is not None else list(KINDS)
    add(f"`kind` is a key of `claims/_kinds.yaml`: here {', '.join(f'`{k}`' for k in kinds)}. Without that file "
        f"the kinds are {', '.join(f'`{k}`' for k in KINDS)}. A kind with `role: thesis` heads the argument map "
        "and a row of the matrix; a kind with `role: evidence` needs a source the claiming work cites. "
        "`domain` is a key of `claims/_domains.yaml`: add a domain or a kind there (with a `title` and a "
        "`description`) before using it.")
    add("")
    add("## Relations")
    add("")
    relation = template.resolve(schema, schema["properties"]["relations"]["items"])
    types = relation["properties"]["type"]["enum"]
    add(f"A relation points from this claim to another: {', '.join(f'`{t}`' for t in types)}. "
        "`supports` and `depends-on` chains must not form a cycle. `fidelity` is only allowed on `interprets`, "
        "where a secondary work restates a primary one: it says how faithfully.")
    add("")
    add("## Text that YAML reads differently")
    add("")
    add("YAML 1.1 reads some unquoted values as something other than text: `no`, `yes`, `on` and `off` as "
        "true or false, `1.10` as the number 1.1, `2026-02-27` as a date. Quote such values "
        "(`locator: \"1.10\"`); the checker reports them as `wrong-type` with the quoted form to use. "
        "Titles and statements may use inline Markdown (emphasis, code, links to http, https or mailto "
        "addresses) but no raw HTML.")
    add("")
    return "\n".join(out)
