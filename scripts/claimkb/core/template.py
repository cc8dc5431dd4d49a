"""Claim files generated from the JSON Schema: every field present, in schema order, explained by its description."""
from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any, Mapping

from . import validate

SCHEMA_REL = "scripts/claimkb/schema/claim.schema.json"  # in this tool's own repository
SCHEMA_PUBLISHED = "schema/claim.schema.json"  # in every built site, beside the pages (site/render.py)
WRAP = 100

# What a scaffolded claim holds until its author writes the real thing: each placeholder is valid
# (the file passes `claimkb check`) and plainly unfinished, so a reviewer sees it at a glance.
PLACEHOLDERS: dict[str, str] = {
    "title": "TODO: a one-line title",
    "statement": "TODO: the claim in one to three sentences, in your own words.",
    "locator": "TODO: where in the work, e.g. §4, p. 15 or Table 1",
}
# Example values shown in the commented-out item of a list field, by field path.
EXAMPLES: dict[str, str] = {
    "sources.ref": "KEY",
    "sources.locator": '"§4"',
    "sources.note": "How this source bears on the claim.",
    "relations.type": "interprets",
    "relations.target": "other-claim-id",
    "relations.note": "Why the relation holds.",
}

def schema_location(root: Path, folder: Path, site_url: str, schema_id: str) -> str:
    """Where a claim file in folder tells editors to find its schema (the yaml-language-server line).

    In the tool's own repository, the schema file itself, by relative path. Elsewhere, the copy the knowledge
    base's site publishes: the same version of the schema the knowledge base is checked against, at a URL that
    works on every contributor's machine (a path into one person's virtual environment would not). Before there
    is a site URL, the schema's own $id.
    """
    local = root / SCHEMA_REL
    if local.is_file():
        return Path(os.path.relpath(local, folder)).as_posix()
    if site_url.startswith(("https://", "http://")):
        return f"{site_url.rstrip('/')}/{SCHEMA_PUBLISHED}"
    return schema_id


def resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> dict[str, Any]:
    """node with a local $ref merged in (node's own keys win, so a property's description beats the def's)."""
    out = dict(node)
    ref = out.pop("$ref", None)
    if isinstance(ref, str) and "#/" in ref:
        # Only local references; some validators rewrite them to absolute URIs in place, hence the split.
        target: Any = schema
        for part in ref.split("#/", 1)[1].split("/"):
            target = target[part]
        out = {**resolve(schema, target), **out}
    return out


def locator_labels(schema: Mapping[str, Any]) -> list[str]:
    loc = resolve(schema, {"$ref": "#/$defs/locator"}) if "locator" in schema.get("$defs", {}) else {}
    for option in loc.get("oneOf", []):
        if option.get("type") == "object":
            return list(option.get("properties", {}))
    return []


def _comment(text: str, indent: str) -> list[str]:
    return [f"{indent}# {line}" if line else f"{indent}#" for line in
            textwrap.wrap(text, WRAP - len(indent) - 2, break_long_words=False, break_on_hyphens=False)]


def _describe(schema: Mapping[str, Any], name: str, prop: Mapping[str, Any], required: bool,
              extra: Mapping[str, str]) -> str:
    """One field's comment: required or not, the schema's description, its allowed values."""
    parts = ["(required)" if required else "(optional)", prop.get("description", "").strip()]
    if "enum" in prop:
        default = f" (default: {prop['default']})" if "default" in prop else ""
        parts.append(f"One of: {', '.join(map(str, prop['enum']))}{default}.")
    if name == "locator" and locator_labels(schema):
        parts.append(f"Mapping labels: {', '.join(locator_labels(schema))}.")
    if name in extra:
        parts.append(extra[name])
    return " ".join(p for p in parts if p)


def quote(value: str) -> str:
    """A YAML double-quoted scalar: JSON's string escapes are all valid YAML, and quoting keeps
    YAML 1.1 from reading 'no', '1.10' or a date as something other than text."""
    return json.dumps(value, ensure_ascii=False)


def _item_example(schema: Mapping[str, Any], name: str, items: Mapping[str, Any]) -> list[str]:
    """Comments describing each field of an item of the list field name, then an example item."""
    required = set(items.get("required", []))
    fields = [(sub, resolve(schema, raw)) for sub, raw in items.get("properties", {}).items()]
    lines = [f"# Each item of {name} has these fields:"]
    for sub, prop in fields:
        text = _describe(schema, sub, prop, sub in required, {})
        lines += [f"#   {sub} {line}" if i == 0 else f"#     {line}" for i, line in enumerate(
            textwrap.wrap(text, WRAP - 8 - len(sub), break_long_words=False, break_on_hyphens=False))]
    lines.append("# For example:")
    for i, (sub, prop) in enumerate(fields):
        value = EXAMPLES.get(f"{name}.{sub}") or str(prop.get("default", (prop.get("enum") or ["..."])[0]))
        lines.append(f"#   {'- ' if i == 0 else '  '}{sub}: {value}")
    return lines


def render_claim(schema: Mapping[str, Any], values: Mapping[str, Any], schema_ref: str,
                 extra: Mapping[str, str] | None = None) -> str:
    """A claim file with every schema field present, in schema order, each preceded by its description.

    values maps top-level field names to values (a nested mapping for object fields); a field without a
    value gets a placeholder (text), an empty list, or an empty string for optional text.
    extra adds a sentence to a field's comment (e.g. the known domains).
    """
    extra = extra or {}
    lines = [f"# yaml-language-server: $schema={schema_ref}"]
    lines += _comment(f"{schema.get('description', '').strip()} Replace every TODO, then run: "
                      ".venv/bin/claimkb check", "")
    required = set(schema.get("required", []))
    for name, raw in schema.get("properties", {}).items():
        prop = resolve(schema, raw)
        lines.append("")
        lines += _comment(_describe(schema, name, prop, name in required, extra), "")
        value = values.get(name)
        kind = prop.get("type")
        if kind == "object":
            lines.append(f"{name}:")
            sub_required = set(prop.get("required", []))
            given = value if isinstance(value, Mapping) else {}
            for sub, sub_raw in prop.get("properties", {}).items():
                sub_prop = resolve(schema, sub_raw)
                lines += _comment(_describe(schema, sub, sub_prop, sub in sub_required, extra), "  ")
                lines.append(f"  {sub}: {_scalar(given.get(sub), sub, sub in sub_required)}")
        elif kind == "array":
            items = resolve(schema, prop.get("items", {}))
            if items.get("type") == "object":
                lines += _item_example(schema, name, items)
                lines.append(f"{name}: []")
            else:
                shown = ", ".join(value) if isinstance(value, list) else ""
                lines.append(f"{name}: [{shown}]")
        else:
            lines.append(f"{name}: {_scalar(value, name, name in required)}")
    return "\n".join(lines) + "\n"


def _scalar(value: Any, name: str, required: bool) -> str:
    if value is None:
        value = PLACEHOLDERS.get(name, "TODO") if required else ""
    if isinstance(value, str) and validate.ID_RE.match(value):
        return value  # kebab-case names and keys read as themselves in YAML
    return quote(str(value))
