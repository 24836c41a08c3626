"""The HTTP edge: ``serve(settings)`` runs the server processes (kg/server/supervisor.py), each
with the FastAPI application of ``create_app`` (kg/server/app.py)."""

from kg.server.app import create_app
from kg.server.supervisor import serve

__all__ = ["create_app", "serve"]
