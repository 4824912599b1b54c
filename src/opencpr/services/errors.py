"""Errors of the service layer; each carries the Kvit code the adapters answer with."""

from __future__ import annotations

from opencpr.access.audit import AuditUnavailable
from opencpr.access.kvit import Kvit, KvitError

__all__ = ["AuditUnavailable", "InvalidKey", "KvitError", "MalformedPNR", "MissingKey", "NoAccess", "PersonNotFound",
           "ProtectionLeak", "UnknownField", "UnknownService",
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


class UnknownService(ServiceError):
    """No service of that name (this project's Kvit 10)."""

    default = Kvit.UNKNOWN_SERVICE

    def __init__(self, name: object) -> None:
        super().__init__(Kvit.UNKNOWN_SERVICE.format(str(name)[:40]))


class UnknownField(ServiceError):
    """The request names a field the service does not have (Kvit 16)."""

    default = Kvit.UNKNOWN_FIELD

    def __init__(self, name: object, service: str) -> None:
        super().__init__(f"{Kvit.UNKNOWN_FIELD.text}: {str(name)[:40]} findes ikke i {service}")
        self.field = name


class MissingKey(ServiceError):
    """A required key field is missing or blank (this project's Kvit 17)."""

    default = Kvit.KEY_MISSING

    def __init__(self, name: str, service: str) -> None:
        super().__init__(Kvit.KEY_MISSING.format(name) + f" ({service})")
        self.field = name


class InvalidKey(ServiceError):
    """A key field's value is not acceptable (this project's Kvit 18); the text says what is wanted."""

    default = Kvit.KEY_INVALID

    def __init__(self, name: str, value: object, wanted: str) -> None:
        super().__init__(Kvit.KEY_INVALID.format(name) + f": {str(value)[:40]!r}, forventet {wanted}")
        self.field = name
