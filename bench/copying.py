"""Bulk loading for the bench: PostgreSQL ``COPY`` in chunks, with a progress bar on stderr.

``COPY ... FROM STDIN`` is the fastest way into PostgreSQL (one statement per chunk, no
per-row parsing of SQL, no ORM objects). Rows come with explicit ids, so children can point
at parents without reading anything back; the identity sequence is moved past them after.
Chunks of :data:`CHUNK_ROWS` keep memory flat and let the bar move while the rows stream.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, TextIO

from django.db import connection, models

CHUNK_ROWS = 50_000
BAR_WIDTH = 24
# COPY's text format: backslash, tab, newline and carriage return are escaped.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class Progress:
    """One line per table on ``stream``: rows done of the total, a bar, rows per second.

    On a terminal the line is redrawn in place as chunks land; otherwise (CI logs, files)
    only the finished line is written, so logs stay short.
    """

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.live = enabled and self.stream.isatty()
        self.tables: dict[str, tuple[int, float]] = {}

    def _line(self, label: str, done: int, total: int | None, seconds: float) -> str:
        rate = done / seconds if seconds > 0 else 0.0
        if total:
            share = min(done / total, 1.0)
            filled = round(share * BAR_WIDTH)
            bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%}"
            counted = f"{done:>9,}/{total:<9,}"
        else:
            bar, counted = "", f"{done:>9,}"
        return f"  {label:<28} {counted} {bar} {rate:>10,.0f} rows/s {seconds:6.1f} s"

    def update(self, label: str, done: int, total: int | None, started: float) -> None:
        if self.live:
            line = self._line(label, done, total, time.perf_counter() - started)
            self.stream.write("\r" + line)
            self.stream.flush()

    def finish(self, label: str, done: int, total: int | None, started: float) -> None:
        seconds = time.perf_counter() - started
        self.tables[label] = (done, seconds)
        if self.enabled:
            line = self._line(label, done, total or done, seconds)
            self.stream.write(("\r" if self.live else "") + line + "\n")
            self.stream.flush()


def _text(value: Any) -> str:
    """One COPY text field: ``\\N`` for NULL, ``t``/``f`` for booleans, strings escaped."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[tuple[io.StringIO, int]]:
    buffer, count = io.StringIO(), 0
    for row in rows:
        buffer.write("\t".join(map(_text, row)))
        buffer.write("\n")
        count += 1
        if count == size:
            buffer.seek(0)
            yield buffer, count
            buffer, count = io.StringIO(), 0
    if count:
        buffer.seek(0)
        yield buffer, count


def copy_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Progress | None = None,
    label: str = "",
    total: int | None = None,
) -> int:
    """COPY ``rows`` (tuples in ``columns`` order, column names) into the model's table.

    Rows must carry their ``id``; the table's identity sequence is set past the largest
    afterwards so later ORM inserts do not collide.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    statement = f"COPY {table} ({names}) FROM STDIN"
    label = label or model._meta.verbose_name_plural
    started = time.perf_counter()
    done = 0
    with connection.cursor() as cursor:
        for buffer, count in _chunks(rows, CHUNK_ROWS):
            cursor.cursor.copy_expert(statement, buffer)
            done += count
            if progress:
                progress.update(label, done, total, started)
        if "id" in columns:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)",
                [model._meta.db_table],
            )
    if progress:
        progress.finish(label, done, total, started)
    return done


class ModelRows:
    """Turns dicts into full COPY rows of ``model``: every concrete column, the ones a dict
    leaves out taking what the ORM would have written (the field's default, ``now`` for
    ``auto_now``/``auto_now_add``, empty text for blank strings, NULL where allowed).
    Used for the wide tables where spelling out every column would hide the data's shape."""

    def __init__(self, model: type[models.Model], now: datetime) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [field.column for field in self.fields]
        self.defaults: list[Any] = []
        for field in self.fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value: Any = now
            elif field.has_default():
                value = field.get_default()
                if isinstance(field, models.JSONField):
                    value = "{}" if value == {} else "[]" if value == [] else value
                elif hasattr(value, "value"):  # a TextChoices member
                    value = value.value
                elif callable(getattr(field, "default", None)) and isinstance(value, datetime):
                    value = now
            elif field.null:
                value = None
            elif isinstance(field, (models.CharField, models.TextField)):
                value = ""
            else:
                value = _Required(field.column)
            self.defaults.append(value)
        self.keys = [field.attname for field in self.fields]

    def __call__(self, rows: Iterable[dict[str, Any]]) -> Iterator[tuple]:
        keys, defaults = self.keys, self.defaults
        for row in rows:
            values = tuple(row.get(key, default) for key, default in zip(keys, defaults,
                                                                          strict=True))
            for value in values:
                if isinstance(value, _Required):
                    raise ValueError(f"{self.model.__name__}: no value for {value.column}")
            yield values

    def copy(self, rows: Iterable[dict[str, Any]], **kwargs: Any) -> int:
        return copy_rows(self.model, self.columns, self(rows), **kwargs)


class _Required:
    """Marks a column that has no default: a row that leaves it out is a builder bug."""

    def __init__(self, column: str) -> None:
        self.column = column
