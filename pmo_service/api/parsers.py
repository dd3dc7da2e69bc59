"""The API's JSON parser: DRF's, plus the limits hostile bodies need.

DRF's parser turns any JSON into Python objects; some of those fail much later and
badly: 100,000 nested brackets raise ``RecursionError`` (a 500), ``1e400`` becomes an
infinite float that no renderer can write back, a NUL character or a lone UTF-16
surrogate (``"\\ud800"``) cannot be stored in PostgreSQL text. Here each is a 400 that
names the problem and where it is, before any serializer runs. The body's size is limited
earlier, by ``pmo_service.middleware.RequestBodyLimitMiddleware`` (413).
"""

import json
import math
import re
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64  # far beyond any document of this API; deep enough for any real client
_SURROGATE = re.compile("[\ud800-\udfff]")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large")
    return value


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character, which is never valid text"
    if _SURROGATE.search(text):
        return "contains an unpaired UTF-16 surrogate (such as \\ud800), which is not text"
    return None


def _where(path: tuple) -> str:
    return "the body" if not path else "".join(
        f"[{step}]" if isinstance(step, int) else f".{step}" for step in path
    ).lstrip(".")


def check_document(document: Any, max_depth: int = MAX_DEPTH) -> None:
    """Raise ``ParseError`` for nesting deeper than ``max_depth`` or unstorable text.

    The error is keyed by the top-level field it is in, like a field error, so a client
    sees which field to fix (``{"title": ["title contains a NUL character, ..."]}``).
    Iterative on purpose: a recursive walk would itself overflow on a deep document.
    """
    stack: list[tuple[Any, tuple, int]] = [(document, (), 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            problem = _text_problem(value)
            if problem:
                _refuse(path, f"{_where(path)} {problem}.")
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= max_depth:
            _refuse(path, f"The JSON is nested deeper than {max_depth} levels at {_where(path)}.")
        if isinstance(value, dict):
            for key, item in value.items():
                problem = _text_problem(key)
                if problem:
                    _refuse(path, f"A key in {_where(path)} {problem}.")
                stack.append((item, (*path, key), depth + 1))
        else:
            stack.extend((item, (*path, index), depth + 1) for index, item in enumerate(value))


def _refuse(path: tuple, message: str) -> None:
    if path and isinstance(path[0], str):
        raise ParseError({path[0]: [message]})
    raise ParseError(message)


class StrictJSONParser(JSONParser):
    """JSON bodies as DRF parses them, refused with a clear 400 when hostile (see module)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
        except UnicodeDecodeError as error:
            raise ParseError(f"JSON parse error - the body is not valid {encoding}.") from error
        try:
            document = json.loads(
                text, parse_float=_finite_float, parse_constant=_no_constants
            )
        except RecursionError as error:
            raise ParseError(
                f"JSON parse error - nested deeper than {MAX_DEPTH} levels."
            ) from error
        except ValueError as error:  # JSONDecodeError, and the hooks' refusals
            raise ParseError(f"JSON parse error - {error}") from error
        check_document(document)
        return document
