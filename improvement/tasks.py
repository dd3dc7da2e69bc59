"""Background work of continuous improvement: finding bottlenecks every night.

The task is idempotent (at most one open suggestion per step and per demand status), so a
redelivered or repeated run creates nothing new; database hiccups are retried with backoff.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .detection import detect_bottlenecks as detect


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             max_retries=3)
def detect_bottlenecks() -> dict[str, int]:
    """Suggest an improvement action for every process-map and demand-flow bottleneck."""
    result = detect()
    return {
        "process_bottlenecks": result.process_bottlenecks,
        "flow_bottlenecks": result.flow_bottlenecks,
        "suggestions_created": result.suggestions_created,
    }
