"""The claim JSON Schema: a valid Draft 2020-12 schema, the very file the checker uses, and enforced line by line."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterator

import jsonschema
import pytest
import yaml

from claimkb.core import bibload
from claimkb.core import loader
from claimkb.core import model
from claimkb.core import validate
from conftest import REPO, check_inprocess, find, parse_output

SCHEMA_FILE = REPO / "scripts" / "claimkb" / "schema" / "claim.schema.json"

KB = Callable[..., Path]

# Every property of the schema, each nested object with all of its properties, every locator shape. Its argument
# is not circular: it rests on beta-premise (depends-on) and supports alpha-thesis, which already rests on
# beta-premise. (Supporting beta-premise as well as depending on it would be a circle: relation-cycle.)
MAXIMAL = """\
title: A claim that uses every field
statement: >-
  It states one thing in two lines,
  folded into one. With *emphasis*, `code` and a [link](https://example.org/).
kind: evidence
domain: machine-learning
claimed_by:
  ref: smith2020
  locator:
    figure: 3
sources:
  - ref: jones2021
    locator: "§4 Table 1"
    note: The source, cited at this point.
    role: cited
  - ref: doe2019
    locator:
      page: "12-14"
    role: context
  - ref: doe2019
    locator: {section: "2.1"}
  - ref: doe2019
    locator: {table: 2}
  - ref: doe2019
    locator: {paragraph: 5}
  - ref: doe2019
    locator: {line: 40}
relations:
  - type: interprets
    target: alpha-thesis
    note: A restatement.
    fidelity: overstatement
  - type: supports
    target: alpha-thesis
  - type: rebuts
    target: delta-objection
  - type: refines
    target: gamma-evidence
  - type: restates
    target: alpha-thesis
  - type: depends-on
    target: beta-premise
annotations: |
  **Editorial note.** Markdown with a list:

  - one
  - two [[alpha-thesis]]
tags: [maximal, every-field, x1]
"""


def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text("utf-8"))


def test_schema_is_valid_draft_2020_12() -> None:
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft202012Validator


def test_checker_uses_the_schema_file(kb: KB) -> None:
    # Check a base with a rejected claim first: validating must not alter the shared schema (a compiled validator
    # that rewrote its $refs in place once did, and exports and docs read the same dict).
    check_inprocess(kb({"claims/zz-claim.yaml": MAXIMAL.replace("    figure: 3\n", "    figure: 3\n    page: 4\n")}))
    assert loader.claim_schema() == _schema()
    assert loader.schema_path().resolve() == SCHEMA_FILE.resolve()
    validator = validate.ClaimValidator(loader.claim_schema(), {})
    assert validator.fields == list(_schema()["properties"])


def test_model_constants_match_the_schema() -> None:
    """The enums the checker and the renderer use in Python are the schema's, in the same order."""
    schema = _schema()
    items = schema["properties"]
    # Kinds are the knowledge base's (claims/_kinds.yaml): the schema asks for a name, the checker for a known one.
    assert items["kind"]["pattern"] == validate.ID_RE.pattern and "enum" not in items["kind"]
    assert all(k in items["kind"]["description"] for k in model.KINDS)  # the defaults, named
    relation = items["relations"]["items"]["properties"]
    assert tuple(relation["type"]["enum"]) == model.RELATION_TYPES
    assert tuple(relation["fidelity"]["enum"]) == model.FIDELITIES
    object_locator = schema["$defs"]["locator"]["oneOf"][1]
    assert tuple(object_locator["properties"]) == model.LOCATOR_LABELS
    assert set(model.ACYCLIC_RELATIONS) <= set(model.RELATION_TYPES)


def test_schema_patterns_are_the_checker_patterns() -> None:
    """Claim ids (file stems, relation targets) and BibTeX keys follow one rule each, wherever they are checked."""
    defs = _schema()["$defs"]
    assert defs["id"]["pattern"] == validate.ID_RE.pattern
    assert defs["id"]["maxLength"] == validate.MAX_ID
    assert defs["key"]["pattern"] == bibload.KEY_RE.pattern
    assert _schema()["properties"]["domain"]["pattern"] == validate.ID_RE.pattern


def _used_paths(schema: dict[str, Any], node: dict[str, Any], at: str = "") -> Iterator[str]:
    """Every property path the schema defines (items of arrays as [])."""
    node = _resolve(schema, node)
    for name, sub in node.get("properties", {}).items():
        here = f"{at}.{name}" if at else name
        yield here
        sub = _resolve(schema, sub)
        if sub.get("type") == "object":
            yield from _used_paths(schema, sub, here)
        if sub.get("type") == "array" and _resolve(schema, sub["items"]).get("type") == "object":
            yield from _used_paths(schema, sub["items"], here + "[]")


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _present_paths(value: Any, at: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, sub in value.items():
            here = f"{at}.{key}" if at else key
            yield here
            yield from _present_paths(sub, here)
    elif isinstance(value, list):
        for item in value:
            yield from _present_paths(item, at + "[]")


def test_maximal_claim_uses_every_property() -> None:
    schema = _schema()
    data = yaml.safe_load(MAXIMAL)
    missing = set(_used_paths(schema, schema)) - set(_present_paths(data))
    assert not missing, f"MAXIMAL does not exercise {sorted(missing)}"
    labels = {next(iter(c["locator"])) for c in [data["claimed_by"], *data["sources"]] if isinstance(c.get("locator"), dict)}
    assert labels == set(model.LOCATOR_LABELS)
    assert {r["type"] for r in data["relations"]} == set(model.RELATION_TYPES)
    jsonschema.Draft202012Validator(schema).validate(data)


def test_maximal_claim_is_accepted(kb: KB) -> None:
    code, out, _ = check_inprocess(kb({"claims/maximal.yaml": MAXIMAL}))
    found, summary = parse_output(out)
    assert (code, found) == (0, []), out
    assert summary["claims"] == "5"


def _diagnose(kb: KB, text: str) -> list:
    _, out, _ = check_inprocess(kb({"claims/zz-claim.yaml": text}))
    found, _ = parse_output(out)
    return found


def test_title_of_200_characters_is_rejected(kb: KB) -> None:
    found = _diagnose(kb, MAXIMAL.replace("title: A claim that uses every field", "title: " + "t" * 200))
    line = find(found, "claims/zz-claim.yaml:1:8: error invalid-value")
    assert "200 characters long; the limit is 120" in line.message
    assert len(found) == 1


def test_title_of_120_characters_is_accepted(kb: KB) -> None:
    assert _diagnose(kb, MAXIMAL.replace("title: A claim that uses every field", "title: " + "t" * 120)) == []


def test_tag_with_an_uppercase_letter_is_rejected(kb: KB) -> None:
    text = MAXIMAL.replace("tags: [maximal, every-field, x1]", "tags:\n  - maximal\n  - Every-Field\n")
    found = _diagnose(kb, text)
    line = find(found, "claims/zz-claim.yaml:50:5: error invalid-value")
    assert "tags[1] is 'Every-Field'" in line.message and "kebab-case" in line.message
    assert len(found) == 1


@pytest.mark.parametrize(("old", "new", "prefix", "message"), [
    ("tags: [maximal, every-field, x1]", "tags: [a, a]", "claims/zz-claim.yaml:48:7: error invalid-value",
     "lists the same item twice"),
    ("tags: [maximal, every-field, x1]", "tags: [" + ", ".join(f"t{i}" for i in range(51)) + "]",
     "claims/zz-claim.yaml:48:7: error invalid-value", "has 51 items; the limit is 50"),
    ("    figure: 3\n", "    figure: 3\n    page: 4\n", "claims/zz-claim.yaml:10:5: error invalid-value", "claimed_by.locator"),
    ("    figure: 3\n", "    folio: 3\n", "claims/zz-claim.yaml:10:5: error invalid-value", "claimed_by.locator"),
    ("    role: context\n", "    role: editorial\n", "claims/zz-claim.yaml:19:11: error invalid-value", "allowed: cited, context"),
    ("    target: gamma-evidence\n", "    target: Gamma_Evidence\n", "claims/zz-claim.yaml:38:13: error invalid-value",
     "kebab-case"),
    ("  ref: smith2020\n", "  ref: smith 2020\n", "claims/zz-claim.yaml:8:8: error invalid-value",
     "'smith 2020': a BibTeX key starts with a letter or digit"),
    ("title: A claim that uses every field\n", "title: |\n  Two\n  lines\n", "claims/zz-claim.yaml:1:8: error multiline-title",
     "one line"),
], ids=["tags-unique", "tags-max", "locator-two-labels", "locator-unknown-label", "role", "target-pattern",
        "key-pattern", "multiline-title"])
def test_other_schema_rules(kb: KB, old: str, new: str, prefix: str, message: str) -> None:
    assert old in MAXIMAL
    found = _diagnose(kb, MAXIMAL.replace(old, new))
    line = find(found, prefix)
    assert message in line.message
