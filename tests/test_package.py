"""From a clean copy of the sources to a second knowledge base, the way a new user gets there.

`pip install .` into a fresh virtual environment (a real wheel build, listed and checked), then `claimkb init`,
`claimkb new claim`, `claimkb check`, `mkdocs build --strict` and `claimkb export` on the new knowledge base, every
output asserted, and nothing of this repository's own reading in any file or output. Then the [zensical] extra and
`claimkb build --engine zensical` of the same knowledge base, the new knowledge base's own `make test`, and this
repository's pre-commit hook as another repository runs it.

Offline by design: pip installs the dependencies from a wheelhouse that `make test` fills beforehand
(.venv/wheelhouse, passed as CLAIMKB_WHEELHOUSE), never from a package index, and ignores every pip configuration
file. Run by hand without the wheelhouse, these tests skip; under `make test` a missing wheelhouse fails them.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from bs4 import BeautifulSoup

from conftest import REPO

import claimkb
from claimkb.cli import init

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
VERSION = PYPROJECT["project"]["version"]
WHEELHOUSE = (REPO / os.environ.get("CLAIMKB_WHEELHOUSE", ".venv/wheelhouse")).resolve()  # relative: to the repository
ZENSICAL = PYPROJECT["project"]["optional-dependencies"]["zensical"]  # ["zensical==<pinned release>"]
TITLE = "Reading Turing 1950"
PREFIX = "turing-1950"
NEW_ID = "child-machine-proposal"
NEW_TITLE = "Turing proposes educating a child machine rather than programming an adult mind"
# This repository's reading, which must not leak into another: its paper, its authors, its article, its name.
READING_RE = re.compile(r"goldfeder|wyder|lecun|shwartz|dharma|specread|specialization[\s_-]*reader|"
                        r"superhuman adaptable|embrace specialization|2602\.23643", re.I)
# The tool's own addresses may appear (where its schema, hook and documentation live); nothing else of that name.
TOOL_URLS = (claimkb.REPOSITORY, json.loads((REPO / "scripts/claimkb/schema/claim.schema.json")
                                            .read_text("utf-8"))["$id"].rsplit("/", 1)[0])

pytestmark = pytest.mark.slow


def reading_mentions(text: str) -> list[str]:
    for url in TOOL_URLS:
        text = text.replace(url, "")
    return sorted({m.group(0) for m in READING_RE.finditer(text)})


def base_python() -> str:
    """The interpreter behind this virtual environment: new environments are made from it, as a user would."""
    return getattr(sys, "_base_executable", sys.executable)


def offline_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV", "CLAIMKB_"))}
    env.update({"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(WHEELHOUSE),
                "PIP_DISABLE_PIP_VERSION_CHECK": "1", "NO_MKDOCS_2_WARNING": "1", "LC_ALL": "C.UTF-8"})
    env.update(extra)
    return env


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env or offline_env(), capture_output=True, text=True,
                          encoding="utf-8", stdin=subprocess.DEVNULL, timeout=timeout, check=False)


def clean_copy(dest: Path) -> Path:
    """What a fresh clone holds (tracked and new, unignored files, as in the working tree), committed in a new
    repository: no .venv, no built site, no egg-info, no caches."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode("utf-8").split("\0")
    for rel in filter(None, listed):
        source = REPO / rel
        if source.is_file():  # a file deleted but not yet committed is not in a clone either
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "clean copy"]):
        subprocess.run([*git, *command], cwd=dest, check=True, capture_output=True)
    return dest


README_SECTION = "## Start your own reading"


def readme_commands() -> list[str]:
    """The command block of the README's 'Start your own reading' section, one command a line."""
    text = (REPO / "README.md").read_text("utf-8")
    assert README_SECTION in text, f"README.md has no '{README_SECTION}' section"
    section = text.split(README_SECTION, 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [line.strip() for line in block.splitlines() if line.strip()]


@dataclass(frozen=True)
class Step:
    argv: list[str]
    cwd: Path
    done: subprocess.CompletedProcess[str]


@dataclass(frozen=True)
class Installed:
    source: Path  # the clean copy
    venv: Path
    work: Path
    steps: dict[str, Step]  # by the README command's first two words: "pip install", "claimkb init", ...

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A fresh virtual environment, then the README's commands, run as written, in a clean copy of the sources."""
    if not (WHEELHOUSE / ".complete").is_file():
        if os.environ.get("CLAIMKB_WHEELHOUSE"):
            pytest.fail(f"CLAIMKB_WHEELHOUSE={WHEELHOUSE} is not complete: run `make {WHEELHOUSE}/.complete`")
        pytest.skip("no wheelhouse of the dependencies: `make test` builds .venv/wheelhouse first")
    work = tmp_path_factory.mktemp("package")
    source = clean_copy(work / "source")
    venv = work / "venv"
    done = sh(base_python(), "-m", "venv", venv, cwd=work)
    assert done.returncode == 0, done.stderr
    # As with the environment activated: its bin/ first on PATH.
    env = offline_env(PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", VIRTUAL_ENV=str(venv))
    steps: dict[str, Step] = {}
    cwd = source
    for line in readme_commands():
        argv = shlex.split(line, comments=True)
        if argv[0] == "cd":
            cwd = (cwd / argv[1]).resolve()
            continue
        # pip as the environment's (`python -m pip`: a fresh venv's pip script may name another interpreter's path).
        command = [str(venv / "bin/python"), "-m", "pip", *argv[1:]] if argv[0] == "pip" else argv
        if argv[0] != "pip":  # the environment's claimkb and mkdocs, never this repository's
            assert shutil.which(argv[0], path=env["PATH"]) == str(venv / "bin" / argv[0]), argv[0]
        steps[" ".join(argv[:2])] = Step(argv, cwd, sh(*command, cwd=cwd, env=env))
    return Installed(source, venv, work, steps)


@pytest.fixture(scope="module")
def wheel(installed: Installed) -> Path:
    """The wheel `pip install .` builds, built again where it can be read."""
    done = sh(installed.bin("python"), "-m", "pip", "wheel", "--no-deps", "--wheel-dir", installed.work / "dist",
              installed.source, cwd=installed.work)
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = (installed.work / "dist").glob("claimkb-*.whl")
    return built


def test_readme_gives_exactly_the_commands_from_install_to_export() -> None:
    firsts = [" ".join(shlex.split(line)[:2]) if not line.startswith("cd ") else "cd" for line in readme_commands()]
    assert firsts == ["pip install", "claimkb init", "cd", "claimkb new", "claimkb check", "mkdocs build",
                      "claimkb export"]
    assert readme_commands()[0] == "pip install ."
    assert "--strict" in readme_commands()[5]


def test_wheel_holds_the_package_and_its_data(installed: Installed, wheel: Path) -> None:
    assert wheel.name == f"claimkb-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(f"claimkb-{VERSION}.dist-info/entry_points.txt").decode("utf-8")
        package = {n: archive.read(n) for n in names if n.startswith("claimkb/")}
    # Every file of the package's source folder ships: modules, schemas, templates, assets, the init skeleton.
    tracked = subprocess.run(["git", "ls-files", "scripts/claimkb"], cwd=installed.source, capture_output=True,
                             text=True, check=True).stdout.split()
    expected = {"claimkb/" + Path(p).relative_to("scripts/claimkb").as_posix() for p in tracked
                if Path(p).name != ".keep"}
    assert set(package) == expected, (sorted(expected - set(package)), sorted(set(package) - expected))
    for required in ("claimkb/schema/claim.schema.json", "claimkb/schema/dataset.schema.json",
                     "claimkb/site/assets/claimkb.css", "claimkb/site/assets/explorer.js",
                     "claimkb/site/assets/vendor/cytoscape/cytoscape.min.js",
                     "claimkb/cli/skeleton/mkdocs.yml", "claimkb/cli/skeleton/dot-github/workflows/ci.yml",
                     "claimkb/cli/skeleton/claims/_domains.yaml"):
        assert required in names, required
    assert not any(n.startswith(("tests/", "docs/", "claims/", "references/")) for n in names)
    assert "[mkdocs.plugins]\nclaimkb = claimkb.site.mkdocs_plugin:ClaimkbPlugin" in entry_points
    assert "[console_scripts]\nclaimkb = claimkb.cli:main" in entry_points
    # The tool speaks of no particular reading: no module, schema or template mentions this repository's.
    for name, data in package.items():
        if not name.startswith("claimkb/site/assets/vendor/"):
            assert reading_mentions(data.decode("utf-8")) == [], name


def test_from_pip_install_to_an_exported_second_knowledge_base(installed: Installed) -> None:
    steps = installed.steps
    for name, step in steps.items():
        assert step.done.returncode == 0, f"{name}: {step.done.stdout}{step.done.stderr}"

    done = steps["pip install"].done
    assert "Successfully installed" in done.stdout and f"claimkb-{VERSION}" in done.stdout
    done = sh(installed.bin("python"), "-m", "pip", "check", cwd=installed.work)
    assert (done.returncode, done.stdout.strip()) == (0, "No broken requirements found."), done.stdout
    done = sh(installed.bin("claimkb"), "--version", cwd=installed.work)
    assert (done.returncode, done.stdout) == (0, f"claimkb {VERSION}\n")

    init_step = steps["claimkb init"]
    kb = (init_step.cwd / init_step.argv[2]).resolve()
    title = init_step.argv[init_step.argv.index("--title") + 1]
    assert init_step.done.stderr == ""
    assert init_step.done.stdout.splitlines()[0] == (
        f"Created a knowledge base in {kb}: 14 files; 1 claim, 1 reference: 0 errors, 0 warnings.")
    prefix = init.derive_prefix(title)

    new = steps["claimkb new"]
    new_id, new_title = new.argv[3], new.argv[new.argv.index("--title") + 1]
    rel = f"claims/{new_id}.yaml"
    placeholder = (f"{rel}:10:12: warning placeholder-text: statement still holds the placeholder written by "
                   "`claimkb new`: replace it")
    assert new.done.stderr == ""
    assert new.done.stdout.splitlines() == [
        placeholder, f"wrote {rel}: replace every TODO, then run .venv/bin/claimkb check {rel}"]

    check = steps["claimkb check"].done
    assert check.stderr == ""
    assert check.stdout.splitlines() == [placeholder, "2 claims, 1 references: 0 errors, 1 warning"]

    build = steps["mkdocs build"].done
    assert [line for line in build.stderr.splitlines() if not line.startswith("INFO")] == [], build.stderr
    site = kb / "site"
    assert f"<title>{title}</title>" in (site / "index.html").read_text("utf-8")
    page = (site / f"claims/{new_id}/index.html").read_text("utf-8")
    assert new_title in page and f"{prefix}:{new_id}" in page
    index = (site / "claims/index.html").read_text("utf-8")
    for claim_id in (new_id, init.EXAMPLE_ID):
        assert re.search(rf'href="(\.\./)?{claim_id}/"', index), claim_id
    assert (site / "domains/computing/index.html").is_file() and (site / "kinds/premise/index.html").is_file()

    export = steps["claimkb export"]
    assert (export.done.stdout, export.done.stderr) == ("", "")
    dataset = json.loads((export.cwd / export.argv[export.argv.index("-o") + 1]).read_text("utf-8"))
    jsonschema.validate(dataset, dataset["schema"])
    assert dataset["name"] == title and dataset["license"] == "CC-BY-4.0"
    assert [c["key"] for c in dataset["claims"]] == [f"{prefix}:{new_id}", f"{prefix}:{init.EXAMPLE_ID}"]
    assert [c["title"] for c in dataset["claims"]][0] == new_title
    assert [d["key"] for d in dataset["domains"]] == ["computing", "philosophy-of-mind"]
    assert dataset["claims"][0]["claimed_by"]["citation"] == "Turing 1950, §7"
    assert dataset["references"][0]["key"] == "turing1950computing"
    # The site's own download is the same data.
    assert json.loads((site / "downloads/claims.json").read_text("utf-8"))["claims"] == dataset["claims"]

    # The other formats, as `claimkb export` writes them to standard output.
    bib = sh(installed.bin("claimkb"), "export", "--format", "bibtex", cwd=kb)
    assert bib.returncode == 0 and bib.stdout.startswith(f"% {title}: every reference, normalized")
    assert "@article{turing1950computing," in bib.stdout and "10.1093/mind/LIX.236.433" in bib.stdout
    claims_bib = sh(installed.bin("claimkb"), "export", "--format", "bibtex", "--what", "claims", cwd=kb).stdout
    assert claims_bib.count("@misc{") == 2 and f"@misc{{{prefix}:{new_id}," in claims_bib
    csl = json.loads(sh(installed.bin("claimkb"), "export", "--format", "csl-json", "--what", "claims", cwd=kb).stdout)
    assert sorted(item["id"] for item in csl) == [f"{prefix}:{new_id}", f"{prefix}:{init.EXAMPLE_ID}"]

    # Nothing of this repository's reading anywhere: not in a file the knowledge base holds, not in its built
    # site or its export, not in anything a command printed.
    for file in sorted(p for p in kb.rglob("*") if p.is_file()):
        text = file.read_bytes().decode("utf-8", "replace")
        assert reading_mentions(text) == [], file.relative_to(kb)
    printed = "\n".join(s.done.stdout + s.done.stderr for n, s in steps.items() if n != "pip install")
    assert reading_mentions(printed + bib.stdout + claims_bib) == []


# Where a page makes the reader's browser fetch something (as tests/test_site.py checks the repository's own site).
FETCHING_ATTRIBUTES = (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
                       ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("image", "href"))
REPOSITORY_URL = "https://github.com/turing-readers/reading-turing"


@dataclass(frozen=True)
class ZensicalBuild:
    kb: Path  # a copy of the README's knowledge base, its repository named in mkdocs.yml for the edit links
    install: subprocess.CompletedProcess[str]
    build: subprocess.CompletedProcess[str]
    ignored: subprocess.CompletedProcess[str]

    @property
    def site(self) -> Path:
        return self.kb / "site"


@pytest.fixture(scope="module")
def zensical_build(installed: Installed) -> ZensicalBuild:
    """`pip install ".[zensical]"` in the clean copy, then `claimkb build --engine zensical` of the knowledge base."""
    env = offline_env(PATH=f"{installed.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
                      VIRTUAL_ENV=str(installed.venv))
    install = sh(installed.bin("python"), "-m", "pip", "install", ".[zensical]", cwd=installed.source, env=env)
    init_step = installed.steps["claimkb init"]
    readme_kb = (init_step.cwd / init_step.argv[2]).resolve()
    kb = installed.work / f"{readme_kb.name}-zensical"
    # Its files, not the MkDocs site the README's build left (the test compares the two).
    shutil.copytree(readme_kb, kb, ignore=lambda folder, names: ["site"] if Path(folder) == readme_kb else [])
    # The repository, as the comments `claimkb init` leaves in mkdocs.yml say to name it: edit links follow.
    config = (kb / "mkdocs.yml").read_text("utf-8")
    for commented, line in ((r"# repo_url: \S+.*", f"repo_url: {REPOSITORY_URL}"),
                            (r"# edit_uri: (\S+).*", r"edit_uri: \1")):
        config, count = re.subn(rf"^{commented}$", line, config, flags=re.M)
        assert count == 1, (commented, config)
    (kb / "mkdocs.yml").write_text(config, "utf-8")
    build = sh(installed.bin("claimkb"), "build", "--engine", "zensical", cwd=kb, env=env)
    # What the build leaves is ignored by git as `claimkb init` set it up: nothing of it gets committed.
    subprocess.run(["git", "init", "-q"], cwd=kb, check=True, capture_output=True)
    ignored = sh("git", "check-ignore", "site/index.html", "build/zensical/mkdocs.yml", cwd=kb, env=env)
    return ZensicalBuild(kb, install, build, ignored)


def test_the_new_knowledge_base_builds_with_zensical(installed: Installed, zensical_build: ZensicalBuild) -> None:
    """The same site as the README's `mkdocs build`, with the engine the site moves to (docs/engines.md)."""
    install, build = zensical_build.install, zensical_build.build
    assert install.returncode == 0, install.stdout + install.stderr
    (pin,) = ZENSICAL
    assert pin.replace("==", "-") in install.stdout.split("Successfully installed", 1)[-1], install.stdout
    done = sh(installed.bin("python"), "-m", "pip", "check", cwd=installed.work)
    assert (done.returncode, done.stdout.strip()) == (0, "No broken requirements found."), done.stdout
    assert build.returncode == 0, build.stdout + build.stderr
    site = zensical_build.site
    assert re.search(rf"^claimkb: built {re.escape(str(site))} with Zensical in ", build.stderr, re.M), build.stderr
    assert zensical_build.ignored.stdout.splitlines() == ["site/index.html", "build/zensical/mkdocs.yml"]

    # The same pages at the same URLs as the MkDocs build of the same claims.
    init_step = installed.steps["claimkb init"]
    mkdocs_site = (init_step.cwd / init_step.argv[2]).resolve() / "site"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert pages == sorted(p.relative_to(mkdocs_site).as_posix() for p in mkdocs_site.rglob("*.html"))
    new_id = installed.steps["claimkb new"].argv[3]
    for page in (f"claims/{new_id}/", f"claims/{init.EXAMPLE_ID}/", "references/turing1950computing/", "claims/",
                 "domains/", "domains/computing/", "kinds/", "kinds/premise/", "map/", "bibliography/", ""):
        assert f"{page}index.html" in pages, page

    def html(page: str) -> BeautifulSoup:
        return BeautifulSoup((site / page / "index.html").read_text("utf-8"), "html.parser")

    new_title = installed.steps["claimkb new"].argv[installed.steps["claimkb new"].argv.index("--title") + 1]
    claim = html(f"claims/{new_id}/")
    assert claim.h1 is not None and claim.h1.get_text().strip().rstrip("¶") == new_title
    assert f"{init.derive_prefix(TITLE)}:{new_id}" in claim.get_text()
    assert html("").title.get_text() == TITLE  # type: ignore[union-attr]

    # "Edit this page": a claim's YAML file, a reference's BibTeX file, a hand-written page's docs/ file; none on a
    # generated page, which has no file of its own.
    def edit(page: str) -> list[str]:
        return [a["href"] for a in html(page).select('a[rel="edit"]')]

    assert edit(f"claims/{new_id}/") == [f"{REPOSITORY_URL}/edit/main/claims/{new_id}.yaml"]
    assert edit(f"claims/{init.EXAMPLE_ID}/") == [f"{REPOSITORY_URL}/edit/main/claims/{init.EXAMPLE_ID}.yaml"]
    assert edit("references/turing1950computing/") == [f"{REPOSITORY_URL}/edit/main/references/references.bib"]
    assert edit("") == [f"{REPOSITORY_URL}/edit/main/docs/index.md"]
    for page in ("claims/", "map/", "domains/computing/", "bibliography/"):
        assert edit(page) == [], page

    # No page makes the reader's browser ask another host for anything (no site_url: no canonical link either).
    fetches = []
    for page in pages:
        soup = BeautifulSoup((site / page).read_text("utf-8"), "html.parser")
        for tag, attr in FETCHING_ATTRIBUTES:
            for el in soup.find_all(tag):
                value = str(el.get(attr) or el.get("xlink:href") or "")
                if urlsplit(value).scheme or urlsplit(value).netloc:
                    fetches.append(f"{page}: <{tag} {attr}={value!r}>")
    assert fetches == []

    # claimkb's search: a Pagefind index of every page; Zensical's own index of the whole site stays empty.
    assert (site / "pagefind/pagefind.js").is_file()
    entry = json.loads((site / "pagefind/pagefind-entry.json").read_text("utf-8"))
    indexed = [language["page_count"] for language in entry["languages"].values()]
    assert indexed == [sum(page.endswith("index.html") for page in pages)]
    own_index = site / "search.json"
    assert not own_index.exists() or json.loads(own_index.read_text("utf-8"))["items"] == []

    # Nothing of this repository's reading: not in the site, the rendered pages and generated configuration in
    # build/zensical/, or anything the build printed.
    for file in sorted(p for p in zensical_build.kb.rglob("*") if p.is_file() and ".git" not in p.parts):
        assert reading_mentions(file.read_bytes().decode("utf-8", "replace")) == [], file.relative_to(zensical_build.kb)
    assert reading_mentions(build.stdout + build.stderr) == []


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_the_new_knowledge_base_make_test(installed: Installed, wheel: Path) -> None:
    """Its own Makefile: a .venv from requirements.txt (this release, from the wheel just built), check, build."""
    done = sh(installed.bin("claimkb"), "init", "kb", "--title", "Made", cwd=installed.work)
    assert done.returncode == 0, done.stderr
    kb = installed.work / "kb"
    env = offline_env(PIP_FIND_LINKS=f"{wheel.parent} {WHEELHOUSE}")
    done = sh("make", "test", f"PYTHON={base_python()}", cwd=kb, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 claims, 1 references: 0 errors, 0 warnings" in done.stdout
    assert (kb / "site/index.html").is_file()
    assert sh(kb / ".venv/bin/claimkb", "--version", cwd=kb).stdout == f"claimkb {VERSION}\n"


def test_other_repositories_run_the_pre_commit_hook(installed: Installed) -> None:
    """`pre-commit try-repo` installs claimkb from the clean copy as pre-commit does for a hook repository."""
    pre_commit = Path(sys.executable).parent / "pre-commit"
    if not pre_commit.is_file():
        pytest.skip("pre-commit is not installed (the test extra has it)")
    done = sh(installed.bin("claimkb"), "init", "hooked", "--title", "Hooked", cwd=installed.work)
    assert done.returncode == 0, done.stderr
    kb = installed.work / "hooked"
    claim = kb / f"claims/{init.EXAMPLE_ID}.yaml"
    claim.write_text(claim.read_text("utf-8").replace("kind: thesis", "kind: thesys"), "utf-8")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"]):
        subprocess.run([*git, *command], cwd=kb, check=True, capture_output=True)
    env = offline_env(PRE_COMMIT_HOME=str(installed.work / "pre-commit-home"))
    rel = claim.relative_to(kb).as_posix()
    done = sh(pre_commit, "try-repo", installed.source, "claimkb-check", "--files", rel, "references/references.bib",
              cwd=kb, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{rel}:" in done.stdout and "error unknown-kind: kind is 'thesys' (did you mean 'thesis'?)" in done.stdout
    claim.write_text(claim.read_text("utf-8").replace("kind: thesys", "kind: thesis"), "utf-8")
    done = sh(pre_commit, "try-repo", installed.source, "claimkb-check", "--files", rel, cwd=kb, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"claimkb check\.+Passed", done.stdout), done.stdout
