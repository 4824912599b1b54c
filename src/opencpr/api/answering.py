"""Answering a call on the event loop or in a worker thread, and sending it only once its audit
records are committed.

A door collects the tickets of the audit records its call submits (``gate.answers_after_audit``)
and awaits them on the event loop (``gate.audit_durable``) instead of blocking a worker thread
until the group commits: the threads go on answering, and the records of the calls in flight
join the same group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from opencpr.services.gate import Gate

T = TypeVar("T")


def _collecting(gate: Gate, fn: Callable[..., T], *args: Any) -> tuple[T, list[int]]:
    with gate.answers_after_audit() as tickets:
        return fn(*args), tickets


async def answer_collecting(gate: Gate, inline: bool, fn: Callable[..., T], *args: Any) -> tuple[T, list[int]]:
    """``fn(*args)`` (on the loop if ``inline``, else in a worker thread) and the tickets of the
    audit records it submitted; the caller sends its answer after ``await gate.audit_durable(tickets)``."""
    if inline:
        return _collecting(gate, fn, *args)
    return await run_in_threadpool(_collecting, gate, fn, *args)
