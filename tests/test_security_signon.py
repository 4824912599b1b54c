"""Guessing passwords from the attacker's side: a burst of signons cannot get more than five
passwords checked, and a locked user code answers the same for the right password and a wrong one.

Both doors (REST and GCTP) of a real server, on both databases.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from conftest import TEST_USERS
from live import Gctp, running
from opencpr.access.audit import audit_for_actor
from opencpr.access.passwords import CHEAP, MAX_FAILED_SIGNONS, Passwords
from opencpr.access.users import enable_user
from opencpr.app import create_app
from opencpr.config import Limits
from opencpr.register.access_schema import user_account
from opencpr.services.gate import Gate

CODE, _, RIGHT = TEST_USERS["municipality"]
GUESSES = [f"Gaet-{i:03d}!x" for i in range(40)]


@pytest.fixture
def live(demo_engine, clock):
    """The server, with the per-client limit on guessing out of the way: the user code's own lock is tested."""
    gate = Gate(demo_engine, clock, audit_mode="sync", passwords=Passwords(CHEAP), limits=Limits(guess_failures=10_000))
    with running(create_app(demo_engine, gate=gate, run_due_every=None)) as port:
        yield port


def _burst(send, passwords: list[str]) -> list:
    """Send every password at once (released together by a barrier); answers in the same order."""
    barrier = threading.Barrier(len(passwords))

    def one(password: str):
        barrier.wait()
        return send(password)

    with ThreadPoolExecutor(len(passwords)) as pool:
        return list(pool.map(one, passwords))


def _state(engine):
    with engine.connect() as conn:
        return conn.execute(select(user_account.c.failed_signons, user_account.c.locked)
                            .where(user_account.c.user_code == CODE)).one()


def _checked_then_refused(engine, codes: list[int], right_code: int) -> None:
    wrong = codes[:-1]
    assert set(wrong) <= {905, 903}
    # at most five wrong passwords are checked in a row; a right one checked among them ends the run
    # (the attacker has the password then), and five more may follow it
    assert wrong.count(905) <= MAX_FAILED_SIGNONS * (2 if right_code == 900 else 1)
    if right_code != 900:
        # the right password was not checked, or gave the same answer as the wrong ones after the lock
        assert right_code == 903
        assert _state(engine).locked
    failures = [r for r in audit_for_actor(engine, CODE) if r.result_code == 905]
    assert len(failures) == wrong.count(905)


def test_a_rest_burst_of_wrong_passwords_checks_five_then_locks(live, demo_engine):
    base = f"http://127.0.0.1:{live}"

    def send(password: str) -> httpx.Response:
        return httpx.post(f"{base}/api/v1/signon", json={"user_code": CODE, "password": password}, timeout=60)

    answers = _burst(send, GUESSES)
    codes = sorted(a.json()["kvit"] for a in answers)
    assert codes == [903] * (len(GUESSES) - MAX_FAILED_SIGNONS) + [905] * MAX_FAILED_SIGNONS
    assert _state(demo_engine) == (MAX_FAILED_SIGNONS, True)
    right, wrong = send(RIGHT), send(GUESSES[0])
    assert (right.status_code, right.json()) == (wrong.status_code, wrong.json()) == (401, right.json())
    assert right.json()["kvit"] == 903
    failures = [r for r in audit_for_actor(demo_engine, CODE) if r.result_code == 905]
    assert len(failures) == MAX_FAILED_SIGNONS


def test_a_rest_burst_checks_at_most_five_passwords(live, demo_engine):
    base = f"http://127.0.0.1:{live}"

    def send(password: str) -> tuple[int, int]:
        answer = httpx.post(f"{base}/api/v1/signon", json={"user_code": CODE, "password": password}, timeout=60)
        return answer.status_code, answer.json()["kvit"]

    answers = _burst(send, [*GUESSES, RIGHT])
    codes = [kvit for _, kvit in answers]
    _checked_then_refused(demo_engine, codes, codes[-1])
    assert all(status != 500 for status, _ in answers)


def test_a_gctp_burst_checks_at_most_five_passwords(live, demo_engine):
    answers = _burst(lambda password: Gctp(live).signon(CODE, password), [*GUESSES, RIGHT])
    codes = [int(a["kvit"]["v"]) for a in answers]
    _checked_then_refused(demo_engine, codes, codes[-1])


def test_a_locked_user_code_answers_alike_for_right_and_wrong(live, demo_engine, clock):
    base = f"http://127.0.0.1:{live}"
    for guess in GUESSES[:MAX_FAILED_SIGNONS]:
        assert httpx.post(f"{base}/api/v1/signon", json={"user_code": CODE, "password": guess}).json()["kvit"] == 905
    right = httpx.post(f"{base}/api/v1/signon", json={"user_code": CODE, "password": RIGHT})
    wrong = httpx.post(f"{base}/api/v1/signon", json={"user_code": CODE, "password": GUESSES[-1]})
    assert (right.status_code, right.json()) == (wrong.status_code, wrong.json())
    assert right.json()["kvit"] == 903
    gctp_right, gctp_wrong = Gctp(live).signon(CODE, RIGHT), Gctp(live).signon(CODE, GUESSES[-1])
    assert gctp_right == gctp_wrong and gctp_right["kvit"]["v"] == "903"
    enable_user(demo_engine, CODE, clock=clock)
    assert httpx.post(f"{base}/api/v1/signon", json={"user_code": CODE, "password": RIGHT}).json()["kvit"] == 900
    assert _state(demo_engine) == (0, False)
