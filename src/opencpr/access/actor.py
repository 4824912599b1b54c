"""Who is calling: a signed-on user or a subscriber system identified by its certificate.

An :class:`Actor` is made only by code that has authenticated the caller —
:func:`opencpr.access.sessions.resolve_token` (a session token),
:func:`opencpr.access.subscribers.actor_for_certificate` (a client certificate) and
:func:`opencpr.access.users.actor_for_user` (trusted local jobs and the command line). It
carries the security group as it was when the call arrived, so the gate checks permissions
without reading the database.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from opencpr.access.groups import SecurityGroup


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller of a service."""

    kind: str  # "user" or "system"
    group: SecurityGroup  # sikkerhedsgruppe
    authority: str | None  # myndighedskode (a system may have none)
    user_code: str | None = None  # personkode, for users
    cvr: str | None = None  # for systems (from the OCES certificate)
    system: str | None = None  # the subscriber system's name
    agreement_uuid: str | None = None  # serviceaftale, for systems
    client: str | None = None  # the client's address

    @property
    def ident(self) -> str:
        """How the audit trail and usage name the actor: the user code, ``CVR:<cvr>`` or ``JOB:<name>``."""
        if self.kind == "user":
            return self.user_code or ""
        return f"CVR:{self.cvr}" if self.cvr else f"JOB:{self.system}"

    def at(self, client: str | None) -> Actor:
        """The same actor calling from ``client``."""
        return dataclasses.replace(self, client=client)
