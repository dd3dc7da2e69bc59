"""Settings split by environment: ``base`` (shared), ``local``, ``test`` and ``production``.

Every value comes from environment variables; see README "Configuration".
"""
