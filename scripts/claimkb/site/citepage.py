"""The Cite and reuse page's body: every format with one real example from this knowledge base, and the mappings."""
from __future__ import annotations

import json

from ..cite import database, export, linked, metadata
from ..cite import formatting as cite
from . import html
from .pages.kit import code
from ..core.model import Claim, KnowledgeBase
from .head import head_html

# Downloads, in the order the table lists them: file, format, what it holds.
DOWNLOADS = (
    ("references.bib", "BibTeX", "every reference, normalized"),
    ("claims.bib", "BibTeX", "every claim as a `@misc` entry"),
    ("references.json", "CSL-JSON", "every reference"),
    ("claims-csl.json", "CSL-JSON", "every claim"),
    ("claims.json", "JSON", "the whole knowledge base as a dataset: claims with resolved relations and sources, "
     "references, the version, and the JSON Schema the file follows"),
    ("claims.ttl", "RDF Turtle", "claims, references and relations as linked data (CiTO, SKOS, PROV)"),
    ("claims.jsonld", "JSON-LD", "the same graph as the Turtle file"),
    ("claims.shapes.ttl", "SHACL", "the shapes the graph conforms to"),
    ("claims.db", "SQLite", "tables with foreign keys and full-text search"),
)
LINKED = ("claims.ttl", "claims.jsonld", "claims.shapes.ttl")


def example_claim(kb: KnowledgeBase) -> Claim | None:
    """The claim that shows the most: a claiming work, both source roles, a fidelity grade, relations."""
    def richness(claim: Claim) -> tuple[int, ...]:
        return (bool(claim.claimed_by and claim.claimed_by.ref in kb.references),
                any(s.role == "cited" and s.ref in kb.references for s in claim.sources),
                any(s.role == "context" and s.ref in kb.references for s in claim.sources),
                any(r.fidelity and r.target in kb.claims for r in claim.relations),
                any(r.target in kb.claims for r in claim.relations))
    ordered = sorted(kb.claims.values(), key=lambda c: c.id)
    return max(ordered, key=richness) if ordered else None  # max keeps the first of equals: the lowest id


def _section(title: str, intro: str, command: str | None, example: str, language: str) -> str:
    out = [f"### {title}\n\n", intro, "\n\n"]
    if command:
        out.append(_fenced(command, "sh") + "\n")
    out.append(_fenced(example.rstrip("\n"), language) + "\n")
    return "".join(out)


def _downloads(kb: KnowledgeBase) -> str:
    out = ["## Downloads\n\n", "| File | Format | What it holds |\n|---|---|---|\n"]
    for name, kind, what in DOWNLOADS:
        if name in LINKED and not kb.settings.site_url:
            continue
        out.append(f"| [{name}](downloads/{name}) | {kind} | {what} |\n")
    out.append("\n")
    if not kb.settings.site_url:
        out.append("Linked data needs permanent URLs to name claims by: set `site_url` in `mkdocs.yml` to publish "
                   "the Turtle, JSON-LD and SHACL files.\n\n")
    out.append("Every file is deterministic: sorted, with no timestamps, so two builds of the same version are "
               "identical and a diff between versions shows what changed. The command line writes each of them: "
               "`claimkb export --format bibtex|csl-json|json|turtle|jsonld|sqlite`.\n\n")
    return "".join(out)


def _citation_formats(kb: KnowledgeBase, claim: Claim) -> str:
    key = cite.claim_key(kb, claim)
    out = [_section("Text", f"A citation of the claim `{claim.id}` as it stands in this version, with the work "
                    "that makes it:", f"claimkb cite {claim.id}", cite.claim_text(kb, claim), "text"),
           _section("BibTeX", f"The same claim as a `@misc` entry, key `{key}`; "
                    "[claims.bib](downloads/claims.bib) holds every claim, "
                    "[references.bib](downloads/references.bib) every reference:",
                    f"claimkb cite {claim.id} --format bibtex", cite.claim_bibtex(kb, claim), "bibtex"),
           _section("CSL-JSON", "For Zotero, Pandoc and every citeproc processor; an array of one item:",
                    f"claimkb cite {claim.id} --format csl-json",
                    json.dumps([cite.claim_csl(kb, claim)], indent=2, ensure_ascii=False, sort_keys=True), "json")]
    if claim.claimed_by and claim.claimed_by.ref in kb.references:
        ref = kb.references[claim.claimed_by.ref]
        out.append(_section("A reference", "A reference, here the work that makes the claim, as normalized BibTeX "
                            "(`--format csl-json` and `text` work for references too):",
                            f"claimkb cite {ref.key} --format bibtex", cite.reference_bibtex(ref), "bibtex"))
    out.append(_section("The dataset", "[claims.json](downloads/claims.json) holds the whole knowledge base with its "
                        "JSON Schema; this is the claim's entry:", "claimkb export --format json -o claims.json",
                        json.dumps(export.claim_entry(kb, claim.id), indent=2, ensure_ascii=False, sort_keys=True),
                        "json"))
    return "".join(out)


def _page_metadata(kb: KnowledgeBase, claim: Claim) -> str:
    meta = metadata.claim_metadata(kb, claim)
    tags = "\n".join(line for line in head_html(meta).splitlines() if not line.startswith("<script"))
    return "".join([
        "### Page metadata\n\n",
        "Every claim page and reference page carries its citation in its `<head>`, for tools that read pages: "
        "Highwire Press `citation_*` tags (Zotero's browser connector, Google Scholar), Dublin Core, and "
        "schema.org JSON-LD. The values are the ones *Cite this* shows. A claim page describes the claim as an "
        "entry of this knowledge base; a reference page describes the referenced work itself, with its DOI and "
        "arXiv identifier, so saving it in Zotero gives the work. The claim above carries:\n\n",
        _fenced(tags, "html"), "\n",
        "and, minified in the page, this JSON-LD: a schema.org `Claim`, its `appearance` in the work that makes "
        "it, its sources as `citation`, and the knowledge base as the `Dataset` it `isPartOf`:\n\n",
        _fenced(json.dumps(meta.jsonld, indent=2, ensure_ascii=False), "json"), "\n",
    ])


def _mapping(kb: KnowledgeBase) -> str:
    site = metadata.site_url(kb) or "<site_url>/"
    out = ["### From the knowledge base to CiTO\n\n",
           "The relations between claims are what the [Citation Typing Ontology](https://sparontologies.github.io/"
           "cito/current/cito.html) (CiTO) was made for. The claim holding a relation is CiTO's citing entity, its "
           "target the cited entity; each relation is also reified as a `cito:Citation` (at the claim's URL, "
           "`#relation-<type>-<target>`) that carries its note and is attributed (`prov:wasAttributedTo`) to the "
           "editors, who curate the relations.\n\n",
           "| Relation | CiTO property | Meaning |\n|---|---|---|\n"]
    out.extend(f"| `{m.term}` | `cito:{m.cito}` | {m.why} |\n" for m in linked.RELATIONS)
    out.append("\nA claim's sources keep their two roles apart, each as its own property and as a reified "
               "`cito:Citation` (`#source-<key>`) with its locator (`bibo:locator`) and note:\n\n"
               "| Source role | CiTO property | Provenance |\n|---|---|---|\n")
    out.extend(f"| `{m.term}` | `cito:{m.cito}` | {m.why} |\n" for m in linked.ROLES)
    out.append(f"""
The rest of the graph:

- **Claims** are `schema:Claim` resources at their permanent URLs ({_inert(site)}claims/&lt;id&gt;/), with
  `schema:name` (title), `schema:text` (statement), `schema:keywords` (tags) and `schema:isPartOf` the knowledge
  base, a `schema:Dataset` at {_inert(site)}.
- **The claiming work** is the claim's `schema:appearance` and, with the locator, its `prov:qualifiedDerivation`
  (`#claimed-by`). Works are named by their DOI (https://doi.org/...), else their arXiv page, else their page
  here, with `schema:identifier` (the citation key) and `dcterms:bibliographicCitation`.
- **Domains and kinds** are SKOS concepts at their pages (`dcterms:subject` and `dcterms:type` of a claim), in the
  concept schemes {_inert(site)}domains/ and {_inert(site)}kinds/.
- **Fidelity.** On an `interprets` relation the editors grade how faithfully a secondary work reads its target.
  The grade is a Web Annotation (`oa:Annotation`, motivated by `oa:assessing`, created by the editors) whose
  target is the relation's `cito:Citation` and whose body is one of the fidelity grades below. No other anchor
  system publishes this: it is the editors' reading, said as theirs.

#### Fidelity grades {{ #fidelity }}

The SKOS concept scheme {_inert(site)}cite/#fidelity:

""")
    out.extend(f"- **{value}**{{ #fidelity-{value} }}: {_inert(text)}\n" for value, text in linked.FIDELITY.items())
    out.append("\n")
    return "".join(out)


def _linked_data(kb: KnowledgeBase, claim: Claim) -> str:
    if not kb.settings.site_url:
        return ("### Linked data\n\n`claimkb export --format turtle` and `--format jsonld` name every claim by its "
                "permanent URL, so they need `site_url` in `mkdocs.yml`.\n\n")
    data = linked.claim_triples(kb, claim.id)
    turtle = linked.turtle_text(data).strip()
    out = [_section("Linked data: Turtle", "[claims.ttl](downloads/claims.ttl) holds the knowledge base as RDF, "
                    "for SPARQL stores, ORKG, Wikidata tooling and nanopublications. The claim above, with its "
                    "reified citations:", "claimkb export --format turtle -o claims.ttl", turtle, "turtle"),
           _section("Linked data: JSON-LD", "[claims.jsonld](downloads/claims.jsonld) is the same graph as compact "
                    "JSON-LD, with the prefixes as its context. The claim's node:",
                    "claimkb export --format jsonld -o claims.jsonld",
                    json.dumps(_claim_node(kb, claim, data), indent=2, ensure_ascii=False, sort_keys=True), "json"),
           _mapping(kb),
           _section("Shapes", "[claims.shapes.ttl](downloads/claims.shapes.ttl) describes the graph in SHACL: what "
                    "every claim, citation, work, concept and fidelity grade must have, and that a cited source is "
                    "derived from the claiming work while a context source and a relation are attributed to the "
                    "editors. Validate the graph with [pySHACL](https://github.com/RDFLib/pySHACL); the shape of a "
                    "claim reads:", "pyshacl --shacl claims.shapes.ttl --data-file-format turtle claims.ttl",
                    _claim_shape(), "turtle")]
    return "".join(out)


def _claim_shape() -> str:
    """The shapes file's block for claims, as it stands in the file."""
    text = linked.shapes_text()
    start = text.index("ckbsh:Claim a sh:NodeShape")
    return text[start:text.index("\n\n", start)]


def _claim_node(kb: KnowledgeBase, claim: Claim, data: linked.Triples) -> dict:
    url = cite.claim_url(kb, claim)
    return next(node for node in linked.jsonld_nodes(data) if node["@id"] == url)


def _sql(kb: KnowledgeBase, claim: Claim | None, thesis_id: str | None) -> str:
    out = ["### SQLite\n\n",
           "[claims.db](downloads/claims.db) is the knowledge base as a SQLite database: open it in "
           "[Datasette](https://datasette.io/) (`datasette claims.db`), the `sqlite3` shell or any SQL client. "
           "Foreign keys link the tables; `claims_fts` (titles and statements) and `references_fts` (titles and "
           "formatted references) are FTS5 full-text indexes.\n\n",
           _fenced("claimkb export --format sqlite -o claims.db", "sh"), "\n",
           "| Table | A row is |\n|---|---|\n"]
    out.extend(f"| `{name}` | {what} |\n" for name, what in database.TABLES.items())
    out.append("\nThree example queries:\n\n")
    for query in database.example_queries(kb, claim.id if claim else None, thesis_id):
        out.append(f"**{query.title}.** {query.explanation}\n\n")
        out.append(_fenced(query.sql, "sql") + "\n")
    if thesis_id is not None:
        out.append("The last query gives the same numbers as that row of the [convergence matrix](matrix.md).\n\n")
    return "".join(out)


def body(kb: KnowledgeBase, thesis_id: str | None) -> str:
    """Everything below the page's title and version line; thesis_id names the matrix row the SQL example shows."""
    claim = example_claim(kb)
    out = ["Every claim page ends with a **Cite** section: the claim as a BibTeX `@misc` entry and as CSL-JSON, "
           "with its permanent URL and this version, and the original source it comes from with its locator. "
           "Every reference page gives its BibTeX, CSL-JSON and formatted entry. The command line prints the same: "
           "`claimkb cite <claim-id|key> --format bibtex|csl-json|text`.\n\n",
           _downloads(kb)]
    if claim is not None:
        out.append("## Formats\n\n")
        out.append(f"Each format below with one example, all about the claim "
                   f"[{html.inline(html.text(claim.title))}](claims/{claim.id}.md), exactly as the command prints it.\n\n")
        out.append(_citation_formats(kb, claim))
        out.append(_page_metadata(kb, claim))
        out.append(_linked_data(kb, claim))
    out.append(_sql(kb, claim, thesis_id))
    editors = "; ".join(cite.editors(kb))
    out.append("## Cite the knowledge base\n\n"
               "`CITATION.cff` at the root of the repository describes the knowledge base as a whole; GitHub's "
               "\"Cite this repository\" button reads it.\n\n"
               f"The editors: {_inert(editors)}.\n{{ #editors }}\n")
    return "".join(out)


def _fenced(text: str, language: str) -> str:
    """A code example as a raw-HTML block: its text (a claim's BibTeX, a title in JSON) is never Markdown."""
    return "\n" + html.block(code(text, language), "ckb-block ckb-example") + "\n"


def _inert(value: str) -> str:
    """Settings text (a site URL, the editors' names) in a line of this page's Markdown, as text."""
    return html.inline(html.text(value))
