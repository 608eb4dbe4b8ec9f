"""Reading a user's input file: a regular file of bounded size, or a one-line reason.

A scenario or CSV file is read whole, so a path that names something endless (a FIFO, a
device such as ``/dev/zero``, a terminal) or something huge must be refused before it is read.
The file is opened without blocking (a FIFO with no writer would otherwise block the open
forever), and what it is comes from ``fstat`` of the open file, so a swap between check and
read cannot slip in.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["MAX_CSV_BYTES", "MAX_SCENARIO_BYTES", "NotARegularFile", "read_input"]

#: The largest scenario file read (a scenario is a page of text; a long ``ids`` list fits).
MAX_SCENARIO_BYTES = 16 * 2**20
#: The largest CSV file read (two million employees of an HR export fit).
MAX_CSV_BYTES = 512 * 2**20


class NotARegularFile(OSError):
    """The path is not a regular file of bounded size; ``strerror`` says what it is."""


def read_input(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises
    ------
    FileNotFoundError, IsADirectoryError, PermissionError, OSError
        As opening the file raises them.
    NotARegularFile
        A FIFO, device or socket, or a file of more than ``limit`` bytes.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd)
        if stat.S_ISDIR(mode.st_mode):
            raise IsADirectoryError(21, "is a directory", str(path))
        if not stat.S_ISREG(mode.st_mode):
            raise NotARegularFile(0, "not a regular file (a FIFO, device or socket)")
        if mode.st_size > limit:
            raise NotARegularFile(0, f"larger than {limit // 2**20} MiB")
        # Read one byte past the limit: files of /proc say they have size 0.
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(limit + 1 - size, 2**20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise NotARegularFile(0, f"larger than {limit // 2**20} MiB")
        return b"".join(chunks)
    finally:
        os.close(fd)
