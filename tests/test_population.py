"""The synthetic population: deterministic, valid, consistent across persons, Danish-looking."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from stdnum.dk import cpr as stdnum_cpr

from opencpr.domain import pnr as pnrs
from opencpr.domain import reference
from opencpr.domain.codes import CIVIL_STATUS, DERIVED_MARKER, EVENT, PROTECTION
from opencpr.domain.invariants import check_person
from opencpr.formats.extract import read_records
from opencpr.population import names
from opencpr.population.addresses import standard_address
from opencpr.population.demography import COUNTRY_GROUP, FOREIGN_CITIZENSHIPS, pyramid_shares
from opencpr.population.generator import generate_population, shard_sizes
from opencpr.population.load import load_population
from opencpr.population.pnrslots import SlotAllocator
from opencpr.register.db import make_engine
from opencpr.register.exporter import export_extract
from opencpr.register.migrate import upgrade

TODAY = dt.date(2025, 3, 1)
N = 5000
NO_PNR = (None, "", "0000000000")


@pytest.fixture(scope="module")
def bundles() -> list[dict]:
    return list(generate_population(N, 7, TODAY))


@pytest.fixture(scope="module")
def people(bundles) -> dict[str, dict]:
    return {b["person"][0]["pnr"]: b for b in bundles}


def _current(bundle: dict, table: str) -> dict | None:
    rows = [r for r in bundle.get(table, ()) if r["current"]]
    return rows[0] if rows else None


def _adult(birth: str) -> bool:
    b = dt.date.fromisoformat(birth)
    return (TODAY.year - b.year - ((TODAY.month, TODAY.day) < (b.month, b.day))) >= 18


def _age(birth: str) -> int:
    b = dt.date.fromisoformat(birth)
    return TODAY.year - b.year - ((TODAY.month, TODAY.day) < (b.month, b.day))


# --- determinism ----------------------------------------------------------------------------------


def test_same_seed_same_register(bundles):
    again = list(generate_population(N, 7, TODAY))
    assert again == bundles


def test_other_seed_other_register(bundles):
    other = list(generate_population(N, 8, TODAY))
    assert len(other) == N
    assert [b["person"][0]["pnr"] for b in other] != [b["person"][0]["pnr"] for b in bundles]


def test_shards_are_independent_and_numbers_unique():
    # a population of several (small) shards: numbers never collide between shards
    pop = list(generate_population(3000, 3, TODAY, shard_size=700))
    assert len(shard_sizes(3000, 700)) == 5
    pnr_list = [b["person"][0]["pnr"] for b in pop]
    assert len(pop) == 3000 and len(set(pnr_list)) == 3000


def test_slot_allocator_partitions_serials():
    day = dt.date(1925, 6, 1).toordinal()
    seen = set()
    for shard in range(400):
        alloc = SlotAllocator(shard, 400)
        for _ in range(2):
            pnr, _day = alloc.allocate(day, "K", day - 400, day + 400)
            assert pnrs.is_valid(pnr) and pnr not in seen
            seen.add(pnr)


def test_reserved_numbers_are_not_used(bundles):
    taken = frozenset(b["person"][0]["pnr"] for b in bundles[:50])
    again = list(generate_population(300, 7, TODAY, reserved=taken))
    assert not taken & {b["person"][0]["pnr"] for b in again}


# --- numbers and one-person rules ---------------------------------------------------------------


def test_every_pnr_valid_and_unique(bundles):
    seen = set()
    for b in bundles:
        p = b["person"][0]
        info = pnrs.parse(p["pnr"])
        assert stdnum_cpr.is_valid(p["pnr"]), p["pnr"]
        assert info.sex == p["sex"] and info.birth_date.isoformat() == p["birth_date"]
        assert p["pnr"] not in seen
        seen.add(p["pnr"])
    assert len(seen) == N


def test_register_invariants_per_person(bundles):
    problems = [str(v) for b in bundles for v in check_person(b)]
    assert problems == []


def test_status_and_address(bundles):
    for b in bundles:
        p = b["person"][0]
        current = [r for r in b.get("address", ()) if r["current"]]
        if p["status"] in ("01", "03"):
            assert len(current) == 1, p
        else:
            assert current == [], p
        assert len(b["clear_address"]) == 1
        for table in ("name", "citizenship", "church", "civil_status"):
            assert sum(r["current"] for r in b[table]) == 1, (table, p["pnr"])
        if p["status"] == "80":
            dep = _current(b, "departure")
            assert dep and reference.is_country(dep["exit_country"]) and dep["foreign_line1"]
        if p["status"] == "70":
            assert _current(b, "disappearance")
        if p["status"] == "90":
            assert p["status_date"] and _current(b, "civil_status")["civil_status"] == "D"


def test_dates_in_order(bundles):
    today = TODAY.isoformat()
    for b in bundles:
        p = b["person"][0]
        birth = p["birth_date"]
        end = p["status_date"][:10] if p["status"] in ("90", "80", "70") else today
        for table, rows in b.items():
            for r in rows:
                start = r.get("valid_from")
                to = r.get("valid_to")
                if start:
                    assert birth <= start[:10] <= today, (table, r)
                if start and to:
                    assert start[:10] <= to[:10], (table, r)
        for e in b.get("event", ()):
            assert birth <= e["event_date"] <= end, (p, e)
            assert e["registered_at"][:10] == e["event_date"]
        # address periods follow each other without overlap
        periods = sorted((r["valid_from"], r["valid_to"] or "9999") for r in b.get("address", ()))
        for (_s1, e1), (s2, _e2) in zip(periods, periods[1:], strict=False):
            assert e1[:10] <= s2[:10], (p["pnr"], periods)
            assert e1[:10] < s2[:10] or e1 == s2  # moving out and in: the same moment
        if p["status"] in ("90", "80", "70"):
            assert all(r["valid_to"] and r["valid_to"][:10] <= end for r in b.get("address", ()))
            if periods:
                assert periods[-1][1] == p["status_date"]


def test_codes_are_known(bundles):
    for b in bundles:
        for r in b["civil_status"]:
            assert r["civil_status"] in CIVIL_STATUS
        for r in b.get("protection", ()):
            assert r["protection_type"] in PROTECTION
        for r in b["citizenship"]:
            assert reference.is_country(r["country"])
        for e in b.get("event", ()):
            assert e["event_code"] in EVENT and (e["derived_marker"] or "") in DERIVED_MARKER
        for r in b.get("address", ()):
            assert reference.is_municipality(r["municipality"])
            if r["road"] < "9900":
                assert reference.road(r["municipality"], r["road"]) is not None


def test_text_fits_the_extract(bundles):
    for b in bundles:
        for rows in b.values():
            for r in rows:
                for v in r.values():
                    if isinstance(v, str):
                        v.encode("iso-8859-1")
                        assert "\t" not in v and "\n" not in v and "\\" not in v


def test_clear_address_matches_address_and_roads(bundles):
    for b in bundles:
        cur = _current(b, "address")
        clear = b["clear_address"][0]
        name = _current(b, "name")
        assert clear["addressing_name"] == name["addressing_name"]
        assert len(name["addressing_name"]) <= 34
        if cur is None or cur["road"] >= "9900":
            continue
        for col in ("municipality", "road", "house_no", "floor", "door"):
            assert clear[col] == cur[col]
        road = reference.road(cur["municipality"], cur["road"])
        assert clear["postal_code"] == road.postal_code
        assert clear["postal_district"] == reference.postal_district(road.postal_code)
        assert clear["road_addressing_name"] == road.name
        assert clear["standard_address"] == standard_address(road.name, cur["house_no"], cur["floor"], cur["door"])
        assert len(cur["house_no"]) in (3, 4) and cur["house_no"][:3].isdigit()


# --- relations between persons -------------------------------------------------------------------


def test_every_referenced_person_exists(people):
    for b in people.values():
        p = b["person"][0]
        refs = [p["mother_pnr"], p["father_pnr"]]
        refs += [r["spouse_pnr"] for r in b["civil_status"]]
        refs += [r["child_pnr"] for r in b.get("child", ())]
        refs += [r["guardian_pnr"] for r in b.get("guardianship", ())]
        for ref in refs:
            assert ref in NO_PNR or ref in people, (p["pnr"], ref)


def test_spouses_point_at_each_other(people):
    for pnr, b in people.items():
        me = _current(b, "civil_status")
        code, spouse = me["civil_status"], me["spouse_pnr"]
        if code in ("G", "P"):
            other = _current(people[spouse], "civil_status")
            assert other["civil_status"] == code and other["spouse_pnr"] == pnr
            assert other["valid_from"] == me["valid_from"]
            assert me["spouse_birth_date"] == people[spouse]["person"][0]["birth_date"]
            last, first = me["spouse_name"].split(",", 1)
            spouse_name = _current(people[spouse], "name")
            assert last == spouse_name["last_name"] and first.startswith(spouse_name["first_name"])
        elif code in ("E", "L") and spouse not in NO_PNR:
            dead = people[spouse]
            assert dead["person"][0]["status"] == "90"
            assert any(r["civil_status"] == "D" and r["spouse_pnr"] == pnr for r in dead["civil_status"])
        # every earlier marriage is known to both
        for r in b["civil_status"]:
            if r["civil_status"] in ("F", "O"):
                assert any(o["civil_status"] in ("F", "O") and o["spouse_pnr"] == pnr
                           for o in people[r["spouse_pnr"]]["civil_status"])
            if r["civil_status"] in ("G", "P"):
                assert any(o["civil_status"] == r["civil_status"] and o["spouse_pnr"] == pnr
                           and o["valid_from"] == r["valid_from"] for o in people[r["spouse_pnr"]]["civil_status"])
            if r["separation_ref"]:
                seps = [s for s in b["separation"] if s["separation_ref"] == r["separation_ref"]]
                assert len(seps) == 1 and seps[0]["current"] == r["current"]


def test_parents_and_children_point_at_each_other(people):
    for pnr, b in people.items():
        p = b["person"][0]
        for col in ("mother_pnr", "father_pnr"):
            parent = p[col]
            if parent not in NO_PNR:
                kids = [r["child_pnr"] for r in people[parent].get("child", ())]
                assert pnr in kids or len(kids) == 25
                assert p[col.replace("pnr", "birth_date")] == people[parent]["person"][0]["birth_date"]
        for r in b.get("child", ()):
            kid = people[r["child_pnr"]]["person"][0]
            assert pnr in (kid["mother_pnr"], kid["father_pnr"])
            assert kid["birth_date"] > p["birth_date"]
        if p["mother_pnr"] not in NO_PNR:
            assert people[p["mother_pnr"]]["person"][0]["sex"] == "K"
        if p["father_pnr"] not in NO_PNR:
            assert people[p["father_pnr"]]["person"][0]["sex"] == "M"


def test_minors_have_both_parents_and_custody(people):
    minors = 0
    for b in people.values():
        p = b["person"][0]
        if p["status"] != "01" or _adult(p["birth_date"]):
            continue
        minors += 1
        assert p["mother_pnr"] in people and p["father_pnr"] in people, p
        custody = b.get("parental_authority", ())
        assert 1 <= len(custody) <= 2
        for c in custody:
            holder = p["mother_pnr"] if c["authority_type"] == "0003" else p["father_pnr"]
            assert people[holder]["person"][0]["status"] != "90"
        # a minor lives with at least one parent
        home = _current(b, "address")
        parents_home = [_current(people[q], "address") for q in (p["mother_pnr"], p["father_pnr"])]
        assert any(h and (h["municipality"], h["road"], h["house_no"], h["floor"], h["door"])
                   == (home["municipality"], home["road"], home["house_no"], home["floor"], home["door"])
                   for h in parents_home)
    assert minors > 0.15 * N * 0.72


def test_married_couples_live_together(people):
    together = apart = 0
    for pnr, b in people.items():
        me = _current(b, "civil_status")
        if me["civil_status"] != "G" or b["person"][0]["status"] != "01":
            continue
        other = people[me["spouse_pnr"]]
        if other["person"][0]["status"] != "01":
            continue
        a, o = _current(b, "address"), _current(other, "address")
        key = ("municipality", "road", "house_no", "floor", "door")
        if all(a[k] == o[k] for k in key):
            together += 1
        else:
            apart += 1
            assert me["separation_ref"], pnr  # only separated spouses live apart
    assert together > 20 * max(apart, 1) / 2


def test_no_event_after_death_and_derived_events(people):
    markers = Counter()
    for b in people.values():
        for e in b.get("event", ()):
            markers[(e["event_code"], e["derived_marker"])] += 1
    assert markers[("B31", None)] > 0 and markers[("B31", "MO")] > 0 and markers[("B31", "FA")] > 0
    assert markers[("A21", None)] > 0 and markers[("A21", "ÆG")] > 0
    assert markers[("A01", None)] > 0 and markers[("A06", None)] > 0 and markers[("B29", "ÆG")] > 0


def test_name_changes_at_marriage(people):
    changed = 0
    for b in people.values():
        old = [r for r in b["name"] if not r["current"]]
        if old:
            changed += 1
            cur = _current(b, "name")
            assert old[0]["valid_to"] == cur["valid_from"]
            assert any(e["event_code"] == "A13" for e in b.get("event", ())) or cur["valid_from"] < "1968-04-02"
    assert changed > N * 0.03


# --- does it look like Denmark? -------------------------------------------------------------------


def test_status_shares(bundles):
    status = Counter(b["person"][0]["status"] for b in bundles)
    assert 0.70 <= (status["01"] + status["03"]) / N <= 0.74
    assert 0.19 <= status["90"] / N <= 0.23
    assert 0.05 <= status["80"] / N <= 0.08
    assert status["20"] > 0 and status["70"] >= 1


def test_sex_ratio_and_age_pyramid(bundles):
    living = [b["person"][0] for b in bundles if b["person"][0]["status"] in ("01", "03")]
    women = sum(p["sex"] == "K" for p in living) / len(living)
    assert 0.485 <= women <= 0.52
    ages = Counter(min(_age(p["birth_date"]) // 5 * 5, 100) for p in living)
    expected = Counter()
    for (_sex, group), share in pyramid_shares().items():
        expected[group] += share
    for lo, hi in ((0, 20), (20, 40), (40, 65), (65, 105)):
        got = sum(v for k, v in ages.items() if lo <= k < hi) / len(living)
        want = sum(v for k, v in expected.items() if lo <= k < hi)
        assert abs(got - want) < 0.025, (lo, hi, got, want)
    minors = sum(not _adult(p["birth_date"]) for p in living) / len(living)
    assert 0.17 <= minors <= 0.22


def test_common_surnames_on_top(bundles):
    danish = [_current(b, "name")["last_name"] for b in bundles if _current(b, "citizenship")["country"] == "5100"]
    top = [name for name, _ in Counter(danish).most_common(8)]
    assert {"Nielsen", "Jensen", "Hansen"} & set(top[:4])
    common = {"Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
              "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen"}
    assert len(common & set(top)) >= 6


def test_living_look_danish(bundles):
    living = [b for b in bundles if b["person"][0]["status"] == "01"]
    n = len(living)
    danish = sum(_current(b, "citizenship")["country"] == "5100" for b in living) / n
    church = sum(_current(b, "church")["church"] == "F" for b in living) / n
    adults = [b for b in living if _adult(b["person"][0]["birth_date"])]
    civil = Counter(_current(b, "civil_status")["civil_status"] for b in adults)
    married = (civil["G"] + civil["P"]) / len(adults)
    marketing = sum(any(r["protection_type"] == "0003" for r in b.get("protection", ())) for b in living) / n
    assert 0.86 <= danish <= 0.94
    assert 0.64 <= church <= 0.80
    assert 0.38 <= married <= 0.52
    assert 0.05 <= civil["F"] / len(adults) <= 0.15 and 0.03 <= civil["E"] / len(adults) <= 0.09
    assert 0.10 <= marketing <= 0.22


# --- data ------------------------------------------------------------------------------------------


def test_name_data():
    for pick in (names._FIRST["K"] + names._FIRST["M"]):
        for name in pick.items:
            name.encode("iso-8859-1")
    for sex in ("K", "M"):
        assert len(set().union(*(set(p.items) for p in names._FIRST[sex]))) >= 145
    assert names._SURNAME.items[:3] == ("Nielsen", "Jensen", "Hansen")
    for group, (female, male, surnames) in names.FOREIGN_GROUPS.items():
        for name in (*female, *male, *surnames):
            name.encode("iso-8859-1")
        assert female and male and surnames, group
    for code in FOREIGN_CITIZENSHIPS.items:
        assert reference.is_country(code) and COUNTRY_GROUP[code] in names.FOREIGN_GROUPS


# --- into the register and out as an extract -------------------------------------------------------


def test_load_export_and_check(tmp_path):
    from opencpr.register.check import check_register

    engine = make_engine(f"sqlite:///{tmp_path / 'register.sqlite'}")
    upgrade(engine)
    seen = []
    report = load_population(engine, 2000, 11, today=TODAY, workers=0, progress=seen.append)
    assert report.persons == 2000 and seen[-1] == 2000
    assert report.rows["person"] == 2000 and report.rows["event"] > 2000
    out = io.BytesIO()
    exported = export_extract(engine, out, production_date=TODAY)
    assert exported.persons == 2000
    records = list(read_records(io.BytesIO(out.getvalue())))
    assert records[0].record_type == "000" and records[-1].record_type == "999"
    assert len(records) == exported.records + 2
    assert sum(r.record_type == "001" for r in records) == 2000
    checked = check_register(engine)
    assert checked.ok, (checked.by_rule, [str(v) for v in checked.examples[:10]])


def test_register_does_not_depend_on_workers(tmp_path):
    from sqlalchemy import select

    from opencpr.register.schema import PERSON_TABLES

    def dump(workers: int) -> dict[str, list]:
        engine = make_engine(f"sqlite:///{tmp_path / f'w{workers}.sqlite'}")
        upgrade(engine)
        report = load_population(engine, 1500, 5, today=TODAY, workers=workers, shard_size=500)
        assert report.shards == 3 and report.workers == workers
        with engine.connect() as conn:
            return {t.name: conn.execute(select(t).order_by(*t.primary_key.columns)).all() for t in PERSON_TABLES}

    assert dump(0) == dump(2)


def test_bulk_load_leaves_postgresql_ready_to_serve(pg_server, monkeypatch):
    """After a bulk load the planner knows the new rows and every page is marked all-visible: the
    first lookups do not race autovacuum through fresh tables (nor plan on an empty table's guess)."""
    from sqlalchemy import text

    import opencpr.population.load as load
    from conftest import _pg_database

    monkeypatch.setattr(load, "REBUILD_INDEXES_FROM", 1000)  # a small load takes the bulk path
    engine = make_engine(_pg_database(pg_server))
    try:
        report = load_population(engine, 1500, 3, today=TODAY, workers=0)
        assert report.rebuilt_indexes and report.settle_seconds > 0
        with engine.connect() as conn:
            stats = conn.execute(text(
                "SELECT c.reltuples, c.relpages, c.relallvisible, s.last_vacuum, s.last_analyze "
                "FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = 'person'")).one()
            frozen = conn.execute(text("SELECT age(relfrozenxid) FROM pg_class WHERE relname = 'person'")).scalar()
        assert stats.reltuples == 1500  # analysed: the planner's row count is the table's
        assert stats.relpages > 0 and stats.relallvisible == stats.relpages
        assert stats.last_vacuum is not None and stats.last_analyze is not None
        assert frozen < 100  # frozen by the load, not left to an anti-wraparound vacuum
    finally:
        engine.dispose()
