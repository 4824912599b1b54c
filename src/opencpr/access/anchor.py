"""Anchors: the audit chain's head, kept outside the database.

The chain (:mod:`opencpr.access.audit`) shows any edit, deletion or reordering of records — but
someone who can write the database can delete the newest records and rewind the head row to
match, or rewrite the whole trail consistently. An anchor is the head ``(number, hash)`` at a
moment, appended as one JSON line to a file outside the database (another disk, a WORM store, a
log shipper), optionally signed with an Ed25519 key. Verifying against the anchors
(``opencpr audit verify --anchor FILE``) fails if the chain is shorter than an anchored head, or
if the anchored record's hash differs.

``opencpr audit anchor --file FILE [--key KEY]`` writes one; the server writes one every
``audit_anchor_every`` seconds when ``audit_anchor`` is set. ``opencpr audit keygen KEY`` makes a
key pair (``KEY`` private, ``KEY.pub`` public); keep the private key away from the database host's
administrators, and verify with the public key.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Engine, select

from opencpr.clock import Clock, SystemClock, stamp
from opencpr.register.access_schema import audit_head, audit_record


@dataclass(frozen=True, slots=True)
class Anchor:
    """The chain head at a moment: record number, its hash, when, and an optional signature."""

    seq: int
    hash: str
    at: str
    signature: str | None = None

    def message(self) -> bytes:
        return f"opencpr-anchor-1|{self.seq}|{self.hash}|{self.at}".encode("ascii")

    def line(self) -> str:
        values = {"seq": self.seq, "hash": self.hash, "at": self.at}
        if self.signature:
            values["sig"] = self.signature
        return json.dumps(values, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class AnchorTarget:
    """Where (and how often) a server writes anchors."""

    path: Path
    key_path: Path | None = None
    every: float = 300.0


def make_key(path: Path) -> Path:
    """Write a new Ed25519 private key (PEM, mode 0600) to ``path`` and its public key to ``path.pub``."""
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    public = path.with_name(path.name + ".pub")
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return public


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    data = Path(path).read_bytes()
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:  # a private key given: use its public half
        return load_private_key(path).public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


def head(engine: Engine) -> tuple[int, str] | None:
    with engine.connect() as conn:
        row = conn.execute(select(audit_head.c.seq, audit_head.c.last_hash).where(audit_head.c.id == 1)).first()
        conn.commit()
    return (int(row.seq), row.last_hash) if row is not None else None


def write_anchor(engine: Engine, path: Path, *, key: Ed25519PrivateKey | Path | None = None,
                 clock: Clock | None = None) -> Anchor:
    """Append the chain's current head to ``path`` (signed with ``key`` if given); return it."""
    current = head(engine)
    if current is None:
        raise ValueError("the audit chain has no head (audit_head id 1)")
    anchor = Anchor(current[0], current[1], stamp((clock or SystemClock()).now()))
    if key is not None:
        private = key if isinstance(key, Ed25519PrivateKey) else load_private_key(key)
        anchor = Anchor(anchor.seq, anchor.hash, anchor.at,
                        base64.b64encode(private.sign(anchor.message())).decode("ascii"))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="ascii") as out:
        out.write(anchor.line() + "\n")
        out.flush()
        os.fsync(out.fileno())
    return anchor


def read_anchors(path: Path) -> list[Anchor]:
    """The anchors in ``path`` (a line that is not an anchor raises ValueError naming it)."""
    anchors = []
    for number, line in enumerate(Path(path).read_text(encoding="ascii").splitlines(), 1):
        if not line.strip():
            continue
        try:
            values = json.loads(line)
            anchors.append(Anchor(int(values["seq"]), str(values["hash"]), str(values["at"]), values.get("sig")))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not an anchor ({exc})") from None
    return anchors


def check_anchors(engine: Engine, anchors: Iterable[Anchor], public_key: Ed25519PublicKey | None = None,
                  *, chunk: int = 500) -> list[tuple[int, str, str]]:
    """What is wrong with the chain against ``anchors``: (record number, kind, message) for each
    anchored record that is missing (``anchor``: the trail was truncated below an anchored head) or
    has another hash (``anchor``: rewritten), and each anchor whose signature does not verify
    (``signature``) when ``public_key`` is given."""
    problems: list[tuple[int, str, str]] = []
    wanted: dict[int, Anchor] = {}
    for anchor in anchors:
        if public_key is not None:
            try:
                public_key.verify(base64.b64decode(anchor.signature or ""), anchor.message())
            except (InvalidSignature, ValueError):
                problems.append((anchor.seq, "signature",
                                 f"the anchor of record {anchor.seq} ({anchor.at}) is not signed by the key"))
                continue
        wanted[anchor.seq] = anchor
    seqs = sorted(s for s in wanted if s > 0)
    found: dict[int, str] = {}
    with engine.connect() as conn:
        for i in range(0, len(seqs), chunk):
            part = seqs[i:i + chunk]
            found.update(conn.execute(select(audit_record.c.id, audit_record.c.hash)
                                      .where(audit_record.c.id.in_(part))).all())
    for seq in seqs:
        anchor = wanted[seq]
        if seq not in found:
            problems.append((seq, "anchor", f"record {seq}, anchored at {anchor.at}, is missing: the trail was "
                                            f"cut back below an anchored head"))
        elif found[seq] != anchor.hash:
            problems.append((seq, "anchor", f"record {seq} differs from its anchor of {anchor.at}: the trail "
                                            f"was rewritten"))
    return problems


class Anchoring:
    """Writes an anchor every ``target.every`` seconds (the server's housekeeping calls :meth:`tick`)."""

    def __init__(self, engine: Engine, target: AnchorTarget, clock: Clock | None = None) -> None:
        self.engine = engine
        self.target = target
        self.clock = clock
        self._key = load_private_key(target.key_path) if target.key_path else None
        self._last: float | None = None

    def tick(self, *, force: bool = False) -> Anchor | None:
        now = time.monotonic()
        if not force and self._last is not None and now - self._last < self.target.every:
            return None
        self._last = now
        return write_anchor(self.engine, self.target.path, key=self._key, clock=self.clock)
