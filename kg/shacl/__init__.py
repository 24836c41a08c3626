"""A compiled SHACL validator: the same results as pyshacl, without running pyshacl.

pyshacl interprets the shapes graph for every validation: it re-reads each shape, walks the
data graph through rdflib's generic triple API and runs SPARQL through rdflib's engine, which
costs about half a second for one article. Here the shapes graph is read once into Python
objects (:func:`compile_shapes`), the data is indexed once per validation
(subject → predicate → objects, and object → subjects for the few predicates read backwards),
and the SPARQL parts run on pyoxigraph over just the triples their patterns can match.

What is mirrored is pyshacl 0.40 as kg calls it::

    validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
             allow_warnings=True, advanced=True)

and that includes its particular behaviour, not only the SHACL specification:

- the ontology is mixed into (a copy of) the data the way pyshacl does it (its RDFS/OWL
  axioms, class declarations and annotations, blank nodes copied), so targets, ``sh:class``,
  closed shapes and SPARQL all see data ∪ that part of the ontology;
- a shape whose severity is allowed (``sh:Warning``, ``sh:Info``) always *conforms* when it is
  checked inside ``sh:or``/``sh:xone``/``sh:not``/``sh:node``/``sh:property``, and a shape
  conforms when the failing constraints only report allowed severities;
- paths: an inverse is pushed down to each step and does not reverse a sequence;
- messages: a result carries the ``sh:message`` values of the shape whose constraint failed
  (the property shape for its own constraints, the node shape for node-level ones); results of
  SPARQL constraints carry the constraint's and the shape's messages, with ``{$var}``
  substituted and *without* language tags; where pyshacl would invent a generic message the
  result has none;
- ``sh:closed`` gives one result per offending triple, ``sh:lessThan`` one per failing pair,
  ``sh:hasValue``/``sh:uniqueLang`` results have no value, duplicates are kept, and an
  ``sh:node`` result holds the node shape's results as details (pyshacl's ``sh:detail``).

Anything in a shapes graph outside what is implemented (an unknown ``sh:`` term, SHACL rules and
functions, custom components, recursive shapes, a SPARQL constraint with ``VALUES``/``MINUS``/
``SERVICE``...) makes :func:`compile_shapes` raise :class:`UnsupportedShapesError`, so the
compiled engine never validates less than pyshacl. Data pyshacl itself fails on (``sh:lessThan``
on a blank node) or that pyoxigraph cannot hold (an IRI that is not an IRI) raises
:class:`UnsupportedDataError`; :mod:`kg.validate` then runs pyshacl.

Known differences, all in SPARQL expressions, which pyshacl evaluates with rdflib and the
compiled validator with pyoxigraph (following the specification): ``SUBSTR`` with a start below 1
(rdflib slices from the end of the string); literals rdflib keeps apart but RDF equates (``"x"``
and ``"x"^^xsd:string``, ``"1.50"`` and ``"1.5"`` as decimals); and arithmetic on a decimal or
ill-typed value, on which rdflib raises (so pyshacl fails) and pyoxigraph evaluates. The ontology's
blank nodes are copied under other (random) names than pyshacl's, as pyshacl's own are random.

A compiled :class:`Shapes` is immutable: one can validate from several threads at once, and a
forked worker process makes its own pyoxigraph stores.

The package, one concern a module: ``model`` (results, paths, errors), ``data`` (the graph a
validation sees), ``sparql`` (the SPARQL parts), ``components`` (constraint components),
``reader`` (compiling a shapes graph), ``engine`` (running a validation).
"""

from kg.shacl.engine import Shapes, compile_shapes
from kg.shacl.model import (
    AlternativePath,
    InversePath,
    OneOrMorePath,
    Path,
    PredicatePath,
    Result,
    SequencePath,
    UnsupportedDataError,
    UnsupportedShapesError,
    ZeroOrMorePath,
    ZeroOrOnePath,
    path_from_graph,
    render_path,
)

__all__ = [
    "AlternativePath",
    "InversePath",
    "OneOrMorePath",
    "Path",
    "PredicatePath",
    "Result",
    "SequencePath",
    "Shapes",
    "UnsupportedDataError",
    "UnsupportedShapesError",
    "ZeroOrMorePath",
    "ZeroOrOnePath",
    "compile_shapes",
    "path_from_graph",
    "render_path",
]
