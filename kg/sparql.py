"""Reading a SPARQL query's surface without evaluating it: its tokens and its dataset clause.

A small lexer that knows where comments, strings and IRIs begin and end, so that a keyword
inside a literal or a comment is never mistaken for one in the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from kg.errors import QueryError

# Prefixed names as the SPARQL grammar has them (PNAME_NS, PNAME_LN): a prefix cannot end in
# ".", a local part cannot start or end with one, and may hold %-escapes and \-escapes such as
# "\#" (which is not a comment). Reading them differently from the engine would let a keyword
# hide inside what the lexer took for a name.
_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_PCT = r"%[0-9A-Fa-f]{2}"
_LOCAL = rf"(?:[\w:]|{_PCT}|{_ESC})(?:(?:[\w\-.:]|{_PCT}|{_ESC})*(?:[\w\-:]|{_PCT}|{_ESC}))?"
_PREFIX = r"(?:[^\W\d_](?:[\w\-.]*[\w\-])?)?"

_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
  | (?P<bnode>_:[A-Za-z0-9_\-.]+)
  | (?P<word>{_PREFIX}:(?:{_LOCAL})?|[^\W\d]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Token(NamedTuple):
    kind: str
    text: str
    start: int = 0


def tokens(query: str) -> tuple[Token, ...]:
    """The query's tokens, comments and white space left out. Those of the last few short
    queries are kept: a request reads its query's surface several times (refusal, dataset,
    graph names)."""
    return _recent_tokens(query) if len(query) <= _KEPT_LENGTH else _tokens(query)


def _tokens(query: str) -> tuple[Token, ...]:
    return tuple(
        Token(kind, match.group(), match.start())
        for match in _TOKEN.finditer(query)
        if (kind := match.lastgroup or "other") not in _SKIPPED
    )


_KEPT_LENGTH = 8192
_recent_tokens = lru_cache(maxsize=64)(_tokens)


_SKIPPED = frozenset({"space", "comment"})


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


_FORBIDDEN = {"SERVICE": "service", "LOAD": "load"}
_GRAPH_KEYWORDS = {"FROM", "USING"}


def prefixes(query: str) -> dict[str, str]:
    """The PREFIX declarations of a query or update (prefix -> namespace IRI)."""
    out: dict[str, str] = {}
    seq = tokens(query)
    for i, token in enumerate(seq[:-2]):
        if token.kind == "word" and token.text.upper() == "PREFIX" and seq[i + 2].kind == "iri":
            out[seq[i + 1].text.rstrip(":")] = seq[i + 2].text[1:-1]
    return out


def refusal(query: str) -> tuple[str, str] | None:
    """Why kg refuses this query or update before evaluation, as (reason, message), or None.

    SERVICE would make the engine call out over HTTP and LOAD would fetch a document: both
    are refused wherever they stand (in any case, in nested groups, after comments), since
    a keyword is recognised by the lexer, never inside a string, an IRI or a comment. So are
    Virtuoso's pragmas (DEFINE) and built-in functions (bif:, sql:), which a remote store runs.
    """
    for token in tokens(query):
        if token.kind == "word" and token.text.upper() in _FORBIDDEN:
            keyword = token.text.upper()
            return _FORBIDDEN[keyword], f"{keyword} is not allowed: kg makes no outbound requests"
        name = token.text.lower().lstrip("<")
        if (token.kind == "word" and token.text.upper() == "DEFINE") or (
            token.kind in ("word", "iri") and name.startswith(_VENDOR_PREFIXES)
        ):
            return "vendor", (
                f"{token.text} is not SPARQL 1.1: engine pragmas (DEFINE) and built-ins (bif:, sql:) are not "
                "allowed, since a store behind kg may run them (Virtuoso's can read files and fetch IRIs)"
            )
    return None


_VENDOR_PREFIXES = ("bif:", "sql:")


QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of a query (its first such keyword, after the
    prologue), or None when it has none."""
    for token in tokens(query):
        if token.kind == "word" and token.text.upper() in QUERY_FORMS:
            return token.text.upper()
    return None


def named_graphs(query: str) -> list[str]:
    """Every graph a query or update names in FROM, FROM NAMED, USING or USING NAMED, as IRIs.

    Prefixed names are expanded with the query's own prefixes; an unknown prefix is kept as
    written (and so is not a local graph).
    """
    declared = prefixes(query)
    seq = tokens(query)
    out = []
    for i, token in enumerate(seq):
        if token.kind != "word" or token.text.upper() not in _GRAPH_KEYWORDS:
            continue
        j = i + 1
        if j < len(seq) and seq[j].kind == "word" and seq[j].text.upper() == "NAMED":
            j += 1
        if j < len(seq):
            out.append(expand(seq[j].text, declared))
    return out


def expand(term: str, declared: dict[str, str]) -> str:
    """``<iri>`` -> iri; ``p:local`` -> namespace + local when ``p`` is declared."""
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    prefix, sep, local = term.partition(":")
    if sep and prefix in declared:
        return declared[prefix] + local
    return term


def with_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Apply the protocol's using-graph-uri / using-named-graph-uri to every operation with a
    WHERE clause, as USING / USING NAMED would. An update that names its own dataset (USING
    or WITH) and also gets these parameters is refused, as the protocol requires."""
    if not using and not using_named:
        return update
    seq = tokens(update)
    if any(t.kind == "word" and t.text.upper() in {"USING", "WITH"} for t in seq):
        raise QueryError("an update with USING or WITH cannot also take using-graph-uri / using-named-graph-uri")
    clause = " ".join([*(f"USING <{g}>" for g in using), *(f"USING NAMED <{g}>" for g in using_named)]) + " "
    out, last, depth = [], 0, 0
    for token in seq:
        depth += {"{": 1, "}": -1}.get(token.text, 0)
        if depth == 0 and token.kind == "word" and token.text.upper() == "WHERE":
            out += [update[last : token.start], clause]
            last = token.start
    out.append(update[last:])
    return "".join(out)
