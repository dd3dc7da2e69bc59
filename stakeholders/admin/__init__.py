"""Staff interface of the stakeholders app: organizations, users and memberships; the
stakeholder register with its engagement assessments; the communication plan and log; risks.

Every model with an audit history shows it read-only (who, when, what changed), and writes to
the register go through ``stakeholders.services``, so the admin follows the rules of the API
and the portal. Records that are history (stakeholders, assessments, communications, risks)
cannot be deleted here.
"""

from . import accounts, communication, register, risks

__all__ = ["accounts", "communication", "register", "risks"]
