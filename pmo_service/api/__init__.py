"""Shared REST plumbing: tenant-scoped base viewset and serializer fields, pagination, ordering,
the error envelope. Imports no domain app: scoping is reached through each model manager's
``for_user(user)`` method (see stakeholders/tenancy.py)."""
