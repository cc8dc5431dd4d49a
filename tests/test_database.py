"""The SQLite download: tables and foreign keys, full-text search, and the documented queries run by the sqlite3 shell.

The Cite and reuse page's SQL is taken from the rendered page itself, so the docs cannot drift: every query must run,
and the convergence-matrix query must give, for every thesis, the numbers the matrix page shows.
"""
from __future__ import annotations

import html
import re
import shutil
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

from claimkb.cite import database
from claimkb.core import loader
from claimkb.core.model import KnowledgeBase
from claimkb.site import render
from conftest import make_kb, run_claimkb

SQLITE3 = shutil.which("sqlite3")
needs_shell = pytest.mark.skipif(SQLITE3 is None, reason="the sqlite3 shell is not installed (apt-get install sqlite3)")


@pytest.fixture(scope="module")
def site(repo_render: render.Site) -> render.Site:
    return repo_render


@pytest.fixture(scope="module")
def db_path(site: render.Site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "claims.db"
    path.write_bytes(site.files["downloads/claims.db"])
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    yield conn
    conn.close()


def shell(db_path: Path, sql: str) -> list[list[str]]:
    """Rows the sqlite3 shell prints for sql, as lists of strings."""
    assert SQLITE3 is not None
    done = subprocess.run([SQLITE3, "-readonly", "-bail", "-separator", "\t", str(db_path)], input=sql, text=True,
                          capture_output=True, timeout=60, check=False)
    assert done.returncode == 0 and not done.stderr, done.stderr
    return [line.split("\t") for line in done.stdout.splitlines()]


def documented_queries(site: render.Site) -> list[str]:
    page = site.pages["cite.md"]  # its examples are HTML code blocks (site/pages/kit.py code)
    return [html.unescape(q).rstrip("\n") for q in
            re.findall(r'<pre class="ckb-code ckb-code-sql"><code>(.*?)</code></pre>', page, re.S)]


def matrix_rows(site: render.Site, kb: KnowledgeBase) -> dict[str, list[tuple[int, int]]]:
    """The matrix page's heat map: thesis id -> (supporting, rebutting) per domain column, as the page shows them."""
    from bs4 import BeautifulSoup

    line = next(line for line in site.pages["matrix.md"].splitlines() if "ckb-heat" in line)
    table = BeautifulSoup(line, "html.parser").select_one("table.ckb-heat")
    rows = {}
    for tr in table.tbody.find_all("tr"):
        thesis = re.search(r"claims/([a-z0-9-]+)/", tr.th.a["href"]).group(1)
        cells = []
        for td in tr.find_all("td")[:-1]:  # the last column is the row's total
            against = td.select_one(".ckb-heat-against")
            cells.append((int(td.select_one(".ckb-heat-n").get_text()),
                          int(against.get_text().split()[0]) if against else 0))
        assert len(cells) == len(kb.domains)
        rows[thesis] = cells
    return rows


# ---------------------------------------------------------------- tables, keys, search


def test_tables_hold_the_knowledge_base(db: sqlite3.Connection, repo_kb: KnowledgeBase) -> None:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(database.TABLES) <= tables and {"claims_fts", "references_fts"} <= tables
    count = lambda table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: E731
    assert count("claims") == len(repo_kb.claims) and count("references") == len(repo_kb.references)
    assert count("domains") == len(repo_kb.domains) and count("kinds") == len(repo_kb.kinds)
    assert count("relations") == sum(len(c.relations) for c in repo_kb.claims.values())
    assert count("sources") == sum(len(c.sources) for c in repo_kb.claims.values())
    assert count("tags") == sum(len(set(c.tags)) for c in repo_kb.claims.values())
    row = db.execute("SELECT title, statement, kind, domain, claimed_by, claimed_by_locator FROM claims WHERE id = ?",
                     ("pos1-human-intelligence-not-general",)).fetchone()
    claim = repo_kb.claims["pos1-human-intelligence-not-general"]
    assert row == (claim.title, claim.statement, claim.kind, claim.domain, claim.claimed_by.ref,
                   str(claim.claimed_by.locator))


def test_foreign_keys_are_declared_and_hold(db: sqlite3.Connection) -> None:
    declared = {(table, fk[3], fk[2], fk[4]) for table in ("claims", "sources", "relations", "tags")
                for fk in db.execute(f"PRAGMA foreign_key_list({table})")}
    assert declared == {
        ("claims", "kind", "kinds", "key"), ("claims", "domain", "domains", "key"),
        ("claims", "claimed_by", "references", "key"), ("sources", "claim", "claims", "id"),
        ("sources", "ref", "references", "key"), ("relations", "source", "claims", "id"),
        ("relations", "target", "claims", "id"), ("tags", "claim", "claims", "id")}
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_full_text_search_finds_titles_and_statements(db: sqlite3.Connection, repo_kb: KnowledgeBase) -> None:
    claim = repo_kb.claims["dharma-biology-tradeoffs-universal"]
    found = [r[0] for r in db.execute("SELECT c.id FROM claims_fts JOIN claims AS c ON c.rowid = claims_fts.rowid "
                                      "WHERE claims_fts MATCH 'niches'")]
    assert claim.id in found
    assert all("niche" in (repo_kb.claims[i].title + repo_kb.claims[i].statement).lower() for i in found)
    refs = [r[0] for r in db.execute('SELECT r.key FROM references_fts JOIN "references" AS r '
                                     "ON r.rowid = references_fts.rowid WHERE references_fts MATCH 'superhuman'")]
    assert "goldfeder2026sai" in refs


def test_relations_carry_their_cito_property(db: sqlite3.Connection) -> None:
    pairs = set(db.execute("SELECT type, cito FROM relations"))
    assert ("supports", "cito:supports") in pairs and ("rebuts", "cito:disputes") in pairs
    assert set(db.execute("SELECT role, cito FROM sources")) == {("cited", "cito:citesAsEvidence"),
                                                                 ("context", "cito:citesForInformation")}


# ---------------------------------------------------------------- the documented queries


def test_the_cite_page_documents_three_queries_that_run(site: render.Site, db: sqlite3.Connection) -> None:
    queries = documented_queries(site)
    assert len(queries) == 3
    for sql in queries:
        assert db.execute(sql).fetchall(), sql


def test_the_fidelity_query_counts_the_editors_grades(site: render.Site, db: sqlite3.Connection,
                                                      repo_kb: KnowledgeBase) -> None:
    sql = next(q for q in documented_queries(site) if "fidelity" in q)
    rows = {fidelity: n for fidelity, n, _ in db.execute(sql)}
    assert rows == dict(Counter(r.fidelity for c in repo_kb.claims.values() for r in c.relations
                                if r.type == "interprets"))


@needs_shell
def test_sqlite3_answers_the_matrix_query_with_the_matrix_pages_numbers(site: render.Site, db_path: Path,
                                                                        repo_kb: KnowledgeBase) -> None:
    sql = next(q for q in documented_queries(site) if "WITH RECURSIVE" in q)
    shown = matrix_rows(site, repo_kb)
    first = next(iter(shown))
    assert f"'{first}'" in sql  # the page's example is the matrix's first row
    assert len(shown) >= 5
    for thesis, cells in shown.items():
        rows = shell(db_path, sql.replace(f"'{first}'", f"'{thesis}'"))
        assert [r[0] for r in rows] == [d.title for d in repo_kb.domains.values()]
        assert [(int(r[1]), int(r[2])) for r in rows] == cells, thesis


@needs_shell
def test_sqlite3_runs_every_documented_query(site: render.Site, db_path: Path) -> None:
    for sql in documented_queries(site):
        assert shell(db_path, sql), sql


# ---------------------------------------------------------------- the command, determinism, broken input


def test_export_command_writes_the_database_the_site_publishes(site: render.Site, tmp_path: Path) -> None:
    out = tmp_path / "kb.db"
    code, _, err = run_claimkb("export", "--format", "sqlite", "-o", out)
    assert code == 0, err
    assert out.read_bytes() == site.files["downloads/claims.db"]
    assert out.read_bytes()[:16] == b"SQLite format 3\x00"


def test_sqlite_needs_an_output_file(tmp_path: Path) -> None:
    code, lines, err = run_claimkb("export", "--format", "sqlite")
    assert code == 2 and lines == [] and "-o FILE" in err
    code, _, err = run_claimkb("export", "--format", "sqlite", "--what", "claims", "-o", tmp_path / "x.db")
    assert code == 2 and "--what" in err


def test_a_broken_knowledge_base_still_gives_a_consistent_database(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"claims/broken.yaml": """\
title: Broken
statement: Points at nothing.
kind: premise
domain: nowhere
claimed_by:
  ref: nokey2020
sources:
  - ref: nokey2021
relations:
  - type: supports
    target: no-such-claim
"""})
    path = tmp_path / "kb.db"
    path.write_bytes(database.export_sqlite(loader.load(root).kb))
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT domain, claimed_by FROM claims WHERE id = 'broken'").fetchone() == (None, None)
        assert conn.execute("SELECT count(*) FROM relations WHERE source = 'broken'").fetchone() == (0,)
    finally:
        conn.close()
