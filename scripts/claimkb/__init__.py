"""claimkb: claims and references as a checked, citable knowledge base, rendered as a static site."""
from __future__ import annotations

from importlib import metadata

# The tool's home (its source, its pre-commit hook, its documentation); pyproject.toml's [project.urls] says the same.
REPOSITORY = "https://github.com/specialization-reader/specialization-reader"


def version() -> str:
    """The installed claimkb's version, from the package metadata ('0+unknown' when run from a bare source tree)."""
    try:
        return metadata.version("claimkb")
    except metadata.PackageNotFoundError:
        return "0+unknown"
