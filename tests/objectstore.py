"""A real S3-compatible server for tests: moto's server mode on 127.0.0.1, stopped after."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MOTO = Path(sys.executable).with_name("moto_server")
BUCKET = "worldloom-snapshots"


@dataclass(frozen=True, slots=True)
class ObjectStore:
    """Where the server listens, and the environment a client (s3fs, boto) needs for it."""

    endpoint: str

    @property
    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "worldloom-test",
            "AWS_SECRET_ACCESS_KEY": "worldloom-test-secret",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def filesystem(self) -> object:
        import s3fs

        return s3fs.S3FileSystem(
            endpoint_url=self.endpoint, key="worldloom-test", secret="worldloom-test-secret"
        )


@contextmanager
def object_store() -> Iterator[ObjectStore]:
    """moto's S3 on a free loopback port with one empty bucket, `BUCKET`; ended afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = subprocess.Popen(
        [str(MOTO), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = ObjectStore(endpoint=f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{store.endpoint}/moto-api/", timeout=2).close()
                break
            except (urllib.error.URLError, OSError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's server did not start") from None
                time.sleep(0.2)
        store.filesystem().mkdir(BUCKET)  # type: ignore[attr-defined]
        yield store
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def environment_with(store: ObjectStore) -> dict[str, str]:
    """This process's environment plus the store's."""
    return {**os.environ, **store.env}
