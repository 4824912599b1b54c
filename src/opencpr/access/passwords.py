"""Passwords (kendeord): CPR's rules, argon2id hashing, expiry and one-time passwords.

CPR's rules: at least 8 characters, with a lower-case letter, an upper-case letter, a digit and
a special character; ``" ' < > & ?`` and the letters æ, ø, å (either case) are not allowed. This
project also keeps passwords to printable ASCII without blanks (they travel in XML attributes
and in CPR Direkte's fixed 8-byte fields) and at most 64 characters. A password expires 90 days
after it was set; a new one may not repeat any of the user's last 5.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import string
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 64
LIFETIME = dt.timedelta(days=90)
HISTORY = 5  # a new password may not be one of the last 5
MAX_FAILED_SIGNONS = 5  # this many wrong passwords in a row lock the user code

FORBIDDEN = frozenset("\"'<>&?æøåÆØÅ")
SPECIALS = "".join(c for c in string.punctuation if c not in FORBIDDEN)
"""The special characters a password may use: ``!#$%()*+,-./:;=@[\\]^_`{|}~``."""


def password_problems(password: str) -> list[str]:
    """What is wrong with ``password`` under CPR's rules (empty if nothing)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"at most {MAX_LENGTH} characters")
    bad = sorted({c for c in password if c in FORBIDDEN})
    if bad:
        problems.append(f"none of the characters {' '.join(bad)}")
    other = sorted({c for c in password
                    if c not in FORBIDDEN and not (c.isascii() and c.isprintable() and not c.isspace())})
    if other:
        problems.append(f"only printable ASCII characters without blanks (not {' '.join(map(repr, other))})")
    if not any("a" <= c <= "z" for c in password):
        problems.append("a lower-case letter")
    if not any("A" <= c <= "Z" for c in password):
        problems.append("an upper-case letter")
    if not any(c.isdigit() and c.isascii() for c in password):
        problems.append("a digit")
    if not any(c in SPECIALS for c in password):
        problems.append(f"a special character ({SPECIALS})")
    return problems


def is_acceptable(password: str) -> bool:
    return not password_problems(password)


def one_time_password(length: int = 12) -> str:
    """A random password that satisfies the rules (for new users and resets)."""
    alphabet = string.ascii_letters + string.digits + SPECIALS
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if is_acceptable(candidate):
            return candidate


def expires_at(set_at: dt.datetime) -> dt.datetime:
    """When a password set at ``set_at`` expires."""
    return set_at + LIFETIME


def is_expired(set_at: dt.datetime, now: dt.datetime) -> bool:
    """True from 90 days after the password was set."""
    return now >= set_at + LIFETIME


# --- hashing ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HashCost:
    """argon2id cost: iterations, memory (KiB) and lanes."""

    time_cost: int = 3
    memory_cost: int = 65536
    parallelism: int = 4

    @classmethod
    def parse(cls, text: str) -> HashCost:
        """``"default"``, ``"cheap"`` or ``"t=3,m=65536,p=4"``."""
        text = text.strip().lower()
        if text in ("", "default"):
            return cls()
        if text == "cheap":
            return CHEAP
        values = {"t": cls.time_cost, "m": cls.memory_cost, "p": cls.parallelism}
        for part in text.split(","):
            key, _, value = part.partition("=")
            if key.strip() not in values or not value.strip().isdigit():
                raise ValueError(f"password cost must be 'default', 'cheap' or 't=<n>,m=<KiB>,p=<n>', not {text!r}")
            values[key.strip()] = int(value)
        return cls(values["t"], values["m"], values["p"])


CHEAP = HashCost(time_cost=1, memory_cost=64, parallelism=1)
"""A cost for tests only: fast, and far too weak for real passwords."""

COST_ENV = "OPENCPR_PASSWORD_COST"


class Passwords:
    """Hashes and verifies passwords with argon2id at a configurable cost."""

    def __init__(self, cost: HashCost | None = None) -> None:
        if cost is None:
            cost = HashCost.parse(os.environ.get(COST_ENV, "default"))
        self.cost = cost
        self._hasher = PasswordHasher(time_cost=cost.time_cost, memory_cost=cost.memory_cost,
                                      parallelism=cost.parallelism)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """True if ``password`` matches ``stored_hash`` (False for a wrong password or a bad hash)."""
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """True if ``stored_hash`` was made at another cost (rehash at the next good signon)."""
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True
