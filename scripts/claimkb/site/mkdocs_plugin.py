"""MkDocs adapter: the `claimkb` plugin wires MkDocs events to the loader, checker and renderer, a few lines each."""
from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config, ValidationError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from ..core import loader, validate
from . import engines, render, search

log = logging.getLogger("mkdocs.plugins.claimkb")
# A generated page's HTML blocks: one line each, a div of ours (site/html.py block, figures/embed.py block).
BLOCK_LINE_RE = re.compile(r'(?m)^<div class="ckb-[^\n]*</div>$')


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
        # Generated pages' HTML blocks wait here while Python-Markdown reads the page's skeleton, and come back in
        # on_page_content: already built and sanitized, they need no parsing, and parsing them with Python-Markdown's
        # HTML scanner cost milliseconds a page. The placeholder holds a secret drawn each build, so no text can
        # spell one.
        self.stash: dict[str, list[str]] = {}
        self.nonce = ""

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
        # "Edit this page" on claim and reference pages: the theme's actions partial joins these with the file.
        # Claim and reference paths are relative to the knowledge base's folder, which the edit prefix climbs to.
        config.extra["claimkb_edit"] = engines.edit_links(Path(self.config.root), Path(config.docs_dir),
                                                         config.repo_url or "", config.edit_uri or "")
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
            if not self.nonce:
                self.nonce = f"ckbblock{secrets.token_hex(8)}n"
            blocks = self.stash[page.file.src_uri] = []

            def hold(m: re.Match[str]) -> str:
                blocks.append(m.group(0))
                return f"{self.nonce}{len(blocks) - 1}"

            return BLOCK_LINE_RE.sub(hold, markdown)
        return render.expand_shortcodes(self.kb, page.file.src_uri, markdown)

    def on_page_content(self, html: str, page, config, files, **kwargs) -> str:
        blocks = self.stash.pop(page.file.src_uri, None)
        if not blocks:
            return html
        return re.sub(rf"<p>{self.nonce}(\d+)</p>", lambda m: blocks[int(m.group(1))], html)

    def on_post_build(self, config, **kwargs) -> None:
        # Under `mkdocs serve` too: every rebuild re-indexes, so search never lags the pages.
        result = search.index(Path(config.site_dir))
        (log.info if result.ok else log.warning)(result.message)
