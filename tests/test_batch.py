"""Statements sent together (:class:`opencpr.register.batch.Batch`), on SQLite and PostgreSQL.

A batch is how a save writes its rows: on PostgreSQL in one round trip. What a caller must be
able to rely on: the statements run in order, each one's result is there afterwards, a check that
fails is reported as itself (even when the database refused a later statement of the same batch),
and nothing of a failed batch is left once its transaction is rolled back.
"""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from opencpr.register.batch import Batch, Sent
from opencpr.register.db import begin_late, begun_late, plain_read
from opencpr.register.schema import event, person

PNR = "0101001234"


class Claimed(Exception):
    pass


def _claimed(sent: Sent) -> None:
    if sent.rowcount != 1:
        raise Claimed(sent.rowcount)


CLAIM = update(person).where(person.c.pnr == bindparam("w_pnr"), person.c.version == bindparam("w_version")) \
    .values(version=bindparam("w_next"))
LOG = insert(event).returning(event.c.id)


def _person(conn, pnr: str = PNR) -> None:
    conn.execute(insert(person).values(pnr=pnr, status="01", version=1))


def _events(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(event.c.pnr, event.c.event_code).order_by(event.c.id))]


def test_statements_run_in_order_and_each_result_is_there(engine):
    with engine.connect() as conn:
        _person(conn)
        conn.commit()
        batch = Batch(conn)
        claim = batch.add(CLAIM, {"w_pnr": PNR, "w_version": 1, "w_next": 2}, check=_claimed)
        first = batch.add(LOG, {"pnr": PNR, "event_code": "A01", "source": "update"})
        second = batch.add(LOG, {"pnr": PNR, "event_code": "A13", "source": "update"})
        version = batch.add(select(person.c.version).where(person.c.pnr == bindparam("pnr")), {"pnr": PNR})
        assert len(batch) == 4
        with pytest.raises(TypeError, match="checks"):  # a check after COMMIT could not undo anything
            batch.commit()
        batch.send()
        batch.commit()
        assert claim.rowcount == 1
        assert second.scalar() > first.scalar() > 0  # RETURNING, in order
        assert version.rows == [(2,)]  # a later statement sees an earlier one's change
    assert _events(engine) == [(PNR, "A01"), (PNR, "A13")]


def test_a_failed_check_is_reported_and_nothing_is_left(engine):
    with engine.connect() as conn:
        _person(conn)
        conn.commit()
        batch = Batch(conn)
        batch.add(LOG, {"pnr": PNR, "event_code": "A01", "source": "update"})
        batch.add(CLAIM, {"w_pnr": PNR, "w_version": 7, "w_next": 8}, check=_claimed)  # another version
        with pytest.raises(Claimed):
            batch.send()
        conn.rollback()
    assert _events(engine) == []


def test_a_failed_check_comes_first_even_when_a_later_statement_is_refused(engine):
    """The claim of a person someone else changed fails; a later statement of the same batch then
    breaks a key. The caller hears of the conflict, not of the broken key it caused."""
    with engine.connect() as conn:
        _person(conn)
        conn.commit()
        batch = Batch(conn)
        batch.add(CLAIM, {"w_pnr": PNR, "w_version": 7, "w_next": 8}, check=_claimed)
        batch.add(insert(person), {"pnr": PNR, "status": "01", "version": 1})  # the key exists
        with pytest.raises(Claimed):
            batch.send()
        conn.rollback()
        # without the failed check the database's refusal comes through as SQLAlchemy's error
        batch = Batch(conn)
        batch.add(LOG, {"pnr": PNR, "event_code": "A01", "source": "update"})
        batch.add(insert(person), {"pnr": PNR, "status": "01", "version": 1})
        with pytest.raises(IntegrityError):
            batch.commit()
        conn.rollback()
        assert conn.execute(select(person.c.version)).scalars().all() == [1]
    assert _events(engine) == []


def test_a_batch_takes_no_list_parameter(engine):
    with engine.connect() as conn:
        batch = Batch(conn)
        batch.add(select(person.c.pnr).where(person.c.pnr.in_(bindparam("pnrs", expanding=True))), {"pnrs": [PNR]})
        if conn.dialect.name == "postgresql":
            with pytest.raises(TypeError, match="list parameter"):
                batch.send()
        else:  # SQLite runs each statement through SQLAlchemy, which expands the list
            batch.send()


def test_a_transaction_begun_late_begins_before_its_first_write(engine):
    """PostgreSQL: plain reads go before ``BEGIN``; a write, a lock or a batch begins the
    transaction, and a rollback takes back everything written in it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's transactions begin as they always did")
    lock = text("SELECT pg_advisory_xact_lock(4242)")
    with engine.connect() as conn, engine.connect() as other:
        _person(conn)
        conn.commit()
        begin_late(conn)
        conn.begin()
        conn.execute(plain_read(select(person.c.version)))
        assert begun_late(conn)  # no BEGIN sent for the read
        conn.execute(lock)  # not a plain read: inside the transaction, held until it ends
        assert not begun_late(conn)
        assert other.execute(text("SELECT pg_try_advisory_lock(4242)")).scalar() is False
        conn.execute(insert(event).values(pnr=PNR, event_code="A01", source="update"))
        conn.rollback()
        assert other.execute(text("SELECT pg_try_advisory_lock(4242)")).scalar() is True
        other.execute(text("SELECT pg_advisory_unlock(4242)"))
        other.commit()
        # a batch sends the BEGIN with its statements, and commits them with it
        begin_late(conn)
        conn.begin()
        batch = Batch(conn)
        batch.add(LOG, {"pnr": PNR, "event_code": "A13", "source": "update"})
        batch.add(CLAIM, {"w_pnr": PNR, "w_version": 1, "w_next": 2}, check=_claimed)
        batch.send()
        assert not begun_late(conn)
        assert other.execute(select(event.c.event_code)).scalars().all() == []  # not yet committed
        other.rollback()
        conn.commit()
    assert _events(engine) == [(PNR, "A13")]


def test_a_name_indexed_in_a_batch_is_indexed_as_by_itself(demo_engine):
    """The name search's rows of a person renamed in a save (their statements sent with the save's
    on PostgreSQL) are the rows the person's index rebuilt alone gives."""
    from opencpr.register import search_index
    from opencpr.register.schema import name, name_search, name_word

    jens = "0707614285"

    def rows(conn):
        words = conn.execute(select(name_word).where(name_word.c.pnr == jens).order_by(name_word.c.word)).all()
        searched = conn.execute(select(name_search.c.pnr, name_search.c.current, name_search.c.words,
                                       name_search.c.sort_name).where(name_search.c.pnr == jens)
                                .order_by(name_search.c.words)).all()
        return [tuple(r) for r in words], [tuple(r) for r in searched]

    with demo_engine.connect() as conn:
        current = conn.execute(select(name.c.id).where(name.c.pnr == jens, name.c.current)).scalar_one()
        batch = Batch(conn)
        batch.add(update(name).where(name.c.id == bindparam("w_id")).values(current=False), {"w_id": current})
        batch.add(insert(name), {"pnr": jens, "first_name": "Kim Åge", "last_name": "Hyldegård-Ølund",
                                 "current": True, "authority": "0851"})
        search_index.refresh_person_in(batch, jens)
        batch.send()
        in_batch = rows(conn)
        search_index.refresh_person(conn, jens)
        alone = rows(conn)
        conn.rollback()
    assert in_batch == alone
    words = {r[0]: r[3] for r in in_batch[0]}  # word -> in the current name
    assert words == {"kim": True, "aage": True, "hyldegaard": True, "oelund": True,
                     "jens": False, "mortensen": False}
    assert {r[1] for r in in_batch[0]} == {"hyldegaard oelund kim aage"}  # sorted by the current name
