"""Tampering with the audit trail from the attacker's side: reordering, and cutting the tail back
with the head rewound, or rewriting the whole trail consistently — found against anchors kept
outside the database (plain or Ed25519-signed), on both databases. (Edits, deletions in the middle
and tail deletion without rewinding the head are in test_audit.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import delete, select, update

from opencpr.access.anchor import AnchorTarget, load_public_key, make_key, read_anchors, write_anchor
from opencpr.access.audit import chain_hash, verify_audit, write_audit
from opencpr.register.access_schema import GENESIS_HASH, audit_head, audit_person, audit_record
from opencpr.services.gate import Gate
from test_audit import entry, filled

CONTENT = ("at", "actor_kind", "actor", "authority", "group_name", "client", "service", "action", "persons",
           "result_code", "result_text", "detail", "prev_hash", "hash")


def _cut_back(engine, keep: int) -> None:
    """Delete every record after ``keep`` and rewind the head to it: the chain alone looks whole."""
    with engine.begin() as conn:
        last = conn.execute(select(audit_record.c.hash).where(audit_record.c.id == keep)).scalar_one()
        conn.execute(delete(audit_person).where(audit_person.c.audit_id > keep))
        conn.execute(delete(audit_record).where(audit_record.c.id > keep))
        conn.execute(update(audit_head).values(seq=keep, last_hash=last))


def _rewrite_all(engine) -> None:
    """Change one record and rehash the whole chain and the head consistently."""
    with engine.begin() as conn:
        rows = conn.execute(select(audit_record).order_by(audit_record.c.id)).mappings().all()
        prev = GENESIS_HASH
        for row in rows:
            fields = [row[f] for f in CONTENT[:12]]
            if row["id"] == 3:
                fields[2] = "SOMEONE"
            digest = chain_hash(prev, row["id"], fields)
            conn.execute(update(audit_record).where(audit_record.c.id == row["id"])
                         .values(actor=fields[2], prev_hash=prev, hash=digest))
            prev = digest
        conn.execute(update(audit_head).values(last_hash=prev))


def test_reordered_records_are_found(engine):
    filled(engine)
    with engine.begin() as conn:
        three, four = (conn.execute(select(*[audit_record.c[f] for f in CONTENT]).where(audit_record.c.id == i))
                       .mappings().one() for i in (3, 4))
        conn.execute(update(audit_record).where(audit_record.c.id == 3).values(**four))
        conn.execute(update(audit_record).where(audit_record.c.id == 4).values(**three))
    kinds = {(p.record_id, p.kind) for p in verify_audit(engine).problems}
    assert {(3, "altered"), (4, "altered")} <= kinds


def test_a_tail_cut_back_with_the_head_rewound_is_found_against_an_anchor(engine, tmp_path):
    filled(engine, 10)
    anchors = tmp_path / "anchors.jsonl"
    write_anchor(engine, anchors)
    write_audit(engine, [entry(11)])
    _cut_back(engine, 8)
    assert verify_audit(engine).ok  # the chain alone cannot tell
    report = verify_audit(engine, anchors=read_anchors(anchors))
    assert [(p.record_id, p.kind) for p in report.problems] == [(10, "anchor")]
    assert "cut back" in report.problems[0].message


def test_a_consistently_rewritten_trail_is_found_against_an_anchor(engine, tmp_path):
    filled(engine, 6)
    anchors = tmp_path / "anchors.jsonl"
    write_anchor(engine, anchors)
    _rewrite_all(engine)
    assert verify_audit(engine).ok
    report = verify_audit(engine, anchors=read_anchors(anchors))
    assert [(p.record_id, p.kind) for p in report.problems] == [(6, "anchor")]


def test_signed_anchors_cannot_be_forged(engine, tmp_path):
    key = tmp_path / "anchor.key"
    public = load_public_key(make_key(key))
    assert oct(os.stat(key).st_mode & 0o777) == "0o600"
    filled(engine, 5)
    anchors = tmp_path / "anchors.jsonl"
    write_anchor(engine, anchors, key=key)
    assert verify_audit(engine, anchors=read_anchors(anchors), public_key=public).ok
    # the attacker cuts the trail back and rewrites the anchor file to match, without the key
    _cut_back(engine, 3)
    line = json.loads(anchors.read_text())
    with engine.connect() as conn:
        line["seq"], line["hash"] = 3, conn.execute(select(audit_head.c.last_hash)).scalar_one()
    anchors.write_text(json.dumps(line) + "\n")
    report = verify_audit(engine, anchors=read_anchors(anchors), public_key=public)
    assert [(p.record_id, p.kind) for p in report.problems] == [(3, "signature")]


def test_the_server_anchors_the_chain_and_the_cli_verifies_against_it(engine, database_url, tmp_path, clock):
    key = tmp_path / "anchor.key"
    make_key(key)
    anchors = tmp_path / "anchors.jsonl"
    gate = Gate(engine, clock, anchor=AnchorTarget(anchors, key, every=3600))
    filled(engine, 4)
    gate.housekeeping()  # the first anchor is due at once
    gate.housekeeping()  # the next only after `every` seconds
    write_audit(engine, [entry(5)])
    gate.close()  # and one at shutdown
    assert [a.seq for a in read_anchors(anchors)] == [4, 5]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "OPENCPR_CONFIG": ""}

    def verify() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "opencpr.cli", "audit", "verify", "--database-url", database_url,
                               "--anchor", str(anchors), "--public-key", f"{key}.pub"],
                              env=env, capture_output=True, text=True, timeout=120)

    ok = verify()
    assert ok.returncode == 0 and "2 anchors hold" in ok.stdout, ok.stdout + ok.stderr
    _cut_back(engine, 4)
    broken = verify()
    assert broken.returncode == 1 and "record 5" in broken.stdout, broken.stdout
