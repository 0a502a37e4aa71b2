"""The records of a JSON document read piece by piece: an array of records, a list response
(``{"items": [...]}``, ``{"flows": [...]}``), or objects written one after another over several
lines (``jq .`` of a JSON-lines file).

The document is decoded in chunks and each record is parsed by the standard library's decoder
(``raw_decode``) as soon as it is complete, so memory holds one chunk and one record, never the
file. A record longer than the limit stops reading (a document with no end cannot fill memory);
a syntax error does too: inside a document there is no next line to resume at.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator

__all__ = ["LIST_KEYS", "DocumentError", "JsonDocument"]

#: Keys of a wrapping object whose list holds the records (Whisker's list response, Goldmane's).
LIST_KEYS = frozenset({"items", "flows"})
_CHUNK = 1 << 20
_WHITESPACE = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


class DocumentError(Exception):
    """The document cannot be read on: a syntax error, a record too long, bytes that are no UTF-8."""

    def __init__(self, message: str, line: int, column: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class JsonDocument:
    """Yields ``(line, record)`` for each record of a JSON document.

    ``prefix`` holds the bytes already read (they start at line ``first_line``); ``read(size)``
    returns up to ``size`` more bytes, ``b""`` at the end (it enforces the file's size limit).
    """

    def __init__(self, prefix: bytes, read: Callable[[int], bytes], *, first_line: int, max_record: int) -> None:
        self._read = read
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._max = max_record
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._line = first_line  # the line of self._buf[self._mark]
        self._mark = 0
        self._column = 0  # the 0-based column of self._buf[0]
        self._append(prefix, final=False)

    # -- the buffer ---------------------------------------------------------------------------------
    def _append(self, data: bytes, *, final: bool) -> None:
        try:
            self._buf += self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            raise DocumentError(
                f"not valid UTF-8 (byte 0x{exc.object[exc.start]:02x}); save the file as UTF-8",
                self.line_at(len(self._buf)),
                None,
            ) from None

    def _more(self) -> bool:
        """Read the next chunk (dropping what has been consumed); False at the end of the input."""
        if self._eof:
            return False
        if self._pos:
            self.line_at(self._pos)
            newline = self._buf.rfind("\n", 0, self._pos)
            self._column = self._pos - newline - 1 if newline >= 0 else self._column + self._pos
            self._buf = self._buf[self._pos :]
            self._pos = self._mark = 0
        data = self._read(_CHUNK)
        if not data:
            self._eof = True
            self._append(b"", final=True)
            return False
        self._append(data, final=False)
        return True

    def line_at(self, pos: int) -> int:
        """The 1-based line of buffer position ``pos`` (positions asked for never go back)."""
        if pos > self._mark:
            self._line += self._buf.count("\n", self._mark, pos)
            self._mark = pos
        return self._line

    def _error(self, message: str, pos: int | None = None) -> DocumentError:
        pos = self._pos if pos is None else max(pos, self._mark)
        newline = self._buf.rfind("\n", 0, pos)
        column = pos - newline if newline >= 0 else self._column + pos + 1
        return DocumentError(message, self.line_at(pos), column)

    def _next_char(self) -> str:
        """The next character that is no white space ("" at the end), not consumed."""
        while True:
            match = _WHITESPACE.match(self._buf, self._pos)
            self._pos = match.end() if match else self._pos
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._more():
                return ""

    def _value(self) -> object:
        """The JSON value at the current position, consumed."""
        start = self._pos
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                cut = exc.msg.startswith("Unterminated string") or exc.pos >= len(self._buf) - 6
                if cut and not self._eof:  # the value may go on in the next chunk
                    self._grow()
                    start = self._pos
                    continue
                raise self._error(f"JSON syntax error: {exc.msg}", exc.pos) from None
            if end >= len(self._buf) and not self._eof:  # a number may go on in the next chunk
                self._grow()
                start = self._pos  # the buffer was compacted: positions moved
                continue
            if end - start > self._max:
                raise self._too_long()
            self._pos = end
            return value

    def _grow(self) -> None:
        if len(self._buf) - self._pos > self._max:
            raise self._too_long()
        self._more()

    def _too_long(self) -> DocumentError:
        return self._error(f"a record longer than the limit of {self._max} characters (--max-scalar-length)")

    # -- the structure --------------------------------------------------------------------------------
    def records(self) -> Iterator[tuple[int, object]]:
        """Every record of the document with the line it starts on."""
        while True:
            char = self._next_char()
            if not char:
                return
            if char == "[":
                yield from self._array()
            elif char == "{":
                yield from self._object()
            else:
                raise self._error("expected a JSON object or array")

    def _array(self) -> Iterator[tuple[int, object]]:
        self._pos += 1
        char = self._next_char()
        if char == "]":
            self._pos += 1
            return
        while True:
            if not char:
                raise self._error("the JSON array is not closed")
            line = self.line_at(self._pos)
            yield line, self._value()
            char = self._next_char()
            if char == ",":
                self._pos += 1
                char = self._next_char()
            elif char == "]":
                self._pos += 1
                return
            else:
                raise self._error("expected ',' or ']' after an element of a JSON array")

    def _object(self) -> Iterator[tuple[int, object]]:
        """One object, read key by key: a list under ``items`` or ``flows`` is streamed (its
        elements are the records), anything else makes the object one record."""
        line = self.line_at(self._pos)
        self._pos += 1
        entries: dict[str, object] = {}
        streamed = False
        char = self._next_char()
        while char != "}":
            if char != '"':
                raise self._error("expected a key in double quotes" if char else "the JSON object is not closed")
            key = self._value()
            assert isinstance(key, str)
            if self._next_char() != ":":
                raise self._error("expected ':' after a key")
            self._pos += 1
            if key in LIST_KEYS and self._next_char() == "[":
                yield from self._array()
                streamed = True
            else:
                self._next_char()
                entries[key] = self._value()
            char = self._next_char()
            if char == ",":
                self._pos += 1
                char = self._next_char()
            elif char != "}":
                raise self._error("expected ',' or '}' after a value" if char else "the JSON object is not closed")
        self._pos += 1
        if not streamed:
            yield line, entries
