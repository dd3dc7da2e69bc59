"""Optimistic concurrency for the API: ``ETag`` on reads, ``If-Match`` on writes, 412 if stale.

A record that people edit at the same time (an engagement, a demand) carries a ``version``
that its services raise on every change. A detail answer carries ``ETag: "<version>"``; a
client that sends it back as ``If-Match`` on PUT, PATCH or a state transition gets 412 when
someone else changed the record since it read it, instead of silently overwriting their
change. ``If-Match: *`` or no ``If-Match`` at all proceeds: integrators opt in, so clients
written before the header existed keep working.

The comparison happens under a row lock (``select_for_update``) inside the write's
transaction (``AtomicWritesMixin``), so two writers sending the same version cannot both
pass: the second waits for the first to commit, then sees the new version.
"""

import re

from django.db.models import Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

# One entity tag: optionally weak (W/), then a quoted string (RFC 9110, section 8.8.3).
_ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*')

IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        'The `ETag` of the version you read, e.g. `"3"` (quotes included). If the record '
        "changed since, the write is refused with 412 and nothing is changed; re-read it and "
        "retry. `*` or no header: write without the check."
    ),
)

PRECONDITION_FAILED_RESPONSE = OpenApiResponse(
    response=inline_serializer(
        "StaleVersionError",
        fields={
            "detail": serializers.CharField(),
            "current_version": serializers.IntegerField(
                help_text="The version now stored (also sent as the ETag header)."
            ),
        },
    ),
    description="The record changed since you read it (If-Match does not match its ETag).",
)


def entity_tag(version: int) -> str:
    """The strong ETag of a version, quotes included, as sent in the header."""
    return f'"{version}"'


class MalformedIfMatchError(ValueError):
    """An If-Match header that is neither ``*`` nor a list of quoted entity tags."""


def if_match_allows(header: str, version: int) -> bool:
    """Whether an ``If-Match`` header value lets a write on ``version`` proceed.

    ``*`` matches any existing record. Otherwise the header lists entity tags and one must
    be the current strong tag: weak tags (``W/"3"``) never match, as RFC 9110 requires for
    If-Match. Raises :class:`MalformedIfMatchError` for anything else (an unquoted number).
    """
    if header.strip() == "*":
        return True
    current = str(version)
    tags = []
    for part in header.split(","):
        match = _ENTITY_TAG.fullmatch(part)
        if match is None:
            raise MalformedIfMatchError(part.strip())
        tags.append(match.groups())
    return any(weak is None and value == current for weak, value in tags)


class OptimisticConcurrencyMixin:
    """For model viewsets over a record with a ``version`` field (``version_field``).

    ``retrieve`` and ``update`` answers carry the ETag (read from the answer's ``version``);
    ``update`` and ``partial_update`` honour If-Match. Custom write actions call
    :meth:`stale_write_response` with the object before changing it, and :meth:`with_etag`
    on their answer.
    """

    version_field = "version"

    def with_etag(self, response: Response) -> Response:
        version = response.data.get(self.version_field) if isinstance(response.data, dict) else None
        if version is not None and response.status_code < 300:
            response["ETag"] = entity_tag(version)
        return response

    def stale_write_response(self, request: Request, instance: Model) -> Response | None:
        """None when the write may proceed; else the 400 (malformed header) or 412 answer.

        Locks the record's row until the end of the transaction, so the check stays true
        while the write happens.
        """
        header = request.headers.get("If-Match")
        if header is None:
            return None
        model = type(instance)
        current = (
            model._default_manager.select_for_update()
            .filter(pk=instance.pk)
            .values_list(self.version_field, flat=True)
            .get()
        )
        try:
            allowed = if_match_allows(header, current)
        except MalformedIfMatchError:
            return Response(
                {"detail": 'If-Match must be "*" or the ETag you read, quotes included '
                           '(for example "3").'},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if allowed:
            return None
        name = model._meta.verbose_name
        return Response(
            {
                "detail": f"This {name} has changed since you read it (it is now version "
                          f"{current}); re-read and retry.",
                "current_version": current,
            },
            status=status.HTTP_412_PRECONDITION_FAILED,
            headers={"ETag": entity_tag(current)},
        )

    def retrieve(self, request, *args, **kwargs):
        return self.with_etag(super().retrieve(request, *args, **kwargs))

    def update(self, request, *args, **kwargs):
        if "If-Match" in request.headers:  # else no extra read: the update reads the row
            refusal = self.stale_write_response(request, self.get_object())
            if refusal is not None:
                return refusal
        return self.with_etag(super().update(request, *args, **kwargs))
