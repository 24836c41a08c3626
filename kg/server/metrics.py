"""The server's Prometheus metrics, written in the text exposition format 0.0.4 without a client library.

One :class:`Metrics` per server, shared by its processes; every method may be called from any
thread of any of them (one lock guards the counts, and :meth:`Metrics.render` formats a snapshot
taken under it).

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

import json
import math
import multiprocessing
import re
from bisect import bisect_left

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The media type of :meth:`Metrics.render`'s output."""

BUCKETS: tuple[float, ...] = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Upper bounds (seconds, inclusive) of the duration histogram's buckets; ``+Inf`` follows."""

REFUSAL_REASONS: tuple[str, ...] = (
    "service",
    "load",
    "non_local_graph",
    "vendor",
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
    """Counters, one histogram and gauges for one kg server; render() writes them all.

    The numbers live in shared memory, so that every server process counts into the same
    registry: made in one process, a Metrics passed to ``multiprocessing`` processes at their
    start is shared with them (a process that retires leaves its counts behind). A series gets
    its place the first time any process sees its labels; :attr:`CAPACITY` numbers in all.
    """

    CAPACITY = 1 << 16
    """Numbers (8 bytes each) in the registry: a request series takes 1, a route's histogram
    ``len(BUCKETS) + 2``, a gauge 1."""

    _DIRECTORY_BYTES = 1 << 20

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._lock = ctx.Lock()
        self._numbers = ctx.RawArray("d", self.CAPACITY)
        self._directory = ctx.RawArray("c", self._DIRECTORY_BYTES)
        """Where each series lives: JSON lines ``[kind, labels, start, help]``, in the order made."""
        self._used = ctx.RawValue("q", 0)
        self._directory_end = ctx.RawValue("q", 0)
        self._places: dict[tuple[str, ...], int] = {}
        self._read = 0
        with self._lock:
            self._place(("timeouts",), 1)
            for reason in REFUSAL_REASONS:
                self._place(("refusal", reason), 1)

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k not in {"_places", "_read"}}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._places, self._read = {}, 0

    # --- the directory (call with the lock held) ---

    def _catch_up(self) -> None:
        end = self._directory_end.value
        if self._read < end:
            for line in bytes(self._directory[self._read : end]).decode().splitlines():
                key, start, help = json.loads(line)
                self._places[tuple(key)] = start
                if help:
                    self._helps[key[1]] = help
            self._read = end

    @property
    def _helps(self) -> dict[str, str]:
        helps: dict[str, str] = self.__dict__.setdefault("_help_texts", {})
        return helps

    def _place(self, key: tuple[str, ...], width: int, help: str = "") -> int:
        """Where the series ``key`` starts, given it a place of ``width`` numbers if it has none."""
        start = self._places.get(key)
        if start is not None:
            return start
        self._catch_up()
        start = self._places.get(key)
        if start is not None:
            return start
        start = int(self._used.value)
        line = (json.dumps([list(key), start, help]) + "\n").encode()
        end = int(self._directory_end.value)
        if start + width > self.CAPACITY or end + len(line) > self._DIRECTORY_BYTES:
            raise RuntimeError("the metrics registry is full: too many label values")
        self._directory[end : end + len(line)] = line
        self._directory_end.value = end + len(line)
        self._used.value = start + width
        self._catch_up()
        return start

    # --- counting ---

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request and its duration. ``route`` is the route template (see the module)."""
        if math.isnan(seconds) or seconds < 0:
            raise ValueError(f"a request cannot take {seconds} seconds")
        method = method.upper()
        key = ("request", method if method in METHODS else "other", route, str(int(status)))
        bucket = bisect_left(BUCKETS, seconds)  # the first bound >= seconds; len(BUCKETS) for +Inf
        numbers = self._numbers
        with self._lock:
            numbers[self._place(key, 1)] += 1
            histogram = self._place(("duration", route), len(BUCKETS) + 2)
            numbers[histogram + bucket] += 1
            numbers[histogram + len(BUCKETS) + 1] += seconds

    def timeout(self) -> None:
        """Count a query or update stopped at the time limit."""
        with self._lock:
            self._numbers[self._place(("timeouts",), 1)] += 1

    def refused(self, reason: str) -> None:
        """Count a refused request; ``reason`` is one of :data:`REFUSAL_REASONS` (others are counted too)."""
        with self._lock:
            self._numbers[self._place(("refusal", reason), 1)] += 1

    def set_gauge(self, name: str, value: float, help: str = "") -> None:
        """Set gauge ``name`` (without labels) to ``value``; ``help`` is its HELP text (kept when empty)."""
        self._check_gauge(name)
        with self._lock:
            self._numbers[self._place(("gauge", name), 1, help)] = value
            if help:
                self._helps.setdefault(name, help)

    def add_gauge(self, name: str, delta: float, help: str = "") -> None:
        """Add ``delta`` (negative to subtract) to gauge ``name``, from 0 when unset: in-flight counts."""
        self._check_gauge(name)
        with self._lock:
            self._numbers[self._place(("gauge", name), 1, help)] += delta
            if help:
                self._helps.setdefault(name, help)

    @staticmethod
    def _check_gauge(name: str) -> None:
        if not _NAME.match(name) or name in _RESERVED:
            raise ValueError(f"{name!r} cannot name a gauge")

    def render(self) -> str:
        """Every metric in the Prometheus text format 0.0.4 (serve it as :data:`CONTENT_TYPE`)."""
        with self._lock:
            self._catch_up()
            numbers = self._numbers[: self._used.value]
            places = dict(self._places)
            helps = dict(self._helps)
        width = len(BUCKETS) + 2
        requests = {key[1:]: int(numbers[at]) for key, at in places.items() if key[0] == "request"}
        durations = {
            key[1]: ([int(n) for n in numbers[at : at + width - 1]], numbers[at + width - 1])
            for key, at in places.items()
            if key[0] == "duration"
        }
        timeouts = int(numbers[places[("timeouts",)]])
        refusals = {key[1]: int(numbers[at]) for key, at in places.items() if key[0] == "refusal"}
        gauges = {key[1]: (helps.get(key[1], ""), numbers[at]) for key, at in places.items() if key[0] == "gauge"}
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
