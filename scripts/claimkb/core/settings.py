"""A knowledge base's settings: mkdocs.yml's `extra.claimkb` and site keys, read without MkDocs, every problem a diagnostic.

One place per setting. What the checker, `claimkb cite` and the exports need lives in mkdocs.yml under
`extra.claimkb` (and MkDocs' own site_name, site_url, repo_url, edit_uri), read here tolerantly, so every command
and every engine (MkDocs runs the plugin; Zensical runs none) sees the same values. The MkDocs plugin's own options
(`plugins: - claimkb: {root: ...}`) are only about where the plugin finds the knowledge base.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any, Callable

import yaml
from pybtex.plugin import PluginNotFound, find_plugin

from . import yamlsafe
from .validate import did_you_mean
from .diagnostics import Diagnostic, make
from .model import Settings

CONFIG = "mkdocs.yml"
# A claim's citation key is <prefix>:<id>: the prefix must be as safe in a BibTeX key and a URL as the id is.
PREFIX_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_PREFIX = 32


# The keys of extra.claimkb, in the order docs/reference/configuration.md explains them (a test keeps them in step).
NAMES = ("name", "editors", "prefix", "style", "license", "version", "date")


def load(root: Path, out: list[Diagnostic]) -> Settings:
    """The settings of the knowledge base at root; problems go to out, and a bad value falls back to its default."""
    file = root / CONFIG
    config: dict[str, Any] = {}
    marks: Callable[[tuple[str, ...]], tuple[int, int]] = lambda at: (1, 1)
    if file.is_file():
        try:
            text = file.read_text("utf-8")
            loaded = yamlsafe.load_settings_file(text)
            config = loaded if isinstance(loaded, dict) else {}
            marks = _marks(text)
        except Exception as exc:  # noqa: BLE001 - any failure here is a config diagnostic, never a traceback
            out.append(make(CONFIG, 1, 1, "config-invalid", f"{CONFIG} cannot be read: {str(exc).splitlines()[0]}"))
    extra = config.get("extra")
    own = extra.get("claimkb") if isinstance(extra, dict) else None
    if own is None:
        own = {}
    elif not isinstance(own, dict):
        out.append(make(CONFIG, *marks(("extra", "claimkb")), "config-invalid",
                        "extra.claimkb must be a mapping of settings (name:, editors:, prefix:, ...)"))
        own = {}

    def bad(key: str, message: str) -> None:
        out.append(make(CONFIG, *marks(("extra", "claimkb", key)), "config-invalid", f"extra.claimkb.{key} {message}"))

    for key in own:
        if key not in NAMES:
            out.append(make(CONFIG, *marks(("extra", "claimkb", str(key))), "config-unknown-key",
                            f"extra.claimkb has no setting '{key}'{did_you_mean(str(key), NAMES)}; "
                            f"the settings are: {', '.join(NAMES)}"))

    def text(key: str, default: str = "") -> str:
        value = own.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            bad(key, "must be text")
            return default
        value = str(value).strip()
        if "\n" in value:
            bad(key, "must be one line")
            return default
        return value or default

    editors = own.get("editors", [])
    if isinstance(editors, str):
        bad("editors", "must be a list of names, one per item (- Ada Lovelace), not one text")
        editors = []
    elif not isinstance(editors, list) or not all(isinstance(e, str) and e.strip() for e in editors):
        bad("editors", "must be a list of names")
        editors = []
    prefix = text("prefix", "kb")
    if not (PREFIX_RE.match(prefix) and len(prefix) <= MAX_PREFIX):
        bad("prefix", f"is '{prefix[:40]}': use lower-case letters, digits and single hyphens, "
                      f"at most {MAX_PREFIX} characters (citation keys are <prefix>:<claim-id>)")
        prefix = "kb"
    style = text("style", "plain")
    try:
        find_plugin("pybtex.style.formatting", style)
    except PluginNotFound:
        bad("style", f"is '{style[:40]}', not a pybtex style: use plain, unsrt, alpha or unsrtalpha")
        style = "plain"
    version = text("version") or os.environ.get("CLAIMKB_VERSION", "") or _git(root, "describe", "--tags", "--always") or "unversioned"
    date = text("date") or os.environ.get("CLAIMKB_DATE", "") or _git(root, "log", "-1", "--format=%cs")

    def site(key: str) -> str:
        value = config.get(key)
        return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""

    return Settings(
        name=text("name", site("site_name") or "Knowledge base"),
        editors=tuple(e.strip() for e in editors),
        prefix=prefix,
        site_url=site("site_url"),
        repo_url=site("repo_url"),
        edit_uri=site("edit_uri"),
        style=style,
        version=version,
        date=date,
        license=text("license"),
    )


def _marks(text: str) -> Callable[[tuple[str, ...]], tuple[int, int]]:
    """Where a key of mkdocs.yml is written (1-based line, column), for diagnostics; (1, 1) when it is not."""
    try:
        node = yaml.compose(text, Loader=yamlsafe._SettingsLoader)
    except yaml.YAMLError:
        node = None

    def find(at: tuple[str, ...]) -> tuple[int, int]:
        current, found = node, (1, 1)
        for key in at:
            if not isinstance(current, yaml.MappingNode):
                break
            for k, v in current.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    found, current = (k.start_mark.line + 1, k.start_mark.column + 1), v
                    break
            else:
                break
        return found

    return find


def _git(root: Path, *args: str) -> str:
    """One line of git output about root, or '' when root is not a checkout (a release tarball, a test fixture)."""
    if not (root / ".git").exists():
        return ""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
