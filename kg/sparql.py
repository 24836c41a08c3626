"""Reading a SPARQL query's surface without evaluating it: its tokens and its dataset clause.

A small lexer that knows where comments, strings and IRIs begin and end, so that a keyword
inside a literal or a comment is never mistaken for one in the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z0-9_\-.]*)?)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokens(query: str) -> list[Token]:
    """The query's tokens, comments and white space left out."""
    out = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind not in {"space", "comment"}:
            out.append(Token(kind, match.group()))
    return out


@dataclass(frozen=True)
class DatasetClause:
    """The graphs named by FROM and FROM NAMED (IRIs, or prefixed names as written)."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.default or self.named)


def dataset_clause(query: str) -> DatasetClause:
    """FROM / FROM NAMED of the outermost query.

    Outside braces FROM can only be the dataset clause (a subquery, which has none, is
    inside the WHERE group; a CONSTRUCT template is a group of its own).
    """
    default: list[str] = []
    named: list[str] = []
    seq = tokens(query)
    depth = 0
    for i, token in enumerate(seq):
        depth += {"{": 1, "}": -1}.get(token.text, 0)
        if depth == 0 and token.kind == "word" and token.text.upper() == "FROM" and i + 1 < len(seq):
            following = seq[i + 1]
            if following.kind == "word" and following.text.upper() == "NAMED" and i + 2 < len(seq):
                named.append(_iri(seq[i + 2].text))
            else:
                default.append(_iri(following.text))
    return DatasetClause(tuple(default), tuple(named))


def _iri(text: str) -> str:
    return text[1:-1] if text.startswith("<") and text.endswith(">") else text
