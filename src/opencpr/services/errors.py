"""Errors of the service layer: one hierarchy, each error with the Kvit code the adapters answer.

Every error an adapter turns into its protocol's answer is a :class:`~opencpr.domain.kvit.KvitError`
(the base, with its :class:`~opencpr.domain.kvit.Kvit` code and text, lives in the domain so that
every layer can raise one). GCTP answers ``<Kvit v=code t=text>``, REST an HTTP status with the
code and text, SOAP a fault. The whole hierarchy::

    KvitError (domain.kvit)                          Kvit
    ├── ServiceError                                  (this module)
    │   ├── NoAccess                                  5     the group may not use it / out of scope
    │   ├── PersonNotFound                            172
    │   ├── MalformedPNR                              52
    │   ├── UnknownService                            10    (this project's code)
    │   ├── UnknownField                              16
    │   ├── MissingKey                                17    (this project's code)
    │   ├── InvalidKey                                18    (this project's code)
    │   ├── UnknownEvent                              10    an unknown event code
    │   ├── AuthorityUnknown                          4
    │   ├── AuthorityNoAccess                         184
    │   ├── SessionUnknown                            5401  update session unknown or expired
    │   ├── NotValidated                              5402  save before validation
    │   ├── DataRefused                               5403  the event's rules refuse the data
    │   ├── KeysChanged                               5404
    │   ├── UpdateConflict                            5405  changed since validation
    │   ├── NotSecondary                              5406
    │   └── TooManyAttempts                           913   the client failed too many tokens/signons
    ├── TokenUnknown (access.sessions)                901
    ├── UnknownSystem (access.subscribers)            5     no active system for a certificate
    └── GctpError (formats.gctp)                      910, 911, 912  unreadable, DTD, too large

Signon and password change answer with a result, not an error (Kvit 900, 902-908: see
:mod:`opencpr.access.sessions`). Two errors are not Kvit answers but faults of the server, which
the adapters answer as Kvit 999 and the gate records: :class:`ProtectionLeak` (a service tried to
let a protected person out of an address search) and
:class:`~opencpr.access.audit.AuditUnavailable` (the audit trail cannot be written, so nothing is
answered).
"""

from __future__ import annotations

from opencpr.access.audit import AuditUnavailable
from opencpr.access.sessions import TokenUnknown
from opencpr.access.subscribers import UnknownSystem
from opencpr.domain.events.base import Problem
from opencpr.domain.kvit import Kvit, KvitError

__all__ = [
    "AuditUnavailable", "AuthorityNoAccess", "AuthorityUnknown", "DataRefused", "InvalidKey", "KeysChanged",
    "KvitError", "MalformedPNR", "MissingKey", "NoAccess", "NotSecondary", "NotValidated", "PendingDecided",
    "PendingUnknown", "PersonNotFound",
    "ProtectionLeak", "ServiceError", "SessionUnknown", "TokenUnknown", "UnknownEvent", "UnknownField",
    "UnknownService", "UnknownSystem", "UpdateConflict",
]


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


class TooManyAttempts(ServiceError):
    """The client has failed too many tokens or signons lately (this project's Kvit 913; REST 429)."""

    default = Kvit.TOO_MANY_ATTEMPTS

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__()
        self.retry_after = retry_after


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


class UnknownEvent(ServiceError):
    """No event with that code (this project's Kvit 10, as for an unknown service)."""

    default = Kvit.UNKNOWN_SERVICE

    def __init__(self, code: object) -> None:
        super().__init__(Kvit.UNKNOWN_SERVICE.format(str(code)[:10]))


class AuthorityUnknown(ServiceError):
    """The reporting authority code is not in the authority table (Kvit 4)."""

    default = Kvit.AUTHORITY_UNKNOWN

    def __init__(self, code: object) -> None:
        super().__init__(Kvit.AUTHORITY_UNKNOWN.format(str(code)[:10]))


class AuthorityNoAccess(ServiceError):
    """The reporting authority may not report the event (Kvit 184)."""

    default = Kvit.AUTHORITY_NO_ACCESS

    def __init__(self, code: object, why: str | None = None) -> None:
        text = Kvit.AUTHORITY_NO_ACCESS.format(str(code)[:10])
        super().__init__(f"{text}: {why}" if why else text)


class SessionUnknown(ServiceError):
    """No open update session with that ``ts``, or it expired (this project's Kvit 5401)."""

    default = Kvit.SESSION_UNKNOWN

    def __init__(self, ts: object) -> None:
        super().__init__(Kvit.SESSION_UNKNOWN.format(str(ts)[:24]))


class NotValidated(ServiceError):
    """Save before a successful validation (this project's Kvit 5402)."""

    default = Kvit.NOT_VALIDATED


class KeysChanged(ServiceError):
    """The keys differ from those the session was initiated with (Kvit 5404)."""

    default = Kvit.KEYS_CHANGED


class UpdateConflict(ServiceError):
    """A person changed between validation and save: validate again (this project's Kvit 5405)."""

    default = Kvit.CONFLICT


class NotSecondary(ServiceError):
    """A secondary event outside a case that offers it (this project's Kvit 5406)."""

    default = Kvit.NOT_SECONDARY

    def __init__(self, code: object, why: str) -> None:
        super().__init__(f"{Kvit.NOT_SECONDARY.format(str(code)[:10])}: {why}")


class DataRefused(ServiceError):
    """The event's data or the person's state breaks the event's rules: every problem is listed."""

    default = Kvit.DATA_REFUSED

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{Kvit.DATA_REFUSED.text}: " + "; ".join(p.text for p in problems))
        self.problems = problems

    @property
    def lines(self) -> list[str]:
        return [f"{p.code} {p.text}" for p in self.problems]


class PendingUnknown(ServiceError):
    """No report with that id in the pending register (this project's Kvit 5407)."""

    default = Kvit.PENDING_UNKNOWN

    def __init__(self, pending_id: object) -> None:
        super().__init__(Kvit.PENDING_UNKNOWN.format(str(pending_id)[:20]))


class PendingDecided(ServiceError):
    """The report is no longer waiting for a decision: decided, withdrawn or applied (Kvit 5408)."""

    default = Kvit.PENDING_DECIDED

    def __init__(self, pending_id: object, state: str) -> None:
        super().__init__(f"{Kvit.PENDING_DECIDED.format(str(pending_id)[:20])} ({state})")
