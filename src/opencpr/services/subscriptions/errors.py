"""SF6002's errors: each a service error (with a Kvit code for the audit trail) carrying the
``ErrorCode`` Serviceplatformen answers in its fault (integration description, table 2.1.5)."""

from __future__ import annotations

from opencpr.domain.kvit import Kvit
from opencpr.services.errors import ServiceError

__all__ = [
    "InvalidCallParameters", "NoClientCertificate", "SubscriptionFault", "UnknownOperation", "WrongService",
    "WrongServiceAgreement", "WrongUserSystem",
]


class SubscriptionFault(ServiceError):
    """An SF6002 call refused; ``error_code`` is the fault's ErrorCode."""

    error_code = "ServiceError"


class InvalidCallParameters(SubscriptionFault):
    """A value of the call is not acceptable (a negative municipality code, a malformed PNR …)."""

    default = Kvit.KEY_INVALID
    error_code = "InvalidCallParameters"


class UnknownOperation(SubscriptionFault):
    """The body names an operation the service does not have."""

    default = Kvit.UNKNOWN_SERVICE
    error_code = "UnknownOperation"


class WrongServiceAgreement(SubscriptionFault):
    """The call's ServiceAgreementUUID is not the agreement of the certificate's system."""

    default = Kvit.NO_ACCESS
    error_code = "WrongServiceAgreement"


class WrongUserSystem(SubscriptionFault):
    """The call's UserSystemUUID is not the one registered for the certificate's system."""

    default = Kvit.NO_ACCESS
    error_code = "WrongUserSystem"


class WrongService(SubscriptionFault):
    """The call's ServiceUUID is not CPR Subscription's."""

    default = Kvit.NO_ACCESS
    error_code = "WrongService"


class NoClientCertificate(SubscriptionFault):
    """The caller presented no client certificate (two-way TLS is required)."""

    default = Kvit.NO_ACCESS
    error_code = "NoClientCertificate"
