"""Production settings for the load test, with one change: static files are collected into
the run's own directory (``LOAD_STATIC_ROOT``) instead of ``staticfiles/`` in the checkout.

Production serves static files through WhiteNoise's manifest storage, so pages need a
``collectstatic`` made by that storage; everything else (the refusal to start half-configured,
``DEBUG`` off, persistent connections, security middleware) is production's own.
"""

from pathlib import Path

from pmo_service.settings.production import *  # noqa: F403
from pmo_service.settings.production import env

STATIC_ROOT = Path(env.str("LOAD_STATIC_ROOT"))
