"""Signals the stakeholders app sends to the apps built on it.

``stakeholders`` is the lowest app: it may not import the apps that read its records (the
engagements' metrics count key stakeholders, overdue communication plans and open risks of
the client organization). So its write paths *announce* a change and those apps listen.
The announcement is explicit (the services and the few interfaces that write past them call
:func:`announce_inputs_changed` inside the write's transaction), not a model ``post_save``:
what counts as a change of inputs is a domain decision, taken once, in the services.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.dispatch import Signal

# Sent with ``organization_ids`` (a sorted list of int): records of these client
# organizations that other apps compute from (stakeholders, assessments, communication
# plans and log, risks) changed in the current transaction. Receivers run inside it.
organization_inputs_changed = Signal()

# While a bulk write (an import) runs, the organizations announced are collected here and
# sent once by :func:`send_deferred`, instead of once per row.
_deferred: ContextVar[set[int] | None] = ContextVar("deferred_inputs_changed", default=None)


def announce_inputs_changed(*, sender: type, organization_ids: Iterable[int | None]) -> None:
    """Tell listeners that records of these organizations changed (``sender``: the model).

    Call it inside the transaction of the change, so what listeners record is committed or
    rolled back with it. Within :func:`inputs_changed_deferred` it only collects the ids.
    """
    ids = {pk for pk in organization_ids if pk is not None}
    if not ids:
        return
    deferred = _deferred.get()
    if deferred is not None:
        deferred.update(ids)
        return
    organization_inputs_changed.send(sender=sender, organization_ids=sorted(ids))


@contextmanager
def inputs_changed_deferred() -> Iterator[None]:
    """Collect the announcements made in this block; :func:`send_deferred` sends them at once.

    What is still collected when the block ends unsent (the bulk write failed and rolled
    back) is dropped.
    """
    token = _deferred.set(set())
    try:
        yield
    finally:
        _deferred.reset(token)


def send_deferred(*, sender: type) -> None:
    """Send, once, the organizations collected so far by :func:`inputs_changed_deferred`."""
    deferred = _deferred.get()
    if not deferred:
        return
    ids = sorted(deferred)
    deferred.clear()
    organization_inputs_changed.send(sender=sender, organization_ids=ids)
