"""One Settings object, read from ``KG_*`` environment variables at the edge and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kg.namespaces import DEFAULT_BASE


class Settings(BaseSettings):
    """Every setting kg reads. Each is documented in the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="KG_", frozen=True)

    base_iri: str = Field(DEFAULT_BASE, description="base under which IRIs are minted")
    store: Path = Field(Path("data/store"), description="folder of the embedded store")
    articles: Path = Field(Path("articles"), description="folder of bundled articles")
    host: str = Field("127.0.0.1", description="address kg serve listens on")
    port: int = Field(8000, ge=1, le=65535, description="port kg serve listens on")
