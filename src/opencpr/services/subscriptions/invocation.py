"""The checks of a Serviceplatformen Invocation Context that need nothing but the call and the
certificate's system: every UUID field present and written as Serviceplatformen writes UUIDs, and
the ``ServiceAgreementUUID`` the certificate's system's own. SF6002 (:func:`filters.check_invocation`)
uses them, checking the registered user system and its ServiceUUID on top; the lookups (CPRLookup,
SF1520) identify their caller with :func:`caller`."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from opencpr.services.subscriptions.errors import (
    InvalidCallParameters,
    NoClientCertificate,
    WrongService,
    WrongServiceAgreement,
)

__all__ = ["UUID", "caller", "check_agreement", "check_fields"]

UUID = re.compile(r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}")
_FIELDS = ("ServiceAgreementUUID", "UserSystemUUID", "UserUUID", "ServiceUUID")


def check_fields(invocation: dict[str, str]) -> None:
    """Raise InvalidCallParameters unless the four UUID fields are lower-case UUIDs."""
    for name in _FIELDS:
        value = invocation.get(name, "")
        if not UUID.fullmatch(value):
            raise InvalidCallParameters(f"InvocationContext/{name} must be a lower-case UUID, not {value[:40]!r}")


def check_agreement(actor, invocation: dict[str, str], label: str) -> None:
    """Raise WrongServiceAgreement unless the call's agreement is the certificate's system's."""
    if invocation.get("ServiceAgreementUUID") != actor.agreement_uuid:
        raise WrongServiceAgreement(f"{label} - the service agreement "
                                    f"{invocation.get('ServiceAgreementUUID')} is not the certificate's")


def caller(identify: Callable[[str], Any], certificate_pem: str | None, invocation: dict[str, str] | None, *,
           label: str, service_uuids: Collection[str]) -> Any:
    """The actor a lookup over Serviceplatformen is made for: the system of the client certificate
    (``identify``, the gate's :meth:`~opencpr.services.gate.Gate.actor_for_certificate`), once the
    call's Invocation Context is well formed, names that system's service agreement and one of the
    service's ``service_uuids``. Raises the Serviceplatformen fault of what is wrong."""
    if not certificate_pem:
        raise NoClientCertificate("a client certificate is required (two-way TLS with the system's OCES certificate)")
    if invocation is None:
        raise InvalidCallParameters(f"{label} - the request has no InvocationContext")
    check_fields(invocation)
    actor = identify(certificate_pem)
    check_agreement(actor, invocation, label)
    if invocation["ServiceUUID"] not in service_uuids:
        raise WrongService(f"{label} - ServiceUUID {invocation['ServiceUUID']} is not one of {label}'s "
                           f"({', '.join(sorted(service_uuids))})")
    return actor
