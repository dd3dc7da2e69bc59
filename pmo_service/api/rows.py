"""Writing ``values()`` rows as the model serializers would write the same records.

The busiest API lists (catalog services, applications, engagements) read their page with
``values()`` and write each row as one dict literal: no model instances, no prefetch objects
and no DRF field-by-field walk, which together were a quarter to a half of such a request
(docs/benchmarks.md). The documents must stay byte-for-byte those of the generic
serializers, which describe them in the OpenAPI schema; each list has a test comparing the
two on the same rows. These helpers write the values whose text DRF formats itself.
"""

from __future__ import annotations

import functools
from datetime import date, datetime

from django.utils import timezone
from rest_framework import serializers


def iso_datetime(value: datetime | None) -> str | None:
    """As DRF's ``DateTimeField`` writes it: current time zone, ISO 8601, "Z" for UTC."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: date | None) -> str | None:
    """As DRF's ``DateField`` writes it."""
    return None if value is None else value.isoformat()


@functools.cache
def serializer_field(
    serializer_class: type[serializers.Serializer], name: str
) -> serializers.Field:
    """The field ``serializer_class`` builds for ``name``, built once per process, to write a
    value the way it does (a decimal's places and text). Reaching it through a serializer's
    ``fields`` builds every field of that serializer: half a millisecond per request."""
    return serializer_class().fields[name]
