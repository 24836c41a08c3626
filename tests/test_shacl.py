"""kg.shacl: the compiled validator gives exactly pyshacl's results.

Identity with pyshacl is the point (as for kg.rules with owlrl): the whole multiset of results
(severity, focus node, path, messages, value, source shape, constraint component, SPARQL source
constraint, sh:node details) must be equal, with pyshacl run as kg.validate.check_reference runs
it. A result's messages are compared where the shapes declare them (pyshacl invents generic
texts that the compiled validator leaves out). Compared on:

- the seed's gated graph (article shapes), its closure (closure shapes) and the authority's graph;
- synthetic articles from kg.synthetic, as built and with seeded random breaks;
- every negative test of tests/test_shapes.py, on the broken node's neighbourhood, a few on the
  whole graph (a sample more under the slow marker);
- seeded random mutations of the seed's graphs (delete, duplicate, retype, ill-typed literal,
  wrong object, unknown property, owl:sameAs, broken offsets, data subclass axioms...);
- one tiny shapes graph per feature, each with a known number of results.

Then: refusals of what the compiled validator does not implement, path rendering, the SPARQL
footprints (a store of just that gives the same answers as a store of everything), reading
rdflib graphs fast, threads, Report parity of kg.validate.check and check_reference, and that
the comparison notices a broken engine.
"""

from __future__ import annotations

import random
import textwrap
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

import kg.shacl.components
import kg.shacl.data
import kg.validate
from kg import pipeline, resources, synthetic
from kg.annotation import authority_path
from kg.mapper import map_authority, referenced_authority
from kg.namespaces import KGO, NIF, PREFIXES, IRIs
from kg.pipeline import Built
from kg.shacl import (
    AlternativePath,
    InversePath,
    PredicatePath,
    Result,
    SequencePath,
    Shapes,
    UnsupportedShapesError,
    ZeroOrMorePath,
    compile_shapes,
    path_from_graph,
    render_path,
)
from kg.shacl import (
    Path as ShaclPath,
)
from kg.validate import check, check_reference, compiled
from tests.conftest import BUILT_AT
from tests.test_shapes import BREAKS, Break, Gated, Undoable, copy, neighbourhood, seed_gated  # noqa: F401 (a fixture)

# =================================================================================================
# Comparing with pyshacl
# =================================================================================================

Key = tuple[Node, Node, ShaclPath | None, tuple[Literal, ...], Node | None, Node, Node, Node | None]


def _messages(messages: object) -> tuple[Literal, ...]:
    return tuple(sorted(messages, key=lambda m: (str(m), m.language or "")))  # type: ignore[attr-defined]


def reference(data: Graph, shapes: Graph, ontology: Graph | None = None, allow_warnings: bool = True) -> Counter[Key]:
    """pyshacl's results, as kg runs it, keyed like :func:`ours` (messages only where declared)."""
    _, report, _ = pyshacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        allow_warnings=allow_warnings,
        advanced=True,
    )
    assert isinstance(report, Graph)
    out: Counter[Key] = Counter()
    for r in report.subjects(SH.resultSeverity, None):
        shape, constraint, path = (report.value(r, p) for p in (SH.sourceShape, SH.sourceConstraint, SH.resultPath))
        declared = (shape, SH.message, None) in shapes or (
            constraint is not None and (constraint, SH.message, None) in shapes
        )
        key = (
            report.value(r, SH.resultSeverity),
            report.value(r, SH.focusNode),
            None if path is None else path_from_graph(report, path),
            _messages(report.objects(r, SH.resultMessage)) if declared else (),
            report.value(r, SH.value),
            shape,
            report.value(r, SH.sourceConstraintComponent),
            constraint,
        )
        out[key] += 1  # type: ignore[index]
    return out


def _flat(results: list[Result]) -> Iterator[Result]:
    for result in results:
        yield result
        yield from _flat(list(result.details))


def ours(shapes: Shapes, data: Graph) -> Counter[Key]:
    return Counter(
        (r.severity, r.focus, r.path, _messages(r.messages), r.value, r.source_shape, r.component, r.source_constraint)
        for r in _flat(shapes.validate(data))
    )


def assert_same(
    data: Graph, shapes: Graph, ontology: Graph | None = None, engine: Shapes | None = None, allow_warnings: bool = True
) -> Counter[Key]:
    """The compiled validator's results are pyshacl's; returns them."""
    engine = engine or compile_shapes(shapes, ontology, allow_warnings=allow_warnings)
    expected, got = reference(data, shapes, ontology, allow_warnings), ours(engine, data)
    missing, extra = expected - got, got - expected
    assert not missing and not extra, "\n".join(
        [f"missing {k} x{n}" for k, n in missing.items()] + [f"extra {k} x{n}" for k, n in extra.items()]
    )
    return got


def shapes_for(which: str) -> tuple[Graph, Shapes]:
    """The article or closure shapes graph, and the gate's compiled validator for it."""
    if which == "article":
        return resources.shapes(), compiled(resources.shapes(), resources.ontology())
    return resources.closure_shapes(), compiled(resources.closure_shapes(), resources.ontology())


@pytest.fixture(scope="module")
def seed(seed_gated: Gated) -> Gated:  # noqa: F811 (the argument is the imported fixture)
    """The seed as the gate sees it, in graphs that can be broken and mended (test_shapes' fixture)."""
    return seed_gated


# =================================================================================================
# The bundled data
# =================================================================================================


def test_the_seed_gets_pyshacls_results(seed: Gated) -> None:
    shapes, engine = shapes_for("article")
    got = assert_same(seed.article, shapes, resources.ontology(), engine)
    assert sum(got.values()) == 1  # the seed's one known warning


def test_the_seed_closure_gets_pyshacls_results(seed: Gated) -> None:
    assert len(seed.closure) > 3000
    shapes, engine = shapes_for("closure")
    assert_same(seed.closure, shapes, resources.ontology(), engine)


def test_the_authority_gets_pyshacls_results(authority_built: Built) -> None:
    shapes, engine = shapes_for("article")
    assert_same(authority_built.asserted, shapes, resources.ontology(), engine)


def test_check_and_check_reference_give_the_same_report(seed: Gated) -> None:
    """kg.validate's two paths give equal Reports, readable inverse paths included."""
    with seed.article.broken() as graph:
        for name in ("mention-denotes-nothing", "participation-of-no-event", "entity-label-missing"):
            case = BREAKS[name]
            case.mutate(graph, case.node(graph))
        data = copy(graph)
    report = check(data, resources.shapes(), resources.ontology())
    assert report == check_reference(data, resources.shapes(), resources.ontology())
    assert {f.path for f in report.violations} >= {"^kgo:denotedBy", "^kgo:hasParticipation"}


# =================================================================================================
# Synthetic articles
# =================================================================================================

SYNTHETIC_ARTICLES = 20


@dataclass(frozen=True)
class Synthetic:
    name: str
    gated: Graph
    closure: Graph


@pytest.fixture(scope="module")
def synthetic_articles(tmp_path_factory: pytest.TempPathFactory, iris: IRIs) -> list[Synthetic]:
    root = tmp_path_factory.mktemp("synthetic") / "articles"
    folders = synthetic.generate(root, SYNTHETIC_ARTICLES, seed=11)
    source = pipeline.load_authority_source(authority_path(root))
    authority = pipeline.build_authority(source, iris, BUILT_AT)
    out = []
    for folder in folders:
        article = pipeline.load(folder, source)
        built = pipeline.build_article(article, iris, BUILT_AT, authority)
        context = map_authority(article.authority, iris, referenced_authority(article.annotation, article.authority))
        gated = built.asserted + context
        out.append(Synthetic(folder.name, gated, gated + built.inferred + authority.inferred))
    return out


@pytest.mark.parametrize("index", [0, 7])
def test_synthetic_articles_as_built_get_pyshacls_results(synthetic_articles: list[Synthetic], index: int) -> None:
    article = synthetic_articles[index]
    for which, graph in (("article", article.gated), ("closure", article.closure)):
        shapes, engine = shapes_for(which)
        assert_same(graph, shapes, resources.ontology(), engine)


@pytest.mark.parametrize("index", range(SYNTHETIC_ARTICLES))
def test_broken_synthetic_articles_get_pyshacls_results(synthetic_articles: list[Synthetic], index: int) -> None:
    """Each article with a few seeded random breaks at once (as built, they have no finding at all)."""
    article = synthetic_articles[index]
    rng = random.Random(f"synthetic/{index}")
    shapes, engine = shapes_for("article")
    assert sum(assert_same(mutate(article.gated, rng, 4)[0], shapes, resources.ontology(), engine).values())
    shapes, engine = shapes_for("closure")
    assert_same(mutate(article.closure, rng, 2, CLOSURE_MUTATIONS)[0], shapes, resources.ontology(), engine)


# =================================================================================================
# Every negative test of tests/test_shapes.py
# =================================================================================================


def broken(gated: Gated, case: Break, whole: bool = False) -> Graph:
    """The gated graph with ``case``'s break: the broken node's neighbourhood, or all of it."""
    shared = gated.article if case.shapes == "article" else gated.closure
    with shared.broken() as graph:
        node = case.node(graph)
        case.mutate(graph, node)
        return copy(graph) if whole else neighbourhood(graph, node)


@pytest.mark.parametrize("name", list(BREAKS))
def test_every_negative_test_gets_pyshacls_results(seed: Gated, name: str) -> None:
    """On the neighbourhood; where that does not show the break (test_shapes checks some on the whole
    graph, or allows the finding on another node), on the whole graph too."""
    case = BREAKS[name]
    shapes, engine = shapes_for(case.shapes)
    got = assert_same(broken(seed, case), shapes, resources.ontology(), engine)
    if not any(key[0] == SH[case.severity] for key in got):
        got = assert_same(broken(seed, case, whole=True), shapes, resources.ontology(), engine)
    assert any(key[0] == SH[case.severity] for key in got)


WHOLE = [
    "mention-end-before-begin",
    "text-anchor-does-not-match",
    "relation-not-asserted",
    "entity-never-mentioned",
    "participation-of-two-events",
    "factual-and-negated",
    "tenure-holder-holds-nothing",
]


@pytest.mark.parametrize("name", WHOLE)
def test_negative_tests_on_the_whole_graph_get_pyshacls_results(seed: Gated, name: str) -> None:
    shapes, engine = shapes_for(BREAKS[name].shapes)
    assert sum(assert_same(broken(seed, BREAKS[name], whole=True), shapes, resources.ontology(), engine).values())


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in BREAKS if n not in WHOLE][::6])
def test_more_negative_tests_on_the_whole_graph_get_pyshacls_results(seed: Gated, name: str) -> None:
    """A sample (pyshacl takes about half a second a graph; all of them agree, run by hand)."""
    shapes, engine = shapes_for(BREAKS[name].shapes)
    assert sum(assert_same(broken(seed, BREAKS[name], whole=True), shapes, resources.ontology(), engine).values())


# =================================================================================================
# Seeded random mutations
# =================================================================================================

UNKNOWN = URIRef("http://example.org/unknown#property")
Mutation = Callable[[Graph, random.Random], None]


def _sorted(nodes: object) -> list[Node]:
    return sorted(set(nodes), key=str)  # type: ignore[call-overload]


# rdflib's SPARQL engine (pyshacl's) raises on arithmetic with an ill-typed offset: no result to
# compare. Random breaks leave offsets well-typed; that case has its own test below.
OFFSETS = (NIF.beginIndex, NIF.endIndex)


def _pick(graph: Graph, rng: random.Random, literal: bool, offsets: bool = True) -> tuple[Node, Node, Node]:
    triples = sorted(
        (
            t
            for t in graph
            if isinstance(t[2], Literal) == literal
            and (literal or t[1] != RDF.type)
            and (offsets or t[1] not in OFFSETS)
        ),
        key=str,
    )
    return rng.choice(triples)


def delete_triple(g: Graph, rng: random.Random) -> None:
    g.remove(rng.choice(sorted(g, key=str)))


def duplicate_value(g: Graph, rng: random.Random) -> None:
    s, p, o = _pick(g, rng, literal=True)
    assert isinstance(o, Literal)
    if o.language:
        g.add((s, p, Literal(f"{o} again", lang=rng.choice([o.language, o.language.upper(), "fr", "en-GB"]))))
    else:
        g.add((s, p, Literal(f"{o}1", datatype=o.datatype)))


def retype_literal(g: Graph, rng: random.Random) -> None:
    s, p, o = _pick(g, rng, literal=True, offsets=False)
    g.remove((s, p, o))
    datatype = rng.choice([None, XSD.string, XSD.integer, XSD.date, XSD.gYear, XSD.gYearMonth, "lang"])
    g.add((s, p, Literal(str(o), lang="en") if datatype == "lang" else Literal(str(o), datatype=datatype)))


def ill_typed_literal(g: Graph, rng: random.Random) -> None:
    s, p, o = _pick(g, rng, literal=True, offsets=False)
    assert isinstance(o, Literal)
    g.remove((s, p, o))
    g.add((s, p, Literal(rng.choice(["abc", "2015-13-45"]), datatype=o.datatype or XSD.integer)))


def retype_node(g: Graph, rng: random.Random) -> None:
    s, _, cls = rng.choice(sorted(g.triples((None, RDF.type, None)), key=str))
    if rng.random() < 0.5:
        g.remove((s, RDF.type, cls))
    g.add((s, RDF.type, rng.choice(_sorted(g.objects(None, RDF.type)))))


def unknown_property(g: Graph, rng: random.Random) -> None:
    nodes = _sorted(g.subjects())
    p = rng.choice([UNKNOWN, RDFS.comment, rng.choice(_sorted(g.predicates()))])
    g.add((rng.choice(nodes), p, rng.choice([Literal("x"), Literal("y", lang="en"), rng.choice(nodes)])))


def wrong_object(g: Graph, rng: random.Random) -> None:
    s, p, o = _pick(g, rng, literal=False)
    g.remove((s, p, o))
    g.add((s, p, rng.choice(_sorted(g.subjects()))))


def same_as(g: Graph, rng: random.Random) -> None:
    nodes = _sorted(g.subjects())
    g.add((rng.choice(nodes), OWL.sameAs, rng.choice(nodes)))


def broken_offsets(g: Graph, rng: random.Random) -> None:
    """Offsets pyshacl's SPARQL (rdflib) can still evaluate: integers, swapped, out of range, strings.
    (Decimal or ill-typed offsets make rdflib's SPARQL engine raise: see the test below.)"""
    mention = rng.choice(_sorted(g.subjects(RDF.type, KGO.Mention)))
    p = rng.choice([NIF.beginIndex, NIF.endIndex])
    other = NIF.endIndex if p == NIF.beginIndex else NIF.beginIndex
    old, kept = g.value(mention, p), g.value(mention, other)
    change = rng.choice(["swap", "zero", "one", "huge", "string", "plus"])
    g.remove((mention, p, None))
    if change == "swap" and kept is not None:
        g.set((mention, other, old or Literal(0)))
        g.add((mention, p, kept))
    elif change == "string":
        g.add((mention, p, Literal(str(old))))
    elif change == "plus" and old is not None:
        g.add((mention, p, Literal(int(old) + 1)))
    else:
        g.add((mention, p, Literal({"zero": 0, "one": 1, "huge": 10**6}.get(change, 2))))


def drop_node(g: Graph, rng: random.Random) -> None:
    node = rng.choice(_sorted(g.subjects()))
    g.remove((node, None, None))
    g.remove((None, None, node))


def data_subclass(g: Graph, rng: random.Random) -> None:
    classes = _sorted(g.objects(None, RDF.type))
    g.add((rng.choice(classes), RDFS.subClassOf, rng.choice(classes)))


def link_twice(g: Graph, rng: random.Random) -> None:
    _, p, o = _pick(g, rng, literal=False)
    g.add((rng.choice(_sorted(g.subjects(p, None))), p, o))


MUTATIONS: list[Mutation] = [
    delete_triple,
    duplicate_value,
    retype_literal,
    ill_typed_literal,
    retype_node,
    unknown_property,
    wrong_object,
    same_as,
    broken_offsets,
    drop_node,
    data_subclass,
    link_twice,
]
CLOSURE_MUTATIONS: list[Mutation] = [delete_triple, retype_node, wrong_object, drop_node, data_subclass, link_twice]


def mutate(graph: Graph, rng: random.Random, count: int, kinds: list[Mutation] = MUTATIONS) -> tuple[Graph, list[str]]:
    """A copy of ``graph`` with ``count`` seeded random breaks (kinds with nothing to break are skipped)."""
    out = copy(graph)
    done = []
    for _ in range(count):
        kind = rng.choice(kinds)
        try:
            kind(out, rng)
        except (IndexError, ValueError, TypeError):  # nothing of that kind here (or an ill-typed old value)
            continue
        done.append(kind.__name__)
    return out, done


def mutated(gated: Gated, which: str, seed: int, whole: bool = False) -> tuple[Graph, list[str]]:
    rng = random.Random(f"mutation/{which}/{seed}")
    graph: Graph = gated.article if which == "article" else gated.closure
    if not whole:
        graph = neighbourhood(graph, rng.choice(_sorted(graph.subjects())))
    return mutate(graph, rng, rng.choice([1, 1, 2, 3]), MUTATIONS if which == "article" else CLOSURE_MUTATIONS)


@pytest.mark.parametrize("number", range(60))
def test_random_breaks_of_the_seed_get_pyshacls_results(seed: Gated, number: int) -> None:
    shapes, engine = shapes_for("article")
    assert_same(mutated(seed, "article", number)[0], shapes, resources.ontology(), engine)


@pytest.mark.parametrize("number", range(20))
def test_random_breaks_of_the_seed_closure_get_pyshacls_results(seed: Gated, number: int) -> None:
    shapes, engine = shapes_for("closure")
    assert_same(mutated(seed, "closure", number)[0], shapes, resources.ontology(), engine)


@pytest.mark.parametrize("number", range(3))
def test_random_breaks_of_the_whole_seed_get_pyshacls_results(seed: Gated, number: int) -> None:
    shapes, engine = shapes_for("article")
    assert_same(mutated(seed, "article", 1000 + number, whole=True)[0], shapes, resources.ontology(), engine)


@pytest.mark.slow
@pytest.mark.parametrize("number", range(60, 120))
def test_more_random_breaks_of_the_seed_get_pyshacls_results(seed: Gated, number: int) -> None:
    which = "article" if number % 4 else "closure"
    graph, _ = mutated(seed, which, number, whole=number % 10 == 0)
    shapes, engine = shapes_for(which)
    assert_same(graph, shapes, resources.ontology(), engine)


def test_mutations_break_something(seed: Gated) -> None:
    """So the random comparisons above are not all comparisons of nothing."""
    found = [sum(ours(shapes_for("article")[1], mutated(seed, "article", n)[0]).values()) for n in range(60)]
    assert sum(1 for f in found if f) > 40


@pytest.mark.parametrize("offset", [Literal(Decimal("1.5")), Literal("abc", datatype=XSD.integer)])
def test_where_pyshacls_sparql_fails_the_compiled_validator_reports(seed: Gated, offset: Literal) -> None:
    """rdflib's SPARQL engine raises on arithmetic with a decimal or ill-typed offset (TypeError,
    RecursionError), so pyshacl has no results to compare; the compiled validator reports the
    offset as the article shapes say (and pyoxigraph evaluates the anchor check)."""
    mention = BREAKS["mention-begin-negative"].node(seed.article)
    with seed.article.broken() as graph:
        graph.set((mention, NIF.beginIndex, offset))
        data = neighbourhood(graph, mention)
    with pytest.raises((TypeError, RecursionError)):
        reference(data, resources.shapes(), resources.ontology())
    results = shapes_for("article")[1].validate(data)
    assert any(r.focus == mention and r.path == PredicatePath(NIF.beginIndex) for r in results)


# =================================================================================================
# Each feature on a tiny shapes graph
# =================================================================================================

PREFIXES_TTL = """
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix ex:   <http://example.org/> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
"""
EX = "http://example.org/"


def turtle(text: str) -> Graph:
    return Graph().parse(data=PREFIXES_TTL + textwrap.dedent(text), format="turtle")


@dataclass(frozen=True)
class Feature:
    shapes: str
    data: str
    results: int
    ontology: str = ""

    def param(self, name: str) -> object:
        return pytest.param(self, id=name)


ONE_VALUE_EACH = "sh:nodeKind sh:Literal"  # reports every IRI value node: shows which nodes a path reaches

FEATURES = {
    "targetClass-through-data-and-ontology-subclasses": Feature(
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
        "ex:a a ex:A . ex:b a ex:B . ex:B rdfs:subClassOf ex:A . ex:c a ex:C . ex:d a ex:D . ex:e ex:p 1 .",
        3,
        ontology="ex:C rdfs:subClassOf ex:B .",
    ),
    "targetNode-subjectsOf-objectsOf": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:nowhere ; sh:targetSubjectsOf ex:q ; sh:targetObjectsOf ex:r ;
             sh:property [ sh:path ex:p ; sh:minCount 1 ] .""",
        'ex:x ex:q ex:y . ex:y ex:r "literal" . ex:z ex:r ex:x .',
        3,  # ex:nowhere, ex:x (a subject of ex:q and an object of ex:r), "literal"
    ),
    "implicit-class-target": Feature(
        "ex:K a rdfs:Class , sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
        "ex:k a ex:K . ex:j a ex:J .",
        1,
    ),
    "sparql-target": Feature(
        """ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; sh:prefixes ex:shapes ;
               sh:select "SELECT ?this WHERE { ?this ex:q ?o . FILTER (isIRI(?o)) }" ] ;
             sh:property [ sh:path ex:p ; sh:minCount 1 ] .
           ex:shapes a owl:Ontology ;
             sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .""",
        'ex:a ex:q ex:b . ex:c ex:q "x" . ex:d ex:q ex:e ; ex:p 1 .',
        1,
    ),
    "inverse-path": Feature(
        f"""ex:S a sh:NodeShape ; sh:targetNode ex:b ;
              sh:property [ sh:path [ sh:inversePath ex:p ] ; {ONE_VALUE_EACH} ] .""",
        "ex:a ex:p ex:b . ex:c ex:p ex:b . ex:b ex:p ex:d .",
        2,
    ),
    "alternative-path-inside-inverse": Feature(
        f"""ex:S a sh:NodeShape ; sh:targetNode ex:b ;
             sh:property [ sh:path [ sh:inversePath [ sh:alternativePath ( ex:p ex:q ) ] ] ; {ONE_VALUE_EACH} ] .""",
        "ex:a ex:p ex:b . ex:c ex:q ex:b . ex:b ex:p ex:d .",
        2,
    ),
    "sequence-path": Feature(
        f"ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ( ex:p ex:q ) ; {ONE_VALUE_EACH} ] .",
        "ex:a ex:p ex:b , ex:c . ex:b ex:q ex:d . ex:c ex:q ex:d , ex:e .",
        2,
    ),
    "inverse-of-a-sequence-as-pyshacl-reads-it": Feature(
        # pyshacl reads ^(p/q) as ^p/^q: from ex:c it reaches ex:f (not ex:a, as SPARQL's ^(p/q) would)
        f"""ex:S a sh:NodeShape ; sh:targetNode ex:c ;
             sh:property [ sh:path [ sh:inversePath ( ex:p ex:q ) ] ; {ONE_VALUE_EACH} ] .""",
        "ex:a ex:p ex:b . ex:b ex:q ex:c . ex:e ex:p ex:c . ex:f ex:q ex:e .",
        1,
    ),
    "zero-or-more-one-or-more-zero-or-one": Feature(
        f"""ex:S a sh:NodeShape ; sh:targetNode ex:a ;
             sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; {ONE_VALUE_EACH} ] ,
                         [ sh:path [ sh:oneOrMorePath ex:p ] ; {ONE_VALUE_EACH} ] ,
                         [ sh:path [ sh:zeroOrOnePath ex:p ] ; {ONE_VALUE_EACH} ] .""",
        "ex:a ex:p ex:b . ex:b ex:p ex:c . ex:c ex:p ex:a .",
        3 + 3 + 2,
    ),
    "class-with-literals-and-several-classes": Feature(
        "ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:property [ sh:path ex:p ; sh:class ex:A , ex:B ] .",
        'ex:x ex:p ex:a , ex:ab , "literal" . ex:a a ex:A . ex:ab a ex:AB . ex:AB rdfs:subClassOf ex:A , ex:B .',
        1 + 2,
    ),
    "datatype-ill-typed-plain-and-language-tagged": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:property [ sh:path ex:int ; sh:datatype xsd:integer ] , [ sh:path ex:str ; sh:datatype xsd:string ] ,
                         [ sh:path ex:lang ; sh:datatype rdf:langString ] ,
                         [ sh:path ex:year ; sh:datatype xsd:gYear ] ,
                         [ sh:path ex:any ; sh:datatype rdfs:Literal ] ,
                         [ sh:path ex:date ; sh:datatype xsd:date ] .""",
        """ex:x ex:int 1 , "abc"^^xsd:integer , "1" , 1.5 ;
               ex:str "plain" , "typed"^^xsd:string , "tagged"@en , ex:iri ;
               ex:lang "tagged"@en , "plain" ;
               ex:year "2015"^^xsd:gYear , "20x5"^^xsd:gYear , "2015" ;
               ex:any "a" , 1 , ex:iri ;
               ex:date "2015-10-21"^^xsd:date , "2015-13-45"^^xsd:date , "2015-10-21T10:00:00"^^xsd:dateTime .""",
        3 + 2 + 1 + 1 + 1 + 2,
    ),
    "nodeKind-every-kind": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:property [ sh:path ex:p ; sh:nodeKind sh:IRI ] , [ sh:path ex:p ; sh:nodeKind sh:BlankNode ] ,
               [ sh:path ex:p ; sh:nodeKind sh:Literal ] , [ sh:path ex:p ; sh:nodeKind sh:BlankNodeOrIRI ] ,
               [ sh:path ex:p ; sh:nodeKind sh:BlankNodeOrLiteral ] ,
               [ sh:path ex:p ; sh:nodeKind sh:IRIOrLiteral ] .""",
        'ex:x ex:p ex:iri , [ ex:q 1 ] , "literal" .',
        2 + 2 + 2 + 1 + 1 + 1,
    ),
    "minCount-maxCount": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x , ex:y , ex:z ;
             sh:property [ sh:path ex:p ; sh:minCount 2 ; sh:maxCount 2 ] .""",
        "ex:x ex:p 1 . ex:y ex:p 1 , 2 . ex:z ex:p 1 , 2 , 3 .",
        2,
    ),
    "in-and-hasValue": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x , ex:y ;
             sh:property [ sh:path ex:p ; sh:in ( ex:a 1 "one" ) ] , [ sh:path ex:p ; sh:hasValue 1 ] ,
                         [ sh:path ex:p ; sh:hasValue ex:a ] .""",
        'ex:x ex:p ex:a , 1 , "1" . ex:y ex:p "one"@en .',
        1 + 1 + 1 + 1,
    ),
    "value-ranges": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:property [ sh:path ex:n ; sh:minInclusive 0 ; sh:maxExclusive 10 ] ,
                         [ sh:path ex:d ; sh:minExclusive "2015-01-01"^^xsd:date ;
                           sh:maxInclusive "2016-01-01"^^xsd:date ] ,
                         [ sh:path ex:s ; sh:minInclusive "b" ] .""",
        """ex:x ex:n -1 , 0 , 9.5 , 10 , "5" , "abc"^^xsd:integer , 2.5e0 ;
               ex:d "2015-01-01"^^xsd:date , "2015-06-01"^^xsd:date , "2016-01-01"^^xsd:date , "2017-01-01"^^xsd:date ;
               ex:s "a" , "c" , 3 .""",
        (3 + 3) + (1 + 1) + 2,  # ill-typed and string values fail both bounds of ex:n
    ),
    "pattern-flags-lengths": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:property [ sh:path ex:p ; sh:pattern "^ab" ; sh:flags "i" ] ,
                         [ sh:path ex:p ; sh:minLength 3 ; sh:maxLength 4 ] .""",
        'ex:x ex:p "ABc" , "xab" , "ab" , 12345 , ex:abc , [ ex:q 1 ] .',
        4 + (2 + 3),  # pattern: xab, 12345, the IRI, the blank node; lengths: ab, blank | 12345, IRI, blank
    ),
    "languageIn-uniqueLang": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:property [ sh:path ex:p ; sh:languageIn ( "en" "fr" ) ; sh:uniqueLang true ] .""",
        'ex:x ex:p "a"@en , "b"@EN , "c"@en-GB , "d"@de , "e" , "f"@fr .',
        2 + 1,
    ),
    "lessThan-lessThanOrEquals": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:property [ sh:path ex:begin ; sh:lessThan ex:end ] ,
                         [ sh:path ex:begin ; sh:lessThanOrEquals ex:end ] .""",
        'ex:x ex:begin 1 , 5 , "3" ; ex:end 5 , 7 .',
        3 + 2,  # (5, 5), ("3", 5), ("3", 7) | the string against both
    ),
    "equals-disjoint": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:property [ sh:path ex:p ; sh:equals ex:q ; sh:disjoint ex:r ] .""",
        "ex:x ex:p 1 , 2 ; ex:q 2 , 3 ; ex:r 1 , 4 .",
        2 + 1,
    ),
    "and-or-xone-not": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:property [ sh:path ex:p ;
               sh:or ( [ sh:class ex:A ] [ sh:class ex:B ] ) ;
               sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] ) ;
               sh:and ( [ sh:nodeKind sh:IRI ] [ sh:class ex:A ] ) ;
               sh:not [ sh:class ex:B ] ] .""",
        "ex:x ex:p ex:a , ex:b , ex:ab , ex:none . ex:a a ex:A . ex:b a ex:B . ex:ab a ex:A , ex:B .",
        1 + 2 + 2 + 2,  # or: none | xone: ab, none | and: b, none | not: b, ab
    ),
    "or-of-property-shapes-with-messages": Feature(
        """ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:message "node message"@en ;
             sh:or ( [ sh:path ex:p ; sh:minCount 1 ; sh:message "member"@en ]
                     [ sh:path [ sh:inversePath ex:q ] ; sh:minCount 1 ] ) .""",
        "ex:a a ex:A ; ex:p 1 . ex:b a ex:A . ex:c a ex:A . ex:d ex:q ex:c .",
        1,
    ),
    "node-with-details": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:property [ sh:path ex:p ; sh:node ex:N ] .
           ex:N a sh:NodeShape ; sh:property [ sh:path ex:q ; sh:minCount 1 ] ,
                                           [ sh:path ex:r ; sh:maxCount 0 ; sh:severity sh:Warning ] .""",
        "ex:x ex:p ex:a , ex:b , ex:c . ex:a ex:q 1 . ex:c ex:q 1 ; ex:r 1 .",
        (2 + 1) + 1,
    ),
    "qualified-value-shapes-disjoint": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:A ] ; sh:qualifiedMinCount 2 ;
                           sh:qualifiedValueShapesDisjoint true ] ,
                         [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:B ] ; sh:qualifiedMaxCount 0 ;
                           sh:qualifiedValueShapesDisjoint true ] .""",
        "ex:x ex:p ex:a , ex:ab , ex:b . ex:a a ex:A . ex:ab a ex:A , ex:B . ex:b a ex:B .",
        2,
    ),
    "closed-ignored-and-rdfs-resource": Feature(
        """ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:closed true ; sh:ignoredProperties ( ex:ignored ) ;
             sh:property [ sh:path ex:p ] , [ sh:path [ sh:inversePath ex:back ] ] .
           ex:P a sh:PropertyShape ; sh:targetNode ex:y ; sh:path ex:to ; sh:closed true ;
             sh:property [ sh:path ex:ok ] .""",
        """ex:a a ex:A , rdfs:Resource ; ex:p 1 ; ex:ignored 2 ; ex:back 3 ; ex:other 4 , 5 .
           ex:y ex:to ex:z . ex:z ex:ok 1 ; ex:bad 2 .""",
        4 + 1,  # ex:a's rdf:type ex:A, ex:back, two ex:other | ex:z's ex:bad
    ),
    "warnings-conform-inside-or-and-not": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:or ( ex:W ex:V ) ; sh:not ex:W ; sh:property [ sh:path ex:p ; sh:severity sh:Warning ; sh:minCount 1 ] .
           ex:W a sh:NodeShape ; sh:severity sh:Warning ; sh:class ex:Nothing .
           ex:V a sh:NodeShape ; sh:class ex:Nothing .""",
        "ex:x ex:q 1 .",
        1 + 1,
    ),
    "severities-and-messages": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:severity sh:Info ; sh:message "a"@en , "ein"@de ;
             sh:class ex:Nothing ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:severity ex:Custom ] .""",
        "ex:x ex:q 1 .",
        2,
    ),
    "deactivated": Feature(
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:deactivated true ; sh:class ex:Nothing .
           ex:T a sh:NodeShape ; sh:targetNode ex:x ;
             sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:deactivated true ] ;
             sh:sparql [ sh:select "SELECT $this WHERE { }" ; sh:deactivated true ] ; sh:or ( ex:D ) .
           ex:D a sh:NodeShape ; sh:deactivated true ; sh:class ex:Nothing .""",
        "ex:x ex:q 1 .",
        0,
    ),
    "sparql-constraints": Feature(
        """ex:S a sh:NodeShape ; sh:targetClass ex:A ;
             sh:sparql [ sh:prefixes ex:shapes ; sh:message "{$this} has {?value} via {?p}"@en ;
               sh:select "SELECT $this ?value ?p WHERE { $this ?p ?value . FILTER (isLiteral(?value)) }" ] ,
             [ sh:select "SELECT $this ?failure WHERE { $this a ?c . BIND (true AS ?failure) }" ] ,
             [ sh:select "SELECT $this ?path WHERE { $this ?path ?o . FILTER (?o = $currentShape) }" ] .
           ex:P a sh:PropertyShape ; sh:targetClass ex:A ; sh:path ( ex:p ex:q ) ; sh:message "path"@en ;
             sh:sparql [ sh:select "SELECT $this ?value WHERE { $this $PATH ?value }" ] ,
                       [ sh:select "SELECT $this WHERE { $this $PATH ?v }" ] .
           ex:shapes a owl:Ontology ;
             sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .""",
        'ex:a a ex:A ; ex:n 1 , "one" ; ex:p ex:b ; ex:r ex:S . ex:b ex:q ex:c , ex:d .',
        2 + 1 + 1 + 2 + 1,
    ),
    "sparql-with-this-not-selected-and-blank-nodes": Feature(
        """ex:S a sh:NodeShape ; sh:targetClass ex:A ;
             sh:sparql [ sh:message "{$this} {?value}" ;
               sh:select "SELECT ?value WHERE { $this <http://example.org/p> ?value . FILTER (!isLiteral(?value)) }" ] ,
             [ sh:select "SELECT DISTINCT $this WHERE { $this <http://example.org/p> ?v }" ] .""",
        "[ a ex:A ; ex:p [ ex:q 1 ] , ex:b , 2 ] . ex:c a ex:A ; ex:p ex:b , ex:d .",
        (2 + 2) + (1 + 1),  # the blank node and ex:b | ex:b and ex:d, then one per focus node
    ),
    "the-ontology-mixed-in": Feature(
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing , owl:Class ; sh:closed true ; sh:property [ sh:path ex:p ] .",
        "ex:t a ex:Sub .",
        6,  # ex:t's type | ex:i's two types and ex:q | ex:Thing's type and comment (ex:Sub is no owl:Class)
        ontology="""ex:Sub rdfs:subClassOf ex:Thing ; rdfs:label "sub" ; ex:note "not mixed in" .
                    ex:Thing a owl:Class ; rdfs:comment "a thing" .
                    ex:i a owl:NamedIndividual , ex:Thing ; ex:p 1 ; ex:q 2 .
                    ex:j ex:r ex:i .""",
    ),
    "blank-nodes-in-the-data": Feature(
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:class ex:B ] .",
        "[ a ex:A ; ex:p [ a ex:C ] ] . [ a ex:A ] .",
        2,
    ),
}


@pytest.mark.parametrize("feature", [f.param(name) for name, f in FEATURES.items()])
def test_each_feature_gets_pyshacls_results(feature: Feature) -> None:
    shapes, data = turtle(feature.shapes), turtle(feature.data)
    ontology = turtle(feature.ontology) if feature.ontology else None
    got = assert_same(data, shapes, ontology)
    assert sum(got.values()) == feature.results, got


def test_without_allowed_warnings_a_warning_member_fails() -> None:
    """With warnings allowed, ex:W conforms: sh:or passes and sh:not fails; without, the other way round."""
    feature = FEATURES["warnings-conform-inside-or-and-not"]
    shapes, data = turtle(feature.shapes), turtle(feature.data)
    allowed, strict = assert_same(data, shapes), assert_same(data, shapes, allow_warnings=False)
    assert {key[6] for key in allowed} == {SH.NotConstraintComponent, SH.MinCountConstraintComponent}
    assert {key[6] for key in strict} == {SH.OrConstraintComponent, SH.MinCountConstraintComponent}


def test_the_inverse_of_a_sequence_is_read_as_pyshacl_reads_it() -> None:
    feature = FEATURES["inverse-of-a-sequence-as-pyshacl-reads-it"]
    (result,) = compile_shapes(turtle(feature.shapes)).validate(turtle(feature.data))
    assert result.value == URIRef(EX + "f")


def test_sparql_messages_are_substituted_and_lose_their_language() -> None:
    feature = FEATURES["sparql-constraints"]
    results = compile_shapes(turtle(feature.shapes)).validate(turtle(feature.data))
    texts = {m for r in results for m in r.messages}
    assert Literal(f"{EX}a has one via {EX}n") in texts
    assert all(m.language is None for r in results if r.component == SH.SPARQLConstraintComponent for m in r.messages)


def test_the_ontology_mix_is_pyshacls() -> None:
    """The same classes and properties pyshacl copies from an ontology (it is data, not code, here)."""
    from pyshacl.rdfutil.consts import OWL_classes, OWL_properties, RDFS_classes, RDFS_properties

    assert list(kg.shacl.data.MIXED_CLASSES) == RDFS_classes + OWL_classes
    assert list(kg.shacl.data.MIXED_PROPERTIES) == RDFS_properties + OWL_properties


# =================================================================================================
# Refusals
# =================================================================================================

REFUSED = {
    "sh:rule": ("ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:rule [ a sh:TripleRule ] .", "sh:rule"),
    "sh:expression": ("ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:expression ex:f .", "sh:expression"),
    "custom-component": ("ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:p ] .", "ConstraintComponent"),
    "custom-target": ("ex:S a sh:NodeShape ; sh:target [ a ex:MyTarget ] .", "not a SPARQL target"),
    "recursion": (
        "ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:property [ sh:path ex:p ; sh:node ex:S ] .",
        "recursive",
    ),
    "minCount-on-a-node-shape": ("ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:minCount 1 .", "property shapes"),
    "two-datatypes": (
        "ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:datatype xsd:string , xsd:integer .",
        "more than one sh:datatype",
    ),
    "sparql-with-values": (
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } }" ] .""",
        "VALUES",
    ),
    "sparql-shapes-graph": (
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:sparql [ sh:select "SELECT $this WHERE { GRAPH $shapesGraph { } }" ] .""",
        "$shapesGraph",
    ),
    "sparql-target-without-this": (
        'ex:S a sh:NodeShape ; sh:target [ sh:select "SELECT ?x WHERE { ?x ?p ?o }" ] .',
        "must select ?this",
    ),
    "conflicting-prefixes": (
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:sparql [ sh:prefixes ex:a , ex:b ; sh:select "SELECT $this WHERE { }" ] .
           ex:a sh:declare [ sh:prefix "p" ; sh:namespace "http://a/" ] .
           ex:b sh:declare [ sh:prefix "p" ; sh:namespace "http://b/" ] .""",
        "two namespaces",
    ),
    "severity-on-a-sparql-constraint": (
        """ex:S a sh:NodeShape ; sh:targetNode ex:x ;
             sh:sparql [ sh:select "SELECT $this WHERE { }" ; sh:severity sh:Warning ] .""",
        "sh:severity",
    ),
    "path-list-of-one": ("ex:S a sh:PropertyShape ; sh:targetNode ex:x ; sh:path ( ex:p ) .", "at least two"),
    "node-shape-with-a-path": ("ex:S a sh:NodeShape ; sh:path ex:p .", "cannot have a sh:path"),
}


@pytest.mark.parametrize(("name", "case"), REFUSED.items(), ids=list(REFUSED))
def test_what_is_not_implemented_is_refused_by_name(name: str, case: tuple[str, str]) -> None:
    shapes, expected = case
    with pytest.raises(UnsupportedShapesError, match=r"example\.org") as raised:
        compile_shapes(turtle(shapes))
    assert expected in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_the_bundled_shapes_compile() -> None:
    for shapes in (resources.shapes(), resources.closure_shapes()):
        assert compile_shapes(shapes, resources.ontology()).targeted


# =================================================================================================
# Paths in reports
# =================================================================================================


def test_paths_are_rendered_as_sparql_property_paths() -> None:
    kgo = str(KGO)
    assert render_path(InversePath(PredicatePath(KGO.denotedBy)), PREFIXES) == "^kgo:denotedBy"
    alternative = AlternativePath((PredicatePath(KGO.partOf), PredicatePath(KGO.containedIn)))
    assert render_path(InversePath(alternative), PREFIXES) == "^(kgo:partOf|kgo:containedIn)"
    assert render_path(SequencePath((PredicatePath(KGO.a), ZeroOrMorePath(alternative))), {"k": kgo}) == (
        "k:a/(k:partOf|k:containedIn)*"
    )
    assert render_path(PredicatePath(URIRef("http://x/a/b")), {"x": "http://x/"}) == "<http://x/a/b>"


def test_paths_read_from_a_graph_are_values() -> None:
    graph = turtle("ex:s sh:path [ sh:inversePath ( ex:p [ sh:zeroOrMorePath ex:q ] ) ] .")
    node = next(graph.objects(None, SH.path))
    path = path_from_graph(graph, node)
    assert path == path_from_graph(graph, node) and hash(path) == hash(path_from_graph(graph, node))
    assert render_path(path, {"ex": EX}) == "^(ex:p/ex:q*)"
    odd = turtle("ex:s sh:path [ ex:p ex:q ] .")
    with pytest.raises(UnsupportedShapesError, match="exactly one"):
        path_from_graph(odd, next(odd.objects(None, SH.path)))


# =================================================================================================
# SPARQL footprints
# =================================================================================================

FOOTPRINT_DATA = """
ex:a ex:p ex:b ; ex:q "1" ; ex:pred ex:p ; a ex:C . ex:b ex:p ex:c ; rdfs:subClassOf ex:B ; ex:r ex:x .
ex:c a ex:C . ex:C rdfs:subClassOf ex:B . ex:s ex:pred ex:q ; ex:r ex:x . ex:x ex:r ex:a .
"""
# query → (predicates, objects_of, everything), as local names
FOOTPRINTS = {
    "SELECT ?this WHERE { ?this ex:p ?o }": ({"p"}, set(), False),
    "SELECT ?this WHERE { ?this ?x ?o }": (set(), set(), True),
    "SELECT ?this WHERE { ?this ex:pred ?x . FILTER NOT EXISTS { ?this ?x ?o } }": ({"pred"}, {"pred"}, False),
    "SELECT ?this WHERE { ?this ex:pred ?x . FILTER EXISTS { ?this ?x ?o } }": ({"pred"}, {"pred"}, False),
    "SELECT ?this WHERE { ?this ex:pred ?x . OPTIONAL { ?this ?x ?o } }": ({"pred"}, set(), True),
    "SELECT ?this WHERE { ?this rdfs:subClassOf* ?c }": ({"subClassOf"}, set(), True),
    "SELECT ?this WHERE { ?this a ?c . ?c rdfs:subClassOf* ?d }": ({"type", "subClassOf"}, set(), False),
    "SELECT ?this WHERE { ?this rdfs:subClassOf* ex:B }": ({"subClassOf"}, set(), False),
    "SELECT ?this WHERE { ?this !ex:p ?o }": (set(), set(), True),
    "SELECT ?this WHERE { ?this (ex:p|^ex:q)/ex:r ?o }": ({"p", "q", "r"}, set(), False),
    "SELECT ?this WHERE { { SELECT ?this WHERE { ?this ex:p ?o } } }": ({"p"}, set(), False),
    "SELECT ?this WHERE { ?this ex:r+ ?o . FILTER (?o != ?this) }": ({"r"}, set(), False),
}


def _local(iri: object) -> str:
    return str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@pytest.mark.parametrize("query", list(FOOTPRINTS))
def test_a_sparql_part_loads_what_it_can_match_and_answers_as_pyshacl(query: str) -> None:
    """The footprint of a query, and pyshacl's answers (rdflib over the whole graph) from a store of just that:
    every IRI a SPARQL target selects is reported."""
    shapes = turtle(
        f"""ex:S a sh:NodeShape ; sh:nodeKind sh:BlankNode ; sh:target [ sh:prefixes ex:shapes ; sh:select "{query}" ] .
            ex:shapes a owl:Ontology ; sh:declare [ sh:prefix "ex" ; sh:namespace "{EX}"^^xsd:anyURI ] ."""
    )
    predicates, objects_of, everything = FOOTPRINTS[query]
    engine = compile_shapes(shapes)
    assert {_local(p) for p in engine.footprint.predicates} == predicates
    assert {_local(p) for p in engine.footprint.objects_of} == objects_of
    assert engine.footprint.everything == everything
    assert sum(assert_same(turtle(FOOTPRINT_DATA), shapes, engine=engine).values())


# =================================================================================================
# Reading rdflib graphs, threads, and a broken engine
# =================================================================================================


def test_graphs_are_read_as_iterating_them_would(seed: Gated) -> None:
    plain = copy(seed.article)
    assert kg.shacl.data.triples_of(plain) == set(plain)
    assert kg.shacl.data.triples_of(seed.article) == set(seed.article)  # a Graph subclass
    dataset = Dataset()
    named = dataset.graph(URIRef(EX + "g"))
    for triple in list(plain)[:50]:
        named.add(triple)
    dataset.add((URIRef(EX + "x"), URIRef(EX + "p"), Literal(1)))
    assert kg.shacl.data.triples_of(named) == set(named)
    union = Dataset(store=dataset.store, default_union=True)
    assert kg.shacl.data.triples_of(union) == set(union) and len(set(union)) == 51
    assert kg.shacl.data.triples_of(iter(list(plain)[:10])) == set(list(plain)[:10])


def test_validating_from_several_threads_gives_the_same_results(seed: Gated) -> None:
    engine = shapes_for("article")[1]
    graphs = [broken(seed, BREAKS[name], whole=True) for name in ("relation-not-asserted", "mention-end-before-begin")]
    serial = [ours(engine, graph) for graph in graphs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda i: ours(engine, graphs[i % 2]), range(8)))
    assert parallel == [serial[i % 2] for i in range(8)]


@pytest.mark.parametrize(
    ("component", "case"),
    [
        ("ClosedConstraint", "mention-closed-extra-property"),
        ("ClassConstraint", "event-place-a-person"),
        ("SparqlConstraint", "text-anchor-does-not-match"),
        ("LogicalConstraint", "participation-participant-a-time"),
    ],
)
def test_the_comparison_notices_a_broken_engine(
    seed: Gated, monkeypatch: pytest.MonkeyPatch, component: str, case: str
) -> None:
    """A comparison that cannot fail proves nothing: with one constraint component switched off,
    the engine's results differ from pyshacl's and assert_same says so."""
    data = broken(seed, BREAKS[case])
    shapes = resources.shapes()
    monkeypatch.setattr(getattr(kg.shacl.components, component), "evaluate", lambda self, run, fv: (True, []))
    with pytest.raises(AssertionError, match="missing"):
        assert_same(data, shapes, resources.ontology())


def test_the_gate_uses_the_compiled_validator(seed: Gated, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.validate, "shacl_validate", None)  # pyshacl is not called
    assert check(seed.article, resources.shapes(), resources.ontology()).conforms


def test_the_gate_hands_unsupported_data_to_pyshacl(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Shapes, data: object) -> list[Result]:
        raise kg.shacl.UnsupportedDataError("test")

    monkeypatch.setattr(Shapes, "validate", refuse)
    data = turtle("ex:x a ex:A .")
    shapes = turtle("ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .")
    report = check(data, shapes)
    assert not report.conforms and report == check_reference(data, shapes)
