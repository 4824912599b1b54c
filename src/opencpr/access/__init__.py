"""Access control and audit: who may use which service, and a record of every use.

* :mod:`~opencpr.register.access_schema` — the tables (on the register's metadata).
* :mod:`~opencpr.domain.kvit` — CPR's return codes (Kvit) for signon and access.
* :mod:`~opencpr.access.groups` — security groups (sikkerhedsgrupper): permissions as data.
* :mod:`~opencpr.access.passwords` — CPR's password rules and argon2id hashing.
* :mod:`~opencpr.access.users` — user codes (personkoder) and their life cycle.
* :mod:`~opencpr.access.sessions` — signon, password change, session tokens.
* :mod:`~opencpr.access.actor` — who is calling: a user or a certificate's system.
* :mod:`~opencpr.access.certificates` — development CA, OCES-style certificates, CVR.
* :mod:`~opencpr.access.subscribers` — subscriber systems (abonnentsystemer) by CVR.
* :mod:`~opencpr.access.protection` — name and address protection (beskyttelse).
* :mod:`~opencpr.access.audit` — the hash-chained audit trail (logning).
* :mod:`~opencpr.access.usage` — usage counters for billing (betaling).

The single gate every service call passes through is :class:`opencpr.services.gate.Gate`.
"""
