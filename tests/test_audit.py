"""The audit trail: hash chain, tamper evidence and concurrent appends, on both databases."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from sqlalchemy import delete, select, update

from opencpr.access.audit import (
    AuditEntry,
    AuditWriter,
    audit_for_actor,
    audit_for_person,
    audit_records,
    canonical,
    chain_hash,
    record_hash,
    verify_audit,
    write_audit,
)
from opencpr.register.access_schema import GENESIS_HASH, audit_head, audit_person, audit_record
from opencpr.register.db import make_engine


def entry(n: int, actor: str = "KOM1", persons: tuple[str, ...] = ("0101965058",), **kw) -> AuditEntry:
    values = dict(at=f"2026-11-{1 + n % 28:02d}T10:00:00", actor_kind="user", actor=actor, authority="0851",
                  group_name="municipality", client="10.0.0.1", service="Stam+", action="lookup",
                  persons=persons, result_code=0, result_text="", detail=None, billable=True)
    values.update(kw)
    return AuditEntry(**values)


def filled(engine, n: int = 10) -> list[int]:
    return write_audit(engine, [entry(i, persons=(f"01019650{i:02d}",)) for i in range(n)])


def test_canonical_serialisation_is_unambiguous():
    assert canonical(7, ("a", None, 0, "")) == "opencpr-audit-11:7,1:a,-1:0,0:,"
    # moving text between fields changes the serialisation
    assert canonical(1, ("ab", "c")) != canonical(1, ("a", "bc"))
    assert canonical(1, (None,)) != canonical(1, ("",)) != canonical(1, ("-",))
    assert chain_hash(GENESIS_HASH, 1, ("a",)) != chain_hash("1" * 64, 1, ("a",))


def test_records_are_chained_from_the_genesis_hash(engine):
    ids = filled(engine, 5)
    assert ids == [1, 2, 3, 4, 5]
    records = audit_records(engine)
    assert records[0].prev_hash == GENESIS_HASH
    for before, after in zip(records, records[1:], strict=False):
        assert after.prev_hash == before.hash
    assert all(record_hash(r) == r.hash for r in records)
    report = verify_audit(engine)
    assert report.ok and report.records == 5 and report.head_seq == 5 and report.head_hash == records[-1].hash
    assert write_audit(engine, [entry(9)]) == [6]


def test_an_edited_record_is_found(engine):
    filled(engine)
    with engine.begin() as conn:  # someone hides who was looked up
        conn.execute(update(audit_record).where(audit_record.c.id == 4).values(persons="0101965099"))
    report = verify_audit(engine)
    assert [(p.record_id, p.kind) for p in report.problems if p.kind != "index"] == [(4, "altered")]
    assert "record 4 was altered" in report.problems[0].message
    assert any(p.kind == "index" and p.record_id == 4 for p in report.problems)  # index no longer matches


def test_an_edit_with_a_recomputed_hash_is_found(engine):
    filled(engine)
    records = {r.id: r for r in audit_records(engine)}
    forged = dataclasses.replace(records[6], actor="SOMEONE")  # the forger recomputes the record's hash
    with engine.begin() as conn:
        conn.execute(update(audit_record).where(audit_record.c.id == 6)
                     .values(actor="SOMEONE", hash=record_hash(forged)))
    report = verify_audit(engine)
    assert [(p.record_id, p.kind) for p in report.problems] == [(6, "relinked")]
    assert "record 6 was rewritten with a recomputed hash" in report.problems[0].message


def test_deleted_records_are_found(engine):
    filled(engine)
    with engine.begin() as conn:
        conn.execute(delete(audit_record).where(audit_record.c.id.in_([3, 4])))
        conn.execute(delete(audit_person).where(audit_person.c.audit_id.in_([3, 4])))
    report = verify_audit(engine)
    assert [(p.record_id, p.kind) for p in report.problems] == [(5, "missing")]
    assert "records 3–4 deleted" in report.problems[0].message


def test_records_deleted_from_the_end_are_found(engine):
    filled(engine)
    with engine.begin() as conn:
        conn.execute(delete(audit_record).where(audit_record.c.id == 10))
    report = verify_audit(engine)
    kinds = [(p.record_id, p.kind) for p in report.problems]
    assert (10, "truncated") in kinds and "record 10 deleted from the end" in report.problems[-1].message
    assert (10, "index") in kinds  # its index row points at nothing


def test_a_deleted_index_row_is_found(engine):
    filled(engine)
    with engine.begin() as conn:
        conn.execute(delete(audit_person).where(audit_person.c.audit_id == 2))
    report = verify_audit(engine)
    assert [(p.record_id, p.kind) for p in report.problems] == [(2, "index")]


def test_a_missing_head_is_reported(engine):
    filled(engine, 2)
    with engine.begin() as conn:
        conn.execute(delete(audit_head))
    assert [p.kind for p in verify_audit(engine).problems] == ["head"]


def test_queries_by_person_and_by_actor(engine):
    write_audit(engine, [entry(1, persons=("0101965058", "0707614285")), entry(2, actor="PRIV1"),
                         entry(3, actor="CVR:12345678", actor_kind="system", persons=()),
                         entry(4, persons=("0707614285",), result_code=5, billable=False)])
    assert [r.id for r in audit_for_person(engine, "0707614285")] == [1, 4]
    assert [r.id for r in audit_for_person(engine, "0101965058", limit=1)] == [1]
    assert [r.actor for r in audit_for_actor(engine, "CVR:12345678")] == ["CVR:12345678"]
    assert audit_for_person(engine, "0101965058")[0].persons == ("0101965058", "0707614285")
    with engine.connect() as conn:
        assert conn.execute(select(audit_person.c.pnr).where(audit_person.c.audit_id == 1)
                            .order_by(audit_person.c.pnr)).scalars().all() == ["0101965058", "0707614285"]


def test_concurrent_writers_cannot_fork_the_chain(engine, database_url):
    """Threads with their own engines (like separate server processes) append at once."""
    threads, per_thread = 4, 25
    errors: list[BaseException] = []

    def work(n: int) -> None:
        own = make_engine(database_url)
        try:
            for i in range(per_thread):
                write_audit(own, [entry(i, actor=f"T{n}")] * (1 + i % 3))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            own.dispose()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors
    expected = threads * sum(1 + i % 3 for i in range(per_thread))
    report = verify_audit(engine)
    assert report.ok and report.records == expected == report.head_seq


def test_deferred_writers_share_one_chain(engine, database_url):
    writers = [AuditWriter(make_engine(database_url), batch_size=7, interval=0.01) for _ in range(3)]

    def work(writer: AuditWriter, n: int) -> None:
        for i in range(40):
            writer.submit(entry(i, actor=f"W{n}"))

    workers = [threading.Thread(target=work, args=(w, n)) for n, w in enumerate(writers)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for w in writers:
        w.close()
        w.engine.dispose()
    report = verify_audit(engine)
    assert report.ok and report.records == 120
    assert sum(w.written for w in writers) == 120 and all(1 <= w.batches < 40 for w in writers)  # batched


@pytest.mark.parametrize("bad", ["persons", "result_code", "detail"])
def test_every_hashed_field_is_protected(engine, bad):
    write_audit(engine, [entry(1, detail="KOMK=0851"), entry(2)])
    value = {"persons": "0707614285", "result_code": 5, "detail": "KOMK=0101"}[bad]
    with engine.begin() as conn:
        conn.execute(update(audit_record).where(audit_record.c.id == 1).values({bad: value}))
    assert (1, "altered") in [(p.record_id, p.kind) for p in verify_audit(engine).problems]


def test_single_appends_race_without_forking(engine, database_url):
    """One record per transaction from many writers (PostgreSQL's one-statement path)."""
    errors: list[BaseException] = []

    def work(n: int) -> None:
        own = make_engine(database_url)
        try:
            for i in range(30):
                write_audit(own, [entry(i, actor=f"S{n}", detail=f"{n}/{i}")])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            own.dispose()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors
    report = verify_audit(engine)
    assert report.ok and report.records == 180
    assert len({r.detail for r in audit_records(engine)}) == 180


def test_hashes_cover_any_text(engine):
    # on PostgreSQL the records travel as JSON: escapes, control characters and JSON of its own too
    odd = "Ærø ø å – 😀 \"quoted\" ,:- 12:ab, back\\slash\ttab\nline\x01\u2028 {\"n\": [1, null]} \\u0041"
    write_audit(engine, [entry(1, detail=odd, client="::1")])  # one record (one statement on PostgreSQL)
    write_audit(engine, [entry(2, detail=odd), entry(3, detail="")])  # a batch
    records = audit_records(engine)
    assert records[0].detail == odd and records[2].detail == ""
    assert all(record_hash(r) == r.hash for r in records)
    assert verify_audit(engine).ok


def test_a_nul_from_a_client_does_not_stop_the_writer(engine, database_url):
    writer = AuditWriter(make_engine(database_url))
    tickets = [writer.submit(entry(1, detail="key\x00value", result_text="bad\x00")), writer.submit(entry(2))]
    writer.wait(tickets[-1], timeout=10)
    writer.close()
    writer.engine.dispose()
    stored = audit_records(engine)
    assert [r.detail for r in stored] == ["key\ufffdvalue", None] and verify_audit(engine).ok


def test_a_group_is_chained_indexed_and_counted_as_one_record_at_a_time_would_be(engine):
    """A group (one statement on PostgreSQL) stores what appending its records one by one stores:
    the same hashes, a person index row per distinct person, and one usage count per billable call
    that succeeded — none for a refusal, none for a call that is not billed."""
    from opencpr.register.access_schema import usage_counter

    group = [entry(1, persons=("0101965058", "0707614285", "0101965058")),
             entry(2, persons=()),
             entry(3, actor="PRIV1", result_code=903, result_text="låst", detail="æøå ‖ 1:2,"),
             entry(4, billable=False),
             entry(5, authority=None, group_name=None, client=None)]
    assert write_audit(engine, group) == [1, 2, 3, 4, 5]
    assert write_audit(engine, [entry(6)]) == [6]
    report = verify_audit(engine)
    assert report.ok, report.problems
    with engine.connect() as conn:
        stored = conn.execute(select(audit_record).order_by(audit_record.c.id)).all()
        index = conn.execute(select(audit_person.c.audit_id, audit_person.c.pnr)
                             .order_by(audit_person.c.audit_id, audit_person.c.pnr)).all()
        usage = {(r.day, r.authority, r.actor): r.calls for r in conn.execute(select(usage_counter))}
    prev = GENESIS_HASH
    for row, e in zip(stored, [*group, entry(6)], strict=True):
        fields = (e.at, e.actor_kind, e.actor, e.authority, e.group_name, e.client, e.service, e.action,
                  ",".join(e.persons) or None, e.result_code, e.result_text, e.detail)
        assert (row.prev_hash, row.hash) == (prev, chain_hash(prev, row.id, fields))
        prev = row.hash
    assert index == [(1, "0101965058"), (1, "0707614285"), (3, "0101965058"), (4, "0101965058"),
                     (5, "0101965058"), (6, "0101965058")]
    assert usage == {("2026-11-02", "0851", "KOM1"): 1, ("2026-11-03", "0851", "KOM1"): 1, ("2026-11-06", "", "KOM1"): 1,
                     ("2026-11-07", "0851", "KOM1"): 1}
