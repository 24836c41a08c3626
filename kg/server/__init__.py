"""The HTTP edge: ``create_app(settings)`` builds the FastAPI application over a store."""

from kg.server.app import create_app

__all__ = ["create_app"]
