"""CPR code tables with their Danish texts.

Each table is a :class:`CodeTable`; all of them are in :data:`TABLES` by name.

Event codes (hændelseskoder, record 099 ``HAENDELSE``): CPR's public list names 36 codes. Codes
that occur in CPR's demo data without a published name are kept as "known code, name unknown"
entries (text ``"Hændelse <code>"``). Events that CPR's handbook describes but for which no public
code exists get codes of this project's own in the range ``B01``-``B32``: CPR's codes seen so
far start with ``A``, ``K`` or ``P``, so the ``B`` range cannot collide with them. They are
listed in :data:`PROJECT_EVENT_CODES`; naming (navngivning) uses CPR's public code ``A14``.
Data maintenance without a public code gets this project's ``R`` (ret, correct), ``F`` (fortryd,
undo) and ``T`` (tidligere, report earlier data) codes, numbered by the kind of data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "ACTIVE_STATUSES",
    "CHURCH",
    "CHURCH_MEMBER_CODES",
    "CIVIL_STATUS",
    "CORRECTION",
    "DERIVED_MARKER",
    "EVENT",
    "GUARDIANSHIP_RELATION",
    "PARENTAL_AUTHORITY",
    "PERSON_STATUS",
    "PROJECT_EVENT_CODES",
    "PROTECTION",
    "SEX",
    "TABLES",
    "UNNAMED_EVENT_CODES",
    "CodeTable",
    "Event",
]


def _digits(width: int) -> Callable[[str], str]:
    """Normaliser for numeric codes: ``"1"``, ``"01"`` and ``"00001"`` all become ``width`` digits."""

    def normalize(code: str) -> str:
        code = code.strip()
        if code.isdigit() and code.isascii() and len(str(int(code))) <= width:
            return f"{int(code):0{width}d}"
        return code

    return normalize


def _letters(code: str) -> str:
    """Normaliser for letter codes: strip blanks, upper case."""
    return code.strip().upper()


class CodeTable:
    """A CPR code table: code -> Danish text, with optional short and long texts."""

    __slots__ = ("name", "field", "description", "_texts", "_short", "_long", "_normalize")

    def __init__(
        self,
        name: str,
        field: str,
        texts: Mapping[str, str],
        *,
        short: Mapping[str, str] | None = None,
        long: Mapping[str, str] | None = None,
        description: str = "",
        normalize: Callable[[str], str] = _letters,
    ) -> None:
        self.name = name
        self.field = field  # CPR field name, e.g. "CIVST"
        self.description = description
        self._texts = MappingProxyType(dict(texts))
        self._short = MappingProxyType(dict(short or {}))
        self._long = MappingProxyType(dict(long or {}))
        self._normalize = normalize
        unknown = (set(self._short) | set(self._long)) - set(self._texts)
        if unknown:
            raise ValueError(f"{name}: short/long texts for codes not in the table: {sorted(unknown)}")

    def normalize(self, code: str | None) -> str:
        """The table's spelling of ``code`` (e.g. ``"1"`` -> ``"01"`` for status)."""
        return "" if code is None else self._normalize(str(code))

    def text(self, code: str | None) -> str:
        """The text of ``code``; ``""`` for unknown codes (and blank, unless blank is a code)."""
        return self._texts.get(self.normalize(code), "")

    def short(self, code: str | None) -> str:
        """Short text (falls back to the text)."""
        c = self.normalize(code)
        return self._short.get(c) or self._texts.get(c, "")

    def long(self, code: str | None) -> str:
        """Long text (falls back to the text)."""
        c = self.normalize(code)
        return self._long.get(c) or self._texts.get(c, "")

    def get(self, code: str | None, default: str | None = None) -> str | None:
        """The text of ``code`` or ``default``."""
        return self._texts.get(self.normalize(code), default)

    @property
    def codes(self) -> tuple[str, ...]:
        """All codes in table order."""
        return tuple(self._texts)

    def items(self) -> Iterator[tuple[str, str]]:
        """(code, text) pairs in table order."""
        return iter(self._texts.items())

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.normalize(code) in self._texts

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __getitem__(self, code: str) -> str:
        return self._texts[self.normalize(code)]

    def __repr__(self) -> str:
        return f"CodeTable({self.name!r}, field={self.field!r}, {len(self)} codes)"


# --- person status (STATUS) -----------------------------------------------------------------

PERSON_STATUS = CodeTable(
    "person_status",
    "STATUS",
    {
        "01": "Aktiv, bopæl i dansk folkeregister",
        "03": "Aktiv, speciel vejkode (9900-9999) i dansk folkeregister",
        "05": "Aktiv, bopæl i grønlandsk folkeregister",
        "07": "Aktiv, speciel vejkode (9900-9999) i grønlandsk folkeregister",
        "10": "Reserveret personnummer",
        "20": "Uden bopæl i Danmark/Grønland, personnummer tildelt af skattehensyn",
        "30": "Annulleret personnummer",
        "50": "Slettet personnummer ved dobbeltnummer",
        "60": "Ændret personnummer ved ændring af fødselsdato og køn",
        "70": "Forsvundet",
        "80": "Udrejst",
        "90": "Død",
    },
    short={
        "01": "Aktiv",
        "03": "Aktiv, speciel vejkode",
        "05": "Aktiv, Grønland",
        "07": "Aktiv, Grønland, speciel vejkode",
        "20": "Skattepersonnummer",
        "60": "Ændret personnummer",
    },
    long={
        "10": "Inaktiv, reserveret personnummer",
        "20": "Inaktiv, uden bopæl i dansk/grønlandsk folkeregister men tildelt personnummer af "
        "skattehensyn (kommunekoderne 0010, 0011, 0012 og 0019)",
        "30": "Inaktiv, annulleret personnummer",
        "50": "Inaktiv, slettet personnummer ved dobbeltnummer",
        "60": "Inaktiv, ændret personnummer ved ændring af fødselsdato og køn",
        "70": "Inaktiv, forsvundet",
        "80": "Inaktiv, udrejst",
        "90": "Inaktiv, død",
    },
    description="Personstatus (record 001)",
    normalize=_digits(2),
)

ACTIVE_STATUSES = frozenset({"01", "03", "05", "07"})
"""Statuses of persons who are active in CPR."""

# --- civil status (CIVST) -------------------------------------------------------------------

CIVIL_STATUS = CodeTable(
    "civil_status",
    "CIVST",
    {
        "U": "Ugift",
        "G": "Gift",
        "F": "Fraskilt",
        "E": "Enke/enkemand",
        "P": "Registreret partner",
        "O": "Ophævet partnerskab",
        "L": "Længstlevende partner",
        "D": "Død",
    },
    description="Civilstand (records 012 and 029)",
)

# --- church relation (FKIRK) ----------------------------------------------------------------

# F and U are documented. A, M and S occur in CPR data, but their exact meanings are not
# published; M and S are treated as members and A as a non-member (uncertain).
CHURCH = CodeTable(
    "church",
    "FKIRK",
    {
        "F": "Medlem af folkekirken",
        "U": "Ikke medlem af folkekirken",
        "A": "Ikke medlem af folkekirken (kode A)",
        "M": "Medlem af folkekirken (kode M)",
        "S": "Medlem af folkekirken (kode S)",
    },
    description="Folkekirkeforhold (records 011 and 028)",
)

CHURCH_MEMBER_CODES = frozenset({"F", "M", "S"})
"""Church relation codes counted as membership of the national church."""

# --- protection (BESKYTTYPE) ----------------------------------------------------------------

PROTECTION = CodeTable(
    "protection",
    "BESKYTTYPE",
    {
        "0001": "Navne- og adressebeskyttelse",
        "0002": "Lokalvejviserbeskyttelse",
        "0003": "Reklamebeskyttelse",
        "0004": "Forskerbeskyttelse",
        "0005": "Kreditadvarsel",
    },
    description="Beskyttelsestype (record 004; GCTP writes 5 digits)",
    normalize=_digits(4),
)

# --- parental authority (RELTYP-FORÆLDREMYN) -------------------------------------------------

PARENTAL_AUTHORITY = CodeTable(
    "parental_authority",
    "RELTYP-FORÆLDREMYN",
    {
        "0003": "Mor",
        "0004": "Far",
        "0005": "Anden 1",
        "0006": "Anden 2",
    },
    long={
        "0005": "Anden indehaver af forældremyndighed (1)",
        "0006": "Anden indehaver af forældremyndighed (2)",
    },
    description="Forældremyndighedsindehaver (record 016)",
    normalize=_digits(4),
)

# --- guardianship relation (UMYN_RELTYP) -----------------------------------------------------

GUARDIANSHIP_RELATION = CodeTable(
    "guardianship_relation",
    "UMYN_RELTYP",
    {
        "0000": "Værge ikke registreret i CPR",
        "0001": "Værge med personnummer",
        "0002": "Værge med adresse (uden personnummer)",
    },
    description="Værgens relationstype (record 017)",
    normalize=_digits(4),
)

# --- sex (KOEN) ------------------------------------------------------------------------------

SEX = CodeTable("sex", "KOEN", {"M": "Mand", "K": "Kvinde"}, description="Køn")

# --- correction marker (ANNKOR) --------------------------------------------------------------

# Blank is a code here: a normal, uncorrected historic record.
CORRECTION = CodeTable(
    "correction",
    "ANNKOR",
    {
        "": "Ingen markering",
        "K": "Korrigeret",
        "A": "Annulleret",
        "Æ": "Teknisk ændring",
    },
    long={
        "K": "Korrigeret (overskrevet af en rettelse)",
        "A": "Annulleret (fortrudt)",
    },
    description="Annulleret/korrigeret-markering (historic records 023-030)",
)

# --- derived marker (AFLEDTMRK) -------------------------------------------------------------

# Only Æ/ÆG, PA and PN are documented; the other meanings are inferred or unknown.
DERIVED_MARKER = CodeTable(
    "derived_marker",
    "AFLEDTMRK",
    {
        "": "Ikke afledt",
        "Æ": "Ægtefælle",
        "ÆG": "Ægtefælle",
        "PA": "Registreret partner",
        "PN": "Nyt gældende personnummer",
        "PT": "Tidligere personnummer",  # inferred
        "BØ": "Barn",  # inferred
        "MO": "Mor",  # inferred
        "FA": "Far",  # inferred
        "NF": "Afledt markering NF",  # meaning unknown
        "NM": "Afledt markering NM",  # meaning unknown
        "TF": "Afledt markering TF",  # meaning unknown
        "TM": "Afledt markering TM",  # meaning unknown
        "VÆ": "Værge",  # this project's marker: the guardian of the person the event concerns
    },
    description="Afledt markering (record 099): the relation of a person changed by another's event",
)

# --- events (HAENDELSE) ---------------------------------------------------------------------


class Event(StrEnum):
    """Event codes by English name."""

    # CPR's public codes
    MOVE = "A01"  # flytning
    DISAPPEARANCE = "A02"
    REFOUND = "A03"
    REENTRY = "A04"
    EMIGRATION = "A06"
    SUPPLEMENTARY_ADDRESS = "A07"
    FOREIGN_AND_VOTING_FIELDS = "A08"
    ADDRESS_CORRECTION = "A09"
    ADDRESS_ANNULMENT = "A10"
    NAME_CHANGE = "A13"
    NAMING = "A14"  # navngivning
    NAME_FIELDS_UPDATE = "A15"
    NAME_CORRECTION = "A16"
    NAME_ANNULMENT = "A17"
    DEATH = "A21"
    CIVIL_STATUS_CHANGE = "A24"
    CIVIL_STATUS_ANNULMENT = "A25"
    PROTECTION = "A33"
    CHURCH_AND_OCCUPATION = "A34"
    PNR_ANNULMENT = "A40"
    TECHNICAL_ADDRESS_CHANGE = "A42"
    PNR_SUBSCRIPTION = "A45"
    CONTACT_ADDRESS = "A47"
    GUARDIANSHIP_PLACED = "A73"
    REQUISITION = "A74"
    REQUISITION_PERIODIC = "K74"
    PNR_DELETION = "P02"
    PNR_CHANGE = "P03"
    ADDRESS_NAMES_CHANGE = "P10"
    AUTOMATIC_DELETION = "P11"
    ENTRY_WITH_PNR_REPORT = "P31"
    PNR_CHANGE_UNDO = "P42"
    PNR_DELETION_UNDO = "P43"
    SEPARATION_CORRECTION = "P48"
    SEPARATION_ANNULMENT = "P49"
    CHURCH_ANNULMENT = "P56"
    # this project's codes for events without a public code
    ADOPTION = "B01"
    ADDRESSING_NAME = "B02"
    SHARED_RESIDENCE = "B03"
    SHARED_RESIDENCE_END = "B04"
    WIDOWHOOD = "B05"
    EU_ELECTION_ADDRESS = "B06"
    PATERNITY = "B07"
    RELOCATION_ORDER = "B08"
    PARENTAL_AUTHORITY = "B09"
    PNR_REACTIVATION = "B10"
    ENTRY_WITH_PNR = "B11"
    ENTRY_WITHOUT_PNR = "B12"
    MUNICIPAL_CONDITIONS = "B13"
    MUNICIPAL_NOTES = "B14"
    PARTNERSHIP = "B15"
    PARTNERSHIP_ANNULMENT = "B16"
    PARTNERSHIP_DISSOLUTION = "B17"
    SEPARATION = "B18"
    SEPARATION_END = "B19"
    DIVORCE = "B20"
    CITIZENSHIP = "B21"
    OCCUPATION = "B22"
    PNR_AT_BIRTH = "B23"
    TAX_PNR = "B24"
    ATP_PNR = "B25"
    ADMINISTRATIVE_PNR = "B26"
    FOREIGNER_NUMBER = "B27"
    GUARDIAN = "B28"
    MARRIAGE = "B29"
    MARRIAGE_ANNULMENT = "B30"
    BIRTH = "B31"
    GUARDIANSHIP_END = "B32"
    # this project's codes for data maintenance (handbook §3.2.2) without a public code:
    # R ret (correct), F fortryd (undo), T tidligere (report earlier data); the number names the kind of data
    ADDRESS_EARLIER = "T01"
    CIVIL_STATUS_CORRECTION = "R02"
    CIVIL_STATUS_EARLIER = "T02"
    SHARED_RESIDENCE_CORRECTION = "R03"
    SHARED_RESIDENCE_UNDO = "F03"
    SHARED_RESIDENCE_EARLIER = "T03"
    CHURCH_CORRECTION = "R04"
    CHURCH_EARLIER = "T04"
    DISAPPEARANCE_CORRECTION = "R05"
    DISAPPEARANCE_UNDO = "F05"
    DISAPPEARANCE_EARLIER = "T05"
    BIRTH_REGISTRATION_CORRECTION = "R06"
    BIRTH_REGISTRATION_UNDO = "F06"
    MUNICIPAL_CORRECTION = "R07"
    MUNICIPAL_UNDO = "F07"
    MUNICIPAL_EARLIER = "T07"
    NAME_EARLIER = "T08"
    PNR_CORRECTION = "R09"
    PNR_UNDO = "F09"
    PNR_EARLIER = "T09"
    PERSON_DATA_CORRECTION = "R10"
    PERSON_DATA_UNDO = "F10"
    SEPARATION_EARLIER = "T11"
    RELATION_CORRECTION = "R12"
    RELATION_UNDO = "F12"
    CITIZENSHIP_CORRECTION = "R13"
    CITIZENSHIP_UNDO = "F13"
    CITIZENSHIP_EARLIER = "T13"
    DEPARTURE_CORRECTION = "R14"
    DEPARTURE_UNDO = "F14"
    DEPARTURE_EARLIER = "T14"
    PROTECTION_CORRECTION = "R15"
    PROTECTION_UNDO = "F15"
    PROTECTION_EARLIER = "T15"
    # municipal notes are kommunaledata too (grant municipal:<action>); 16 follows the 15 kinds
    NOTE_CORRECTION = "R16"
    NOTE_UNDO = "F16"
    NOTE_EARLIER = "T16"


_PUBLIC_EVENTS = {
    "A01": "Flytning",
    "A02": "Forsvinding",
    "A03": "Genfundet efter forsvinding",
    "A04": "Genindrejse",
    "A06": "Udrejse",
    "A07": "Ændring af supplerende adresse",
    "A08": "Ajourføring af udlands- og valgretsoplysninger",
    "A09": "Rettelse af aktuel adresse",
    "A10": "Annullering af aktuel adresse",
    "A13": "Navneændring",
    "A14": "Navngivning",
    "A15": "Ajourføring af navnefelter",
    "A16": "Rettelse af aktuelle navne",
    "A17": "Annullering af aktuelle navne",
    "A21": "Dødsfald",
    "A24": "Ændring af civilstandsoplysninger",
    "A25": "Annullering af aktuel civilstand",
    "A33": "Beskyttelse",
    "A34": "Folkekirkeforhold og stilling",
    "A40": "Annullering af personnummer",
    "A42": "Teknisk adresseændring",
    "A45": "Personnummerabonnement",
    "A47": "Ajourføring af kontaktadresse",
    "A73": "Værgemål",
    "A74": "Rekvisition af personoplysninger",
    "K74": "Rekvisition af personoplysninger (maskinel, periodisk)",
    "P02": "Sletning af personnummer",
    "P03": "Ændring af personnummer",
    "P10": "Ændring af postnummer, by, lokalitet eller vejnavn",
    "P11": "Automatisk sletning af beskyttelse, notat, kontaktadresse eller forældremyndighed",
    "P31": "Indrejse med personnummer, meddelelse",
    "P42": "Ændring af personnummer, fortrydelse",
    "P43": "Sletning af personnummer, fortrydelse",
    "P48": "Rettelse af aktuel separation",
    "P49": "Annullering af aktuel separation",
    "P56": "Annullering af aktuelt folkekirkeforhold",
}

UNNAMED_EVENT_CODES: tuple[str, ...] = (
    "A05", "A19", "A20", "A23", "A27", "A29", "A31", "A32", "A35", "A36",
    "A37", "A38", "A51", "P32", "P35", "P36", "P40", "P51", "P55", "P58",
)  # fmt: skip
"""CPR event codes seen in CPR data whose names are not published."""

_PROJECT_EVENTS = {
    "B01": "Adoption",
    "B02": "Adresseringsnavn",
    "B03": "Registrering af fælles bopæl",
    "B04": "Ophør af fælles bopæl",
    "B05": "Enkestand",
    "B06": "Adresse ved valg til Europa-Parlamentet",
    "B07": "Faderskab",
    "B08": "Flyttepåbud",
    "B09": "Forældremyndighed",
    "B10": "Genaktivering af annulleret personnummer",
    "B11": "Indrejse med personnummer",
    "B12": "Indrejse uden personnummer",
    "B13": "Kommunale forhold",
    "B14": "Kommunale notater",
    "B15": "Indgåelse af registreret partnerskab",
    "B16": "Omstødelse af registreret partnerskab",
    "B17": "Opløsning af registreret partnerskab",
    "B18": "Separation",
    "B19": "Ophør af separation",
    "B20": "Skilsmisse",
    "B21": "Statsborgerskab",
    "B22": "Stilling",
    "B23": "Tildeling af personnummer ved fødsel",
    "B24": "Personnummer af skattehensyn",
    "B25": "ATP-personnummer",
    "B26": "Administrativt personnummer",
    "B27": "Udlændingenummer",
    "B28": "Værge",
    "B29": "Indgåelse af ægteskab",
    "B30": "Omstødelse af ægteskab",
    "B31": "Fødsel",
    "B32": "Ophør af værgemål",
    "T01": "Indberet tidligere adressedata",
    "R02": "Ret civilstandsdata",
    "T02": "Indberet tidligere civilstandsdata",
    "R03": "Ret delt bopæls data",
    "F03": "Fortryd delt bopæls data",
    "T03": "Indberet tidligere delt bopæls data",
    "R04": "Ret folkekirkedata",
    "T04": "Indberet tidligere folkekirkedata",
    "R05": "Ret forsvindings-/genfindingsdata",
    "F05": "Fortryd forsvindings-/genfindingsdata",
    "T05": "Indberet tidligere forsvindings-/genfindingsdata",
    "R06": "Ret fødselsregistreringssted",
    "F06": "Fortryd fødselsregistreringssted",
    "R07": "Ret kommunaledata",
    "F07": "Fortryd kommunaledata",
    "T07": "Indberet tidligere kommunaledata",
    "T08": "Indberet tidligere navnedata",
    "R09": "Ret personnummerdata",
    "F09": "Fortryd personnummerdata",
    "T09": "Indberet tidligere personnummerdata",
    "R10": "Ret personoplysninger i øvrigt",
    "F10": "Fortryd personoplysninger i øvrigt",
    "T11": "Indberet tidligere separationsdata",
    "R12": "Ret slægtskabsdata",
    "F12": "Fortryd slægtskabsdata",
    "R13": "Ret statsborgerretsdata",
    "F13": "Fortryd statsborgerretsdata",
    "T13": "Indberet tidligere statsborgerretsdata",
    "R14": "Ret udrejse-/indrejsedata",
    "F14": "Fortryd udrejse-/indrejsedata",
    "T14": "Indberet tidligere udrejse-/indrejsedata",
    "R15": "Ret beskyttelsesdata",
    "F15": "Fortryd beskyttelsesdata",
    "T15": "Indberet tidligere beskyttelsesdata",
    "R16": "Ret kommunale notater",
    "F16": "Fortryd kommunale notater",
    "T16": "Indberet tidligere kommunale notater",
}

PROJECT_EVENT_CODES = frozenset(_PROJECT_EVENTS)
"""This project's own event codes (no public CPR code exists for these events)."""

EVENT = CodeTable(
    "event",
    "HAENDELSE",
    {
        **dict(sorted({**_PUBLIC_EVENTS, **{c: f"Hændelse {c}" for c in UNNAMED_EVENT_CODES}}.items())),
        **_PROJECT_EVENTS,
    },
    description="Hændelseskode (record 099; SF6002 ChangeCode)",
)

TABLES: dict[str, CodeTable] = {
    t.name: t
    for t in (
        PERSON_STATUS,
        CIVIL_STATUS,
        CHURCH,
        PROTECTION,
        PARENTAL_AUTHORITY,
        GUARDIANSHIP_RELATION,
        SEX,
        CORRECTION,
        DERIVED_MARKER,
        EVENT,
    )
}
"""All code tables by name."""
