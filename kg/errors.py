"""The errors kg raises, one tree.

    KGError                      base of everything kg raises on purpose
    ├── InputError               a file the user gave is unreadable or wrong (exit code 2)
    │   └── AnnotationError      an annotation or authority file breaks its schema
    ├── NotConformingError       an article graph fails the SHACL gate (exit code 1)
    ├── QueryError               a SPARQL query or update is malformed (HTTP 400)
    │   ├── QueryRefusedError         it asks for something kg never does: SERVICE, LOAD, a
    │   │                        graph that is not local, a write to a derived graph (403)
    │   └── ResultTooLargeError       its result is larger than the configured cap (400)
    ├── QueryTimeoutError             it ran longer than the configured limit and was stopped (503)
    └── StoreError               the store cannot be opened, read or written

Edges translate these to exit codes (kg/cli.py) and HTTP statuses (kg/server/),
each in one table; the core never knows about either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.validate import Report


class KGError(Exception):
    """Base class of every error kg raises on purpose."""


class InputError(KGError):
    """A user-supplied file is missing, unreadable or malformed.

    The message names the file and, where there is one, the place in it.
    """

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        self.message = message
        super().__init__(f"{file}: {message}")


class AnnotationError(InputError):
    """An annotation or authority file breaks its schema.

    Each problem names a field path (``events[3].participants[0].entity``) and,
    where the file is YAML, the line of the offending node.
    """

    def __init__(self, file: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(file, "\n  ".join(["invalid annotation:", *problems]))


class NotConformingError(KGError):
    """An article graph does not conform to the shapes; it was not stored."""

    def __init__(self, article_id: str, report: Report) -> None:
        self.article_id = article_id
        self.report = report
        super().__init__(f"article {article_id!r} does not conform:\n{report.text()}")


class QueryError(KGError):
    """A SPARQL query or update is malformed or refused before evaluation."""


class QueryRefusedError(QueryError):
    """A query or update asks for something kg refuses by design; ``reason`` names it."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


class ResultTooLargeError(QueryError):
    """A result grew past the configured size; nothing was truncated silently."""


class QueryTimeoutError(KGError):
    """A query or update ran past the configured limit; its process was stopped."""


class StoreError(KGError):
    """The store cannot be opened, read or written."""
