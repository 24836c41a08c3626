"""OWL 2 RL closure of an article graph, kept apart from what the article asserts.

owlrl expands the graph it is given in place, so it runs on a copy of
(asserted + ontology). What comes back is only the *new* knowledge about the
article's own nodes. Dropped, and why:

- triples already asserted, given as context or known from elsewhere, or
  entailed by the ontology alone (they are the ontology's business);
- triples whose subject is not a node of the asserted graph, or is a term of one
  of the vocabularies kg uses (owlrl types the vocabulary it meets:
  ``time:unitDay a time:TemporalUnit`` and the like);
- triples with a literal subject (owlrl's datatype bookkeeping, not RDF data);
- every ``owl:sameAs`` (owlrl adds ``x owl:sameAs x`` for every term; kg never
  asserts identity);
- ``x rdf:type owl:Thing`` (true of everything, says nothing);
- ``x rdf:type _:b`` where ``_:b`` is one of the ontology's anonymous classes (a
  restriction or intersection): a blank node that means nothing outside the ontology.
"""

from __future__ import annotations

from functools import cache

import owlrl
from rdflib import BNode, Graph, Literal
from rdflib.namespace import OWL, RDF

from kg.mapper import new_graph
from kg.namespaces import PREFIXES


def _expand(graph: Graph) -> None:
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False, improved_datatypes=False
    ).expand(graph)


@cache
def _ontology_closure(ontology: Graph) -> Graph:
    closed = Graph()
    closed += ontology
    _expand(closed)
    return closed


def infer(asserted: Graph, ontology: Graph, context: Graph | None = None, known: Graph | None = None) -> Graph:
    """The triples OWL 2 RL adds to ``asserted`` under ``ontology``, artefacts removed.

    ``context`` is background the closure may use (the authority's description of
    the entities an article mentions) and ``known`` is what is already inferred
    elsewhere (the authority's own closure); neither is repeated in the result.
    """
    work = Graph()
    work += asserted
    if context is not None:
        work += context
    work += ontology
    _expand(work)
    excluded = [asserted, _ontology_closure(ontology), *(g for g in (context, known) if g is not None)]
    vocabularies = tuple(PREFIXES.values())
    nodes = {n for n in (*asserted.subjects(), *asserted.objects()) if not isinstance(n, Literal)}
    subjects = {n for n in nodes if not str(n).startswith(vocabularies)}
    inferred = new_graph()
    for s, p, o in work:
        if isinstance(s, Literal) or p == OWL.sameAs or (p == RDF.type and (o == OWL.Thing or isinstance(o, BNode))):
            continue
        if s not in subjects or any((s, p, o) in g for g in excluded):
            continue
        inferred.add((s, p, o))
    return inferred
