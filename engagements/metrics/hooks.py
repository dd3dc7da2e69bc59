"""Keeping metrics current when records of the lower apps change.

The stakeholders app cannot call the metrics (it may not import engagements), so it sends
``stakeholders.signals.organization_inputs_changed``; this receiver, connected in
``EngagementsConfig.ready``, marks the open engagements of those organizations stale and
enqueues their recompute after commit.
"""

from collections.abc import Sequence

from ..choices import OPEN_ENGAGEMENT_STATUSES
from ..models import Engagement
from . import compute


def organization_inputs_changed(sender: type, organization_ids: Sequence[int], **kwargs) -> None:
    """The organizations' key stakeholders, communications or risks changed: every open
    engagement of theirs reads them, so mark those engagements' inputs changed.

    Runs inside the sender's transaction; closed and cancelled engagements keep the metrics
    they were closed with.
    """
    engagement_ids = list(
        Engagement.objects.filter(
            organization_id__in=organization_ids, status__in=OPEN_ENGAGEMENT_STATUSES
        ).values_list("pk", flat=True)
    )
    compute.mark_inputs_changed(engagement_ids)
