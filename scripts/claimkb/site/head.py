"""Page metadata as <head> HTML: the one place its values are escaped, for attributes and for a JSON-LD script."""
from __future__ import annotations

import html
import json
import re
from typing import Any

from ..cite import metadata
from ..core.model import Claim, KnowledgeBase, Reference
from .html import INVISIBLE_RE

# The front-matter field a page's head HTML travels in; templates/main.html writes it into {% block extrahead %}.
FIELD = "claimkb_head"
# Characters an HTML document cannot carry: control characters (the parser turns &#x80;-&#x9f; into Windows-1252
# letters), surrogates and the noncharacters of every plane. Tabs and newlines stay.
_UNCARRIABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                          + "".join(chr(plane + 0xFFFE) + chr(plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000))
                          + "]")
_AS_IS = re.compile("[\t\n !#-%(-;=?-~]*")  # printable ASCII but " & ' < >, tabs and newlines
_JSON_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _carriable(text: str) -> str:
    # Bidirectional controls go too: a citation tool would show a title reordered (INVISIBLE_RE, as in pages).
    return INVISIBLE_RE.sub("", _UNCARRIABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))


def _scrubbed(data: Any) -> Any:
    """JSON-LD with every string carriable, as the attributes are."""
    if isinstance(data, str):
        return data if _AS_IS.fullmatch(data) else _carriable(data)
    if isinstance(data, dict):
        return {_scrubbed(k): _scrubbed(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_scrubbed(v) for v in data]
    return data


def attribute(value: str) -> str:
    """A value inside a double-quoted attribute: & < > " ' escaped, and ASCII only (non-ASCII as &#x..;).

    ASCII keeps the head exact on its way through YAML front matter, whose double-quoted scalars fold
    U+0085, U+2028 and U+2029 and decode a \\u escape of half a surrogate pair as a lone surrogate.
    """
    if _AS_IS.fullmatch(value):
        return value  # most values: nothing to escape or drop
    return html.escape(_carriable(value), quote=True).encode("ascii", "xmlcharrefreplace").decode("ascii")


def script_json(data: Any) -> str:
    """JSON for a <script> element: < > & as \\u escapes, so no value can close the script or open a comment."""
    return json.dumps(_scrubbed(data), ensure_ascii=True, separators=(",", ":")).translate(_JSON_HTML)


def head_html(meta: metadata.PageMetadata) -> str:
    # No <link rel="schema.DC"> declarations: harvesters (Zotero, extruct) know the DC and DCTERMS prefixes, and a
    # page names no other host.
    lines = []
    for name, content in (*meta.highwire, *meta.dublin_core):
        lines.append(f'<meta name="{attribute(name)}" content="{attribute(content)}">')
    lines.append(f'<script type="application/ld+json">{script_json(meta.jsonld)}</script>')
    return "\n".join(lines)


def claim_head(kb: KnowledgeBase, claim: Claim) -> str:
    return head_html(metadata.claim_metadata(kb, claim))


def reference_head(kb: KnowledgeBase, ref: Reference) -> str:
    return head_html(metadata.reference_metadata(kb, ref))


def front_matter_line(head: str) -> str:
    """The head as one front-matter line: a JSON string is a YAML double-quoted scalar, and the head is ASCII."""
    return f"{FIELD}: {json.dumps(head, ensure_ascii=True)}"
