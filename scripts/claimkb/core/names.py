"""Names contributors choose (files, folders, ids, keys, tags): a safe character set, and the generator's own names."""
from __future__ import annotations

import re

# A file or folder under claims/ or references/ reaches pages as an edit link, a view-source link and a path: only
# these characters, and no leading dot, so a name can never be markup, a URL scheme, a path separator or hidden.
SAFE_NAME_RE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
MAX_NAME = 100

# Every page the generator writes besides the pages of claims, references, domains and kinds (site/render.py, and
# the engine adapter's command-line page). site/render.py names its pages from here; tests/test_check_strict.py
# builds a site and holds the two to each other.
GENERATED_PAGES: tuple[str, ...] = (
    "claims/index.md", "domains/index.md", "kinds/index.md", "map.md", "matrix.md", "bibliography.md", "cite.md",
    "reference/claim-format.md", "reference/cli.md",
)
# Folders at the site's root that the generator, the engines and the search index write. Contributed names never
# stand at the root (a claim is claims/<id>), so these are listed for the generator, not reserved: reserving them
# would take natural words such as "search" and "data" from contributors' tags and domains for nothing.
GENERATED_FOLDERS: tuple[str, ...] = ("assets", "data", "downloads", "schema", "pagefind", "search")
# Pages the engines write themselves (Material's tags index, MkDocs's 404 page and sitemap).
ENGINE_NAMES: tuple[str, ...] = ("404", "sitemap", "tags")
# The sections whose pages are named by contributors: claims/<id>, references/<key>, domains/<key>, kinds/<key>.
SECTIONS: tuple[str, ...] = ("claims", "references", "domains", "kinds")

# Reserved for claim ids, domain and kind keys, tags, BibTeX keys and retired names (compared in lower case): the
# name of every page the generator or an engine writes, and of every section. A claim `index` would replace the
# generated claims/index page, a domain `index` the list of domains; the rest are reserved so that the generator
# can add a page of that name to any section without taking it from a contributor.
RESERVED_NAMES: frozenset[str] = frozenset(
    {page.rpartition("/")[2].removesuffix(".md") for page in GENERATED_PAGES}
    | {page.partition("/")[0] for page in GENERATED_PAGES if "/" in page}
    | set(ENGINE_NAMES) | set(SECTIONS)
)


def is_safe_name(name: str) -> bool:
    """True for a file or folder name that may stand in a path, a URL and an HTML attribute as it is."""
    return len(name) <= MAX_NAME and bool(SAFE_NAME_RE.match(name))


def is_reserved(name: str) -> bool:
    return name.lower() in RESERVED_NAMES


def unsafe_characters(name: str) -> str:
    """What is wrong with a name, for a diagnostic: the characters outside the set, or its length or leading dot."""
    if len(name) > MAX_NAME:
        return f"it is {len(name):,} characters long; the limit is {MAX_NAME}"
    bad = sorted({ch for ch in name if not re.match(r"[A-Za-z0-9._-]", ch)})
    if bad:
        shown = ", ".join(repr(ch) if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}" for ch in bad[:8])
        return f"it contains {shown}"
    if name.startswith("."):
        return "it starts with a dot, as hidden files do"
    return "it is empty"


def safe_name_suggestion(name: str) -> str:
    """A name close to the given one within the safe set, for a diagnostic's 'e.g.'."""
    stem, dot, suffix = name.rpartition(".") if name.endswith((".bib", ".yaml", ".yml")) else (name, "", "")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:MAX_NAME - len(dot + suffix)]
    return (safe or "renamed") + dot + suffix
