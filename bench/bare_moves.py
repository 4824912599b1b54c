"""The limit beside the complete moves of ``bench_updates.py``: the same statements, without the server.

A complete move over GCTP is three requests (``initier``, ``valider``, ``gem``). For each, the
server runs one transaction on PostgreSQL; with the audit written in the same transaction
(``--audit-mode sync``, as the benchmark serves) the statements are:

* initier: the person's rows (person, address, clear address, name: one ``UNION ALL`` query), the
  person's protection, the new update session, the audit record;
* valider: the session, the person's version, the session's new state and data, the audit record;
* gem: the session, the person's version raised (the optimistic lock), the current address
  closed, the new address, the clear address rewritten, the event, the session saved, the audit
  record.

Here a client sends exactly those statements (the person query and the audit statement are the
server's own: :func:`opencpr.register.changes._union_query`, :data:`opencpr.access.audit.PG_APPEND`)
with one round trip per step: ``BEGIN``, the statements and ``COMMIT`` go out together in
psycopg's pipeline mode and the client waits once. What the server adds on top (HTTP, GCTP's XML,
the sign-on, the event's rules, the gate, two more round trips a statement) is what the ratio
measures.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import time
from typing import Any

import psycopg

import bench_gctp
from opencpr.access.audit import PG_APPEND, AuditEntry, pg_append_params
from opencpr.register.changes import _union_query

SESSION = ("SELECT id, event_code, pnr, event_date, authority, actor, state, keys, data, versions, receipt, "
           "created_at, updated_at, expires_at FROM update_session WHERE id = %(id)s")
PROTECTION = ("SELECT pnr, protection_type FROM protection WHERE pnr = %(pnr)s "
              "AND (valid_from IS NULL OR valid_from <= %(day)s) "
              "AND (valid_to IS NULL OR valid_to = '' OR valid_to > %(day)s) "
              "AND (correction IS NULL OR correction != 'K' AND correction != 'A')")
NEW_SESSION = ("INSERT INTO update_session (id, event_code, pnr, event_date, authority, actor, state, keys, "
               "created_at, updated_at, expires_at) VALUES (%(id)s, 'A01', %(pnr)s, %(day)s, %(authority)s, "
               "'DEMO', 'initiated', %(keys)s, %(now)s, %(now)s, %(expires)s) ON CONFLICT (id) DO NOTHING RETURNING id")
VERSION = "SELECT pnr, version FROM person WHERE pnr = %(pnr)s"
VALIDATED = ("UPDATE update_session SET state = 'validated', data = %(data)s, versions = %(versions)s, "
             "updated_at = %(now)s, expires_at = %(expires)s WHERE id = %(id)s")
RAISE_VERSION = "UPDATE person SET version = %(next)s WHERE pnr = %(pnr)s AND version = %(version)s"
CLOSE_ADDRESS = ("UPDATE address SET valid_to = %(minute)s, \"current\" = false "
                 "WHERE pnr = %(pnr)s AND id = %(address_id)s AND \"current\" = true")
NEW_ADDRESS = ("INSERT INTO address (pnr, municipality, road, house_no, floor, door, building_no, co_name, valid_from, "
               "municipality_arrival, from_municipality, from_municipality_departure, \"current\", authority, "
               "registered_at) VALUES (%(pnr)s, %(municipality)s, %(road)s, %(house_no)s, NULL, NULL, NULL, NULL, "
               "%(minute)s, %(arrival)s, NULL, NULL, true, %(authority)s, %(now)s) RETURNING id")
CLEAR_ADDRESS = ("UPDATE clear_address SET co_name = NULL, locality = NULL, standard_address = %(standard)s, "
                 "town = NULL, postal_code = %(postal_code)s, postal_district = %(district)s, "
                 "municipality = %(municipality)s, road = %(road)s, house_no = %(house_no)s, floor = NULL, "
                 "door = NULL, building_no = NULL, road_addressing_name = %(road_name)s "
                 "WHERE pnr = %(pnr)s AND id = %(clear_id)s")
EVENT = ("INSERT INTO event (pnr, registered_at, event_code, derived_marker, event_date, authority, source, detail) "
         "VALUES (%(pnr)s, %(now)s, 'A01', NULL, %(day)s, %(authority)s, 'update', %(detail)s) RETURNING id")
SAVED = ("UPDATE update_session SET state = 'saved', receipt = %(receipt)s, updated_at = %(now)s, "
         "expires_at = %(expires)s WHERE id = %(id)s")

_numbers = itertools.count(1)
_numbers_lock = threading.Lock()


def _session_id() -> str:
    with _numbers_lock:
        return f"B{int(time.time())}{next(_numbers):09d}"[:20]


def _step(conn: psycopg.Connection, statements: list[tuple[Any, dict[str, Any]]]) -> list[list[tuple] | None]:
    """``BEGIN``, ``statements`` and ``COMMIT`` in one round trip; the rows each statement returned."""
    cursors = []
    with conn.pipeline():
        conn.execute("BEGIN")
        for sql, params in statements:
            cursors.append(conn.execute(sql, params))
        conn.execute("COMMIT")
    return [c.fetchall() if c.description else None for c in cursors]


def _audit(pnr: str, action: str, text_: str, authority: str) -> tuple[str, dict[str, Any]]:
    now = dt.datetime.now().strftime("%Y-%m-%dT%H:%M:%S")
    entry = AuditEntry(now, "user", "DEMO", authority, "cpr-office", "127.0.0.1", "A01", action, (pnr,), 0, text_)
    return PG_APPEND, pg_append_params([entry])


def move(conn: psycopg.Connection, pnr: str, target: dict[str, str], authority: str) -> str:
    """One complete move of ``pnr`` to ``target`` (KOMKOD, VEJKOD, HUSNR) in three round trips."""
    now_dt = dt.datetime.now()
    now = now_dt.strftime("%Y-%m-%dT%H:%M:%S")
    common = {"pnr": pnr, "day": now[:10], "now": now, "minute": now[:16], "authority": authority,
              "expires": (now_dt + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S"), "id": _session_id()}
    person_query = str(_union_query(("address", "clear_address", "name"), True, True)).replace(":pnr", "%(pnr)s")
    keys = json.dumps({"event_code": "A01", "pnr": pnr, "event_date": common["day"], "authority": authority})
    rows, _, session, _ = _step(conn, [(person_query, common), (PROTECTION, common),
                                       (NEW_SESSION, common | {"keys": keys}),
                                       _audit(pnr, "initiate", "A01 initiated", authority)])
    if not session:
        return "initier: no session"
    current = next(((i, json.loads(j)) for t, _, i, j in rows if t == "address" and json.loads(j)["current"]), None)
    clear_id = next((i for t, _, i, _ in rows if t == "clear_address"), None)
    if current is None:
        return "initier: no current address"
    address_id, arrival = current[0], current[1]["municipality_arrival"]
    data = json.dumps(target)
    _, versions, _, _ = _step(conn, [(SESSION, common), (VERSION, common),
                                     (VALIDATED, common | {"data": data, "versions": "{}"}),
                                     _audit(pnr, "validate", "A01 validated", authority)])
    version = versions[0][1] if versions else 0
    house_no = target["HUSNR"].rjust(3, "0")
    values = common | {"version": version, "next": version + 1, "address_id": address_id, "clear_id": clear_id,
                       "municipality": target["KOMKOD"], "road": target["VEJKOD"], "house_no": house_no,
                       "arrival": arrival, "standard": f"Vej {target['HUSNR']}", "postal_code": "9870",
                       "district": "By", "road_name": "Vej",
                       "detail": json.dumps({"data": {"house_no": house_no, "municipality": target["KOMKOD"],
                                                      "road": target["VEJKOD"]}, "summary": "Vej"}),
                       "receipt": json.dumps({"where": "register", "event": "A01", "persons": [pnr]})}
    _step(conn, [(SESSION, common), (RAISE_VERSION, values), (CLOSE_ADDRESS, values), (NEW_ADDRESS, values),
                 (CLEAR_ADDRESS, values), (EVENT, values), (SAVED, values),
                 _audit(pnr, "save", "A01 saved to register", authority)])
    return "ok"


def run(url: str, jobs: list[tuple], clients: int, authority: str) -> dict[str, Any]:
    """The moves of ``jobs`` (code, PNR, target) by ``clients`` threads, each on its own connection."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    results = bench_gctp.run_clients(jobs, clients, lambda: psycopg.connect(dsn, autocommit=True),
                                     lambda conn, job: move(conn, job[1], job[2], authority))
    results.pop("_results")
    return results | {"updates": results.pop("count"), "completed": results["outcomes"].get("ok", 0),
                      "round_trips_per_move": 3}
