"""The nightly extraction: initial loads, a night of moves, deaths and births delivered to the right
subscribers and to no others, no file on a night without changes, protected addresses kept from
groups without ``protected_addresses`` (from the attacker's side), files that parse with the
project's importer and with an independent fixed-width reader."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import insert, select

from opencpr.access.groups import SecurityGroup
from opencpr.access.subscribers import add_system, set_subscription_setup
from opencpr.clock import FixedClock
from opencpr.delivery.extraction import run_extraction
from opencpr.delivery.store import DeliveryStore
from opencpr.formats.delivery_metadata import SFTP_TYPES_NS, read_trigger
from opencpr.formats.extract import read_records
from opencpr.register.importer import import_extract
from opencpr.register.schema import delivery, protection, subscription_filter
from opencpr.services.gate import Gate
from opencpr.services.permissions import parse, save_group
from opencpr.services.subscriptions import filters

JENS = "0707614285"  # Aalborg
KARIN, LARS = "0712614382", "0707614293"  # Aalborg; Karin's address is protected below
VARDE = ("0701614038", "0702614147")  # the two persons living in Varde (0573)
SERVICE_UUID = filters.SERVICE_UUID
BIRTH = {"KOEN": "K", "MORPNR": KARIN, "FARPNR": LARS, "FOEDMYN": "8321", "FODT_KL": "14:32"}
NIGHT1, NIGHT2, NIGHT3 = dt.date(2014, 10, 27), dt.date(2014, 10, 28), dt.date(2014, 10, 29)


class Subscribers:
    def __init__(self, gate: Gate, store: DeliveryStore) -> None:
        self.gate, self.store = gate, store
        self.ids: dict[str, int] = {}

    def add(self, name: str, cvr: str, group: str = "subscriber-system", **wanted) -> int:
        engine = self.gate.engine
        system = add_system(engine, cvr, name, group=group, clock=self.gate.clock)
        user_system = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        set_subscription_setup(engine, system.id, user_system_uuid=user_system)
        from opencpr.access.subscribers import actor_for_system, get_system

        actor = actor_for_system(engine, get_system(engine, system.id))
        invocation = {"ServiceAgreementUUID": system.agreement_uuid, "UserSystemUUID": user_system,
                      "UserUUID": str(uuid.uuid4()), "ServiceUUID": SERVICE_UUID}
        for operation, values in wanted.items():
            for value in values:
                outcome = self.gate.call(actor, filters.OPERATIONS[operation],
                                         **filters.call_keys(value, invocation))
                assert outcome.info["result"] == "ADDED"
        self.ids[name] = system.id
        return system.id

    def files(self, name: str) -> list[str]:
        return sorted(p.name for p in self.store.inbox(self.ids[name]).iterdir())

    def persons(self, name: str, file_name: str) -> list[str]:
        with open(self.store.inbox(self.ids[name]) / file_name, "rb") as f:
            return list(dict.fromkeys(r.pnr for r in read_records(f) if r.record_type == "001"))

    def data(self, name: str, file_name: str) -> bytes:
        return (self.store.inbox(self.ids[name]) / file_name).read_bytes()


@pytest.fixture
def world(demo_engine, clock, tmp_path):
    engine = demo_engine
    with engine.begin() as conn:  # Karin's address is protected from 2010 on
        conn.execute(insert(protection).values(pnr=KARIN, protection_type="0001", valid_from="2010-01-01",
                                               authority="0851", registered_at="2010-01-01T00:00:00"))
    save_group(engine, SecurityGroup("authority-replica", "Myndighed med adgang til beskyttede adresser",
                                     parse({"subscription": {"services": ["SF6002"], "scope": "all"},
                                            "protected_addresses": True})), by="test")
    gate = Gate(engine, clock, audit_mode="sync")
    subs = Subscribers(gate, DeliveryStore(tmp_path / "deliveries"))
    subs.add("aalborg", "10000001", AddMunicipalityCodeSubscription=[{"MunicipalityCode": "851"}])
    subs.add("jens-and-deaths", "10000002", AddPNRSubscription=[{"PNR": JENS}],
             AddChangeCodeSubscription=[{"ChangeCode": "A21"}])
    subs.add("everyone", "10000003", group="authority-replica", AddNoFilterSubscription=[{}])
    subs.add("newborns", "10000004", AddAgeRangeSubscription=[{"StartAge": "0", "EndAge": "0"}])
    subs.add("varde", "10000005", AddMunicipalityCodeSubscription=[{"MunicipalityCode": "573"}])
    subs.add("karin-by-pnr", "10000006", AddPNRSubscription=[{"PNR": KARIN}])
    return subs


def test_initial_loads_then_a_night_of_changes_then_a_quiet_night(world, updater, clock):
    subs = world
    clock.set(dt.datetime(2014, 10, 27, 23, 0))
    first = run_extraction(subs.gate, subs.store, night=NIGHT1)
    assert not first.stopped_by_budget and first.systems_done == 6
    aalborg = subs.persons("aalborg", "D141027.L000001")
    assert subs.files("aalborg") == ["D141027.L000001", "D141027.L000001.metadata"]
    assert len(aalborg) == 66 and JENS in aalborg and KARIN not in aalborg  # 67 live in 0851; Karin is hidden
    assert subs.persons("jens-and-deaths", "D141027.L000001") == [JENS]
    assert len(subs.persons("everyone", "D141027.L000001")) == 80
    assert subs.files("newborns") == []  # an age range orders no initial load
    assert sorted(subs.persons("varde", "D141027.L000001")) == sorted(VARDE)
    # Karin by her PNR: delivered, with her name and without her address
    karin = subs.data("karin-by-pnr", "D141027.L000001").decode("iso-8859-1").splitlines()
    types = [line[:3] for line in karin]
    assert "001" in types and "008" in types and "003" in types and "002" not in types and "023" not in types
    clear = next(line for line in karin if line.startswith("003"))
    assert clear[13:47].strip() and not clear[47:].replace("0", "").strip()  # the name; no address (zeros are empty)
    everyone = subs.data("everyone", "D141027.L000001").decode("iso-8859-1")
    assert any(line.startswith("002" + KARIN) for line in everyone.splitlines())  # entitled: with the address
    address_of_karin = next(line for line in everyone.splitlines() if line.startswith("003" + KARIN))[115:149].strip()
    for name in ("aalborg", "karin-by-pnr", "jens-and-deaths", "varde"):  # no record of Karin's has her address
        for file in subs.files(name):
            for line in subs.data(name, file).decode("iso-8859-1").splitlines():
                if line[3:13] == KARIN:
                    assert address_of_karin not in line and line[:3] not in ("002", "005", "006", "023", "024")
    # the metadata file names the data file and its size
    meta = read_trigger(subs.data("aalborg", "D141027.L000001.metadata"))
    assert meta.file_name == "D141027.L000001"
    assert meta.size == len(subs.data("aalborg", "D141027.L000001"))
    assert f'xmlns:ns2="{SFTP_TYPES_NS}"'.encode() in subs.data("aalborg", "D141027.L000001.metadata")

    # the night's changes: Jens moves within Aalborg, a child is born to Karin and Lars, a Varde person dies
    clock.set(dt.datetime(2014, 10, 28, 10, 0))
    updater.run("A01", JENS, "2014-10-28", {"KOMKOD": "0851", "VEJKOD": "0004", "HUSNR": "7"})
    child = updater.run("B23", None, "2014-10-28", BIRTH)["persons"][0]
    updater.run("A21", VARDE[1], "2014-10-28")
    clock.set(dt.datetime(2014, 10, 28, 23, 0))
    second = run_extraction(subs.gate, subs.store, night=NIGHT2)
    got = {name: subs.persons(name, f) for name in subs.ids for f in subs.files(name)
           if f.startswith("D141028") and not f.endswith(".metadata")}
    assert set(got["aalborg"]) == {JENS, child, LARS}  # Karin's derived event is not found by address
    assert set(got["jens-and-deaths"]) == {JENS, VARDE[1]}
    assert KARIN in got["everyone"] and {JENS, child, LARS, VARDE[1]} <= set(got["everyone"])
    assert got["newborns"] == [child]
    assert got["varde"] == [VARDE[1]]
    assert got["karin-by-pnr"] == [KARIN]
    assert len(second.delivered) == 6
    # 099 carries CPR's codes: the birth (B23, no CPR code) stays B23; the death is A21
    with open(subs.store.inbox(subs.ids["jens-and-deaths"]) / "D141028.L000002", "rb") as f:
        events = [r for r in read_records(f) if r.record_type == "099"]
    assert ("A21" in {r.values["event_code"] for r in events}) and all(r.pnr in (JENS, VARDE[1]) for r in events)
    start = subs.data("aalborg", "D141028.L000002").decode("iso-8859-1").splitlines()[0]
    assert start == "000" + "0000000000" + "000002" + "20141028" + "20141027"

    # a night without changes: no file for anyone
    clock.set(dt.datetime(2014, 10, 29, 23, 0))
    third = run_extraction(subs.gate, subs.store, night=NIGHT3)
    assert third.delivered == [] and third.systems_done == 6
    assert not any(f.startswith("D141029") for name in subs.ids for f in subs.files(name))
    with subs.gate.engine.connect() as conn:
        assert conn.execute(select(delivery.c.file_name)).all().__len__() == 11
        assert not conn.execute(select(subscription_filter).where(subscription_filter.c.initial_due.is_(True))).all()


def test_removing_and_adding_again_orders_a_new_initial_load(world, clock):
    subs = world
    run_extraction(subs.gate, subs.store, night=NIGHT1)
    sid = subs.ids["varde"]
    with subs.gate.engine.begin() as conn:  # as RemoveMunicipalityCode + AddMunicipalityCode would
        conn.execute(subscription_filter.update().where(subscription_filter.c.system_id == sid)
                     .values(initial_due=True))
    run_extraction(subs.gate, subs.store, night=NIGHT2)
    assert sorted(subs.persons("varde", "D141028.L000002")) == sorted(VARDE)
    assert not any(f.startswith("D141028") for f in subs.files("aalborg"))


def test_the_files_parse_with_the_importer_and_an_independent_reader(world, tmp_path, clock):
    subs = world
    run_extraction(subs.gate, subs.store, night=NIGHT1)
    path = subs.store.inbox(subs.ids["everyone"]) / "D141027.L000001"
    from opencpr.register.db import make_engine
    from opencpr.register.migrate import upgrade

    fresh = make_engine(f"sqlite:///{tmp_path / 'replica.sqlite'}")
    upgrade(fresh)
    with open(path, "rb") as f:
        report = import_extract(fresh, f, FixedClock(dt.datetime(2014, 10, 28)))
    assert report.persons == 80
    # an independent reader: fixed widths from the layouts (§3.2), nothing of the project's code
    lengths = {"000": 35, "001": 106, "002": 306, "003": 249, "008": 193, "999": 21}
    persons: dict[str, dict[str, str]] = {}
    lines = path.read_bytes().decode("iso-8859-1").split("\n")
    assert lines[-1] == "" and lines[0].startswith("000") and lines[-2].startswith("999")
    assert int(lines[-2][13:21]) == len(lines) - 3
    for line in lines[1:-2]:
        kind = line[:3]
        if kind in lengths:
            assert len(line) == lengths[kind], (kind, len(line))
        pnr = line[3:13]
        if kind == "001":
            persons[pnr] = {"status": line[23:25], "birth": line[39:49]}
        elif kind == "002":
            persons[pnr]["municipality"] = line[13:17]
        elif kind == "008":
            persons[pnr]["last_name"] = line[105:145].rstrip()
    from opencpr.register.schema import address, name, person

    with fresh.connect() as conn:
        ours = {r.pnr: r for r in conn.execute(select(person.c.pnr, person.c.status, person.c.birth_date))}
        homes = dict(conn.execute(select(address.c.pnr, address.c.municipality).where(address.c.current.is_(True))).all())
        names = dict(conn.execute(select(name.c.pnr, name.c.last_name).where(name.c.current.is_(True))).all())
    assert set(ours) == set(persons)
    for pnr, seen in persons.items():
        assert seen["status"] == ours[pnr].status and seen["birth"] == ours[pnr].birth_date
        assert seen.get("municipality") == homes.get(pnr)
        assert seen.get("last_name") == (names.get(pnr) or "")
