"""Micro-benchmark of the OWL 2 RL closure: owlrl (kg.reason.infer) against kg.rules.infer_fast.

Prints figures, asserts nothing. `python bench/reason.py` (or `--quick`), or ``measure()`` from
another script (bench/all.py).

On the bundled seed article, as the pipeline calls it (asserted, ontology, context = the
authority's description of what the article references, known = the authority's closure):
median wall time of each, triples in and out, whether the two results are equal, the
throughput of infer_fast in articles/s and where its time goes.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime

from common import ARTICLES, SEED, median_ms

from kg import __version__, pipeline, resources
from kg.annotation import authority_path
from kg.mapper import map_article, map_authority, new_graph, referenced_authority
from kg.namespaces import IRIs
from kg.reason import infer
from kg.rules import _Compiler, compile_rules, infer_fast


@dataclass(frozen=True)
class Reason:
    """The closure of the seed article by both reasoners: sizes, equality, medians in ms."""

    asserted: int
    context: int
    known: int
    ontology: int
    derived: int
    inferred: int
    equal: bool
    owlrl_ms: float
    fast_ms: float
    compile_ms: float
    parts: list[tuple[str, float]]
    slow_runs: int
    fast_runs: int


def measure(slow_runs: int, fast_runs: int) -> Reason:
    """owlrl over ``slow_runs`` runs (after one that warms its cache), infer_fast and its parts
    over ``fast_runs``."""
    iris = IRIs()
    built_at = datetime.now(UTC)
    source = pipeline.load_authority_source(authority_path(ARTICLES))
    article = pipeline.load(SEED, source)
    authority = pipeline.build_authority(source, iris, built_at)
    asserted = map_article(article, iris, built_at, __version__).asserted
    context = map_authority(article.authority, iris, referenced_authority(article.annotation, article.authority))
    known = authority.inferred
    ontology = resources.ontology()

    reference = infer(asserted, ontology, context, known)  # also warms owlrl's cached ontology closure
    fast = infer_fast(asserted, ontology, context, known)  # also compiles the rules once
    owlrl_ms = median_ms(lambda: infer(asserted, ontology, context, known), slow_runs)
    fast_ms = median_ms(lambda: infer_fast(asserted, ontology, context, known), fast_runs)
    compile_ms = median_ms(lambda: _Compiler(ontology).compile(), slow_runs)

    rules = compile_rules(ontology)
    data = set(asserted) | set(context)
    derived = rules.saturate(data)
    triples = list(fast)

    def fill() -> None:
        graph = new_graph()
        for triple in triples:
            graph.add(triple)

    parts = [
        ("read asserted + context into a set", median_ms(lambda: set(asserted) | set(context), fast_runs)),
        ("check the data for schema", median_ms(lambda: [rules.unsupported(t) for t in data], fast_runs)),
        ("semi-naive closure", median_ms(lambda: rules.saturate(data), fast_runs)),
        ("build the result Graph", median_ms(fill, fast_runs)),
    ]
    return Reason(
        asserted=len(asserted),
        context=len(context),
        known=len(known),
        ontology=len(ontology),
        derived=len(derived),
        inferred=len(reference),
        equal=set(reference) == set(fast),
        owlrl_ms=owlrl_ms,
        fast_ms=fast_ms,
        compile_ms=compile_ms,
        parts=parts,
        slow_runs=slow_runs,
        fast_runs=fast_runs,
    )


def report(r: Reason) -> None:
    print(
        f"kg {__version__} — OWL 2 RL closure of the seed article: {r.asserted} asserted + {r.context} context "
        f"+ {r.known} known + {r.ontology} ontology triples in; {r.derived} derived, {r.inferred} inferred out"
    )
    print(f"  results equal: {r.equal}")
    print(f"  owlrl (kg.reason.infer)       {r.owlrl_ms:10.1f} ms  (median of {r.slow_runs})")
    print(f"  kg.rules.infer_fast           {r.fast_ms:10.2f} ms  (median of {r.fast_runs})")
    print(f"  speed-up                      {r.owlrl_ms / r.fast_ms:10.0f} x")
    print(f"  infer_fast throughput         {1000 / r.fast_ms:10.1f} articles/s (closure only)")
    print(f"  compile_rules (once per ontology, cached) {r.compile_ms:.1f} ms")
    width = max(len(name) for name, _ in r.parts)
    for name, value in r.parts:
        print(f"    {name.ljust(width)}  {value:8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    report(measure(*((1, 20) if args.quick else (5, 200))))


if __name__ == "__main__":
    main()
