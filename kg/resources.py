"""Where the ontology and the shapes live. The only module that knows.

In a wheel they are packaged as ``kg/_data/{ontology,shapes}``; in a source
checkout they are the top-level ``ontology/`` and ``shapes/`` folders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph

_PACKAGE = Path(__file__).resolve().parent


def _folder(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kg is installed without its {name}/ folder")


def ontology_path() -> Path:
    return _folder("ontology") / "news.ttl"


def shapes_path() -> Path:
    """Shapes checked on the asserted graph of an article."""
    return _folder("shapes") / "article.ttl"


def closure_shapes_path() -> Path:
    """Shapes checked on the asserted graph together with its inferred closure."""
    return _folder("shapes") / "closure.ttl"


@cache
def ontology() -> Graph:
    """The news ontology, parsed once. Callers must not modify it."""
    return Graph().parse(ontology_path(), format="turtle")


@cache
def shapes() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


@cache
def closure_shapes() -> Graph:
    return Graph().parse(closure_shapes_path(), format="turtle")
