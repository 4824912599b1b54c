"""What the doors keep per client: a limit on guessing, and a bounded record of refused calls.

* :class:`Throttle` counts a client's failed tokens and signons in a fixed window. Once a client
  has ``failures`` of them in ``window`` seconds, its next tokens and signons are refused without
  being looked at (Kvit 913, REST 429) until the window ends. Guessing a token or a password from
  one address is then a few dozen tries a minute, not thousands a second.
* :class:`RefusalLog` counts refused calls (bad or missing token, unknown service or field,
  unreadable or oversized request, malformed REST body, throttled) per client, door and code,
  and turns each window's counts into audit entries: one record per (client, door, code) and
  window, whatever the number of calls, and at most ``max_keys`` of them per window (the rest
  as one record for "other clients"). An attacker cannot fill the disk through it, and every
  refused call is in a tamper-evident record.

Both are per server process and held in memory (a multi-process server counts per worker).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from opencpr.access.audit import AuditEntry

OTHER_CLIENTS = "*"


class Throttle:
    """Failed tokens and signons per client in a fixed window (see the module)."""

    def __init__(self, failures: int = 30, window: float = 60.0, *, max_clients: int = 100_000,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.window = window
        self.max_clients = max_clients
        self._now = now
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[float, int]] = {}  # client -> (window start, failures)

    def blocked(self, client: str | None) -> bool:
        """True if ``client`` has used up its failures in the current window."""
        if not client:
            return False
        with self._lock:
            entry = self._counts.get(client)
        return entry is not None and self._now() - entry[0] < self.window and entry[1] >= self.failures

    def retry_after(self, client: str | None) -> int:
        """Seconds until ``client``'s window ends."""
        with self._lock:
            entry = self._counts.get(client or "")
        return max(1, int(self.window - (self._now() - entry[0])) + 1) if entry else 1

    def fail(self, client: str | None) -> None:
        """Count one failure for ``client``."""
        if not client:
            return
        now = self._now()
        with self._lock:
            start, count = self._counts.get(client, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            self._counts[client] = (start, count + 1)
            if len(self._counts) > self.max_clients:
                self._counts = {c: v for c, v in self._counts.items() if now - v[0] < self.window}


@dataclass(frozen=True, slots=True)
class Refusal:
    client: str
    door: str  # GCTP, REST, or the service the client named
    code: int  # the Kvit code (or HTTP status for REST-only refusals: 408, 413, 422)
    text: str


class RefusalLog:
    """Refused calls counted per client, door and code, drained as audit entries (see the module)."""

    def __init__(self, window: float = 10.0, max_keys: int = 1000, *,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.max_keys = max_keys
        self._now = now
        self._lock = threading.Lock()
        self._started = now()
        self._counts: dict[tuple[str, str, int], list] = {}  # key -> [calls, text, first, last]

    def note(self, client: str | None, door: str, code: int, text: str, at: str) -> None:
        key = ((client or "-")[:40], door[:40], code)
        with self._lock:
            entry = self._counts.get(key)
            if entry is None and len(self._counts) >= self.max_keys:
                key = (OTHER_CLIENTS, key[1], code)
                entry = self._counts.get(key)
            if entry is None:
                self._counts[key] = [1, text[:200], at, at]
            else:
                entry[0] += 1
                entry[3] = at

    def due(self) -> bool:
        """True when the current window has ended and holds refusals."""
        return bool(self._counts) and self._now() - self._started >= self.window

    def drain(self) -> list[AuditEntry]:
        """The audit entries of the refusals counted so far (and a new window begun)."""
        with self._lock:
            counts, self._counts = self._counts, {}
            self._started = self._now()
        entries = []
        for (client, door, code), (calls, text, first, last) in sorted(counts.items(), key=lambda kv: kv[1][2]):
            detail = f"{calls} refused call{'s' if calls != 1 else ''} from {first} to {last}"
            entries.append(AuditEntry(first, "client", client, None, None, None if client == OTHER_CLIENTS else client,
                                      door, "refused", (), code, text, detail))
        return entries

    @property
    def pending(self) -> int:
        with self._lock:
            return sum(v[0] for v in self._counts.values())
