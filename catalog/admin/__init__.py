"""Staff interface for the catalog: services and their parts, taxonomies, service requests.

Every state change (publishing, retiring, the request workflow, recording a request on a
client's behalf) goes through ``catalog.services``, so the admin follows the same rules as the
API and the portal. Workflow refusals come back as messages on the page, never as errors.
"""

from . import requests, service, taxonomy

__all__ = ["requests", "service", "taxonomy"]
