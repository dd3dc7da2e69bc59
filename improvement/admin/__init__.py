"""Staff interface of continuous improvement: process maps (steps inline, a read-only
analysis panel, new versions and bottleneck suggestions) and improvement actions (ranked by
WSJF, moved through their workflow by list actions).

Saves go through ``improvement.services``, so the admin follows the rules of the API and the
portal; models with an audit history show it read-only.
"""

from . import actions, process

__all__ = ["actions", "process"]
