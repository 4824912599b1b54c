"""Step 8: every register row of one finished person, and the events that made them.

:func:`person_rows` turns a :class:`~opencpr.population.model.Person` into rows for each
register table (person, addresses, names, civil status, children, events, ...), with the
compiled row builders of :mod:`opencpr.population.rows`: as tuples (:data:`TUPLES`) or as
PostgreSQL COPY text lines (:data:`TEXT`).
"""

from __future__ import annotations

from types import SimpleNamespace

from opencpr.domain.codes import Event
from opencpr.domain.names import addressing_name
from opencpr.population.addresses import Address
from opencpr.population.model import CPR_START, DENMARK, SPECIAL_ROAD, Person, day, stamp
from opencpr.population.rows import RowMaker, row_maker

__all__ = ["TEXT", "TUPLES", "person_rows", "reversed_name"]

NO_PNR = "0000000000"
SOURCE = "generate"


_PERSON = row_maker("person", (
    "pnr", "status", "status_date", "sex", "birth_date", "start_date", "occupation",
    "birth_authority", "mother_date", "mother_pnr", "mother_birth_date", "mother_name",
    "father_date", "father_pnr", "father_birth_date", "father_name", "registered_at"))
_ADDRESS = row_maker("address", (
    "pnr", "municipality", "road", "house_no", "floor", "door", "valid_from",
    "municipality_arrival", "from_municipality", "from_municipality_departure",
    "authority", "registered_at"), current=True)
_ADDRESS_OLD = row_maker("address", (
    "pnr", "municipality", "road", "house_no", "floor", "door", "valid_from", "valid_to",
    "authority", "registered_at"), current=False)
_CLEAR = row_maker("clear_address", (
    "pnr", "addressing_name", "standard_address", "postal_code", "postal_district",
    "municipality", "road", "house_no", "floor", "door", "road_addressing_name", "locality",
    "authority", "registered_at"))
_PROTECTION = row_maker("protection", ("pnr", "protection_type", "valid_from", "valid_to",
                                       "authority", "registered_at"))
_DEPARTURE = row_maker("departure", ("pnr", "exit_country", "valid_from", "foreign_line1",
                                     "foreign_line2", "foreign_line3", "authority", "registered_at"),
                       current=True)
_CONTACT = row_maker("contact_address", ("pnr", "line1", "line2", "line3", "valid_from",
                                         "authority", "registered_at"))
_DISAPPEARANCE = row_maker("disappearance", ("pnr", "valid_from", "authority", "registered_at"),
                           current=True)
_NAME = row_maker("name", ("pnr", "first_name", "middle_name", "last_name", "valid_from",
                           "addressing_name", "authority", "registered_at"), current=True)
_NAME_OLD = row_maker("name", ("pnr", "first_name", "middle_name", "last_name", "valid_from",
                               "valid_to", "authority", "registered_at"), current=False)
_CITIZENSHIP = row_maker("citizenship", ("pnr", "country", "valid_from", "authority", "registered_at"),
                         current=True)
_CITIZENSHIP_OLD = row_maker("citizenship", ("pnr", "country", "valid_from", "valid_to", "authority",
                                             "registered_at"), current=False)
_CHURCH = row_maker("church", ("pnr", "church", "valid_from", "authority", "registered_at"), current=True)
_CHURCH_OLD = row_maker("church", ("pnr", "church", "valid_from", "valid_to", "authority",
                                   "registered_at"), current=False)
_CIVIL = row_maker("civil_status", (
    "pnr", "civil_status", "spouse_pnr", "spouse_birth_date", "spouse_name", "valid_from",
    "separation_ref", "authority", "registered_at"), current=True)
_CIVIL_OLD = row_maker("civil_status", (
    "pnr", "civil_status", "spouse_pnr", "spouse_birth_date", "spouse_name", "valid_from",
    "valid_to", "separation_ref", "authority", "registered_at"), current=False)
_SEPARATION = row_maker("separation", ("pnr", "separation_ref", "valid_from", "authority",
                                       "registered_at"), current=True)
_SEPARATION_OLD = row_maker("separation", ("pnr", "separation_ref", "valid_from", "valid_to",
                                           "authority", "registered_at"), current=False)
_CHILD = row_maker("child", ("pnr", "child_pnr", "authority", "registered_at"))
_CUSTODY = row_maker("parental_authority", ("pnr", "authority_type", "valid_from", "authority",
                                            "registered_at"))
_GUARDIAN = row_maker("guardianship", ("pnr", "valid_from", "relation_type", "guardian_pnr",
                                       "guardian_pnr_start", "authority", "registered_at"))
_GUARDIAN_TEXT = row_maker("guardianship", ("pnr", "valid_from", "relation_type", "guardian_name",
                                            "guardian_text_start", "line1", "line2", "authority",
                                            "registered_at"))
_EVENT = row_maker("event", ("pnr", "registered_at", "event_code", "derived_marker", "event_date",
                             "authority"), source=SOURCE)

#: The row builders by name (without the underscore), as tuples and as COPY text lines.
_MAKERS = {name[1:]: v for name, v in list(globals().items()) if isinstance(v, RowMaker)}
TUPLES = SimpleNamespace(**{k: v.tuple for k, v in _MAKERS.items()})
TEXT = SimpleNamespace(**{k: v.text for k, v in _MAKERS.items()})

_SPOUSE_MARK = {"G": "ÆG", "P": "PA"}
_MARRIAGE = {"G": Event.MARRIAGE.value, "P": Event.PARTNERSHIP.value}
_DIVORCE = {"G": Event.DIVORCE.value, "P": Event.PARTNERSHIP_DISSOLUTION.value}
_AFTER_DIVORCE = {"G": "F", "P": "O"}
_AFTER_DEATH = {"G": "E", "P": "L"}
_E_BIRTH = Event.BIRTH.value
_E_MOVE = Event.MOVE.value
_E_ENTRY = Event.ENTRY_WITHOUT_PNR.value
_E_DEATH = Event.DEATH.value
_E_EMIGRATION = Event.EMIGRATION.value
_E_DISAPPEARANCE = Event.DISAPPEARANCE.value
_E_ADMIN = Event.ADMINISTRATIVE_PNR.value
_E_NAME = Event.NAME_CHANGE.value
_E_PROTECTION = Event.PROTECTION.value
_E_GUARDIAN = Event.GUARDIANSHIP_PLACED.value
_E_CHURCH = Event.CHURCH_AND_OCCUPATION.value
_E_CITIZENSHIP = Event.CITIZENSHIP.value
_E_SEPARATION = Event.SEPARATION.value


def reversed_name(p: Person) -> str:
    """The name as CPR writes it for relatives: ``Last,First Middle`` (34 characters)."""
    text = f"{p.last},{p.first} {p.middle}" if p.middle else f"{p.last},{p.first}"
    return text[:34]


def _civil_rows(p: Person) -> list[tuple]:
    """Civil status history of ``p`` as (code, spouse, from, to, separation) tuples, oldest first."""
    out: list[list] = [["U", None, None, None, None]]
    widowed_by = None
    for u in p.unions or ():
        if u.kind == "C":
            continue
        spouse = u.other(p)
        out[-1][3] = u.start
        out.append([u.kind, spouse, u.start, None, u.sep])
        if u.end is not None:
            if u.died is p:
                widowed_by = spouse
                break
            out[-1][3] = u.end
            code = _AFTER_DEATH[u.kind] if u.died is spouse else _AFTER_DIVORCE[u.kind]
            out.append([code, spouse, u.end, None, None])
    if p.status == "90":
        # as in CPR's data: a death makes the civil status D, naming the spouse left behind
        out[-1][3] = p.end
        out.append(["D", widowed_by, p.end, None, None])
    return out


def person_rows(p: Person, T: int, m: SimpleNamespace = TUPLES) -> dict[str, list]:
    """Every register row of one person, by table: tuples, or COPY text lines with ``m=TEXT``."""
    pnr = p.pnr
    salt = p.idx
    muni = p.muni
    rows: dict[str, list[tuple]] = {}
    events: list[tuple[int, str, str | None, int]] = []
    born_here = p.arrival is None
    birth = day(p.birth)
    end = p.end
    status = p.status
    registered = stamp(p.birth if born_here else p.arrival, salt) + ":00"

    def parent(q: Person | None) -> tuple:
        if q is None:
            return (birth, NO_PNR, None, None)
        return (birth, q.pnr, day(q.birth), reversed_name(q))

    status_date = None if status in ("01", "03") else stamp(end, 0 if status == "90" else salt)
    rows["person"] = [m.PERSON(
        pnr, status, status_date, p.sex, birth, birth if born_here else day(p.arrival), p.occupation,
        muni if born_here else p.country, *parent(p.mother), *parent(p.father), registered)]
    if born_here and p.birth >= CPR_START:
        events.append((p.birth, _E_BIRTH, None, salt))
    elif not born_here and status != "20":
        events.append((p.arrival, _E_ENTRY, None, salt))

    # addresses: a move-in time is the address's own (household members who move together
    # share it), a move-out time the next address's move-in or the time of leaving the country
    active = status in ("01", "03")
    addrs = p.addrs or ()
    last_i = len(addrs) - 1
    out = []
    froms = [stamp(start, _address_salt(a)) for a, start, _ in addrs]
    for i, (a, start, to) in enumerate(addrs):
        reg = froms[i]
        if i == last_i and active:
            arrival_m = i
            from_m = from_dep = None
            j = i - 1
            while j >= 0 and addrs[j][0][0] == a[0]:
                arrival_m = j
                j -= 1
            if j >= 0:
                from_m, from_dep = addrs[j][0][0], froms[j + 1]
            out.append(m.ADDRESS(pnr, a[0], a[1], a[2], a[3], a[4], reg, froms[arrival_m],
                                 from_m, from_dep, a[0], reg + ":00"))
        else:
            if i < last_i and addrs[i + 1][1] == to:
                until = froms[i + 1]
            elif to == end:
                until = status_date
            else:
                until = stamp(to, _address_salt(a))
            out.append(m.ADDRESS_OLD(pnr, a[0], a[1], a[2], a[3], a[4], reg, until, a[0], reg + ":00"))
        if start != p.birth and start != p.arrival and start >= CPR_START:
            events.append((start, _E_MOVE, None, _address_salt(a)))
    if out:
        rows["address"] = out

    # names
    adr_name = addressing_name(p.first, p.middle, p.last)
    name_rows = []
    named = p.birth if born_here else p.arrival
    if p.old_name is not None:
        old_first, old_middle, old_last = p.old_name
        name_rows.append(m.NAME_OLD(pnr, old_first, old_middle, old_last, stamp(named, salt),
                                    stamp(p.name_from, salt), muni, registered))
        name_rows.append(m.NAME(pnr, p.first, p.middle, p.last, stamp(p.name_from, salt), adr_name, muni,
                               stamp(p.name_from, salt) + ":00"))
        if p.name_from >= CPR_START:
            events.append((p.name_from, _E_NAME, None, salt))
    else:
        name_rows.append(m.NAME(pnr, p.first, p.middle, p.last, stamp(named, salt), adr_name, muni, registered))

    # clear-written address
    if active and addrs:
        a = addrs[-1][0]
        rows["clear_address"] = [m.CLEAR(pnr, adr_name, a[8], a[5], a[6], a[0], a[1], a[2], a[3], a[4], a[7],
                                        "Uden fast bopæl" if a[1] == SPECIAL_ROAD else None, a[0],
                                        stamp(addrs[-1][1], salt) + ":00")]
    elif status == "20":
        rows["clear_address"] = [m.CLEAR(pnr, adr_name, None, None, None, muni, None, None, None, None, None,
                                        None, muni, registered)]
    else:
        rows["clear_address"] = [m.CLEAR(pnr, adr_name, None, None, None, None, None, None, None, None, None,
                                        None, muni, registered)]

    if p.protections:
        prot = []
        for kind, start, to in sorted(p.protections, key=lambda t: t[0]):
            reg = stamp(start, salt)
            prot.append(m.PROTECTION(pnr, kind, day(start), day(to) if to else None, muni, reg + ":00"))
            events.append((start, _E_PROTECTION, None, salt))
        rows["protection"] = prot

    if status == "80":
        reg = stamp(end, salt)
        lines = p.exit_lines
        rows["departure"] = [m.DEPARTURE(pnr, p.exit_country, reg, lines[0], lines[1], lines[2], muni,
                                        reg + ":00")]
        events.append((end, _E_EMIGRATION, None, salt))
    elif status == "70":
        reg = stamp(end, salt)
        rows["disappearance"] = [m.DISAPPEARANCE(pnr, reg, muni, reg + ":00")]
        events.append((end, _E_DISAPPEARANCE, None, salt))
    elif status == "20":
        lines = p.exit_lines
        rows["contact_address"] = [m.CONTACT(pnr, lines[0], lines[1], lines[2], day(end), muni,
                                            stamp(end, salt) + ":00")]
        events.append((end, _E_ADMIN, None, salt))
    elif status == "90":
        events.append((end, _E_DEATH, None, 0))
    rows["name"] = name_rows

    # citizenship
    if p.naturalised is not None:
        rows["citizenship"] = [
            m.CITIZENSHIP_OLD(pnr, p.old_country, stamp(named, salt), stamp(p.naturalised, salt), muni, registered),
            m.CITIZENSHIP(pnr, DENMARK, stamp(p.naturalised, salt), muni, stamp(p.naturalised, salt) + ":00"),
        ]
        if p.naturalised >= CPR_START:
            events.append((p.naturalised, _E_CITIZENSHIP, None, salt))
    else:
        rows["citizenship"] = [m.CITIZENSHIP(pnr, p.country, stamp(named, salt), muni, registered)]

    # church
    if p.church_left is not None:
        rows["church"] = [
            m.CHURCH_OLD(pnr, "F", day(p.church_from + 90 if born_here else p.church_from),
                        day(p.church_left), muni, registered),
            m.CHURCH(pnr, "U", day(p.church_left), muni, stamp(p.church_left, salt) + ":00"),
        ]
        events.append((p.church_left, _E_CHURCH, None, salt))
    else:
        rows["church"] = [m.CHURCH(pnr, p.church, day(p.church_from), muni, registered)]

    # civil status and separations
    civil = _civil_rows(p)
    last_c = len(civil) - 1
    crow = []
    seps = []
    for i, (code, spouse, start, to, sep) in enumerate(civil):
        if spouse is not None:
            sp = (spouse.pnr, day(spouse.birth), reversed_name(spouse))
        else:
            sp = (None, None, None)
        ref = None
        if sep is not None:
            ref = stamp(sep, 0).replace("-", "").replace("T", "").replace(":", "")
        vf = stamp(start, 0) if start is not None else None  # shared by both spouses: no salt
        reg = (vf or registered[:16]) + ":00"
        if i == last_c:
            crow.append(m.CIVIL(pnr, code, *sp, vf, ref, muni, reg))
        else:
            crow.append(m.CIVIL_OLD(pnr, code, *sp, vf, stamp(to, 0), ref, muni, reg))
        if sep is not None:
            if i == last_c:
                seps.append(m.SEPARATION(pnr, ref, day(sep), muni, stamp(sep, salt) + ":00"))
            else:
                seps.append(m.SEPARATION_OLD(pnr, ref, day(sep), day(to), muni, stamp(sep, salt) + ":00"))
    rows["civil_status"] = crow
    if seps:
        rows["separation"] = seps
    for u in p.unions or ():
        if u.kind == "C":
            continue
        mark = None if u.a is p else _SPOUSE_MARK[u.kind]
        events.append((u.start, _MARRIAGE[u.kind], mark, 0))  # shared events: the same time for both
        if u.sep is not None:
            events.append((u.sep, _E_SEPARATION, mark, 0))
        if u.end is not None:
            if u.died is None:
                events.append((u.end, _DIVORCE[u.kind], mark, 0))
            elif u.died is not p:
                events.append((u.end, _E_DEATH, _SPOUSE_MARK[u.kind], 0))

    # children and their births
    if p.kids:
        kids = sorted(p.kids, key=lambda k: k.birth)[:25]
        reg_kids = []
        mark = "MO" if p.sex == "K" else "FA"
        for k in kids:
            reg_kids.append(m.CHILD(pnr, k.pnr, muni, stamp(k.birth, k.idx) + ":00"))
            if k.arrival is None and k.birth >= CPR_START and (end is None or k.birth <= end):
                events.append((k.birth, _E_BIRTH, mark, k.idx))
        rows["child"] = reg_kids
    if p.custody:
        rows["parental_authority"] = [
            m.CUSTODY(pnr, kind, day(start), muni, stamp(start, salt) + ":00") for kind, start in p.custody]
    if p.guardian is not None:
        g, start = p.guardian
        reg = stamp(start, salt) + ":00"
        if g is not None:
            rows["guardianship"] = [m.GUARDIAN(pnr, day(start), "0001", g.pnr, day(start), muni, reg)]
        else:
            rows["guardianship"] = [m.GUARDIAN_TEXT(pnr, day(start), "0002", "Advokat Hanne Riis", day(start),
                                                   "Vestergade 12", "8000 Aarhus C", muni, reg)]
        events.append((start, _E_GUARDIAN, None, salt))

    # events, in order, none before CPR began, after today or after the person left
    last_day = T if end is None else end
    if status == "20":
        last_day = T
    ev = []
    events.sort(key=_first)
    for o, code, mark, event_salt in events:
        if o < CPR_START or o > last_day:
            continue
        s = stamp(o, event_salt)
        ev.append(m.EVENT(pnr, s, code, mark, s[:10], muni))
    if ev:
        rows["event"] = ev
    return rows


def _address_salt(a: Address) -> int:
    return int(a[1]) + (ord(a[2][-1]) if a[2] else 0)


def _first(t: tuple) -> int:
    return t[0]
