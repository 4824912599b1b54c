"""The register on both databases: import, export, atomicity and the invariant check."""

from __future__ import annotations

import io
from collections import defaultdict

import pytest
from sqlalchemy import func, select, text, update

from opencpr.formats.extract import LAYOUTS, ExtractError, iter_lines
from opencpr.register.check import check_register
from opencpr.register.demo import demo_extract_path, load_demo_persons
from opencpr.register.exporter import export_extract
from opencpr.register.importer import count_persons, import_extract
from opencpr.register.schema import TABLES, address, civil_status, event, person


def per_person(stream) -> dict[str, list[str]]:
    """Each person's records, padded to full length, in record-type order (stable within a type)."""
    out: dict[str, list[str]] = defaultdict(list)
    for _, t in iter_lines(stream):
        if t[:3] in ("000", "999"):
            continue
        out[t[3:13]].append(t.ljust(LAYOUTS[t[:3]].length))
    return {k: sorted(v, key=lambda r: r[:3]) for k, v in out.items()}


def export_bytes(engine, **kw) -> bytes:
    out = io.BytesIO()
    export_extract(engine, out, **kw)
    return out.getvalue()


def test_demo_extract_round_trips_byte_for_byte(engine):
    report = load_demo_persons(engine)
    assert report == 80
    data = export_bytes(engine)
    with demo_extract_path().open("rb") as f:
        original = per_person(f)
    exported = per_person(io.BytesIO(data))
    assert exported.keys() == original.keys()
    for pnr, records in original.items():
        assert exported[pnr] == records, pnr
    lines = data.decode("iso-8859-1").splitlines()
    assert lines[0][:3] == "000" and lines[-1][:3] == "999"
    assert int(lines[-1][13:21]) == len(lines) - 2 == 1098
    assert all(len(line) == LAYOUTS[line[:3]].length for line in lines)  # full length, padded


def test_export_of_chosen_persons(engine):
    load_demo_persons(engine)
    data = export_bytes(engine, pnrs=["0101965058", "0707614285"])
    persons = per_person(io.BytesIO(data))
    assert sorted(persons) == ["0101965058", "0707614285"]
    assert [r[:3] for r in persons["0101965058"]] == ["001", "002", "003", "008", "009", "010", "011",
                                                     "012", "015", "024", "027", "099"]


def test_export_of_more_persons_than_one_query_names(engine, monkeypatch):
    """A PNR list longer than one query may name (PostgreSQL takes at most 65,535 parameters a
    statement; a municipality's residents are more) is read in sorted slices: the same file."""
    import opencpr.register.reader as reader

    load_demo_persons(engine)
    with engine.connect() as conn:
        pnrs = sorted(conn.execute(select(person.c.pnr)).scalars())
    whole = export_bytes(engine, pnrs=pnrs[::-1], workers=0)
    monkeypatch.setattr(reader, "_PNRS_PER_QUERY", 7)
    assert export_bytes(engine, pnrs=pnrs[::-1], workers=0) == whole
    assert sorted(per_person(io.BytesIO(whole))) == pnrs


def test_import_is_all_or_nothing(engine):
    with demo_extract_path().open("rb") as f:
        lines = f.read().split(b"\n")
    lines[699] = lines[699][:19] + b"#" + lines[699][20:]  # breaks a field in the middle of the file
    with pytest.raises(ExtractError) as err:
        import_extract(engine, io.BytesIO(b"\n".join(lines)))
    assert "line 700" in str(err.value) and "VEJKOD" in str(err.value)
    assert err.value.record_type == "002"
    assert count_persons(engine) == 0
    with engine.connect() as conn:
        for table in TABLES.values():
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0, table.name


def test_a_person_cannot_be_imported_twice(engine):
    load_demo_persons(engine)
    with pytest.raises(ExtractError, match="already in the register"):
        load_demo_persons(engine)
    assert count_persons(engine) == 80


def test_end_record_must_count_the_records(engine):
    with demo_extract_path().open("rb") as f:
        data = f.read().replace(b"999999999999900001098", b"999999999999900001097")
    with pytest.raises(ExtractError, match="counts 1097 records, the file has 1098"):
        import_extract(engine, io.BytesIO(data))
    assert count_persons(engine) == 0


def test_records_for_an_unknown_person_are_refused(engine):
    data = b"00000000000001109012001111920011116\n0030101010101Ukendt Person\n999999999999900000001\n"
    with pytest.raises(ExtractError, match="no person 0101010101"):
        import_extract(engine, io.BytesIO(data))


def test_history_is_kept_with_correction_markers(engine):
    load_demo_persons(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(address.c.current, address.c.correction, address.c.valid_from,
                                   address.c.valid_to).where(address.c.pnr == "0706614818")
                            .order_by(address.c.id)).all()
        events = conn.execute(select(func.count()).select_from(event)).scalar_one()
    assert [r.correction for r in rows if not r.current] == ["A", None, None, "K"]
    assert sum(r.current for r in rows) == 1
    assert events == 116


def test_check_passes_on_demo_and_finds_broken_invariants(engine):
    load_demo_persons(engine)
    assert check_register(engine).ok
    with engine.begin() as conn:
        conn.execute(update(civil_status).where(civil_status.c.pnr == "0901414025",
                                                civil_status.c.current.is_(True))
                     .values(spouse_pnr="0707614285"))
        conn.execute(update(address).where(address.c.pnr == "0101965058").values(current=False))
        conn.execute(update(person).where(person.c.pnr == "3012995007").values(sex="K"))
        conn.execute(text("INSERT INTO child (pnr, child_pnr) VALUES ('0101965058', '0707614285')"))
    report = check_register(engine)
    assert report.by_rule["spouse-symmetric"] == 2  # both spouses now disagree
    assert report.by_rule["active-has-address"] == 1
    assert report.by_rule["sex-matches-pnr"] == 1
    assert report.by_rule["child-names-parent"] == 1
    assert not report.ok


def test_parallel_export_writes_the_same_extract(engine):
    import datetime

    from opencpr.population.load import load_population

    load_demo_persons(engine)
    load_population(engine, 1200, seed=5, today=datetime.date(2026, 11, 22), workers=0)
    serial = export_bytes(engine, workers=0, production_date=datetime.date(2026, 11, 22))
    parallel = export_bytes(engine, workers=2, part_size=150, production_date=datetime.date(2026, 11, 22))
    assert parallel == serial
    lines = serial.decode("iso-8859-1").splitlines()
    assert len({line[3:13] for line in lines[1:-1]}) == 1280
