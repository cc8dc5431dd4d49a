"""Zensical adapter: a work folder with the rendered pages and a configuration generated from mkdocs.yml.

Zensical reads mkdocs.yml but runs no plugins or hooks, so everything the claimkb plugin does at build time happens
before: render writes the pages (engines.tree), and the configuration derived here points Zensical at them, at the
theme overrides and at the site's CSS and scripts. Users keep one configuration, mkdocs.yml.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from . import engines, render

WORK = "build/zensical"  # under the knowledge base's root; build/ is ignored by git
# Settings that name things only the MkDocs build has: its plugins, its watch list, its output folders.
DROPPED = ("docs_dir", "site_dir", "watch", "hooks", "plugins", "INHERIT")
# Plugins Zensical implements itself; the rest (claimkb, search) are done by claimkb before and after the build.
NATIVE_PLUGINS = ("tags",)
# Material's search features address its lunr search, which the site does not use (claimkb's search box does).
DROPPED_FEATURES = ("search.suggest", "search.highlight", "search.share")


def available() -> bool:
    try:
        import zensical  # noqa: F401

        return True
    except ImportError:
        return False


class _Tagged(str):
    """A YAML value with a Python tag (!!python/name:...), kept as written for Zensical to resolve."""

    tag = ""


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _tagged(loader: yaml.Loader, suffix: str, node: yaml.Node) -> _Tagged:
    value = _Tagged(loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else "")
    value.tag = "tag:yaml.org,2002:python/" + suffix
    return value


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _tagged)
_Loader.add_constructor("!ENV", lambda loader, node: loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None)
_Dumper.add_representer(_Tagged, lambda dumper, value: dumper.represent_scalar(value.tag, str(value)))


def read_config(root: Path) -> dict[str, Any]:
    file = root / "mkdocs.yml"
    if not file.is_file():
        return {"site_name": "Knowledge base"}
    loaded = yaml.load(file.read_text("utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    return loaded if isinstance(loaded, dict) else {}


def config(root: Path, work: Path) -> dict[str, Any]:
    """mkdocs.yml for Zensical: the same site, read from the rendered tree in work/docs, built into work/site."""
    source = read_config(root)
    out = {k: v for k, v in source.items() if k not in DROPPED}
    docs_dir = (root / str(source.get("docs_dir") or "docs")).resolve()
    out["docs_dir"] = "docs"
    out["site_dir"] = "site"
    theme = dict(source.get("theme") or {"name": "material"}) if not isinstance(source.get("theme"), str) \
        else {"name": source["theme"]}
    # Material's look: Zensical's "classic" variant is Material's design, its default "modern" one is not.
    theme.setdefault("variant", "classic")
    theme["features"] = [f for f in theme.get("features") or [] if f not in DROPPED_FEATURES]
    theme["custom_dir"] = "overrides"
    out["theme"] = theme
    plugins: list[Any] = []
    for item in source.get("plugins") or []:
        name = item if isinstance(item, str) else next(iter(item), "") if isinstance(item, dict) else ""
        if name in NATIVE_PLUGINS:
            plugins.append(item)
    plugins.append({"search": {"enabled": False}})  # Zensical's own index would be one download of the whole site
    out["plugins"] = plugins
    out["extra_css"] = list(source.get("extra_css") or []) + [c for c in render.STYLESHEETS if c not in (source.get("extra_css") or [])]
    out["extra_javascript"] = list(source.get("extra_javascript") or []) + \
        [s for s in render.SCRIPTS if s not in (source.get("extra_javascript") or [])]
    extra = dict(source.get("extra") or {})
    extra["claimkb_edit"] = engines.edit_links(root, docs_dir, str(source.get("repo_url") or ""),
                                               str(source.get("edit_uri") or ""))
    out["extra"] = extra
    return out


def overrides(root: Path) -> dict[str, Path]:
    """The theme overrides Zensical reads from one folder: claimkb's, then the project's custom_dir over them."""
    files = {f.relative_to(render.TEMPLATES_DIR).as_posix(): f
             for f in sorted(render.TEMPLATES_DIR.rglob("*")) if f.is_file()}
    theme = read_config(root).get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    if custom and (root / custom).is_dir():
        files.update({f.relative_to(root / custom).as_posix(): f for f in sorted((root / custom).rglob("*")) if f.is_file()})
    return files


def prepare(root: Path, work: Path) -> engines.Written:
    """Write work/mkdocs.yml and work/overrides/ (only what changed); the pages go to work/docs separately."""
    written, _ = engines.sync(work / "overrides", overrides(root))
    text = "# Generated by claimkb from ../../mkdocs.yml for Zensical: edit mkdocs.yml, not this file.\n" + \
        yaml.dump(config(root, work), Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    conf, _ = engines.sync(work, {"mkdocs.yml": text.encode("utf-8")}, remove=False)
    return engines.Written(written.changed + conf.changed, written.removed)


def command(work: Path, action: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "zensical", action, "-f", str(work / "mkdocs.yml"), *extra]


def build(work: Path, *, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    """zensical build in work (its cache, work/.cache, makes a rebuild of unchanged pages cheap)."""
    env = dict(os.environ)
    return subprocess.run(command(work, "build"), cwd=work, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def serve(work: Path, address: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command(work, "serve", "--dev-addr", address), cwd=work)
