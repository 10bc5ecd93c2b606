"""Run the API under uvicorn, on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import logging

import uvicorn

from worldloom.runtime.app import create_app
from worldloom.runtime.config import DEFAULT_HOST, DEFAULT_PORT, ApiConfig


def serve(config: ApiConfig, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM end it cleanly)."""
    logger = logging.getLogger("worldloom.runtime")
    logger.setLevel(logging.INFO)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        logger.addHandler(handler)
    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        # Usage rows record every request (never a token); the access log would repeat them.
        access_log=False,
        log_level="info",
        server_header=False,
        timeout_graceful_shutdown=5,
    )
