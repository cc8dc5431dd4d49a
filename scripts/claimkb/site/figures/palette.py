"""Which colour a claim's kind takes in every figure: the tool's own kinds have theirs, any other kind its role's."""
from __future__ import annotations

from ...core.model import KINDS, KnowledgeBase


def kind_class(kb: KnowledgeBase, kind: str) -> str:
    """The kind's colour name in claimkb.css (--ckb-kind-NAME-fill/-line, .ckb-x-kind-NAME): the tool's default kinds
    by name, a kind of the knowledge base's own by the role it plays (thesis, evidence), else a neutral premise."""
    if kind in KINDS:
        return kind
    term = kb.kinds.get(kind)
    return term.role if term is not None and term.role else "premise"
