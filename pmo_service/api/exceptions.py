"""The API's one error envelope.

Errors keep DRF's shape, which integrators already know: ``{"detail": "..."}`` for errors about
the request as a whole and ``{"field": ["message", ...]}`` for field errors. This handler adds
the cases DRF leaves as 500s: domain conflicts (409), model-level ``ValidationError`` (400),
protected deletes (409) and constraint violations that slipped past validation (409).
"""

import logging

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connections
from django.db.models import ProtectedError, RestrictedError
from rest_framework import serializers, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler
from rest_framework.views import set_rollback as _mark_transaction_for_rollback

from pmo_service.exceptions import ConflictError

logger = logging.getLogger(__name__)


def django_validation_error_detail(exc: DjangoValidationError) -> dict:
    """A Django ``ValidationError`` in the API's envelope (``__all__`` -> ``non_field_errors``)."""
    errors = serializers.as_serializer_error(exc)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors


def _is_read(context) -> bool:
    request = context.get("request")
    return request is not None and request.method in SAFE_METHODS


def set_rollback(context) -> None:
    """Undo the request's writes. Reads run outside a transaction (AtomicWritesMixin), so
    there is nothing of theirs to undo, and marking an enclosing block would be wrong."""
    if not _is_read(context):
        _mark_transaction_for_rollback()


def api_exception_handler(exc, context):
    """Translate domain and database exceptions into client errors, never a 500."""
    if _is_read(context):
        # DRF's handler marks any open atomic block for rollback; a read opened none.
        marks = {
            alias: connections[alias].needs_rollback
            for alias in connections
            if connections[alias].in_atomic_block
        }
        response = exception_handler(exc, context)
        for alias, needs_rollback in marks.items():
            connections[alias].needs_rollback = needs_rollback
    else:
        response = exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, ConflictError):
        set_rollback(context)
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        set_rollback(context)
        return Response(django_validation_error_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError | RestrictedError):
        set_rollback(context)
        return Response(
            {"detail": "This record is referenced by others and cannot be deleted."},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        set_rollback(context)
        logger.warning("Integrity error answered with 409: %s", exc)
        return Response(
            {"detail": "The change conflicts with existing data."},
            status=status.HTTP_409_CONFLICT,
        )
    return None
