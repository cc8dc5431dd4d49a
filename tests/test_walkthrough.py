"""The contributing guide's walk-through, run as a new contributor would, in a copy of the repository.

The commands and the edited file come from docs/contributing.md itself, so the guide cannot state a step that
does not work, and the test cannot pass on a step the guide does not state. Only the browser is left out:
the preview is fetched over HTTP instead.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO

GUIDE = REPO / "docs/contributing.md"
COPIED = ("claims", "references", "docs", "scripts", "mkdocs.yml", "pyproject.toml", "Makefile", "README.md",
          "CONTRIBUTING.md")


def _guide() -> str:
    return GUIDE.read_text("utf-8")


def _commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", _guide(), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def _command(prefix: str) -> list[str]:
    found = [c for c in _commands() if c.startswith(prefix)]
    assert found, f"the guide has no `{prefix} ...` command"
    return shlex.split(found[0])


def _edited_file() -> tuple[str, str]:
    m = re.search(r'```yaml title="(claims/[^"]+\.yaml)"\n(.*?)```', _guide(), re.S)
    assert m, "the guide shows no edited claim file"
    return m[1], m[2]


def _env(clone: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(clone / "scripts")  # the copy's own code, as `make serve` installs it
    env.pop("CLAIMKB_VERSION", None)
    env.pop("CLAIMKB_DATE", None)
    return env


def _run(clone: Path, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """A guide command: `.venv/bin/claimkb` and `.venv/bin/mkdocs` are this interpreter's modules."""
    if args[0].endswith(("claimkb", "mkdocs")):
        args = [sys.executable, "-m", Path(args[0]).name, *args[1:]]
    return subprocess.run(args, cwd=clone, env=_env(clone), capture_output=True, text=True, encoding="utf-8",
                          stdin=subprocess.DEVNULL, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the repository, as `git clone` would give (without .git, .venv and built output)."""
    root = tmp_path_factory.mktemp("clone") / "specialization-reader"
    root.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=ignore)
        elif source.is_file():
            shutil.copy2(source, root / name)
    return root


@pytest.fixture(scope="module")
def contributed(clone: Path) -> tuple[Path, str, str]:
    """Steps 3 to 5: the claim written by `claimkb new claim`, edited as the guide shows, and checked."""
    rel, edited = _edited_file()
    target = clone / rel
    assert not target.exists(), f"{rel} already exists in the repository: the guide's example id must be new"

    done = _run(clone, _command(".venv/bin/claimkb new claim"))
    assert done.returncode == 0, done.stdout + done.stderr
    scaffolded = target.read_text("utf-8")
    assert scaffolded.startswith("# yaml-language-server: $schema=")
    assert "TODO" in scaffolded
    schema_ref = scaffolded.splitlines()[0].split("$schema=", 1)[1]
    assert (target.parent / schema_ref).resolve() == (clone / "scripts/claimkb/schema/claim.schema.json").resolve()
    assert edited.splitlines()[0] == scaffolded.splitlines()[0]  # the guide's file keeps the line `new` wrote

    target.write_text(edited, "utf-8")
    done = _run(clone, _command(".venv/bin/claimkb check"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert rel not in done.stdout, f"the checker has something to say about the guide's example:\n{done.stdout}"
    title = re.search(r"^title: (.+)$", edited, re.M)[1].strip().strip('"')
    return target, rel, title


def test_guide_states_every_step() -> None:
    commands = _commands()
    for step in ("git clone https://github.com/", "make serve", ".venv/bin/claimkb new claim",
                 ".venv/bin/claimkb check", "git add", "git commit", "git push"):
        assert any(c.startswith(step) for c in commands), f"the guide does not state `{step}`"
    rel, _ = _edited_file()
    assert f"http://127.0.0.1:8000/claims/{Path(rel).stem}/" in _guide()
    makefile = (REPO / "Makefile").read_text("utf-8")
    # The default engine's branch of `make serve` (docs/engines.md has the other).
    assert re.search(r"^serve:.*\n(?:ifeq.*\n)?\t.*mkdocs serve --dev-addr 127\.0\.0\.1:8000", makefile, re.M)


def test_new_claim_edit_and_check(contributed: tuple[Path, str, str], clone: Path) -> None:
    target, rel, _ = contributed
    done = _run(clone, [".venv/bin/claimkb", "check"])
    assert done.returncode == 0, done.stdout
    assert rel not in done.stdout


@pytest.mark.slow
def test_strict_build_shows_the_new_page(contributed: tuple[Path, str, str], clone: Path) -> None:
    target, rel, title = contributed
    site = clone / "site"
    done = _run(clone, [".venv/bin/mkdocs", "build", "--strict", "-d", str(site)], timeout=600)
    page = site / "claims" / target.stem / "index.html"
    assert done.returncode == 0, done.stderr[-4000:]
    assert title in page.read_text("utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_for(url: str, text: str, server: subprocess.Popen[str], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        body = _fetch(url)
        if body is not None and text in body:
            return True
        time.sleep(1)
    return False


@pytest.mark.slow
def test_preview_serves_the_page_and_reloads_on_edit(contributed: tuple[Path, str, str], clone: Path) -> None:
    """Step 6 and `make serve`'s live reload: the page is served, and an edit to the claim file shows up."""
    target, rel, title = contributed
    serve = re.search(r"mkdocs serve (.*)", (REPO / "Makefile").read_text("utf-8"))[1].split()
    port = _free_port()
    options = [o.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for o in serve]
    log = clone / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", *options], cwd=clone, env=_env(clone),
                                  stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
        try:
            url = f"http://127.0.0.1:{port}/claims/{target.stem}/"
            if not _wait_for(url, title, server, 300):
                pytest.fail(f"the preview did not serve {url}:\n{log.read_text('utf-8')[-3000:]}")
            edited = target.read_text("utf-8").replace(title, "A budget spread thin leaves little for each task")
            target.write_text(edited, "utf-8")
            assert _wait_for(url, "A budget spread thin leaves little for each task", server, 300), (
                "the preview did not reload after the claim file changed:\n" + log.read_text("utf-8")[-3000:])
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=30)
