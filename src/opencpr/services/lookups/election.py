"""Election data by PNR: ``VALG`` (valgoplysninger, valgadresse) and ``VALGRET`` (the voting right).

* ``VALG`` — the person's election records (record 020), each with the address the person votes
  from (the current address, or the last one in Denmark).
* ``VALGRET`` — the voting right in general and in municipal elections on the day of the call,
  derived from the register (see :func:`voting_right`).

Both are designed in CPR's style; CPR does not publish the election codes' texts
(:data:`ELECTION_CODES`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, desc, func, or_, select, true

from opencpr.access.protection import in_force
from opencpr.domain import reference
from opencpr.domain.codes import ACTIVE_STATUSES, PERSON_STATUS
from opencpr.register import queries
from opencpr.register.schema import address, citizenship, clear_address, departure, election, guardianship
from opencpr.services.catalogue import AUTHORITIES, PNR_KEY, Category, Fmt, Out, SearchService
from opencpr.services.contract import Outcome, ServiceContext
from opencpr.services.lookups.common import NOTES, authority_name, find_person

__all__ = ["ELECTION_CODES", "SERVICES", "VALG", "VALGRET", "VoterFacts", "voting_right"]


DANISH_CITIZENSHIP = "5100"
"""LANDEKOD of Danish citizenship (dansk indfødsret)."""

ELECTION_CODES: dict[str, str] = {
    "0001": "Optaget på valgliste under ophold i udlandet",
}
"""Texts of election codes (VALGKODE, record 020). CPR does not publish this table; the text of
0001 is inferred from the demo data, where every 0001 record starts on the day the person
emigrated and lasts two years, as a decision to keep a Dane abroad on the electoral roll does
(folketingsvalgloven § 16, stk. 3)."""


def _day(value: str | None) -> dt.date | None:
    """A date from a stored date or timestamp; unknown month or day (``00``) count as the first."""
    if not value or len(value) < 4 or not value[:4].isdigit():
        return None
    year = int(value[:4])
    month = int(value[5:7]) if len(value) >= 7 and value[5:7].isdigit() else 0
    day = int(value[8:10]) if len(value) >= 10 and value[8:10].isdigit() else 0
    try:
        return dt.date(year, month or 1, day or 1)
    except ValueError:
        return None


def _age(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# --- VALG: election data and election address -----------------------------------------------------

_ELECTION_ADDRESS = ("municipality", "municipality_name", "road", "road_name", "house_no", "floor", "door",
                     "building_no", "postal_code", "postal_district", "standard_address")


def _election_address(ctx: ServiceContext, pnr: str) -> dict[str, Any]:
    """The address the person votes from: the current address, else the last one before leaving."""
    query = (select(address, clear_address.c.standard_address, clear_address.c.postal_code,
                    clear_address.c.postal_district, clear_address.c.road_addressing_name)
             .select_from(address.outerjoin(clear_address, and_(clear_address.c.pnr == address.c.pnr,
                                                                address.c.current == true())))
             .where(address.c.pnr == pnr, or_(address.c.correction.is_(None), address.c.correction != "A"))
             .order_by(desc(address.c.current), desc(address.c.valid_from), desc(address.c.id)).limit(1))
    row = ctx.conn.execute(query).mappings().first()
    found: dict[str, Any] = dict.fromkeys(_ELECTION_ADDRESS)
    found["election_address_kind"] = None
    found["election_address_text"] = None
    if row is None:
        return found
    road = reference.road(row["municipality"], row["road"]) if row["municipality"] and row["road"] else None
    postal_code = row["postal_code"] or (road.postal_code if road else None)
    found.update({
        "municipality": row["municipality"], "municipality_name": authority_name(row["municipality"]),
        "road": row["road"], "road_name": row["road_addressing_name"] or (road.name if road else None),
        "house_no": row["house_no"], "floor": row["floor"], "door": row["door"], "building_no": row["building_no"],
        "postal_code": postal_code,
        "postal_district": row["postal_district"] or (reference.postal_district(postal_code) or None
                                                      if postal_code else None),
        "standard_address": row["standard_address"],
        "election_address_kind": "A" if row["current"] else "S",
        "election_address_text": "Aktuel adresse" if row["current"] else "Seneste adresse i Danmark",
    })
    return found


def _valg(ctx: ServiceContext, pnr: str) -> Outcome:
    find_person(ctx, pnr)
    place = _election_address(ctx, pnr)
    query = select(election).where(election.c.pnr == pnr).order_by(desc(election.c.valid_from), desc(election.c.id))
    records = [{
        "pnr": pnr, "election_code": row["election_code"],
        "election_code_text": ELECTION_CODES.get(row["election_code"] or ""),
        "voting_right_date": row["voting_right_date"], "valid_from": row["valid_from"], "valid_to": row["valid_to"],
        "in_force": in_force(row["valid_from"], row["valid_to"], ctx.today), **place,
    } for row in ctx.conn.execute(query).mappings()]
    if not records:
        records = [{"pnr": pnr, "election_code": None, "election_code_text": None, "voting_right_date": None,
                    "valid_from": None, "valid_to": None, "in_force": False, **place}]
    return Outcome(records)


VALG = SearchService(
    "VALG", "Valgoplysninger, valgadresse",
    "The person's election records (record 020), newest first, each with the address the person "
    "votes from: the current address, or the last address in Denmark for a person who has left.",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("VALGKODE", "election_code", t="election_code_text", description="Election code (VALGKODE) and its text"),
        Out("VALGRET_DT", "voting_right_date", Fmt.DATE8, description="Voting right date (VALGRET_DT), yyyyMMdd"),
        Out("STARTDATO", "valid_from", Fmt.DATE8, description="Election record valid from, yyyyMMdd"),
        Out("SLETDATO", "valid_to", Fmt.DATE8, description="Election record deleted on, yyyyMMdd"),
        Out("AKTUELMRK", "in_force", Fmt.FLAG, description="X if the election record is in force today"),
        Out("VALGADRMRK", "election_address_kind", t="election_address_text",
            description="A: the election address is the current address; S: the last address in Denmark"),
        Out("KOMKOD", "municipality", t="municipality_name", description="Municipality code and name"),
        Out("VEJKOD", "road", t="road_name", description="Road code and name"),
        Out("HUSNR", "house_no", Fmt.PAD4, description="House number"),
        Out("ETAGE", "floor", description="Floor"),
        Out("SIDEDOER", "door", description="Door"),
        Out("BNR", "building_no", description="Building number"),
        Out("POSTNR", "postal_code", t="postal_district", description="Postal code and district"),
        Out("STADR", "standard_address", description="Street address on one line (current address only)"),
    ),
    _valg, groups=AUTHORITIES, notes=NOTES, example=(("PNR", "0709614738"),),
)


# --- VALGRET: voting right ------------------------------------------------------------------------

VOTING_AGE = 18
"""Grundloven § 29 and folketingsvalgloven § 1; kommunal- og regionalvalgloven § 1, stk. 1."""

RESIDENCE_YEARS = 4
"""Years of uninterrupted residence in the realm that give other foreigners the municipal vote
(kommunal- og regionalvalgloven § 1, stk. 1, nr. 4, as the law reads now; it said 3 years before)."""

GUARDIANSHIP_MUNICIPAL_VOTE_FROM = dt.date(2016, 7, 1)
"""Since 1 July 2016 persons under guardianship with deprivation of legal capacity vote in
municipal and regional elections; before, they did not."""

NORDIC_VOTERS = frozenset({"IS", "NO"})
"""Citizens of Iceland and Norway (kommunal- og regionalvalgloven § 1, stk. 1, nr. 3)."""

#: EU member states (ISO alpha-2) with the day they joined and, for the United Kingdom, the day after it left.
EU_MEMBERS: dict[str, tuple[dt.date, dt.date | None]] = {
    **dict.fromkeys(("BE", "FR", "DE", "IT", "LU", "NL"), (dt.date(1958, 1, 1), None)),
    **dict.fromkeys(("DK", "IE"), (dt.date(1973, 1, 1), None)),
    "GB": (dt.date(1973, 1, 1), dt.date(2020, 2, 1)),
    "GR": (dt.date(1981, 1, 1), None),
    **dict.fromkeys(("ES", "PT"), (dt.date(1986, 1, 1), None)),
    **dict.fromkeys(("AT", "FI", "SE"), (dt.date(1995, 1, 1), None)),
    **dict.fromkeys(("CY", "CZ", "EE", "HU", "LV", "LT", "MT", "PL", "SK", "SI"), (dt.date(2004, 5, 1), None)),
    **dict.fromkeys(("BG", "RO"), (dt.date(2007, 1, 1), None)),
    "HR": (dt.date(2013, 7, 1), None),
}

BREXIT_RESIDENCE_BY = dt.date(2020, 1, 31)
"""British citizens resident in Denmark on 31 January 2020, and since, keep the municipal vote."""


@dataclass(frozen=True)
class VoterFacts:
    """What the register says about a person, as the voting right rule needs it."""

    birth_date: dt.date | None
    status: str | None
    country: str | None  # current citizenship (LANDEKOD)
    resident_since: dt.date | None  # start of the uninterrupted residence in the realm
    deprived_of_capacity: bool  # under guardianship (record 017 in force)
    on_electoral_roll_abroad: bool  # an election record in force (a Dane abroad on the roll)


def _eu_citizen(alpha2: str, today: dt.date, facts: VoterFacts) -> bool:
    member = EU_MEMBERS.get(alpha2)
    if member is None:
        return False
    joined, left = member
    if today < joined:
        return False
    if left is None or today < left:
        return True
    return facts.resident_since is not None and facts.resident_since <= BREXIT_RESIDENCE_BY


def voting_right(facts: VoterFacts, today: dt.date) -> tuple[bool, str, bool, str]:
    """The voting right on ``today``: (general election, reason, municipal/regional election, reason).

    General elections (Grundloven § 29, folketingsvalgloven §§ 1-2): 18 years or older, Danish
    citizenship (5100), residence in the realm (status 01, 03, 05 or 07, or an election record in
    force for a Dane abroad on the electoral roll), and not under guardianship with deprivation of
    legal capacity.

    Municipal and regional elections (kommunal- og regionalvalgloven § 1): 18 years or older,
    residence in a Danish municipality (status 01 or 03), and Danish citizenship, citizenship of
    an EU member state, of Iceland or of Norway, or :data:`RESIDENCE_YEARS` years of
    uninterrupted residence in the realm; before 1 July 2016 guardianship excluded here too.
    """
    age = _age(facts.birth_date, today)
    country = facts.country or ""
    authority = reference.authority(country) if country else None
    alpha2 = authority.country_alpha2 if authority else ""
    danish = country == DANISH_CITIZENSHIP

    if age is None or age < VOTING_AGE:
        general, general_reason = False, f"Under {VOTING_AGE} år"
    elif not danish:
        general, general_reason = False, "Ikke dansk indfødsret"
    elif facts.status not in ACTIVE_STATUSES and not facts.on_electoral_roll_abroad:
        general, general_reason = False, "Ikke fast bopæl i riget"
    elif facts.deprived_of_capacity:
        general, general_reason = False, "Under værgemål med fratagelse af den retlige handleevne"
    elif facts.status in ACTIVE_STATUSES:
        general, general_reason = True, "Valgret: dansk indfødsret og fast bopæl i riget"
    else:
        general, general_reason = True, "Valgret: optaget på valgliste under ophold i udlandet"

    if age is None or age < VOTING_AGE:
        municipal, municipal_reason = False, f"Under {VOTING_AGE} år"
    elif facts.status not in ("01", "03"):
        municipal, municipal_reason = False, "Ikke fast bopæl i en dansk kommune"
    elif facts.deprived_of_capacity and today < GUARDIANSHIP_MUNICIPAL_VOTE_FROM:
        municipal, municipal_reason = False, "Under værgemål med fratagelse af den retlige handleevne"
    elif danish:
        municipal, municipal_reason = True, "Valgret: dansk indfødsret"
    elif _eu_citizen(alpha2, today, facts):
        municipal, municipal_reason = True, "Valgret: statsborger i et EU-land"
    elif alpha2 in NORDIC_VOTERS:
        municipal, municipal_reason = True, "Valgret: statsborger i Island eller Norge"
    elif facts.resident_since is not None and _age(facts.resident_since, today) >= RESIDENCE_YEARS:
        municipal, municipal_reason = True, f"Valgret: {RESIDENCE_YEARS} års uafbrudt fast bopæl i riget"
    else:
        municipal, municipal_reason = False, f"Mindre end {RESIDENCE_YEARS} års uafbrudt fast bopæl i riget"
    return general, general_reason, municipal, municipal_reason


def _resident_since(ctx: ServiceContext, pnr: str) -> dt.date | None:
    """The last entry into the realm, or else the start of the first address (annulled rows left out)."""
    not_annulled = lambda t: or_(t.c.correction.is_(None), t.c.correction != "A")  # noqa: E731
    entry = ctx.conn.execute(select(func.max(departure.c.valid_to))
                             .where(departure.c.pnr == pnr, departure.c.valid_to.is_not(None),
                                    not_annulled(departure))).scalar()
    if entry:
        return _day(entry)
    first = ctx.conn.execute(select(func.min(address.c.valid_from))
                             .where(address.c.pnr == pnr, address.c.valid_from.is_not(None),
                                    not_annulled(address))).scalar()
    return _day(first)


def _valgret(ctx: ServiceContext, pnr: str) -> Outcome:
    row = find_person(ctx, pnr)
    today = dt.date.fromisoformat(ctx.today)
    country = ctx.conn.execute(select(citizenship.c.country)
                               .where(citizenship.c.pnr == pnr, citizenship.c.current == true())
                               .order_by(desc(citizenship.c.id)).limit(1)).scalar()
    guardians = ctx.conn.execute(select(guardianship.c.valid_from, guardianship.c.valid_to)
                                 .where(guardianship.c.pnr == pnr)).all()
    deprived = any(in_force(f, t, ctx.today) for f, t in guardians)
    records = ctx.conn.execute(select(election).where(election.c.pnr == pnr)
                               .order_by(desc(election.c.valid_from), desc(election.c.id))).mappings().all()
    valid_now = [r for r in records if in_force(r["valid_from"], r["valid_to"], ctx.today)]
    latest = (valid_now or records or [None])[0]
    needs_residence = country != DANISH_CITIZENSHIP and row["status"] in ("01", "03")
    facts = VoterFacts(_day(row["birth_date"]), row["status"], country,
                       _resident_since(ctx, pnr) if needs_residence else None, deprived, bool(valid_now))
    general, general_reason, municipal, municipal_reason = voting_right(facts, today)
    return Outcome([{
        "pnr": pnr, "addressing_name": queries.addressing_name(ctx.conn, pnr), "assessed_on": ctx.today,
        "age": _age(facts.birth_date, today),
        "status": row["status"], "status_text": PERSON_STATUS.get(row["status"]),
        "country": country, "country_name": authority_name(country),
        "resident_since": facts.resident_since.isoformat() if facts.resident_since else None,
        "deprived_of_capacity": deprived,
        "election_code": latest["election_code"] if latest else None,
        "election_code_text": ELECTION_CODES.get(latest["election_code"] or "") if latest else None,
        "voting_right_date": latest["voting_right_date"] if latest else None,
        "general_election": "J" if general else "N", "general_election_reason": general_reason,
        "municipal_election": "J" if municipal else "N", "municipal_election_reason": municipal_reason,
    }])


VALGRET = SearchService(
    "VALGRET", "Valgret",
    "Whether the person has the right to vote today in general elections (folketingsvalg) and in "
    "municipal and regional elections, with the reason, derived from age, status, citizenship, "
    "residence, guardianship and election records.",
    Category.PERSON, (PNR_KEY,),
    (
        Out("PNR", "pnr", description="The person's PNR"),
        Out("ADRNVN", "addressing_name", description="Current addressing name"),
        Out("OPGDATO", "assessed_on", Fmt.DATE8, description="The day the voting right is assessed for (today)"),
        Out("ALDER", "age", description="Age in whole years on that day"),
        Out("STATUS", "status", t="status_text", description="Person status and its text"),
        Out("LANDEKOD", "country", t="country_name", description="Current citizenship and the country's name"),
        Out("BOPAELDATO", "resident_since", Fmt.DATE8,
            description="Uninterrupted residence in the realm since (only for foreign citizens resident in Denmark)"),
        Out("UMYNDIGMRK", "deprived_of_capacity", Fmt.FLAG,
            description="X if under guardianship with deprivation of legal capacity (record 017 in force)"),
        Out("VALGKODE", "election_code", t="election_code_text",
            description="The election record in force (else the newest one)"),
        Out("VALGRET_DT", "voting_right_date", Fmt.DATE8, description="Its voting right date, yyyyMMdd"),
        Out("FTVALGRET", "general_election", t="general_election_reason",
            description="J/N: voting right in general elections (folketingsvalg); t: the reason"),
        Out("KRVALGRET", "municipal_election", t="municipal_election_reason",
            description="J/N: voting right in municipal and regional elections; t: the reason"),
    ),
    _valgret, groups=AUTHORITIES, notes=NOTES, example=(("PNR", "0707614285"),),
)


SERVICES = (VALG, VALGRET)
