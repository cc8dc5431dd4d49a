"""MkDocs adapter: the `claimkb` plugin wires MkDocs events to the loader, checker and renderer, a few lines each."""
from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from ..core import loader, validate
from . import engines, render, search

log = logging.getLogger("mkdocs.plugins.claimkb")


class ClaimkbConfig(Config):
    # The knowledge base's folder (claims/, references/), relative to mkdocs.yml; the default is mkdocs.yml's own.
    root = c.Type(str, default=".")
    # Index the built site with Pagefind after every build (the site's search box reads that index).
    search = c.Type(bool, default=True)


class ClaimkbPlugin(BasePlugin[ClaimkbConfig]):
    """`plugins: [claimkb]`: generated claim, reference and index pages, checked on every build."""

    def __init__(self) -> None:
        self.kb = None
        self.site: render.Site | None = None

    def on_config(self, config, **kwargs):
        # Loaded once per build, and per reload under `mkdocs serve`, which watches claims/ and references/.
        root = (Path(config.config_file_path).parent / self.config.root).resolve()
        result = loader.load(root)
        for d in validate.check(result.kb, result.diagnostics):
            if d.severity == "error" or d.code != "unused-reference":
                (log.warning if d.severity == "error" else log.info)(str(d))
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
        # "Edit this page" on claim and reference pages: the theme's actions partial joins these with the file.
        config.extra["claimkb_edit"] = engines.edit_links(Path(config.config_file_path).parent, Path(config.docs_dir),
                                                         config.repo_url or "", config.edit_uri or "")
        return config

    def on_files(self, files: Files, config, **kwargs) -> Files:
        assert self.site is not None
        for path, text in {**engines.annotate(self.site), **self.site.files}.items():
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, content=text))
        for path, source in render.assets().items():
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, abs_src_path=str(source)))
        return files

    def on_page_markdown(self, markdown: str, page, config, files, **kwargs) -> str:
        assert self.site is not None and self.kb is not None
        if page.file.src_uri in self.site.pages:
            return markdown
        return render.expand_shortcodes(self.kb, page.file.src_uri, markdown)

    def on_post_build(self, config, **kwargs) -> None:
        # Under `mkdocs serve` too: every rebuild re-indexes, so search never lags the pages.
        if not self.config.search:
            return
        result = search.index(Path(config.site_dir))
        (log.info if result.ok else log.warning)(result.message)
