"""The index pages: all claims by kind, the domain and kind vocabularies with their members, the bibliography."""
from __future__ import annotations

from ...cite import formatting as cite
from ...core.model import Claim, Reference
from .. import html
from ..html import Markup
from .kit import Page, block, bullets, front_matter, heading, reference_page


def claim_table(page: Page, claims: list[Claim], columns: tuple[str, ...] = ("kind", "domain")) -> Markup:
    kb = page.kb
    if not claims:
        return html.tag("p", "No claims yet.")
    head = html.tag("thead", html.tag("tr", html.join(
        html.tag("th", c, scope="col") for c in ("Claim", *(c.capitalize() for c in columns), "Claimed by"))))
    rows = []
    for claim in claims:
        cells = [page.claim_link(claim.id)]
        if "kind" in columns:
            cells.append(html.link(page.url(f"kinds/{claim.kind}.md"), claim.kind) if claim.kind in kb.kinds
                         else html.text(claim.kind))
        if "domain" in columns:
            d = kb.domains.get(claim.domain)
            cells.append(html.link(page.url(f"domains/{claim.domain}.md"), html.text(d.title)) if d
                         else html.text(claim.domain))
        by = claim.claimed_by
        cells.append(html.text(cite.short_citation(kb, kb.references[by.ref], str(by.locator) if by.locator else None))
                     if by and by.ref in kb.references else Markup(""))
        rows.append(html.tag("tr", html.join(html.tag("td", c) for c in cells)))
    return html.tag("table", head + html.tag("tbody", html.join(rows)))


def claims_index(page: Page, ordered: list[Claim]) -> str:
    kb = page.kb
    out = [front_matter("All claims", f"All {len(ordered)} claims of {kb.settings.name}, by kind and by domain."),
           "# All claims { #all-claims }\n\n",
           f"{len(ordered)} claims. Browse them by kind below, by [domain]({page.md('domains/index.md')}), "
           f"on the [argument map]({page.md('map.md')}) or in the [convergence matrix]({page.md('matrix.md')}).\n\n"]
    for kind in kb.kinds:
        members = [c for c in ordered if c.kind == kind]
        if members:
            out.append(heading(2, f"{kb.kinds[kind].title} ({len(members)})", f"kind-{kind}"))
            out.append(block(claim_table(page, members, ("domain",))))
    return "".join(out)


def vocabulary_index(page: Page, section: str) -> str:
    kb = page.kb
    terms = kb.domains if section == "domains" else kb.kinds
    title = "Evidence domains" if section == "domains" else "Claim kinds"
    rows = []
    for key, term in terms.items():
        n = sum(1 for c in kb.claims.values() if (c.domain if section == "domains" else c.kind) == key)
        rows.append(html.tag("tr", html.tag("td", html.link(page.url(f"{section}/{key}.md"), html.text(term.title))) +
                             html.tag("td", str(n)) + html.tag("td", html.text(term.description or ""))))
    head = html.tag("thead", html.tag("tr", html.join(html.tag("th", c, scope="col") for c in
                                                      ("Name", "Claims", "Description"))))
    return (front_matter(title, f"{title} of {kb.settings.name}.") + f"# {title} {{ #{section} }}\n\n" +
            block(html.tag("table", head + html.tag("tbody", html.join(rows)))))


def members(page: Page, section: str, key: str, claims: list[Claim]) -> str:
    kb = page.kb
    term = (kb.domains if section == "domains" else kb.kinds)[key]
    intro = [html.tag("h1", html.text(term.title))]
    if term.description:
        intro.append(html.tag("p", html.text(term.description)))
    intro.append(html.tag("p", f"{len(claims)} claim{'s' if len(claims) != 1 else ''}."))
    return (front_matter(term.title, term.description or term.title) + block(*intro) +
            block(claim_table(page, claims, ("kind",) if section == "domains" else ("domain",))))


def bibliography(page: Page) -> str:
    kb = page.kb
    refs = sorted(kb.references.values(), key=lambda r: (_sort_key(r), r.key.lower()))
    items = (html.link(page.url(reference_page(ref.key)), html.text(page.graph.formatted[ref.key]), class_="ckb-cite")
             + Markup(" ") + html.tag("code", ref.key) for ref in refs)
    return (front_matter("Bibliography", f"All {len(refs)} references of {kb.settings.name}.") +
            "# Bibliography { #bibliography }\n\n" +
            f"{len(refs)} references, alphabetical by first author. Each links to its page with the claims that cite "
            f"it. Download them all from [Cite and reuse]({page.md('cite.md')}).\n\n" +
            block(bullets(items)))


def _sort_key(ref: Reference) -> str:
    """Alphabetical by first author's family name (or title when there is none), ignoring LaTeX and case."""
    names = next((names for role, names in ref.persons if names), ())
    first = names[0] if names else (ref.field("title") or ref.key)
    family = first.split(",")[0] if "," in first else first.split()[-1] if first.split() else first
    return cite.to_unicode(family).strip("{} ").casefold()
