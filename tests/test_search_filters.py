"""NVNSOG2's filters read the values copied into ``name_word``: they follow the update services."""

from __future__ import annotations

from sqlalchemy import select

from opencpr.register import search_index
from opencpr.register.schema import address, citizenship, name_word, person

JENS = "0707614285"  # Jens Mortensen, Aalborg (0851, Region Nordjylland)


def _pnrs(answer: dict) -> list[str]:
    return [r["fields"]["PNR"]["v"] for r in answer["rows"]]


def _found(gctp, **keys: str) -> list[str]:
    return _pnrs(gctp.call("NVNSOG2", {"NVN": "jens mortensen", "MAXA": "100", **keys}))


def _rest_found(rest, **params: str) -> list[str]:
    response = rest.get("/api/v1/nvnsog2", params={"name": "jens mortensen", **params})
    assert response.status_code == 200, response.text
    return [r["pnr"] for r in response.json()["records"]]


def _expected(conn) -> dict[str, tuple]:
    """The filter values of every person, read from the register's own tables."""
    home = {r.pnr: r.municipality for r in conn.execute(select(address.c.pnr, address.c.municipality)
                                                        .where(address.c.current))}
    country = {r.pnr: r.country for r in conn.execute(select(citizenship.c.pnr, citizenship.c.country)
                                                      .where(citizenship.c.current))}
    return {r.pnr: (r.sex, r.birth_date, r.status, home.get(r.pnr), country.get(r.pnr))
            for r in conn.execute(select(person.c.pnr, person.c.sex, person.c.birth_date, person.c.status))}


def _copied(conn) -> dict[str, set[tuple]]:
    cols = [name_word.c[c] for c in search_index.FILTER_COLUMNS]
    found: dict[str, set[tuple]] = {}
    for r in conn.execute(select(name_word.c.pnr, *cols)):
        found.setdefault(r[0], set()).add(tuple(r[1:]))
    return found


def test_every_name_word_row_carries_its_persons_filter_values(demo_engine):
    with demo_engine.begin() as conn:
        expected = _expected(conn)
        copied = _copied(conn)
        assert copied and all(values == {expected[pnr]} for pnr, values in copied.items())
        assert expected[JENS] == ("M", "1961-07-07", "01", "0851", "5100")
        search_index.rebuild(conn)  # the bulk path fills them alike
        assert _copied(conn) == copied


def test_a_move_into_another_municipality_moves_the_person_in_the_name_search(updater, gctp, rest):
    assert JENS in _found(gctp, KOMK="0851") and JENS in _found(gctp, LDEL="1081")
    assert JENS not in _found(gctp, KOMK="0101")
    updater.run("A01", JENS, "2014-10-27", {"KOMKOD": "0101", "VEJKOD": "0001", "HUSNR": "7"})
    assert JENS in _found(gctp, KOMK="0101") and JENS in _found(gctp, LDEL="1084")
    assert JENS not in _found(gctp, KOMK="0851") and JENS not in _found(gctp, LDEL="1081")
    assert JENS in _rest_found(rest, municipality="0101")
    assert JENS not in _rest_found(rest, municipality="0851")
    for municipality, hits in (("0101", 1), ("0851", 0)):
        response = rest.get("/api/v1/nvnsog2", params={"name": "jens mortensen", "municipality": municipality,
                                                       "count_only": "X"})
        assert response.json()["info"]["count"] == hits


def test_a_death_is_found_by_the_status_filter(updater, gctp, rest):
    assert JENS in _found(gctp, STAF="01") and JENS not in _found(gctp, STAF="90")
    updater.run("A21", JENS, "2014-10-20")
    assert JENS in _found(gctp, STAF="90") and JENS not in _found(gctp, STAF="01")
    assert JENS in _rest_found(rest, status="90")
    assert JENS not in _rest_found(rest, status="01")
    # the other filters still hold: sex, age (53 on 2014-10-27) and citizenship
    assert JENS in _found(gctp, STAF="90", KON="M", ALDF="53", ALDT="53", STB="5100")
    assert JENS not in _found(gctp, STAF="90", KON="K")


def test_filters_on_a_restarted_page(gctp):
    first = gctp.call("NVNSOG2", {"NVN": "j", "KON": "M", "KOMK": "0851", "MAXA": "2"})
    everything = _pnrs(gctp.call("NVNSOG2", {"NVN": "j", "KON": "M", "KOMK": "0851", "MAXA": "500"}))
    assert len(everything) > 2
    rest_key = first["rows"][-1]["k"]
    second = gctp.call("NVNSOG2", {"NVN": "j", "KON": "M", "KOMK": "0851", "MAXA": "500", "REST": rest_key})
    assert _pnrs(first) + _pnrs(second) == everything


def test_a_full_rebuild_makes_the_same_name_words_as_filling_person_by_person(engine):
    """The bulk rebuild (on PostgreSQL one set-wise join) and the incremental fill (a load below the
    bulk threshold) agree on every ``name_word`` row, filter values included, on both databases."""
    import datetime as dt

    from opencpr.population.load import load_population

    load_population(engine, 1200, 9, today=dt.date(2026, 1, 1), workers=0)  # incremental: fill_since
    with engine.begin() as conn:
        filled = sorted(tuple(r) for r in conn.execute(select(name_word)))
        search_index.rebuild(conn)
        rebuilt = sorted(tuple(r) for r in conn.execute(select(name_word)))
    assert len(filled) > 3000 and any(r[-1] for r in filled)  # words with a municipality among them
    assert rebuilt == filled
