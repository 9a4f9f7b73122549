"""Reading and writing source files without losing a byte of what the user wrote.

A file is decoded as Python itself would (BOM, PEP 263 coding cookie, UTF-8 by default) and
written back in the same encoding, with the BOM kept. Line endings are never normalised: all
offsets refer to the decoded text exactly as it was read.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import functools
import io
import os
import re
import tempfile
import tokenize
from dataclasses import dataclass
from typing import Callable

from fastlint.diagnostics import Location

_NEWLINE = re.compile(r"\r\n|\r|\n")


class SourceError(Exception):
    """A file that cannot be read or decoded; the message is one line for the user."""


@dataclass(frozen=True)
class SourceFile:
    path: str
    text: str
    encoding: str  # a codec name; ``utf-8-sig`` when the file starts with a BOM

    @classmethod
    def read(cls, path: str) -> SourceFile:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except IsADirectoryError:
            raise SourceError("is a directory") from None
        except FileNotFoundError:
            raise SourceError("file not found (deleted during the run?)") from None
        except PermissionError:
            raise SourceError("permission denied") from None
        except OSError as exc:
            raise SourceError(f"cannot read file: {exc.strerror or exc}") from None
        return cls.from_bytes(path, data)

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> SourceFile:
        if _looks_binary(data):
            raise SourceError("not a text file (binary content)")
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            raise SourceError(f"bad encoding declaration: {exc.msg}") from None
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
            raise SourceError(f"cannot decode file as {encoding}: {reason}") from None
        return cls(path, text, encoding)

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)

    def newline(self) -> str:
        match = _NEWLINE.search(self.text)
        return match.group(0) if match else "\n"


# Control bytes that never appear in source text (tab, line feed, form feed, carriage return and
# escape can).
_CONTROL = bytes(set(range(32)) - {9, 10, 11, 12, 13, 27})


def _looks_binary(data: bytes) -> bool:
    """A NUL byte anywhere (CPython refuses such source), or a head that is mostly control
    bytes. UTF-16 and UTF-32 files hold NUL bytes too: CPython cannot read those either."""
    if b"\x00" in data:
        return True
    head = data[:8192]
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls * 10 > len(head)


class LineIndex:
    """Converts between offsets and 1-based row/column positions of one text."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        self._length = len(text)
        self._text = text

    def offset(self, line: int, column: int) -> int:
        """``line`` 1-based and ``column`` 0-based, as LibCST reports them."""
        if line - 1 >= len(self._starts):
            return self._length
        return min(self._starts[line - 1] + column, self._length)

    def location(self, offset: int) -> Location:
        row = bisect.bisect_right(self._starts, offset)
        return Location(row, offset - self._starts[row - 1] + 1)

    def line_start(self, offset: int) -> int:
        return self._starts[bisect.bisect_right(self._starts, offset) - 1]

    def newline_at(self, offset: int, default: str) -> str:
        """The line ending of the line holding ``offset`` (``default`` on the last line)."""
        row = bisect.bisect_right(self._starts, offset)
        if row >= len(self._starts):
            return default
        end = self._starts[row]
        return "\r\n" if self._text[end - 2 : end] == "\r\n" else self._text[end - 1]

    def line_end(self, offset: int) -> int:
        """The offset just after the newline of the line holding ``offset``."""
        row = bisect.bisect_right(self._starts, offset)
        return self._starts[row] if row < len(self._starts) else self._length


def tokenizer_readline(text: str) -> Callable[[], str]:
    """A ``readline`` for ``tokenize`` that splits ``text`` where Python does, at ``\\r\\n``,
    ``\\r`` and ``\\n`` (``io.StringIO`` splits at ``\\n`` only: a file with CR line endings
    would be one long line). Each line ends with ``\\n`` for the tokenizer; rows and columns
    are those of ``text``."""
    parts = _NEWLINE.split(text)
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return functools.partial(next, iter(lines), "")


def atomic_write(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see either the old or the new file.

    The temporary file lives in the same directory (same file system) and takes over the
    original's permission bits before it replaces it.
    """
    directory = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777
    if not os.access(path, os.W_OK):
        raise PermissionError(f"{path} is not writable")
    fd, tmp = tempfile.mkstemp(prefix=".fastlint-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def has_bom(encoding: str) -> bool:
    return codecs.lookup(encoding).name == "utf-8-sig"
