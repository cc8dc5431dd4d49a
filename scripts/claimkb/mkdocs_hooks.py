"""MkDocs adapter: wires MkDocs events to claimkb's loader, checker and renderer, a few lines each."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urljoin

from jinja2 import ChoiceLoader, DictLoader, TemplateNotFound
from mkdocs.structure.files import File, Files

from claimkb import loader, render, validate

log = logging.getLogger("mkdocs.plugins.claimkb")
_state: dict[str, object] = {}


def on_config(config, **kwargs):
    # Loaded once per build (and per reload under `mkdocs serve`, which watches claims/ and references/).
    root = Path(config.config_file_path).parent
    result = loader.load(root)
    for d in validate.check(result.kb, result.diagnostics):
        if d.severity == "error" or d.code != "unused-reference":
            (log.warning if d.severity == "error" else log.info)(str(d))
    _state["kb"] = result.kb
    _state["site"] = render.render(result.kb)
    return config


def on_files(files: Files, config, **kwargs) -> Files:
    site: render.Site = _state["site"]  # type: ignore[assignment]
    for path, markdown in {**site.pages, **site.files}.items():
        if files.get_file_from_path(path) is None:
            files.append(File.generated(config, path, content=markdown))
    return files


def on_env(env, config, files, **kwargs):
    # Material's repository link fetches stars, forks and the latest release from api.github.com on every visit,
    # telling GitHub who reads what. The theme's own partial without its data-md-component hook is a plain link.
    name = "partials/source.html"
    try:
        text = env.loader.get_source(env, name)[0]
    except TemplateNotFound:  # a theme without the partial has no widget to quiet
        return env
    env.loader = ChoiceLoader([DictLoader({name: text.replace(' data-md-component="source"', "")}), env.loader])
    return env


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    kb = _state["kb"]
    site: render.Site = _state["site"]  # type: ignore[assignment]
    source = site.sources.get(page.file.src_uri)
    if source and config.repo_url and config.edit_uri:
        # "Edit this page" on a claim or reference opens its YAML or BibTeX file, not a docs path. MkDocs gives
        # generated pages no edit_url, so it is built here: edit_uri points into docs_dir, the file lives beside it.
        up = Path(os.path.relpath(Path(config.config_file_path).parent, config.docs_dir)).as_posix()
        page.edit_url = urljoin(config.repo_url.rstrip("/") + "/", f"{config.edit_uri.rstrip('/')}/{up}/{source}")
    if page.file.src_uri in site.pages:
        return markdown
    return render.expand_shortcodes(kb, page.file.src_uri, markdown)  # type: ignore[arg-type]
