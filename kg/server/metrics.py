"""The server's Prometheus metrics, written in the text exposition format 0.0.4 without a client library.

One :class:`Metrics` per application; every method may be called from any thread (one lock guards
the counts, and :meth:`Metrics.render` formats a snapshot taken under it).

Families:

- ``kg_http_requests_total{method,route,status}`` (counter): requests answered.
- ``kg_http_request_duration_seconds{route}`` (histogram, :data:`BUCKETS` and ``+Inf``): time to answer.
- ``kg_query_timeouts_total`` (counter): queries and updates stopped at the time limit.
- ``kg_refusals_total{reason}`` (counter): requests refused before evaluation; the reasons of
  :data:`REFUSAL_REASONS` are exposed from the start, at 0, so that ``rate()`` sees their first one.
- gauges the app sets (:meth:`Metrics.set_gauge`), e.g. ``kg_queries_in_flight``, ``kg_store_quads``.

Labels must come from small, fixed sets, or every new value is a new time series: ``route`` is the
route's *template* (``/sparql``, ``/graphs/{name}``), never the raw path, and :data:`UNMATCHED_ROUTE`
for a request no route matched; a method outside :data:`METHODS` is counted as ``other``.
"""

from __future__ import annotations

import math
import re
import threading
from bisect import bisect_left
from dataclasses import dataclass, field

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The media type of :meth:`Metrics.render`'s output."""

BUCKETS: tuple[float, ...] = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Upper bounds (seconds, inclusive) of the duration histogram's buckets; ``+Inf`` follows."""

REFUSAL_REASONS: tuple[str, ...] = (
    "service",
    "load",
    "non_local_graph",
    "too_large",
    "busy",
    "unauthorized",
    "forbidden",
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
UNMATCHED_ROUTE = "unmatched"
"""The route label of a request no route matched (a 404): one series, whatever the path."""

REQUESTS = "kg_http_requests_total"
DURATION = "kg_http_request_duration_seconds"
TIMEOUTS = "kg_query_timeouts_total"
REFUSALS = "kg_refusals_total"

_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_RESERVED = frozenset(
    {REQUESTS, DURATION, f"{DURATION}_bucket", f"{DURATION}_sum", f"{DURATION}_count", TIMEOUTS, REFUSALS}
)


@dataclass
class _Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * (len(BUCKETS) + 1))
    """Observations per bucket, not cumulative; the last is the +Inf bucket's own."""
    total: float = 0.0


def escape_label(value: str) -> str:
    """A label value as the exposition format quotes it: backslash, double quote and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float) -> str:
    """A sample value or bucket bound: integers as integers, +Inf / -Inf / NaN by name, floats by repr."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{name}="{escape_label(value)}"' for name, value in labels.items()) + "}"


class Metrics:
    """Counters, one histogram and gauges for one kg server; render() writes them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str, str], int] = {}
        self._durations: dict[str, _Histogram] = {}
        self._timeouts = 0
        self._refusals: dict[str, int] = dict.fromkeys(REFUSAL_REASONS, 0)
        self._gauges: dict[str, tuple[str, float]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request and its duration. ``route`` is the route template (see the module)."""
        if math.isnan(seconds) or seconds < 0:
            raise ValueError(f"a request cannot take {seconds} seconds")
        method = method.upper()
        key = (method if method in METHODS else "other", route, str(int(status)))
        bucket = bisect_left(BUCKETS, seconds)  # the first bound >= seconds; len(BUCKETS) for +Inf
        with self._lock:
            self._requests[key] = self._requests.get(key, 0) + 1
            histogram = self._durations.setdefault(route, _Histogram())
            histogram.counts[bucket] += 1
            histogram.total += seconds

    def timeout(self) -> None:
        """Count a query or update stopped at the time limit."""
        with self._lock:
            self._timeouts += 1

    def refused(self, reason: str) -> None:
        """Count a refused request; ``reason`` is one of :data:`REFUSAL_REASONS` (others are counted too)."""
        with self._lock:
            self._refusals[reason] = self._refusals.get(reason, 0) + 1

    def set_gauge(self, name: str, value: float, help: str = "") -> None:
        """Set gauge ``name`` (without labels) to ``value``; ``help`` is its HELP text (kept when empty)."""
        self._check_gauge(name)
        with self._lock:
            known, _ = self._gauges.get(name, ("", 0))
            self._gauges[name] = (help or known, value)

    def add_gauge(self, name: str, delta: float, help: str = "") -> None:
        """Add ``delta`` (negative to subtract) to gauge ``name``, from 0 when unset: in-flight counts."""
        self._check_gauge(name)
        with self._lock:
            known, value = self._gauges.get(name, ("", 0))
            self._gauges[name] = (help or known, value + delta)

    @staticmethod
    def _check_gauge(name: str) -> None:
        if not _NAME.match(name) or name in _RESERVED:
            raise ValueError(f"{name!r} cannot name a gauge")

    def render(self) -> str:
        """Every metric in the Prometheus text format 0.0.4 (serve it as :data:`CONTENT_TYPE`)."""
        with self._lock:
            requests = dict(self._requests)
            durations = {route: (list(h.counts), h.total) for route, h in self._durations.items()}
            timeouts = self._timeouts
            refusals = dict(self._refusals)
            gauges = dict(self._gauges)

        lines: list[str] = []

        def family(name: str, kind: str, help: str) -> None:
            lines.append(f"# HELP {name} {_escape_help(help)}")
            lines.append(f"# TYPE {name} {kind}")

        family(REQUESTS, "counter", "HTTP requests answered, by method, route template and status.")
        for (method, route, status), n in sorted(requests.items(), key=lambda item: (item[0][1], *item[0])):
            lines.append(f"{REQUESTS}{_labels(method=method, route=route, status=status)} {n}")

        family(DURATION, "histogram", "Time to answer an HTTP request, by route template.")
        for route, (counts, total) in sorted(durations.items()):
            cumulative = 0
            for bound, n in zip((*BUCKETS, math.inf), counts, strict=True):
                cumulative += n
                lines.append(f"{DURATION}_bucket{_labels(route=route, le=_number(bound))} {cumulative}")
            lines.append(f"{DURATION}_sum{_labels(route=route)} {_number(total)}")
            lines.append(f"{DURATION}_count{_labels(route=route)} {cumulative}")

        family(TIMEOUTS, "counter", "Queries and updates stopped at the time limit.")
        lines.append(f"{TIMEOUTS} {timeouts}")

        family(REFUSALS, "counter", "Requests refused before evaluation, by reason.")
        for reason, n in sorted(refusals.items()):
            lines.append(f"{REFUSALS}{_labels(reason=reason)} {n}")

        for name, (help, value) in sorted(gauges.items()):
            family(name, "gauge", help or name)
            lines.append(f"{name} {_number(value)}")
        return "\n".join(lines) + "\n"
