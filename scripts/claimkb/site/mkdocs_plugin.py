"""MkDocs adapter: the `claimkb` plugin wires MkDocs events to the loader, checker and renderer, a few lines each."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import quote, urljoin

from jinja2 import ChoiceLoader, DictLoader, TemplateNotFound
from mkdocs.config import config_options as c
from mkdocs.config.base import Config, ValidationError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from ..core import loader, validate
from . import render

log = logging.getLogger("mkdocs.plugins.claimkb")


class KnowledgeBaseDir(c.Dir):
    """A folder holding a knowledge base (claims/ or references/), relative to mkdocs.yml, as an absolute path."""

    def __init__(self, **kwargs) -> None:
        super().__init__(exists=True, **kwargs)

    def run_validation(self, value: object) -> str:
        path = super().run_validation(value)  # relative to mkdocs.yml's folder; must exist
        if not (Path(path) / "claims").is_dir() and not (Path(path) / "references").is_dir():
            raise ValidationError(f"'{path}' has neither claims/ nor references/, so it is not a knowledge base "
                                  "(`claimkb init DIR` starts one)")
        return path


class ClaimkbConfig(Config):
    # The plugin's own options only say where the knowledge base is. Its settings (name, editors, prefix, ...) are in
    # extra.claimkb, where the checker, `claimkb cite` and the exports read them too (core/settings.py).
    root = KnowledgeBaseDir(default=".")


class ClaimkbPlugin(BasePlugin[ClaimkbConfig]):
    """`plugins: [claimkb]`: generated claim, reference and index pages, checked on every build."""

    def __init__(self) -> None:
        self.kb = None
        self.site: render.Site | None = None

    def on_config(self, config, **kwargs):
        # Loaded once per build, and per reload under `mkdocs serve`, which watches claims/ and references/.
        root = Path(self.config.root)
        result = loader.load(root)
        for d in validate.check(result.kb, result.diagnostics):
            # Errors fail a strict build, as do mkdocs.yml's own problems (MkDocs warns of unknown settings too).
            if d.severity == "error" or d.path == "mkdocs.yml":
                log.warning(str(d))
            elif d.code != "unused-reference":
                log.info(str(d))
        from ..cli import cli_page  # the command line documents itself; render knows nothing of it

        self.kb = result.kb
        self.site = render.render(result.kb, {"reference/cli.md": cli_page()})
        # The theme overrides come after the project's own custom_dir, which may override them in turn.
        dirs = config.theme.dirs
        if str(render.TEMPLATES_DIR) not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, str(render.TEMPLATES_DIR))
        for css in render.STYLESHEETS:
            if css not in config.extra_css:
                config.extra_css.append(css)
        for script in render.SCRIPTS:
            if script not in config.extra_javascript:
                config.extra_javascript.append(script)
        return config

    def on_serve(self, server, config, builder, **kwargs):
        # `mkdocs serve` rebuilds when a claim or a reference changes, though neither lives in docs_dir.
        for folder in ("claims", "references"):
            path = Path(self.config.root) / folder
            if path.is_dir():
                server.watch(str(path))
        return server

    def on_files(self, files: Files, config, **kwargs) -> Files:
        assert self.site is not None
        for path, text in {**self.site.pages, **self.site.files}.items():
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, content=text))
        for path, source in render.assets().items():
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, abs_src_path=str(source)))
        return files

    def on_env(self, env, config, files, **kwargs):
        # Material's repository link fetches stars, forks and the latest release from api.github.com on every visit,
        # telling GitHub who reads what. The theme's own partial without its data-md-component hook is a plain link.
        name = "partials/source.html"
        try:
            text = env.loader.get_source(env, name)[0]
        except TemplateNotFound:  # a theme without the partial has no widget to quiet
            return env
        env.loader = ChoiceLoader([DictLoader({name: text.replace(' data-md-component="source"', "")}), env.loader])
        return env

    def on_page_markdown(self, markdown: str, page, config, files, **kwargs) -> str:
        assert self.site is not None and self.kb is not None
        source = self.site.sources.get(page.file.src_uri)
        if source and config.repo_url and config.edit_uri:
            # "Edit this page" on a claim or reference opens its YAML or BibTeX file, not a docs path. MkDocs gives
            # generated pages no edit_url, so it is built here: edit_uri points into docs_dir, the file lives beside
            # it. The path is percent-encoded: a file name must never reach the page as markup.
            up = Path(os.path.relpath(Path(config.config_file_path).parent, config.docs_dir)).as_posix()
            page.edit_url = urljoin(config.repo_url.rstrip("/") + "/",
                                    quote(f"{config.edit_uri.rstrip('/')}/{up}/{source}", safe="/"))
        if page.file.src_uri in self.site.pages:
            return markdown
        return render.expand_shortcodes(self.kb, page.file.src_uri, markdown)
