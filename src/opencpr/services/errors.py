"""Errors of the service layer; each carries the Kvit code the adapters answer with."""

from __future__ import annotations

from opencpr.access.audit import AuditUnavailable
from opencpr.access.kvit import Kvit, KvitError

__all__ = ["AuditUnavailable", "KvitError", "MalformedPNR", "NoAccess", "PersonNotFound", "ProtectionLeak",
           "ServiceError"]


class ServiceError(KvitError):
    """A service answered with an error Kvit code."""


class NoAccess(ServiceError):
    """The caller's security group does not allow the service, event or person (Kvit 5)."""

    default = Kvit.NO_ACCESS


class PersonNotFound(ServiceError):
    """No person with the PNR (Kvit 172)."""

    default = Kvit.PERSON_NOT_FOUND


class MalformedPNR(ServiceError):
    """The PNR given as a key is not a valid CPR number (Kvit 52)."""

    default = Kvit.PNR_MALFORMED

    def __init__(self, pnr: object) -> None:
        super().__init__(Kvit.PNR_MALFORMED.format(str(pnr)[:20]))
        self.pnr = pnr


class ProtectionLeak(RuntimeError):
    """A service returned a protected person from an address search to a caller who may not
    see them: a bug in the service, stopped by the gate (the call fails, nothing goes out)."""
