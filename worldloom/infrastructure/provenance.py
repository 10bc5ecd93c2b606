"""Which code made a world: the package version, the source it ran from, the library builds.

`code_version()` goes into every `runs` row and every snapshot manifest, so two worlds made by
different code never look alike, e.g. `0.1.0+git.3f2a1b9c4d5e.src.1a2b3c4d.lock.9f8e7d6c`:

- `git.<commit>`: the commit checked out, when run from a git checkout;
- `src.<digest>`: the package's own files (code, seed tables, templates), so uncommitted edits
  and installs without git are told apart too;
- `lock.<digest>`: `requirements.lock` beside the package, or else the installed distributions
  and their versions (what the lock would have pinned).
"""

from __future__ import annotations

import functools
import hashlib
import subprocess
from importlib import metadata
from pathlib import Path

import worldloom

_PACKAGE = Path(worldloom.__file__).resolve().parent
_SOURCE_SUFFIXES = frozenset({".py", ".toml", ".j2", ".txt"})
_DIGEST_CHARS = 8
_COMMIT_CHARS = 12


@functools.cache
def code_version() -> str:
    """The version string of the running code (computed once per process)."""
    parts = []
    commit = _git_commit(_PACKAGE.parent)
    if commit:
        parts.append(f"git.{commit[:_COMMIT_CHARS]}")
    parts.append(f"src.{source_digest(_PACKAGE)[:_DIGEST_CHARS]}")
    parts.append(f"lock.{_lock_digest(_PACKAGE.parent / 'requirements.lock')[:_DIGEST_CHARS]}")
    return f"{worldloom.__version__.split('+')[0]}+{'.'.join(parts)}"


def source_digest(package: Path) -> str:
    """sha256 over the package's source files, by relative path and content."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.suffix in _SOURCE_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def _lock_digest(lock: Path) -> str:
    if lock.is_file():
        return hashlib.sha256(lock.read_bytes()).hexdigest()
    installed = sorted(
        f"{dist.metadata['Name']}=={dist.version}".lower() for dist in metadata.distributions()
    )
    return hashlib.sha256("\n".join(installed).encode()).hexdigest()


def _git_commit(root: Path) -> str | None:
    """The commit checked out at `root`, or None outside a git checkout (or without git)."""
    if not (root / ".git").exists():
        return None
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else None
