"""WSGI entry point (gunicorn ``pmo_service.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo_service.settings.local")

application = get_wsgi_application()
