"""CPR's return codes (Kvit) for signon, sessions and access, with their Danish texts.

``Kvit v`` is the numeric code, ``t`` the text (GCTP ``<Kvit r=.. t=.. v=..>``). Texts that CPR
publishes are used as published (900, 901, 905, 52, 172, 4, 5, 16); the others are this
project's wording of the meaning CPR's clients document. Codes CPR has not published (unknown
service, missing or invalid key, unreadable document, DTD, oversized body, internal error) are
this project's and marked so.
"""

from __future__ import annotations

from enum import Enum


class Kvit(Enum):
    """A return code and its Danish text."""

    OK = (0, "")
    AUTHORITY_UNKNOWN = (4, "Myndighedskode %1% kan ikke findes")
    NO_ACCESS = (5, "Myndigheden kan ikke foretage hændelsen")
    UNKNOWN_SERVICE = (10, "Servicen %1% findes ikke")  # this project's code
    UNKNOWN_FIELD = (16, "Forkert felt-reference")
    KEY_MISSING = (17, "Nøglefeltet %1% skal udfyldes")  # this project's code
    KEY_INVALID = (18, "Nøglefeltet %1% er udfyldt forkert")  # this project's code
    AUTHORITY_NO_ACCESS = (184, "Myndigheden %1% har ikke adgang til hændelsen")
    PNR_MALFORMED = (52, "Personnummeret: %1% er udfyldt forkert. Det skal være gyldigt.")
    PERSON_NOT_FOUND = (172, "Personen findes ikke i CPR")
    ASCERTAINING_AUTHORITY = (4455, "Den valgte konstaterende myndighed kan ikke anvendes på hændelsen")
    NOT_ASCERTAINING = (5322, "Myndigheden må ikke anvendes som konstaterende myndighed")
    SESSION_UNKNOWN = (5401, "Sessionen %1% findes ikke eller er udløbet")  # this project's code
    NOT_VALIDATED = (5402, "Hændelsen skal valideres, før den kan gemmes")  # this project's code
    DATA_REFUSED = (5403, "Data er ikke godkendt")  # this project's code
    KEYS_CHANGED = (5404, "Nøglefelterne må ikke ændres efter initiering")
    CONFLICT = (5405, "Personen er ændret af en anden siden validering; valider igen")  # this project's code
    NOT_SECONDARY = (5406, "Hændelsen %1% kan ikke indberettes som sekundær hændelse i denne sag")  # this project's code
    PENDING_UNKNOWN = (5407, "Indberetningen %1% findes ikke i venteregistret")  # this project's code
    PENDING_DECIDED = (5408, "Indberetningen %1% venter ikke længere på afgørelse")  # this project's code
    SIGNON_OK = (900, "Signon udført")
    TOKEN_UNKNOWN = (901, "Token kendes ikke")
    USER_UNKNOWN = (902, "Brugerid er ikke oprettet i sikkerhedssystemet")
    USER_INACTIVE = (903, "Brugerid er ikke aktiv i sikkerhedssystemet")
    USER_ID_INVALID = (904, "Ugyldigt brugerid indtastet")
    PASSWORD_WRONG = (905, "Ugyldig kodeord indtastet")
    PASSWORD_EXPIRED = (906, "Kodeordet er udløbet")
    NEW_PASSWORDS_DIFFER = (907, "De to nye kodeord skal være ens")
    NEW_PASSWORD_INVALID = (908, "Nyt kodeord er ikke gyldigt")
    BAD_DOCUMENT = (910, "Forespørgslen er ikke et gyldigt GCTP-dokument")  # this project's code
    DTD_REFUSED = (911, "Forespørgslen må ikke indeholde en DTD eller entiteter")  # this project's code
    TOO_LARGE = (912, "Forespørgslen er for stor")  # this project's code
    TOO_MANY_ATTEMPTS = (913, "For mange mislykkede forsøg fra klienten; vent og prøv igen")  # this project's code
    INTERNAL_ERROR = (999, "Intern fejl i CPR-serveren")  # this project's code

    def __init__(self, code: int, text: str) -> None:
        self.code = code
        self.text = text

    def format(self, value: str) -> str:
        """The text with ``%1%`` replaced by ``value`` (an authority code, a PNR …)."""
        return self.text.replace("%1%", value)

    @classmethod
    def of(cls, code: int) -> Kvit:
        """The member with numeric ``code``."""
        for member in cls:
            if member.code == code:
                return member
        raise ValueError(f"no Kvit with code {code}")


class KvitError(Exception):
    """An answer that is a Kvit code other than OK: the adapters turn it into their protocol's error."""

    default = Kvit.INTERNAL_ERROR
    recorded = False  # set once the call's refusal is in the audit trail (the gate records it)

    def __init__(self, text: str | None = None, *, kvit: Kvit | None = None) -> None:
        self.kvit = kvit or self.default
        self.text = text if text is not None else self.kvit.text
        super().__init__(f"{self.kvit.code} {self.text}")

    @property
    def code(self) -> int:
        return self.kvit.code
