"""Reads for the snapshot reader: a table's bytes are read into memory Arrow owns."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pytest

from worldloom.reader.checksum import read_buffer, sha256_bytes, sha256_file


def test_a_file_is_read_into_memory_arrow_allocated(tmp_path: Path) -> None:
    path = tmp_path / "table.parquet"
    content = os.urandom(3 << 20)
    path.write_bytes(content)
    before = pa.total_allocated_bytes()

    buffer = read_buffer(path)

    # Counted by Arrow's pool: freeing it needs no GIL, whichever Arrow thread lets go last.
    assert pa.total_allocated_bytes() - before >= len(content)
    assert buffer.to_pybytes() == content
    assert sha256_bytes(buffer) == sha256_bytes(content) == sha256_file(path)
    del buffer
    assert pa.total_allocated_bytes() == before


def test_a_file_cut_short_while_read_gives_what_was_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "table.parquet"
    path.write_bytes(b"parquet rows")
    real_fstat = os.fstat

    def fstat_before_the_cut(fd: int) -> os.stat_result:
        # The size the file had when it was opened, before a writer truncated it.
        fields = list(real_fstat(fd))
        fields[6] += 100
        return os.stat_result(fields)

    monkeypatch.setattr(os, "fstat", fstat_before_the_cut)

    assert read_buffer(path).to_pybytes() == b"parquet rows"


def test_a_folder_in_a_file_s_place_is_refused_by_its_path(tmp_path: Path) -> None:
    folder = tmp_path / "table.parquet"
    folder.mkdir()
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None

    with pytest.raises(IsADirectoryError, match=r"table\.parquet"):
        read_buffer(folder)

    if before is not None:  # and its descriptor is closed
        assert len(os.listdir("/proc/self/fd")) == before
