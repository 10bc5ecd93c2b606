"""The live connection to the chosen provider: lazy client, embedded server, probe."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx2

from worldloom.infrastructure.llm.client import ProviderCallError, StructuredClient
from worldloom.infrastructure.llm.embedded import EmbeddedModelError, EmbeddedServer
from worldloom.infrastructure.llm.meter import RequestMeter, StageClock
from worldloom.infrastructure.llm.ollama_native import OllamaClient
from worldloom.infrastructure.llm.provider import ProviderSpec

ProviderClient = StructuredClient | OllamaClient
"""The clients a connection may hold; both answer `complete`, `probe` and `close`."""


class ProviderConnection:
    """Creates the structured client on first use (starting the embedded server if needed).

    Nothing is contacted or started until the first uncached call, so a fully cached re-run
    never starts llama.cpp.
    """

    def __init__(
        self,
        provider: ProviderSpec,
        *,
        api_key: str,
        timeout_s: float,
        http_retries: int,
        http_client: httpx2.Client | None = None,
        embedded_server: EmbeddedServer | None = None,
        clock: StageClock | None = None,
    ) -> None:
        """Configure the connection.

        Args:
            provider: Parsed provider (not ``none``).
            api_key: Key for the endpoint (a placeholder for local servers).
            timeout_s: Per-request timeout.
            http_retries: openai SDK retries.
            http_client: Custom HTTP transport (tests, proxies).
            embedded_server: Server for ``embedded``; defaults to SmolLM2 on one thread.
            clock: The stage's deadline, which every request is held to.
        """
        self.meter = RequestMeter(clock or StageClock(None))
        self._provider = provider
        self._api_key = api_key
        self._timeout_s = timeout_s
        self._http_retries = http_retries
        self._http_client = http_client
        self._server = embedded_server
        if provider.kind == "embedded" and self._server is None:
            self._server = EmbeddedServer()
        self._client: ProviderClient | None = None
        self._lock = threading.Lock()

    @property
    def server(self) -> EmbeddedServer | None:
        """The embedded server (``None`` for remote providers)."""
        return self._server

    def client(self) -> ProviderClient:
        """Return the client, creating it (and starting the embedded server) on first use.

        Raises:
            ProviderCallError: ``unavailable`` if the embedded server cannot start.
        """
        with self._lock:
            if self._client is None:
                self._client = self._new_client()
            return self._client

    def ollama(self) -> OllamaClient:
        """The native Ollama client (for listing and pulling models).

        Raises:
            ProviderCallError: ``unavailable`` if the provider is not Ollama.
        """
        client = self.client()
        if not isinstance(client, OllamaClient):
            raise ProviderCallError("unavailable", f"{self._provider.label} is not an Ollama model")
        return client

    def pull(self, *, progress: Callable[[str], None]) -> None:
        """Have Ollama download the provider's model."""
        self.ollama().pull(progress=progress)

    def _new_client(self) -> ProviderClient:
        if self._provider.kind == "ollama":
            return OllamaClient(
                base_url=self._base_url(),
                model=self._provider.model,
                timeout_s=self._timeout_s,
                meter=self.meter,
            )
        return StructuredClient(
            base_url=self._base_url(),
            api_key=self._api_key,
            timeout_s=self._timeout_s,
            http_retries=self._http_retries,
            http_client=self._http_client,
            mode=self._provider.mode,
            meter=self.meter,
        )

    def probe(self, *, timeout_s: float) -> tuple[bool, str]:
        """Check reachability: start the embedded server, or list a remote server's models.

        Returns:
            Whether the provider is reachable, and what was seen.
        """
        try:
            client = self.client()
            if self._server is not None:
                return True, f"llama.cpp server at {self._server.address}"
            return True, client.probe(timeout_s=timeout_s)
        except ProviderCallError as failure:
            return False, f"{failure.reason}: {failure.detail}"

    def close(self) -> None:
        """Close the HTTP client and stop the embedded server (idempotent)."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
        if self._server is not None:
            self._server.stop()

    def _base_url(self) -> str:
        if self._server is not None:
            try:
                return self._server.ensure_started()
            except EmbeddedModelError as exc:
                raise ProviderCallError("unavailable", str(exc)) from exc
        if self._provider.base_url is None:
            raise ProviderCallError("unavailable", f"provider {self._provider.label} has no URL")
        return self._provider.base_url
