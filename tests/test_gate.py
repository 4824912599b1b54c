"""The gate, for real: permissions, scope, protection, audit and usage through the service layer.

Runs on SQLite and PostgreSQL with CPR's demo persons. The clock stands on 2002-06-01, when
several demo persons are under name and address protection (type 0001).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import delete, func, insert, select, text, true

from opencpr.access.audit import AuditUnavailable, audit_for_person, audit_records, verify_audit
from opencpr.access.certificates import make_ca, make_client_certificate
from opencpr.access.groups import Kind, Permissions, SecurityGroup, save_group
from opencpr.access.passwords import CHEAP, Passwords
from opencpr.access.protection import ADDRESS_FIELDS
from opencpr.access.subscribers import add_system
from opencpr.access.usage import usage_lines
from opencpr.access.users import actor_for_user, add_user
from opencpr.clock import FixedClock
from opencpr.domain.kvit import Kvit
from opencpr.register.access_schema import audit_head
from opencpr.register.demo import load_demo_persons
from opencpr.register.schema import address, event, protection
from opencpr.services import catalogue as cat
from opencpr.services.contract import Outcome, ServiceContext, ServiceSpec
from opencpr.services.errors import MalformedPNR, NoAccess, PersonNotFound, ProtectionLeak, ServiceError
from opencpr.services.gate import AuditMode, Gate
from opencpr.services.lookups.master_data import MASTER_DATA_FIELDS, STAMP_FIELDS
from opencpr.services.permissions import ensure_default_groups

DAY = dt.datetime(2002, 6, 1, 10, 0, 0)
AALBORG_PERSON = "0101965058"  # lives in 0851 Aalborg, no protection
VARDE_PERSON = "0701614038"  # lives in 0573 Varde
PROTECTED = "0701614011"  # 0001 from 2001-11-02 to 2004-11-02, lives at road 8512 in Aalborg
MISSING = "1705800029"  # a valid CPR number nobody in the demo register has
FLAGS_ONLY = "3112420028"  # 0002, 0003, 0004 in force; no 0001
PROTECTED_ON_ROAD_8512 = {"0701614011", "0709614118", "0709610015"}

USERS = {  # group -> (user code, authority)
    "cpr-office": ("CPR1", "0003"),
    "municipality": ("KOM1", "0851"),
    "church-office": ("KIRKE1", "7001"),
    "citizen": ("BORGER1", "0851"),
    "private-company": ("PRIV1", "0000"),
}


# --- services declared by the tests (the gate treats them like any other) --------------------------

def _echo(ctx: ServiceContext, pnr: str, **_: object) -> Outcome:
    return Outcome([{"pnr": pnr, "pending_only": ctx.pending_only}])


def _event(ctx: ServiceContext, event_code: str, pnr: str, municipality: str | None = None) -> Outcome:
    ctx.conn.execute(insert(event).values(pnr=pnr, event_code=event_code, registered_at=ctx.now.isoformat(),
                                          authority=ctx.actor.authority, source="test"))
    return Outcome(changed=(pnr,), detail=f"{event_code} pending={ctx.pending_only}")


def _failing_event(ctx: ServiceContext, event_code: str, pnr: str) -> Outcome:
    ctx.conn.execute(insert(event).values(pnr=pnr, event_code=event_code, source="test"))
    raise ServiceError("Hændelsen kan ikke gennemføres", kvit=Kvit.NO_ACCESS)


def _crash(ctx: ServiceContext, pnr: str) -> Outcome:
    raise RuntimeError("boom")


def search_spec(name: str) -> ServiceSpec:
    return ServiceSpec(name, Kind.SEARCH, "search", _echo)


STAMP = cat.find("STAMP").spec
STAM_PLUS = cat.find("Stam+").spec


def lookup(gate: Gate, actor, service: str, pnr: str | None) -> dict:
    """The record of a master data lookup (``STAMP`` or ``Stam+``, as the catalogue declares it) through the gate."""
    return gate.call(actor, cat.find(service).spec, pnr=pnr).records[0]


EVENT = ServiceSpec("event", Kind.EVENT, "event", _event, writes=True, grant_key="event_code",
                    municipality_key="municipality")
FAILING_EVENT = ServiceSpec("event", Kind.EVENT, "event", _failing_event, writes=True, grant_key="event_code")
MAINTENANCE = ServiceSpec("maintenance", Kind.MAINTENANCE, "correct", _echo, writes=True, grant_key="service")
SUBSCRIPTION = ServiceSpec("SF6002", Kind.SUBSCRIPTION, "subscription", _echo)
CRASH = ServiceSpec("Stam+", Kind.SEARCH, "lookup", _crash)


def _address_search(ctx: ServiceContext, municipality: str, road: str, max_rows: int = 5,
                    restart: str | None = None, honest: bool = True) -> Outcome:
    """Persons living on a road, paged by restart key: an address search done right (or not)."""
    where = [address.c.current == true(), address.c.municipality == municipality, address.c.road == road]
    if honest:
        where.append(ctx.visible(address.c.pnr))
    where.append(ctx.in_scope(address.c.pnr))
    total = ctx.conn.execute(select(func.count()).select_from(address).where(*where)).scalar_one()
    query = select(address.c.pnr, address.c.house_no).where(*where).order_by(address.c.pnr)
    if restart:
        query = query.where(address.c.pnr > restart)
    rows = ctx.conn.execute(query.limit(max_rows + 1)).all()
    more = len(rows) > max_rows
    rows = rows[:max_rows]
    return Outcome([{"pnr": p, "house_no": h} for p, h in rows],
                   info={"count": total, "restart": rows[-1].pnr if more else None},
                   detail=f"KOMK={municipality} VEJK={road}")


ADDRESS_SEARCH = ServiceSpec("ADRSOG1", Kind.SEARCH, "search", _address_search, pnr_key=None,
                             address_search=True)


# --- fixtures ------------------------------------------------------------------------------------

def service_records(engine):
    """The audit records of service calls (not the administrators' setting up of users)."""
    return [r for r in audit_records(engine) if r.actor_kind != "admin"]


@pytest.fixture
def clock():
    return FixedClock(DAY)


@pytest.fixture
def world(engine, clock):
    """Demo persons, default groups, one user per group and a subscriber system."""
    load_demo_persons(engine)
    ensure_default_groups(engine)
    passwords = Passwords(CHEAP)
    actors = {}
    for group, (code, authority) in USERS.items():
        add_user(engine, code, authority, group, clock=clock, passwords=passwords)
        actors[group] = actor_for_user(engine, code, client="10.0.0.1")
    add_user(engine, "KOM2", "0573", "municipality", clock=clock, passwords=passwords)
    actors["municipality-varde"] = actor_for_user(engine, "KOM2")
    add_system(engine, "12345678", "Abonnent A/S")
    cert = make_client_certificate(make_ca(), "12345678").certificate
    actors["subscriber-system"] = Gate(engine, clock).actor_for_certificate(cert, client="10.0.0.2")
    return actors


@pytest.fixture(params=[AuditMode.SYNC, AuditMode.DEFERRED])
def gate(request, engine, clock):
    g = Gate(engine, clock, audit_mode=request.param, passwords=Passwords(CHEAP))
    yield g
    g.close()


# --- permissions ------------------------------------------------------------------------------------

PROBES = [
    (STAMP, {}), (STAM_PLUS, {}), (search_spec("Familie+"), {}), (search_spec("NVNSOG2"), {}),
    (EVENT, {"event_code": "A01"}), (EVENT, {"event_code": "A21"}), (EVENT, {"event_code": "B31"}),
    (EVENT, {"event_code": "A14"}), (EVENT, {"event_code": "P02"}),
    (MAINTENANCE, {"service": "address:correct"}), (MAINTENANCE, {"service": "church:undo"}),
    (MAINTENANCE, {"service": "pnr:correct"}), (SUBSCRIPTION, {}),
]


def probe_name(spec: ServiceSpec, keys: dict) -> str:
    return keys.get("event_code") or keys.get("service") or spec.name


EXPECTED = {
    "cpr-office": {probe_name(s, k) for s, k in PROBES},
    "municipality": {"STAMP", "Stam+", "Familie+", "NVNSOG2", "A01", "address:correct"},
    "church-office": {"Stam+", "Familie+", "NVNSOG2", "A21", "B31", "A14", "church:undo"},
    "citizen": {"A01"},
    "private-company": {"STAMP"},
    "subscriber-system": {"SF6002"},
}


def test_each_group_is_allowed_and_refused_exactly_what_it_should(engine, world, gate):
    allowed: dict[str, set[str]] = {}
    for group, actor in world.items():
        if group == "municipality-varde":
            continue
        allowed[group] = set()
        for spec, keys in PROBES:
            try:
                gate.call(actor, spec, pnr=AALBORG_PERSON, **keys)
            except NoAccess as exc:
                assert exc.code == 5 and group in exc.text
                continue
            allowed[group].add(probe_name(spec, keys))
    assert allowed == EXPECTED
    gate.flush()
    records = service_records(engine)
    assert len(records) == len(EXPECTED) * len(PROBES)  # every call recorded, allowed or refused
    assert Counter(r.result_code for r in records) == {0: sum(map(len, EXPECTED.values())),
                                                       5: sum(len(PROBES) - len(v) for v in EXPECTED.values())}
    assert all(r.persons == (AALBORG_PERSON,) for r in records)
    assert verify_audit(engine).ok


def test_scope_own_municipality(engine, world, gate):
    kom1, kom2 = world["municipality"], world["municipality-varde"]
    gate.call(kom1, EVENT, event_code="A01", pnr=AALBORG_PERSON)  # lives in Aalborg
    gate.call(kom1, EVENT, event_code="A01", pnr=VARDE_PERSON, municipality="0851")  # moves to Aalborg
    gate.call(kom1, EVENT, event_code="A01", pnr=VARDE_PERSON, municipality="851")
    with pytest.raises(NoAccess, match="hører ikke under myndighed 0851"):
        gate.call(kom1, EVENT, event_code="A01", pnr=VARDE_PERSON, municipality="0573")
    with pytest.raises(NoAccess):
        gate.call(kom1, MAINTENANCE, service="address:correct", pnr=VARDE_PERSON)
    with pytest.raises(NoAccess):
        gate.call(kom1, EVENT, event_code="A01", pnr=MISSING)  # not in the register: not ours either
    gate.call(kom2, EVENT, event_code="A01", pnr=VARDE_PERSON)
    with pytest.raises(NoAccess):
        gate.call(kom2, EVENT, event_code="A01", pnr=AALBORG_PERSON)
    # lookups are not limited: the municipality's search grant has scope "all"
    assert lookup(gate, kom2, "Stam+", AALBORG_PERSON)["municipality"] == "0851"
    # a group whose searches are limited sees only its own municipality's persons
    save_group(engine, SecurityGroup("own-search", "Egen kommune", Permissions.from_dict(
        {"search": {"services": ["ADRSOG1"], "scope": "own_municipality"}, "protected_addresses": True})),
        by="test")
    add_user(engine, "EGEN1", "0573", "own-search", passwords=Passwords(CHEAP))
    own = actor_for_user(engine, "EGEN1")
    assert gate.call(own, ADDRESS_SEARCH, municipality="0851", road="8512").info["count"] == 0
    assert gate.call(world["cpr-office"], ADDRESS_SEARCH, municipality="0851", road="8512").info["count"] == 37
    gate.flush()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(event).where(event.c.source == "test")).scalar() == 4


def test_citizen_events_go_to_the_pending_register(world, gate):
    outcome = gate.call(world["citizen"], EVENT, event_code="A01", pnr=AALBORG_PERSON)
    assert outcome.detail == "A01 pending=True"
    assert gate.call(world["cpr-office"], EVENT, event_code="A01", pnr=AALBORG_PERSON).detail == "A01 pending=False"


# --- protection -------------------------------------------------------------------------------------

def test_protected_address_is_blank_for_unprivileged_lookups(world, gate, clock):
    private, municipality = world["private-company"], world["municipality"]
    hidden = lookup(gate, private, "STAMP", PROTECTED)
    assert tuple(hidden) == (*STAMP_FIELDS, "protection_text", "pending_mark")  # every field is there ...
    assert all(hidden[f] is None for f in ADDRESS_FIELDS.intersection(hidden))  # ... the address blank
    assert hidden["addressing_name"] == "Aksel Sander" and hidden["status"] == "01"
    assert hidden["name_address_protected"] is True

    shown = lookup(gate, municipality, "Stam+", PROTECTED)
    assert tuple(shown) == (*MASTER_DATA_FIELDS, "postal_number", "addressing_name_inverted")
    assert shown["standard_address"] == "Industrivænget 26,1 tv" and shown["postal_code"] == "9000"
    assert shown["municipality_name"] == "Aalborg" and shown["name_address_protected"] is True
    assert shown["protection_types"] == ("0001", "0002", "0003", "0004")

    plain = lookup(gate, private, "STAMP", AALBORG_PERSON)
    assert plain["standard_address"] and plain["name_address_protected"] is False

    flags = lookup(gate, private, "STAMP", FLAGS_ONLY)  # other protections are flags, never hide
    assert flags["standard_address"] and flags["name_address_protected"] is False
    assert lookup(gate, municipality, "Stam+", FLAGS_ONLY)["protection_types"] == ("0002", "0003", "0004")

    clock.set(dt.datetime(2004, 11, 1, 23, 59))  # last day in force
    assert lookup(gate, private, "STAMP", PROTECTED)["standard_address"] is None
    clock.set(dt.datetime(2004, 11, 2, 0, 0))  # lifted on its end date
    lifted = lookup(gate, private, "STAMP", PROTECTED)
    assert lifted["standard_address"] == "Industrivænget 26,1 tv" and not lifted["name_address_protected"]


def _search_all(gate, actor, **keys) -> tuple[list[str], list[int], list[str]]:
    found, counts, restarts, restart = [], [], [], None
    while True:
        outcome = gate.call(actor, ADDRESS_SEARCH, municipality="0851", road="8512", max_rows=5,
                            restart=restart, **keys)
        found += [r["pnr"] for r in outcome.records]
        counts.append(outcome.info["count"])
        restart = outcome.info["restart"]
        if restart is None:
            return found, counts, restarts
        restarts.append(restart)


def test_protected_person_is_invisible_to_unprivileged_address_search(engine, world, gate):
    with engine.begin() as conn:  # a protection with no end date, for a person on the same road
        conn.execute(insert(protection).values(pnr="3012995007", protection_type="0001",
                                               valid_from="2002-01-01", valid_to=None))
    hidden_ones = PROTECTED_ON_ROAD_8512 | {"3012995007"}
    search_group = SecurityGroup("searcher", "Søger", Permissions.from_dict({"search": {"services": ["ADRSOG1"]}}))
    save_group(engine, search_group, by="test")
    add_user(engine, "SOEG1", "0000", "searcher", passwords=Passwords(CHEAP))
    unprivileged = actor_for_user(engine, "SOEG1")

    everyone, counts, restarts = _search_all(gate, world["cpr-office"])
    assert len(everyone) == 37 and set(counts) == {37} and hidden_ones <= set(everyone)
    visible, counts, restarts = _search_all(gate, unprivileged)
    assert set(visible) == set(everyone) - hidden_ones  # not in the rows ...
    assert set(counts) == {37 - len(hidden_ones)}  # ... nor in the count ...
    assert not hidden_ones & set(restarts)  # ... nor in a restart key
    gate.flush()
    for pnr in hidden_ones:
        assert {r.actor for r in audit_for_person(engine, pnr)} == {"CPR1"}

    with pytest.raises(ProtectionLeak):  # a search that forgets the filter is stopped by the gate
        gate.call(unprivileged, ADDRESS_SEARCH, municipality="0851", road="8512", max_rows=50, honest=False)
    gate.flush()
    assert service_records(engine)[-1].result_code == Kvit.INTERNAL_ERROR.code


# --- errors and the audit trail -------------------------------------------------------------------

def test_every_call_of_a_mixed_run_is_audited(engine, world, gate):
    kom1, private, system = world["municipality"], world["private-company"], world["subscriber-system"]
    calls = 0
    for pnr in (AALBORG_PERSON, PROTECTED, VARDE_PERSON):
        lookup(gate, kom1, "Stam+", pnr)
        lookup(gate, private, "STAMP", pnr)
        calls += 2
    with pytest.raises(PersonNotFound) as missing:
        lookup(gate, kom1, "Stam+", MISSING)
    assert missing.value.code == 172 and missing.value.text == "Personen findes ikke i CPR"
    with pytest.raises(MalformedPNR) as malformed:
        lookup(gate, kom1, "Stam+", "3213451234")
    assert malformed.value.code == 52 and "3213451234" in malformed.value.text
    with pytest.raises(MalformedPNR):
        lookup(gate, kom1, "Stam+", None)
    with pytest.raises(NoAccess):
        lookup(gate, private, "Stam+", AALBORG_PERSON)
    with pytest.raises(NoAccess):
        lookup(gate, system, "STAMP", AALBORG_PERSON)
    gate.call(system, SUBSCRIPTION, pnr=AALBORG_PERSON)
    gate.call(kom1, EVENT, event_code="A01", pnr=AALBORG_PERSON)
    with pytest.raises(RuntimeError, match="boom"):
        gate.call(world["cpr-office"], CRASH, pnr=AALBORG_PERSON)
    calls += 8
    gate.flush()
    records = service_records(engine)
    assert len(records) == calls
    # (in deferred mode the event's record, written with the change, comes before the queued ones)
    assert Counter(r.result_code for r in records) == {0: 8, 172: 1, 52: 2, 5: 2, 999: 1}

    def one(**fields):
        found = [r for r in records if all(getattr(r, k) == v for k, v in fields.items())]
        assert len(found) == 1, fields
        return found[0]

    subscription = one(action="subscription")
    assert (subscription.actor, subscription.actor_kind, subscription.client) == (
        "CVR:12345678", "system", "10.0.0.2")
    assert one(result_code=999).detail == "RuntimeError: boom"
    first = one(actor="KOM1", service="Stam+", persons=(AALBORG_PERSON,))
    assert (first.authority, first.client, first.group_name, first.action) == (
        "0851", "10.0.0.1", "municipality", "lookup")
    assert one(action="event").persons == (AALBORG_PERSON,)
    assert one(result_code=172).persons == (MISSING,)  # the PNR asked for, though not found
    assert [r.persons for r in records if r.result_code == 52] == [(), ()]  # a malformed PNR names nobody
    assert {r.actor for r in records if r.result_code == 5} == {"PRIV1", "CVR:12345678"}
    looked_up = audit_for_person(engine, PROTECTED)
    assert [(r.actor, r.service) for r in looked_up] == [("KOM1", "Stam+"), ("PRIV1", "STAMP")]
    assert verify_audit(engine).ok


def test_an_update_and_its_audit_record_commit_together(engine, world, gate):
    with pytest.raises(ServiceError):
        gate.call(world["cpr-office"], FAILING_EVENT, event_code="A21", pnr=AALBORG_PERSON)
    gate.call(world["cpr-office"], EVENT, event_code="A21", pnr=AALBORG_PERSON)
    gate.flush()
    with engine.connect() as conn:
        rows = conn.execute(select(event.c.event_code).where(event.c.source == "test")).scalars().all()
    assert rows == ["A21"]  # the failed update left nothing behind
    assert [(r.result_code, r.persons) for r in service_records(engine)] == [
        (5, (AALBORG_PERSON,)), (0, (AALBORG_PERSON,))]


def test_usage_counts_billable_successful_calls(engine, world, gate, clock):
    kom1, private = world["municipality"], world["private-company"]
    for _ in range(3):
        lookup(gate, kom1, "Stam+", AALBORG_PERSON)
    lookup(gate, private, "STAMP", PROTECTED)
    with pytest.raises(NoAccess):
        lookup(gate, private, "Stam+", PROTECTED)  # refused: not billed
    with pytest.raises(PersonNotFound):
        lookup(gate, kom1, "Stam+", MISSING)  # failed: not billed
    clock.set(dt.datetime(2002, 6, 30, 23, 59))
    lookup(gate, kom1, "STAMP", AALBORG_PERSON)
    clock.set(dt.datetime(2002, 7, 1, 0, 0))
    lookup(gate, kom1, "STAMP", AALBORG_PERSON)
    gate.flush()
    june = [(u.authority, u.authority_name, u.actor, u.service, u.calls) for u in usage_lines(engine, "2002-06")]
    assert june == [("0000", "Ukendt Myndighed", "PRIV1", "STAMP", 1), ("0851", "Aalborg", "KOM1", "STAMP", 1),
                    ("0851", "Aalborg", "KOM1", "Stam+", 3)]
    daily = [(u.period, u.service, u.calls) for u in usage_lines(engine, "2002-06", daily=True) if u.actor == "KOM1"]
    assert daily == [("2002-06-01", "Stam+", 3), ("2002-06-30", "STAMP", 1)]
    assert [(u.period, u.calls) for u in usage_lines(engine, "2002-07")] == [("2002-07", 1)]


def test_services_run_only_through_the_gate(engine, world):
    with engine.connect() as conn, pytest.raises(TypeError, match="made by the gate only"):
        ServiceContext(object(), conn, world["cpr-office"], None, DAY)


def test_deferred_lookups_are_answered_only_once_recorded(engine, world, clock):
    gate = Gate(engine, clock, audit_mode=AuditMode.DEFERRED)
    for i in range(10):
        lookup(gate, world["municipality"], "Stam+", AALBORG_PERSON)
        assert len(service_records(engine)) == i + 1  # committed (in its group) before the answer
    gate.close()
    assert gate.writer.pending == 0 and len(service_records(engine)) == 10
    assert verify_audit(engine).ok


def test_deferred_audit_survives_the_loss_of_its_connection(request, engine, world, clock):
    """The writer keeps a connection of its own on PostgreSQL; when the database ends it (a restart, an
    administrator's pg_terminate_backend), the next group is written on a new one and no record is lost."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the writer keeps a connection of its own on PostgreSQL only")
    gate = Gate(engine, clock, audit_mode=AuditMode.DEFERRED)
    request.addfinalizer(gate.close)
    lookup(gate, world["municipality"], "Stam+", AALBORG_PERSON)
    with engine.connect() as conn:
        ended = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND query LIKE '%FROM audit_head WHERE id = 1 FOR UPDATE%'")).scalar()
    assert ended == 1  # the writer's connection, idle after its last group
    for _ in range(3):
        lookup(gate, world["municipality"], "Stam+", AALBORG_PERSON)
    assert len(service_records(engine)) == 4 and verify_audit(engine).ok


def test_a_change_whose_audit_record_cannot_be_written_is_not_made(engine, world, gate):
    """An update is committed with its audit record or not at all: with the chain's head gone the
    record cannot be chained, and the change the call made is rolled back with it."""
    with engine.begin() as conn:
        head = conn.execute(select(audit_head)).one()
        conn.execute(delete(audit_head))
    with pytest.raises(AuditUnavailable, match="audit_head"):
        gate.call(world["cpr-office"], EVENT, event_code="A21", pnr=AALBORG_PERSON)
    with engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(event).where(event.c.source == "test")).scalar() == 0
        conn.execute(insert(audit_head).values(**head._mapping))
    gate.call(world["cpr-office"], EVENT, event_code="A21", pnr=AALBORG_PERSON)  # and with it, it is
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(event).where(event.c.source == "test")).scalar() == 1
    assert verify_audit(engine).ok


def test_audit_trail_unwritable_stops_answers(request, engine, world, clock):
    with engine.begin() as conn:  # break the chain head: nothing can be appended any more
        head = conn.execute(select(audit_head)).one()
        conn.execute(delete(audit_head))
    gate = Gate(engine, clock, audit_mode=AuditMode.DEFERRED)
    gate.writer.max_pending, gate.writer.submit_timeout, gate.writer.wait_timeout = 3, 0.2, 0.2
    request.addfinalizer(gate.close)
    for _ in range(3):  # the record cannot be written: the lookup is not answered
        with pytest.raises(AuditUnavailable):
            lookup(gate, world["municipality"], "Stam+", AALBORG_PERSON)
    with pytest.raises(AuditUnavailable):  # the queue is full and cannot be written
        lookup(gate, world["municipality"], "Stam+", AALBORG_PERSON)
    with pytest.raises(AuditUnavailable):
        gate.writer.flush(timeout=0.3)
    with pytest.raises(AuditUnavailable, match="audit_head"):
        lookup(Gate(engine, clock), world["municipality"], "Stam+", AALBORG_PERSON)
    with engine.begin() as conn:
        conn.execute(insert(audit_head).values(**head._mapping))
    gate.close()  # the queued records (of calls refused for want of them) are written once the head is back
    assert len(service_records(engine)) == 3 and verify_audit(engine).ok
