"""The time budget inside one system's file: a national initial load (with a night's changes) cut
at a tiny budget is delivered as complete, numbered files over the following nights, whose person
records, one after another, are byte for byte those of the same delivery made uninterrupted."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from sqlalchemy import insert, select

from opencpr.access.subscribers import actor_for_system, add_system, get_system, set_subscription_setup
from opencpr.delivery.extraction import run_extraction
from opencpr.delivery.store import DeliveryStore
from opencpr.formats.extract import read_records
from opencpr.register.schema import delivery, delivery_rest, protection, subscription_filter
from opencpr.services.gate import Gate
from opencpr.services.subscriptions import filters

JENS = "0707614285"
VARDE = "0702614147"
N1, N2, N3, N4 = (dt.date(2014, 10, d) for d in (28, 29, 30, 31))


def _no_filter(gate: Gate, name: str, cvr: str) -> int:
    return _subscribe(gate, name, cvr, AddNoFilterSubscription={})


def _subscribe(gate: Gate, name: str, cvr: str, **wanted) -> int:
    engine = gate.engine
    system = add_system(engine, cvr, name, clock=gate.clock)
    user_system = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    set_subscription_setup(engine, system.id, user_system_uuid=user_system)
    invocation = {"ServiceAgreementUUID": system.agreement_uuid, "UserSystemUUID": user_system,
                  "UserUUID": str(uuid.uuid4()), "ServiceUUID": filters.SERVICE_UUID}
    actor = actor_for_system(engine, get_system(engine, system.id))
    for operation, value in wanted.items():
        gate.call(actor, filters.OPERATIONS[operation], **filters.call_keys(value, invocation))
    return system.id


def _ticking():
    """A clock for the budget that moves one second at every look."""
    ticks = itertools.count()
    return lambda: next(ticks)


def _lines(store: DeliveryStore, system_id: int, name: str) -> list[str]:
    data = (store.inbox(system_id) / name).read_bytes()
    lines = data.decode("iso-8859-1").splitlines()
    assert lines[0].startswith("000") and lines[-1].startswith("999")
    assert int(lines[-1][13:21]) == len(lines) - 2  # each part is a complete file: 999 counts what it holds
    with open(store.inbox(system_id) / name, "rb") as f:
        assert len(list(read_records(f))) == len(lines)
    return lines


def test_a_national_initial_load_cut_by_the_budget_resumes_over_the_next_nights(demo_engine, updater, clock,
                                                                                tmp_path):
    gate = Gate(demo_engine, clock, audit_mode="sync")
    store = DeliveryStore(tmp_path / "deliveries")
    whole = _no_filter(gate, "uafbrudt", "50000001")
    cut = _no_filter(gate, "afbrudt", "50000002")
    clock.set(dt.datetime(2014, 10, 28, 10, 0))  # the night's changes: a move and a death
    updater.run("A01", JENS, "2014-10-28", {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7"})
    updater.run("A21", VARDE, "2014-10-28")

    # night 1: the budget (2.5 s, one second a look) is spent after two chunks of 7 persons
    clock.set(dt.datetime(2014, 10, 28, 23, 0))
    first = run_extraction(gate, store, night=N1, systems=[cut], budget_seconds=2.5, seconds=_ticking(), chunk=7)
    assert first.stopped_by_budget and first.systems_left == 1 and first.systems_done == 0
    (part1,) = first.delivered
    assert part1.cut and part1.file_name == "D141028.L000001" and part1.persons == 14
    assert sorted(p.name for p in store.inbox(cut).iterdir()) == ["D141028.L000001", "D141028.L000001.metadata"]
    assert not list((store.root / "staging" / str(cut)).iterdir())  # nothing half-written left anywhere
    with demo_engine.connect() as conn:
        rest = conn.execute(select(delivery_rest)).one()
        assert rest.system_id == cut and rest.night == "2014-10-28"
        assert not conn.execute(select(subscription_filter.c.id).where(subscription_filter.c.initial_due.is_(True),
                                                                       subscription_filter.c.system_id == cut)).all()
    assert run_extraction(gate, store, night=N1).already_finished  # the night is over

    # night 2: the rest is cut again
    clock.set(dt.datetime(2014, 10, 29, 23, 0))
    second = run_extraction(gate, store, night=N2, systems=[cut], budget_seconds=2.5, seconds=_ticking(), chunk=7)
    (part2,) = second.delivered
    assert part2.cut and part2.file_name == "D141029.L000002" and part2.persons == 14

    # night 3, no budget to speak of: the uninterrupted system's whole file, the cut system's rest
    clock.set(dt.datetime(2014, 10, 30, 23, 0))
    third = run_extraction(gate, store, night=N3, chunk=7)
    assert not third.stopped_by_budget and third.systems_done == 2
    assert [(d.system_id, d.file_name, d.persons, d.cut) for d in third.delivered] == [
        (whole, "D141030.L000001", 80, False), (cut, "D141030.L000003", 52, False)]
    with demo_engine.connect() as conn:
        assert conn.execute(select(delivery_rest)).all() == []
        tasks = conn.execute(select(delivery.c.task_number, delivery.c.persons, delivery.c.initial_persons)
                             .where(delivery.c.system_id == cut).order_by(delivery.c.id)).all()
    assert [tuple(t) for t in tasks] == [(1, 14, 14), (2, 14, 14), (3, 52, 52)]

    full = _lines(store, whole, "D141030.L000001")
    parts = [_lines(store, cut, f"D141{d}.L00000{i}") for i, d in ((1, "028"), (2, "029"), (3, "030"))]
    assert [p[0] for p in parts] == ["000" + "0000000000" + "000001" + "20141028" + "0" * 8,
                                     "000" + "0000000000" + "000002" + "20141029" + "20141028",
                                     "000" + "0000000000" + "000003" + "20141030" + "20141029"]
    assert [line for p in parts for line in p[1:-1]] == full[1:-1]  # byte for byte, the 099 records too
    assert sum(line.startswith("099") for line in full) >= 2 and sum(line.startswith("001") for line in full) == 80

    # night 4: nothing changed, nothing more
    clock.set(dt.datetime(2014, 10, 31, 23, 0))
    assert run_extraction(gate, store, night=N4).delivered == []


def test_a_municipality_load_read_one_person_at_a_time_is_the_same_file(demo_engine, clock, tmp_path):
    """Residents the system may not find by address are taken out of a chunk after it is read: a
    chunk may come back empty without being the last, and the file is the same at any chunk size."""
    karin = "0712614382"  # lives in Aalborg (0851); her address is protected
    with demo_engine.begin() as conn:
        conn.execute(insert(protection).values(pnr=karin, protection_type="0001", valid_from="2010-01-01",
                                               authority="0851", registered_at="2010-01-01T00:00:00"))
    gate = Gate(demo_engine, clock, audit_mode="sync")
    store = DeliveryStore(tmp_path / "deliveries")
    one, many = (_subscribe(gate, name, cvr, AddMunicipalityCodeSubscription={"MunicipalityCode": "851"})
                 for name, cvr in (("en ad gangen", "50000003"), ("mange ad gangen", "50000004")))
    clock.set(dt.datetime(2014, 10, 28, 23, 0))
    assert [d.persons for d in run_extraction(gate, store, night=N1, systems=[one], chunk=1).delivered] == [66]
    clock.set(dt.datetime(2014, 10, 29, 23, 0))
    assert [d.persons for d in run_extraction(gate, store, night=N2, systems=[many]).delivered] == [66]
    small = _lines(store, one, "D141028.L000001")
    assert small[1:] == _lines(store, many, "D141029.L000001")[1:]
    assert not any(line[3:13] == karin for line in small)
