"""IDs and keys are forever: compare the knowledge base with a published git revision and report what vanished."""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, make
from .model import KnowledgeBase

# An entry's start, @type{key, — the same shape bibload reads; @string, @preamble and @comment hold no key.
ENTRY_RE = re.compile(r"^[ \t]*@(?!(?:string|preamble|comment)\b)[A-Za-z]+\s*[{(]\s*([^,\s{}()]+)\s*,", re.I | re.M)


class RevisionError(Exception):
    """The revision cannot be read (not a git checkout, unknown revision): a usage problem, not a content one."""


@dataclass(frozen=True, slots=True)
class Published:
    claims: dict[str, str]  # claim id -> its path at the revision
    keys: dict[str, tuple[str, int]]  # citation key -> (path, line) at the revision


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise RevisionError(f"git cannot run: {exc}") from exc
    if done.returncode != 0:
        raise RevisionError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed")
    return done.stdout


def published(root: Path, revision: str) -> Published:
    _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    claims: dict[str, str] = {}
    keys: dict[str, tuple[str, int]] = {}
    for path in _git(root, "ls-tree", "-r", "--name-only", revision, "--", "claims", "references").splitlines():
        name = Path(path).name
        if path.startswith("claims/") and name.endswith((".yaml", ".yml")) and not name.startswith("_"):
            claims.setdefault(Path(path).stem, path)
        elif path.startswith("references/") and name.endswith(".bib"):
            text = _git(root, "show", f"{revision}:{path}")
            for m in ENTRY_RE.finditer(text):
                keys.setdefault(m.group(1), (path, text.count("\n", 0, m.start()) + 1))
    return Published(claims, keys)


def check_since(kb: KnowledgeBase, revision: str) -> list[Diagnostic]:
    """Every claim id and citation key published at revision that is gone now without an alias."""
    then = published(kb.root, revision)
    out: list[Diagnostic] = []
    for claim_id, path in sorted(then.claims.items()):
        if claim_id not in kb.claims and f"claims:{claim_id}" not in kb.aliases:
            out.append(make(path, 1, 1, "removed-id",
                            f"claim '{claim_id}' was published at {revision} and is gone: restore it, or if it was "
                            f"renamed add `{claim_id}: <new-id>` under `claims:` in claims/_aliases.yaml"))
    for key, (path, line) in sorted(then.keys.items()):
        if key not in kb.references and f"references:{key}" not in kb.aliases:
            out.append(make(path, line, 1, "removed-id",
                            f"citation key '{key}' was published at {revision} and is gone: restore it, or if it was "
                            f"renamed add `{key}: <new-key>` under `references:` in claims/_aliases.yaml"))
    return out
