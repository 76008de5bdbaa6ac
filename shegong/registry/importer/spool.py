"""The import's spool: rejected rows wait in a temporary file, not in memory, until the error
report is written."""

from __future__ import annotations

import marshal
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings


class Spool:
    """Records appended to a temporary file in marshal chunks and read back in order: the
    file, not memory, holds the rows between the two passes."""

    CHUNK = 2000

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile(dir=work_dir())  # noqa: SIM115 (closed in __exit__)
        self.buffer: list[Any] = []
        self.count = 0

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.file.close()

    def append(self, record: Any) -> None:
        self.buffer.append(record)
        self.count += 1
        if len(self.buffer) >= self.CHUNK:
            self._dump()

    def _dump(self) -> None:
        if self.buffer:
            write_frame(self.file, self.buffer)
            self.buffer = []

    def flush(self) -> None:
        self._dump()
        self.file.flush()

    def chunks(self) -> Iterator[list[Any]]:
        self._dump()
        self.file.seek(0)
        while (chunk := read_frame(self.file)) is not None:
            yield chunk

    def __iter__(self) -> Iterator[Any]:
        for chunk in self.chunks():
            yield from chunk


def write_frame(out: Any, value: Any) -> None:
    """`value` (plain values only) as one marshal frame, its length first."""
    data = marshal.dumps(value)
    out.write(len(data).to_bytes(8, "little"))
    out.write(data)


def read_frame(source: Any) -> Any:
    """The next frame `write_frame` wrote, or None at the end. (marshal.load() on a file reads
    in tiny pieces; one read per frame is much faster.)"""
    size = source.read(8)
    if len(size) < 8:
        return None
    return marshal.loads(source.read(int.from_bytes(size, "little")))


def work_dir() -> str | None:
    directory = Path(settings.EXPORT_DIR).parent / "imports"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return str(directory) if os.access(directory, os.W_OK) else None
