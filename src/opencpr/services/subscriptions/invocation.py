"""The checks of a Serviceplatformen Invocation Context that need nothing but the call and the
certificate's system: every UUID field present and written as Serviceplatformen writes UUIDs, and
the ``ServiceAgreementUUID`` the certificate's system's own. SF6002 (:func:`filters.check_invocation`)
and CPRLookup use them; SF6002 checks the registered user system and its ServiceUUID on top."""

from __future__ import annotations

import re

from opencpr.services.subscriptions.errors import InvalidCallParameters, WrongServiceAgreement

__all__ = ["UUID", "check_agreement", "check_fields"]

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
