"""Reading a flow export as a stream of records: the file, its compression, its layout, its format.

``read_flows`` opens a file (``-``: standard input) and returns a :class:`FlowStream`; iterating it
reads the file line by line, never whole:

* **Compression.** gzip is recognised by its magic bytes (also on standard input) and read through
  :mod:`gzip`'s streaming decompressor. Every limit counts the *decompressed* bytes, and a read
  never asks for more than what is left of ``max_file_bytes``, so a gzip bomb stops as soon as it
  passes the limit, in bounded memory.
* **Layout.** JSON lines (one record a line: the usual export); a JSON document (an array of
  records, ``{"items": [...]}``, objects over several lines), read record by record by
  :mod:`netsim.flows.jsondoc`; or CSV (anything that does not start with ``{`` or ``[``).
* **Format.** Hubble, Calico or generic (see their modules), named by the caller or told from the
  first record: a Hubble response or flow has ``flow`` (or ``verdict`` with ``IP``/``l4``), a
  Calico one ``source_namespace``, ``dest_port`` or ``reporter`` (or a Goldmane ``Key``), a
  generic one ``source`` and ``destination`` as text; CSV is generic.
* **Limits** (:class:`~netsim.source.Limits`): ``max_file_bytes`` on the decompressed size,
  ``max_scalar_length`` on a line's length (a record's, in a JSON document), ``max_errors`` on the
  errors collected. ``max_documents`` does not apply: an export holds millions of records.
* **Errors.** A malformed record is an ``InputError`` at ``file:line`` (``file:line:col`` when the
  column is known), collected; the stream raises them together as ``InputErrors`` when it ends (or
  at ``max_errors``), so a caller that writes only after the stream is done writes nothing. With
  ``lax`` they are skipped and counted instead (``FlowStream.skipped``), the first few kept in
  ``FlowStream.dropped``. What stops reading (an unreadable or too large file, broken gzip data,
  a syntax error inside a JSON document, a format that cannot be told) is raised at once: an
  ``InputError``, or ``InputErrors`` with the errors collected before it.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from types import TracebackType
from typing import IO, Any, Protocol, cast

from netsim.errors import InputError, InputErrors, NetsimError, SourceSpan
from netsim.flows.calico import CalicoParser, looks_like_calico
from netsim.flows.fields import describe
from netsim.flows.generic import GenericCsvParser, GenericJsonParser, looks_like_generic
from netsim.flows.hubble import HubbleParser, looks_like_hubble
from netsim.flows.jsondoc import LIST_KEYS, DocumentError, JsonDocument
from netsim.flows.model import FlowRecord, RecordError, Row, Skip
from netsim.source import Limits

__all__ = ["FORMATS", "FlowStream", "LineSpan", "detect_format", "read_flows"]

#: The formats a flow file may be in (``fmt`` of :func:`read_flows`).
FORMATS = ("hubble", "calico", "generic")
#: How many of the records ``lax`` skips are kept as examples (``FlowStream.dropped``).
DROPPED_SHOWN = 5
_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"
_FORMAT_HINT = "name the format with --flows-format hubble, calico or generic"
_DECODER = json.JSONDecoder()


class LineSpan(SourceSpan):
    """A position in a line-oriented input whose column is not known: prints as ``path:line``
    (``column`` is 1, the start of the record, for consumers that need one)."""

    __slots__ = ()

    def __init__(self, path: str, line: int) -> None:
        super().__init__(path, line, 1)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class RecordParser(Protocol):
    """A format's reader of one decoded JSON record."""

    name: str

    def __call__(self, record: object, line: int) -> Row | Skip: ...


def detect_format(record: object) -> str | None:
    """The format a decoded JSON record is in (``hubble``, ``calico``, ``generic``), or None."""
    if not isinstance(record, dict):
        return None
    if looks_like_hubble(record):
        return "hubble"
    if looks_like_calico(record):
        return "calico"
    if looks_like_generic(record):
        return "generic"
    return None


def read_flows(
    path: str,
    fmt: str | None,
    limits: Limits,
    *,
    lax: bool,
    label: str | None = None,
    size_option: str = "--max-file-bytes",
) -> FlowStream:
    """Open the flow export ``path`` (``-``: standard input) in format ``fmt`` (None: told from
    the first record); the records are read as the stream is iterated.

    Positions name the file ``label`` (default: ``path``; ``<stdin>`` for ``-``); an export over
    ``limits.max_file_bytes`` is refused naming ``size_option``, the option that sets it. Raises
    InputError when the file cannot be opened, NetsimError for an unknown format name.
    """
    if fmt is not None and fmt not in FORMATS:
        raise NetsimError(f"unknown flows format {fmt!r}: use {', '.join(FORMATS)}")
    label = "<stdin>" if path == "-" else label or path
    stream = FlowStream(_open(path, label), label, fmt, limits, lax=lax, close=path != "-")
    stream._input.size_option = size_option
    return stream


def _open(path: str, label: str) -> IO[bytes]:
    where = LineSpan(label, 1)
    if path == "-":
        raw: IO[bytes] = sys.stdin.buffer
    else:
        try:
            mode = os.stat(path).st_mode
            if stat.S_ISDIR(mode):
                raise InputError("is a directory: a flow export is one file", span=where)
            if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):  # a pipe: <(zcat ...) is one
                raise InputError("not a regular file: netsim reads flows from a file, a pipe or -", span=where)
            raw = open(path, "rb", buffering=1 << 20)  # noqa: SIM115 - closed by the stream
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", span=where) from exc
    return raw


#: A gzip export whose data expands more than this many times is refused as a gzip bomb: JSON flow
#: exports compress 10 to 30 times; a bomb (zeros, one repeated line) a thousand times. Checked
#: from :data:`_BOMB_CHECK_FROM` decompressed bytes on, every :data:`_BOMB_CHECK_EVERY`.
MAX_GZIP_RATIO = 250
_BOMB_CHECK_FROM = 64 << 20
_BOMB_CHECK_EVERY = 16 << 20


class _Input:
    """The bytes of one input, decompressed if need be, counted against ``max_file_bytes`` (and,
    when compressed, against :data:`MAX_GZIP_RATIO` times the compressed bytes consumed)."""

    def __init__(self, raw: IO[bytes], label: str, limits: Limits, *, close: bool) -> None:
        self.label = label
        self.limit = limits.max_file_bytes
        self.size_option = "--max-file-bytes"  # the option that sets the limit, for the message
        self.bytes_read = 0
        self.line = 0  # lines read so far (readline)
        self._raw = raw
        self._close_raw = close
        buffered = raw if hasattr(raw, "peek") else io.BufferedReader(cast(Any, raw))
        try:
            head = cast(Any, buffered).peek(2)[:2]
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", span=LineSpan(label, 1)) from exc
        self.compressed = bool(head == _GZIP_MAGIC)
        self._buffered = buffered
        self._next_check = _BOMB_CHECK_FROM
        self._stream: IO[bytes] = (
            cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb")) if self.compressed else buffered
        )

    def readline(self, limit: int) -> bytes:
        """The next line, at most ``limit + 1`` bytes (more means too long); b"" at the end."""
        try:
            data = self._stream.readline(min(limit, self.limit - self.bytes_read) + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise self._broken(exc) from exc
        self.line += 1
        self._count(len(data))
        return data

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes; b"" at the end."""
        try:
            data = self._stream.read(min(size, self.limit - self.bytes_read + 1))
        except (OSError, EOFError, zlib.error) as exc:
            raise self._broken(exc) from exc
        self._count(len(data))
        return data

    def _count(self, size: int) -> None:
        self.bytes_read += size
        if self.compressed and self.bytes_read >= self._next_check:
            self._next_check = self.bytes_read + _BOMB_CHECK_EVERY
            self._check_ratio()
        if self.bytes_read > self.limit:
            what = "the decompressed data is" if self.compressed else "file is"
            raise InputError(
                f"{what} larger than the limit of {self.limit:,} bytes ({self.size_option})",
                span=LineSpan(self.label, max(self.line, 1)),
            )

    def _check_ratio(self) -> None:
        try:
            consumed = self._buffered.tell()  # compressed bytes the decompressor has taken
        except (OSError, ValueError):  # a pipe: no position, only --max-flow-bytes applies
            return
        if consumed > 0 and self.bytes_read > MAX_GZIP_RATIO * consumed:
            raise InputError(
                f"the gzip data expands {self.bytes_read // consumed:,} times ({self.bytes_read:,} bytes from "
                f"{consumed:,}): refused as a gzip bomb (flow exports compress 10 to 30 times; at most "
                f"{MAX_GZIP_RATIO} is read)",
                span=LineSpan(self.label, max(self.line, 1)),
            )

    def _broken(self, exc: BaseException) -> InputError:
        where = LineSpan(self.label, self.line + 1)
        if (self.compressed and not isinstance(exc, OSError)) or isinstance(exc, gzip.BadGzipFile):
            return InputError(f"the gzip data is corrupt or cut short: {exc}", span=where)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return InputError(f"cannot read: {reason}", span=where)

    def close(self) -> None:
        if self.compressed:
            self._stream.close()
        if self._close_raw:
            self._raw.close()


class FlowStream:
    """The records of one flow export, read as they are iterated (once).

    After (or during) iteration: ``format`` is the format read (None until the first record, and
    for an input with no record), ``records`` the records yielded, ``skipped`` the records that are
    no flow (``Skip.NOT_FLOW``) and, with ``lax``, the malformed ones (``Skip.MALFORMED``, the
    first few in ``dropped``), ``bytes_read`` the (decompressed) bytes read.
    """

    def __init__(self, raw: IO[bytes], label: str, fmt: str | None, limits: Limits, *, lax: bool, close: bool) -> None:
        self.path = label
        self.format = fmt
        self.limits = limits
        self.lax = lax
        self.records = 0
        self.skipped: Counter[Skip] = Counter()
        self.dropped: list[InputError] = []
        self._errors: list[InputError] = []
        self._input = _Input(raw, label, limits, close=close)
        self._parser: RecordParser | None = None
        self._started = False

    @property
    def compressed(self) -> bool:
        """Whether the input is gzip-compressed."""
        return self._input.compressed

    @property
    def bytes_read(self) -> int:
        """The bytes read so far, after decompression."""
        return self._input.bytes_read

    def __enter__(self) -> FlowStream:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the input (iterating to the end does it too)."""
        self._input.close()

    def __iter__(self) -> Iterator[FlowRecord]:
        """The records, as FlowRecords."""
        for row in self.rows():
            yield FlowRecord(*row)

    def rows(self) -> Iterator[Row]:
        """The records as :data:`~netsim.flows.model.Row` tuples: what :func:`~netsim.flows.fold.fold`
        reads, without an object per record."""
        if self._started:
            raise RuntimeError("a FlowStream is read once")
        self._started = True
        try:
            yield from self._read()
        except InputError as exc:  # what stops reading, with the errors collected before it
            raise self._stop(exc) from None
        finally:
            self.close()
        if self._errors:
            raise InputErrors(self._errors)

    # -- layouts --------------------------------------------------------------------------------------
    def _read(self) -> Iterator[Row]:
        inp, max_line = self._input, self.limits.max_scalar_length
        while True:  # the first line with something on it decides the layout
            data = inp.readline(max_line)
            if not data:
                return
            if inp.line == 1 and data.startswith(_BOM):
                data = data[len(_BOM) :]
            if data.strip():
                break
        first = data.lstrip()[:1]
        cut = len(data) > max_line and not data.endswith(b"\n")
        if first == b"[" or (first == b"{" and (cut or _continues(data))):
            yield from self._document(data, inp.line)
        elif first == b"{":
            yield from self._json_lines(data)
        else:
            if self.format not in (None, "generic"):
                raise self._stop(
                    InputError(
                        f"not JSON: a {self.format} export has one JSON object a line",
                        span=LineSpan(self.path, inp.line),
                    )
                )
            self.format = "generic"
            yield from self._csv(data)

    def _json_lines(self, data: bytes) -> Iterator[Row]:
        inp, max_line, raw_decode = self._input, self.limits.max_scalar_length, _DECODER.raw_decode
        parser = self._parser
        skipped = self.skipped
        while data:
            line = inp.line
            try:  # the common line: one object from its first character, then white space
                text = data.decode()
                record, end = raw_decode(text)
                if end != len(text) and not text[end:].isspace():
                    raise ValueError
            except ValueError:  # JSONDecodeError, UnicodeDecodeError, or not that simple: json.loads decides
                try:
                    record = json.loads(data.rstrip(b"\r\n"))  # an error at the end is at the end of this line
                except ValueError as exc:
                    if data.strip():
                        if len(data) > max_line and not data.endswith(b"\n"):
                            self._too_long(line)
                        else:
                            self._problem(line, _decode_error(exc, data))
                    data = inp.readline(max_line)
                    continue
            if type(record) is not dict or "items" in record or "flows" in record:
                yield from self._records(_elements(record), line)
                parser = self._parser
            elif parser is not None:
                try:
                    result = parser(record, line)
                except RecordError as exc:
                    self._problem(line, exc)
                else:
                    if type(result) is tuple:
                        self.records += 1
                        yield result
                    else:
                        skipped[cast(Skip, result)] += 1
            else:
                yield from self._records([record], line)
                parser = self._parser
            data = inp.readline(max_line)

    def _document(self, data: bytes, line: int) -> Iterator[Row]:
        try:
            document = JsonDocument(data, self._input.read, first_line=line, max_record=self.limits.max_scalar_length)
            for at, record in document.records():
                yield from self._records([record], at)
        except DocumentError as exc:
            span = LineSpan(self.path, exc.line) if exc.column is None else SourceSpan(self.path, exc.line, exc.column)
            raise self._stop(InputError(exc.message, span=span)) from None

    def _records(self, records: list[object], line: int) -> Iterator[Row]:
        """The rows of decoded JSON records (the elements of an array or a list response on one line)."""
        for record in records:
            parser = self._parser or self._json_parser(record, line)
            try:
                result = parser(record, line)
            except RecordError as exc:
                self._problem(line, exc)
                continue
            if isinstance(result, Skip):
                self.skipped[result] += 1
            else:
                self.records += 1
                yield result

    def _json_parser(self, record: object, line: int) -> RecordParser:
        fmt = self.format or detect_format(record)
        if fmt is None:
            what = "" if isinstance(record, dict) else f" (it is {describe(record)}, not an object)"
            raise self._stop(
                InputError(
                    "cannot tell the format of the flows from the first record"
                    + what
                    + ": it has none of the fields of a Hubble flow (flow, or verdict with IP or l4), a Calico flow "
                    "(source_namespace, dest_port, reporter) or a generic flow (source and destination as text)",
                    span=LineSpan(self.path, line),
                    hint=_FORMAT_HINT,
                )
            )
        self.format = fmt
        parser: RecordParser
        if fmt == "hubble":
            parser = HubbleParser()
        elif fmt == "calico":
            parser = CalicoParser()
        else:
            parser = GenericJsonParser(lax=self.lax)
        self._parser = parser
        return parser

    def _csv(self, data: bytes) -> Iterator[Row]:
        inp, max_line = self._input, self.limits.max_scalar_length
        parser = GenericCsvParser(lax=self.lax)
        while data:
            line = inp.line
            if len(data) > max_line and not data.endswith(b"\n"):
                self._too_long(line)
                data = inp.readline(max_line)
                continue
            try:
                text = data.decode("utf-8").strip()
            except UnicodeDecodeError as exc:
                self._problem(line, _decode_error(exc, data))
                data = inp.readline(max_line)
                continue
            if text and not text.startswith("#"):
                try:
                    result = parser(text, line)
                except RecordError as exc:
                    self._problem(line, exc)
                else:
                    if result is not None:
                        self.records += 1
                        yield result
            data = inp.readline(max_line)

    # -- errors ---------------------------------------------------------------------------------------
    def _too_long(self, line: int) -> None:
        """A line longer than ``max_scalar_length``: reported, and the rest of it skipped."""
        inp, max_line = self._input, self.limits.max_scalar_length
        while True:
            rest = inp.readline(max_line)
            if not rest or rest.endswith(b"\n"):
                break
        inp.line = line  # what was read since is the same line
        self._problem(line, RecordError(f"a line longer than the limit of {max_line} bytes (--max-scalar-length)"))

    def _problem(self, line: int, exc: RecordError) -> None:
        span = LineSpan(self.path, line) if exc.column is None else SourceSpan(self.path, line, exc.column)
        error = InputError(exc.message, span=span, field=exc.field, hint=exc.hint)
        if exc.fatal:
            raise self._stop(error)
        if self.lax:
            self.skipped[Skip.MALFORMED] += 1
            if len(self.dropped) < DROPPED_SHOWN:
                self.dropped.append(error)
            return
        self._errors.append(error)
        limit = self.limits.max_errors
        if len(self._errors) >= limit:
            self._errors.append(InputError(f"{limit} errors: netsim stopped reading there (--max-errors)"))
            raise InputErrors(self._errors)

    def _stop(self, error: InputError) -> InputError | InputErrors:
        """What to raise for a problem that stops reading: it, with the errors collected before."""
        return InputErrors([*self._errors, error]) if self._errors else error


def _continues(data: bytes) -> bool:
    """Whether a first line starting with ``{`` is the start of a JSON document over several lines
    (it ends before its object does) rather than a record of its own."""
    try:
        json.loads(data)
    except json.JSONDecodeError as exc:
        return bool(exc.pos >= len(exc.doc.rstrip()) - 1)
    except ValueError:
        return False
    return False


def _elements(record: object) -> list[object]:
    """The records of a value on one JSON line: an array's elements, a list response's list."""
    if isinstance(record, list):
        return record
    if isinstance(record, dict):
        for key in LIST_KEYS:
            inner = record.get(key)
            if isinstance(inner, list):
                return inner
    return [record]


def _decode_error(exc: ValueError, data: bytes) -> RecordError:
    if isinstance(exc, UnicodeDecodeError):
        column = len(data[: exc.start].decode("utf-8", "replace")) + 1
        return RecordError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", column=column)
    if isinstance(exc, json.JSONDecodeError):
        return RecordError(f"JSON syntax error: {exc.msg}", column=exc.colno)
    return RecordError(f"cannot read the line: {exc}")  # pragma: no cover - json raises only those two
