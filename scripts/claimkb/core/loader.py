"""Loading a knowledge base from disk: files to a typed model plus every problem found on the way."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

from . import bibload
from . import editions
from . import locators
from . import names
from . import pagelinks
from . import settings
from . import validate
from . import yamlsafe
from .diagnostics import Capped, Diagnostic, make, non_ascii_hint
from .model import (DEFAULT_ROLES, KIND_ROLES, KINDS, LOCATOR_LABELS, Citation, Claim, Edition, KnowledgeBase, Locator,
                    Reference, Relation, Settings, Term)

MAX_FILE_BYTES = 1024 * 1024
# A bibliography is one export of a reference manager: 5,000 entries from Zotero are about 1.4 MB. Reading and parsing
# are linear in the size, and the macro-expansion budget (bibload.MAX_MACRO_EXPANSION) still stops bombs.
MAX_BIB_BYTES = 64 * 1024 * 1024
MAX_CLAIMS = 50_000
CLAIM_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class LoadResult:
    kb: KnowledgeBase
    diagnostics: list[Diagnostic]


@lru_cache(maxsize=1)
def claim_schema() -> dict[str, Any]:
    return json.loads(resources.files("claimkb").joinpath("schema/claim.schema.json").read_text("utf-8"))


def schema_path() -> Path:
    return Path(str(resources.files("claimkb").joinpath("schema/claim.schema.json")))


def read_text(file: Path, rel: str, limit: int = MAX_FILE_BYTES) -> tuple[str | None, list[Diagnostic]]:
    """The file's text, or the reason it cannot be trusted as text."""
    try:
        size = file.stat().st_size
        if size > limit:
            return None, [make(rel, 1, 1, "file-too-large",
                               f"the file is {size:,} bytes; the limit is {limit:,} ({limit // (1024 * 1024)} MiB): split it")]
        data = file.read_bytes()
    except OSError as exc:
        return None, [make(rel, 1, 1, "not-utf8", f"cannot read the file: {exc.strerror or exc}")]
    nul = data.find(b"\0")
    if nul >= 0:
        line, col = _position(data, nul)
        return None, [make(rel, line, col, "nul-byte", "the file contains a NUL byte; save it as plain UTF-8 text")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start)
        return None, [make(rel, line, col, "not-utf8",
                           f"byte 0x{data[exc.start]:02x} is not valid UTF-8; re-save the file as UTF-8")]
    return text.removeprefix("\ufeff"), []


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of a byte offset, the column in characters as an editor counts them."""
    start = data.rfind(b"\n", 0, offset) + 1
    before = data[start:offset].decode("utf-8", "replace").removeprefix("\ufeff")
    return data.count(b"\n", 0, offset) + 1, len(before) + 1


def _walk(top: Path, root: Path, suffixes: tuple[str, ...], out: list[Diagnostic], *, folders: bool = True,
          files: bool = True) -> Iterator[tuple[Path, str]]:
    """Files under top with one of suffixes, sorted, refusing symbolic links (they could point outside the repository)
    and, when folders or files is set, folders or files whose names are not safe (names.is_safe_name): a name reaches
    the site's edit and source links, so a folder `x"><img ...>` must never be read."""
    if not top.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        base = Path(dirpath)
        for d in list(dirnames):
            rel = (base / d).relative_to(root).as_posix()
            if (base / d).is_symlink():
                out.append(make(rel, 1, 1, "symlink",
                                "symbolic links are not followed under claims/ and references/; copy the files in"))
                dirnames.remove(d)
            elif folders and not names.is_safe_name(d):
                out.append(_unsafe_name(rel, d, "folder", "its files are not read"))
                dirnames.remove(d)
        dirnames.sort()
        for name in sorted(filenames):
            file = base / name
            if not name.endswith(suffixes):
                continue
            rel = file.relative_to(root).as_posix()
            if file.is_symlink():
                out.append(make(rel, 1, 1, "symlink",
                                "symbolic links are not followed under claims/ and references/; copy the file in"))
                continue
            if files and not names.is_safe_name(name):
                out.append(_unsafe_name(rel, name, "file", "it is not read"))
                continue
            yield file, rel


def _unsafe_name(rel: str, name: str, what: str, consequence: str) -> Diagnostic:
    return make(rel, 1, 1, "unsafe-name",
                f"the {what} name '{name[:80]}' is not safe in a link ({names.unsafe_characters(name)}), so {consequence}: "
                f"use only letters, digits, '.', '_' and '-', not starting with a dot, "
                f"e.g. '{names.safe_name_suggestion(name)}'")


def load(root: Path | str, cache: dict | None = None) -> LoadResult:
    """The knowledge base at root and every problem found. cache (a dict kept between calls, as the watch mode does)
    reuses the parse of every claim and BibTeX file whose size and modification time are unchanged."""
    root = Path(root).resolve()
    diagnostics: list[Diagnostic] = []
    settings = load_settings(root, diagnostics)
    claim_files: list[tuple[Path, str]] = []
    vocab_files: dict[str, tuple[Path, str]] = {}
    # A claim file's name is its id, which has stricter rules of its own (invalid-id): only folders are checked here.
    for file, rel in _walk(root / "claims", root, CLAIM_SUFFIXES, diagnostics, files=False):
        if file.name.startswith("_"):
            # Vocabularies live at the top of claims/, one file each: another in a subfolder, or a second spelling
            # (_kinds.yml beside _kinds.yaml), would silently retitle every domain or kind page.
            if file.parent != root / "claims":
                diagnostics.append(make(rel, 1, 1, "vocabulary-invalid",
                                        f"{file.name} is read only at the top of claims/ (claims/{file.stem}.yaml): "
                                        "this one is not read; move its entries there"))
            elif file.stem in vocab_files:
                diagnostics.append(make(rel, 1, 1, "vocabulary-invalid",
                                        f"{vocab_files[file.stem][1]} is already the {file.stem} vocabulary: this "
                                        "second file is not read; keep one"))
            else:
                vocab_files[file.stem] = (file, rel)
        else:
            claim_files.append((file, rel))
    domains = _load_vocabulary(vocab_files.get("_domains"), "claims/_domains.yaml", diagnostics, required=True)
    kinds = _load_vocabulary(vocab_files.get("_kinds"), "claims/_kinds.yaml", diagnostics, required=False)
    if "_kinds" not in vocab_files:  # the tool's kinds, until the knowledge base defines its own
        kinds = {k: Term(k, k.capitalize(), "", DEFAULT_ROLES.get(k)) for k in KINDS}
    aliases = _load_aliases(vocab_files.get("_aliases"), diagnostics)

    claims: dict[str, Claim] = {}
    if len(claim_files) > MAX_CLAIMS:
        diagnostics.append(make("claims", 1, 1, "too-many-claims",
                                f"{len(claim_files):,} claim files; the limit is {MAX_CLAIMS:,}, so only the first "
                                f"{MAX_CLAIMS:,} by path were read: are generated files under claims/ by mistake?"))
        claim_files = claim_files[:MAX_CLAIMS]
    # The validator and every claim file's check depend on the vocabularies (keys, and the kinds' roles).
    vocabulary = (tuple(domains.values()), tuple(kinds.values()))
    # Compiling the schema takes a tenth of a second: a cache keeps the compiled validator while they stay.
    validator = cache.get(("validator", vocabulary)) if cache is not None else None
    if validator is None:
        validator = validate.ClaimValidator(claim_schema(), domains, kinds)
        if cache is not None:
            cache[("validator", vocabulary)] = validator
    for file, rel in claim_files:
        claim = _cached(cache, file, rel, vocabulary, diagnostics, lambda out: _load_claim(file, rel, validator, out))
        if claim is None:
            continue
        other = claims.get(claim.id)
        if other is not None:
            diagnostics.append(make(rel, 1, 1, "duplicate-id",
                                    f"claim id '{claim.id}' is already used by {other.path}; ids are unique across subfolders"))
            continue
        claims[claim.id] = claim

    references: dict[str, Reference] = {}
    folded: dict[str, Reference] = {}
    for file, rel in _walk(root / "references", root, (".bib",), diagnostics):
        parsed_refs = _cached(cache, file, rel, None, diagnostics, lambda out: _load_bib(file, rel, out))
        for ref in parsed_refs or ():
            # BibTeX keys are case-insensitive: 'Smith2020' and 'smith2020' collide in bibtex itself.
            first = folded.get(ref.key.lower())
            if first is not None:
                diagnostics.append(make(ref.path, ref.line, ref.column, "bibtex-duplicate-key",
                                        f"key '{ref.key}' is already defined at {first.path}:{first.line}"))
                continue
            if names.is_reserved(ref.key):
                diagnostics.append(_reserved(ref.path, ref.line, ref.column, "BibTeX key", ref.key))
                continue
            folded[ref.key.lower()] = ref
            references[ref.key] = ref

    docs = _load_docs(root, diagnostics)
    found = _load_editions(root, references, diagnostics)
    kb = KnowledgeBase(root, claims, references, domains, kinds, aliases, settings, docs, found)
    return LoadResult(kb, diagnostics)


def _cached(cache: dict | None, file: Path, rel: str, extra: object, out: list[Diagnostic], load_file):
    """load_file(diagnostics) for file, or its earlier result and diagnostics when the file is unchanged."""
    if cache is None:
        return load_file(out)
    try:
        st = file.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino, extra)
    except OSError:
        return load_file(out)
    hit = cache.get(rel)
    if hit is not None and hit[0] == stamp:
        out.extend(hit[2])
        return hit[1]
    found: list[Diagnostic] = []
    result = load_file(found)
    cache[rel] = (stamp, result, found)
    out.extend(found)
    return result


def _load_bib(file: Path, rel: str, out: list[Diagnostic]) -> tuple[Reference, ...] | None:
    text, problems = read_text(file, rel, MAX_BIB_BYTES)
    out.extend(problems)
    if text is None:
        return None
    parsed = bibload.parse(text, rel)
    out.extend(parsed.diagnostics)
    out.extend(validate.check_references_in_file(parsed.references, text))
    return tuple(parsed.references)


def _load_claim(file: Path, rel: str, validator: "validate.ClaimValidator", out: list[Diagnostic]) -> Claim | None:
    claim_id = file.stem
    if not validate.valid_id(claim_id):
        out.append(make(rel, 1, 1, "invalid-id",
                        f"'{claim_id[:100]}' is not a valid claim id{non_ascii_hint(claim_id)}: use lower-case letters, digits and single hyphens "
                        f"(kebab-case), at most 80 characters, e.g. '{validate.suggest_id(claim_id)}'"))
        return None
    if names.is_reserved(claim_id):
        # Read, it would replace a page the generator writes (claims/index.md): never read.
        out.append(_reserved(rel, 1, 1, "claim id", claim_id))
        return None
    text, problems = read_text(file, rel)
    out.extend(problems)
    if text is None:
        return None
    doc, problems = yamlsafe.read(text, rel)
    out.extend(problems)
    if doc is None:
        return None
    if not isinstance(doc.value, dict):
        found = "a list" if isinstance(doc.value, list) else "a single value"
        out.append(make(rel, 1, 1, "not-a-mapping", f"a claim file holds a mapping of fields (title:, statement:, ...), not {found}"))
        return None
    out.extend(validator.check(doc, rel))
    links = tuple(pagelinks.find(doc, validate.markdown_texts(doc.value), validate.where))
    refused = Capped()  # a thousand links fit within the markup budget: list a hundred
    refused.extend(make(rel, link.line, link.column, "unknown-page", f"{link.field}: the link '{link.href[:80]}': {link.problem}")
                   for link in links if link.problem)
    out.extend(refused.close())
    return _build_claim(claim_id, rel, doc, tuple(link for link in links if link.page))


def _reserved(rel: str, line: int, col: int, what: str, name: str) -> Diagnostic:
    return make(rel, line, col, "reserved-name",
                f"'{name}' is a name the site's generator uses for its own pages and folders, so it cannot be a {what}: "
                f"choose another (reserved: {', '.join(sorted(names.RESERVED_NAMES))})")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _locator(value: Any, doc: yamlsafe.Document, at: tuple) -> Locator | None:
    """A locator with the grammar's reading of it and where each of its parts is written, for diagnostics."""
    line, col = doc.mark(at)
    if isinstance(value, str) and value:
        parsed = locators.parse(value)
        if not isinstance(parsed, locators.ParsedLocator):
            return Locator(None, value, None, line, col)
        marks = tuple((p.start, *doc.offset_mark(at, p.start)) for p in parsed.parts())
        return Locator(None, value, parsed, line, col, marks)
    if isinstance(value, dict) and len(value) == 1:
        (label, v), = value.items()
        if isinstance(v, (str, int)) and not isinstance(v, bool) and label in LOCATOR_LABELS:
            return Locator(label, str(v), locators.from_label(label, str(v)), line, col)
    return None


@lru_cache(maxsize=1)
def _item_limits() -> dict[str, int]:
    return {name: spec["maxItems"] for name, spec in claim_schema()["properties"].items() if "maxItems" in spec}


def _build_claim(claim_id: str, rel: str, doc: yamlsafe.Document, links: tuple = ()) -> Claim:
    """A claim from a checked document, leniently: ill-typed parts are dropped (their diagnostics are already out)."""
    # So are the items past a list's limit (reported as invalid-value): 30,000 relations never reach the graph.
    limits = _item_limits()
    data: dict[str, Any] = {k: v[:limits[k]] if k in limits and isinstance(v, list) else v for k, v in doc.value.items()}
    claimed_by = None
    cb = data.get("claimed_by")
    if isinstance(cb, dict) and isinstance(cb.get("ref"), str):
        line, col = doc.mark(("claimed_by", "ref"))
        claimed_by = Citation(cb["ref"], _locator(cb.get("locator"), doc, ("claimed_by", "locator")), None, "claimed",
                              line, col)
    sources = []
    for i, s in enumerate(data.get("sources") or [] if isinstance(data.get("sources"), list) else []):
        if isinstance(s, dict) and isinstance(s.get("ref"), str):
            line, col = doc.mark(("sources", i, "ref"))
            role = s.get("role") if s.get("role") in ("cited", "context") else "cited"
            sources.append(Citation(s["ref"], _locator(s.get("locator"), doc, ("sources", i, "locator")), s.get("note") if isinstance(s.get("note"), str) else None,
                                    role, line, col))
    relations = []
    for i, r in enumerate(data.get("relations") or [] if isinstance(data.get("relations"), list) else []):
        if isinstance(r, dict) and isinstance(r.get("type"), str) and isinstance(r.get("target"), str):
            line, col = doc.mark(("relations", i, "target"))
            relations.append(Relation(r["type"], r["target"], r.get("note") if isinstance(r.get("note"), str) else None,
                                      r.get("fidelity") if isinstance(r.get("fidelity"), str) else None, line, col))
    tags = tuple(t for t in data.get("tags") or [] if isinstance(t, str)) if isinstance(data.get("tags"), list) else ()
    annotations = data.get("annotations")
    return Claim(
        id=claim_id,
        path=rel,
        title=_text(data.get("title")).strip(),
        statement=_text(data.get("statement")).strip(),
        kind=_text(data.get("kind")),
        domain=_text(data.get("domain")),
        claimed_by=claimed_by,
        sources=tuple(sources),
        relations=tuple(relations),
        annotations=annotations.strip() if isinstance(annotations, str) and annotations.strip() else None,
        tags=tags,
        links=links,
    )


def _load_vocabulary(found: tuple[Path, str] | None, default_rel: str, out: list[Diagnostic], required: bool) -> dict[str, Term]:
    if found is None:
        if required:
            out.append(make(default_rel, 1, 1, "vocabulary-invalid",
                            "the domain vocabulary is missing: create it with one entry per domain (title, description)"))
        return {}
    file, rel = found
    text, problems = read_text(file, rel)
    out.extend(problems)
    if text is None:
        return {}
    doc, problems = yamlsafe.read(text, rel)
    out.extend(problems)
    if doc is None:
        return {}
    if not isinstance(doc.value, dict):
        out.append(make(rel, 1, 1, "not-a-mapping", "a vocabulary maps each key to {title, description}"))
        return {}
    kinds = Path(rel).stem == "_kinds"
    fields = {"title", "description", "role"} if kinds else {"title", "description"}
    shape = "{title: <text>, description: <text>, role: thesis | evidence (optional)}" if kinds else \
        "{title: <text>, description: <text>}"
    terms: dict[str, Term] = {}
    for key, value in doc.value.items():
        line, col = doc.key_marks.get((key,), (1, 1))
        if not validate.valid_id(key):
            out.append(make(rel, line, col, "vocabulary-invalid", f"'{key}' is not a kebab-case key{non_ascii_hint(key)}"))
            continue
        if names.is_reserved(key):  # domains/index.md and kinds/index.md are the generated lists
            out.append(_reserved(rel, line, col, "kind key" if kinds else "domain key", key))
            continue
        if (not isinstance(value, dict) or not isinstance(value.get("title"), str)
                or not isinstance(value.get("description", ""), str) or set(value) - fields):
            out.append(make(rel, line, col, "vocabulary-invalid", f"'{key}' must map to {shape} and nothing else"))
            continue
        role = value.get("role")
        if role is not None and role not in KIND_ROLES:
            rline, rcol = doc.mark((key, "role"))
            out.append(make(rel, rline, rcol, "vocabulary-invalid",
                            f"'{key}': role is {role!r}{validate.did_you_mean(str(role), KIND_ROLES)}; a role is one of "
                            f"{', '.join(KIND_ROLES)} (or leave it out)"))
            role = None
        terms[key] = Term(key, value["title"], value.get("description", "").strip(), role)
    return terms


def _load_aliases(found: tuple[Path, str] | None, out: list[Diagnostic]) -> dict[str, str]:
    """claims/_aliases.yaml: retired claim ids and reference keys mapped to the ones that replace them."""
    if found is None:
        return {}
    file, rel = found
    text, problems = read_text(file, rel)
    out.extend(problems)
    doc, problems = yamlsafe.read(text, rel) if text is not None else (None, [])
    out.extend(problems)
    if doc is None:
        return {}
    aliases: dict[str, str] = {}
    if not isinstance(doc.value, dict) or set(doc.value) - {"claims", "references"}:
        out.append(make(rel, 1, 1, "alias-invalid", "the file maps 'claims' and 'references' each to {old: new}"))
        return {}
    for section, mapping in doc.value.items():
        line, col = doc.mark((section,))
        if mapping is None:
            continue
        if not isinstance(mapping, dict):
            out.append(make(rel, line, col, "alias-invalid", f"'{section}' must map each retired name to its replacement"))
            continue
        # A retired name becomes the path of a redirect page: '../../x' would write outside the site.
        valid = validate.valid_id if section == "claims" else lambda key: bool(bibload.KEY_RE.match(key))
        what = "claim id" if section == "claims" else "BibTeX key"
        for old, new in mapping.items():
            kline, kcol = doc.key_marks.get((section, old), (line, col))
            if not isinstance(new, str):
                out.append(make(rel, kline, kcol, "alias-invalid", f"'{old}' must map to a {section[:-1]} name"))
                continue
            bad = [name for name in (old, new) if not valid(name)]
            if bad:
                out.append(make(rel, kline, kcol, "alias-invalid",
                                f"'{bad[0][:80]}'{non_ascii_hint(bad[0])} is not a valid {what}"))
                continue
            if names.is_reserved(old):  # its redirect page would replace a generated one
                out.append(_reserved(rel, kline, kcol, f"retired {what}", old))
                continue
            aliases[f"{section}:{old}"] = new
    return aliases


def _load_editions(root: Path, references: dict[str, Reference], out: list[Diagnostic]) -> dict[str, Edition]:
    """references/_editions/<key>.yaml: the HTML editions locators deep-link into (the .bib walk skips them)."""
    found: dict[str, Edition] = {}
    for file, rel in _walk(root / editions.FOLDER, root, CLAIM_SUFFIXES, out):
        text, problems = read_text(file, rel)
        out.extend(problems)
        doc, problems = yamlsafe.read(text, rel) if text is not None else (None, [])
        out.extend(problems)
        if doc is None:
            continue
        edition, problems = editions.from_document(doc, rel, file.stem, references)
        out.extend(problems)
        if edition is not None:
            found[edition.key] = edition
    return found


def _load_docs(root: Path, out: list[Diagnostic]) -> dict[str, str]:
    docs: dict[str, str] = {}
    for file, rel in _walk(root / "docs", root, (".md",), [], folders=False, files=False):  # the editors' own files
        text, problems = read_text(file, rel)
        out.extend(problems)
        if text is not None:
            docs[Path(rel).relative_to("docs").as_posix()] = text
    return docs


def load_settings(root: Path, out: list[Diagnostic]) -> Settings:
    """Site-level settings from mkdocs.yml (see core/settings.py, which documents each one)."""
    return settings.load(root, out)
