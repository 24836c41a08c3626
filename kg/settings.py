"""One Settings object, read from ``KG_*`` environment variables at the edge and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from kg.namespaces import DEFAULT_BASE


class Settings(BaseSettings):
    """Every setting kg reads. Each is documented in the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="KG_", frozen=True)

    base_iri: str = Field(DEFAULT_BASE, description="base under which IRIs are minted")
    store: str = Field(
        "data/store",
        description="folder of the embedded store, or sparql+http://… for a remote SPARQL engine (kg/store/remote.py)",
    )
    articles: Path = Field(Path("articles"), description="folder of bundled articles")
    host: str = Field("127.0.0.1", description="address kg serve listens on")
    port: int = Field(8000, ge=1, le=65535, description="port kg serve listens on")
    update_token: SecretStr | None = Field(
        None, description="bearer token for /update and Graph Store writes; unset: writes disabled"
    )
    query_timeout: float = Field(5.0, gt=0, le=3600, description="seconds a query may run")
    update_timeout: float = Field(
        120.0, gt=0, le=3600, description="seconds a write may run (article writes re-run inference and SHACL)"
    )
    query_workers: int = Field(2, ge=1, le=64, description="server processes (each answers reads in its own threads)")
    warm_pages: int = Field(
        2000, ge=0, description="pages each server process makes ahead after it opens the store (0: none)"
    )
    max_concurrent_queries: int = Field(16, ge=1, description="queries running or waiting before 429")
    max_query_bytes: int = Field(100_000, ge=1_000, description="longest query or update text")
    max_body_bytes: int = Field(16_000_000, ge=1_000, description="largest request body (Graph Store uploads)")
    max_result_bytes: int = Field(64_000_000, ge=1_000, description="largest serialised result")
    cors_origins: str = Field("*", description="comma-separated origins allowed by CORS, * for any")
