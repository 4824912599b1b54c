"""Fidelity: our answers against answers recorded from CPR's GCTP demo service.

Every file ``<PNR>.<service>.xml`` in the recordings directory (``tests/data/gctp-recorded``, or
the directory named by ``OPENCPR_GCTP_RECORDED``) is one test: the demo extract is imported, the
same service is called over GCTP on a live server (as the CPR office), and the answer is compared
with the recording row for row (by ``k``): the set of (field name, v, t) of the fields that carry
a ``v`` or a ``t`` must be equal; field order is free. Our server also sends the fields without
data (``<Field r="X"/>``), as CPR's handbook says; the recordings leave them out, so fields
without ``v`` and ``t`` are not compared.

Where the extract and a recording disagree on data (the extract is of November 2001 with
additions of 2008, the recordings are of 27 October 2014), :data:`EXPECTED_DIFFERENCES` names the
fields and the reason; ``docs/fidelity.md`` explains them. For those fields the test checks that
they still differ (so that a stale entry is noticed) and compares everything else.

One server per database serves all recordings (module scope), so the whole check stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree

from opencpr.formats.gctp import read_answer

HERE = Path(__file__).parent
RECORDINGS = Path(os.environ.get("OPENCPR_GCTP_RECORDED") or HERE / "data" / "gctp-recorded")
FILES = sorted(RECORDINGS.glob("*.xml"))

_PROTECTION_KEPT = ("the demo service still shows a protection whose end date (SLET_DT) had passed on the "
                    "recording day; ours judges protection in force on that day")

#: (PNR, service as in the file name) -> ({row k: {field names}}, reason).
EXPECTED_DIFFERENCES: dict[tuple[str, str], tuple[dict[str, set[str]], str]] = {
    ("0702614147", "Stam+"): ({"0": {"BESKYT"}}, _PROTECTION_KEPT + " (0001 ended 2001-02-28)"),
    ("0702614147", "Familie+"): ({"0": {"BESKYT"}, "1": {"CBSK_TYP"}, "2": {"CBSK_TYP"}},
                                 _PROTECTION_KEPT + " (the person: 0001-0004 ended 2001-02-28; row 2, "
                                 "0709614452: 0001 ended 2010-12-31, 0002 2010-06-30)"),
    ("0708614866", "Stam+"): ({"0": {"BESKYT"}}, _PROTECTION_KEPT + " (0001 ended 2001-11-01)"),
    ("0708614866", "Familie+"): ({"0": {"BESKYT"}, "1": {"CBSK_TYP"}},
                                 _PROTECTION_KEPT + " (0001-0004 ended 2000-06-01 to 2001-11-01)"),
    ("0709614118", "Stam+"): ({"0": {"BESKYT"}}, _PROTECTION_KEPT + " (0001 ended 2003-11-02)"),
    ("0709614118", "Familie+"): ({"0": {"BESKYT"}, "1": {"CBSK_TYP"}, "2": {"CBSK_TYP"}},
                                 _PROTECTION_KEPT + " (row 1, spouse 0701614011: 0001 ended 2004-11-02; row 2, "
                                 "the person: 0001 ended 2003-11-02; 0002 in force for both, so ours is 00002)"),
    ("2802363039", "Stam+"): ({"0": {"BESKYT"}}, _PROTECTION_KEPT + " (0001 ended 2001-02-20)"),
    ("2802363039", "Familie+"): ({"0": {"BESKYT"}, "1": {"CBSK_TYP"}},
                                 _PROTECTION_KEPT + " (0001-0004 ended 2000-09-01 to 2001-02-20)"),
    ("0108610018", "Familie+"): ({"2": {"CBSK_TYP"}},
                                 _PROTECTION_KEPT + " (row 2, spouse 0709610015: 0001 ended 2002-10-22; 0003 in "
                                 "force, so ours is 00003)"),
    ("0101980014", "Familie+"): (
        {"0": {"CFMY_RELTYPB", "CFMY_STARTDATOB", "CFMY_STARTDATOUSMB", "FORAELDRE_MYN_PNRB"}},
        "the extract holds two parental-authority records (0005 holder 0709614290, 0006 holder 0707614293, both "
        "from 2008-03-01); the recording shows only the first. Slot B exists (2906980013's recording has it), "
        "so the demo register of 2014 held one record for this person"),
}


#: The same observation applied to demo persons whose recordings are not shipped: their protection
#: records had all ended by 2014 too, so the demo service will show them where ours does not.
_PREDICTED = {
    ("0107529039", "Stam+"): {"0": {"BESKYT"}},
    ("0107529039", "Familie+"): {"0": {"BESKYT"}, "1": {"CBSK_TYP"}},
    ("0701614011", "Stam+"): {"0": {"BESKYT"}},
    ("0701614011", "Familie+"): {"0": {"BESKYT"}, "1": {"CBSK_TYP"}, "2": {"CBSK_TYP"}},
    ("0707614234", "Familie+"): {"2": {"CBSK_TYP"}},
    ("0708614335", "Stam+"): {"0": {"BESKYT"}},
    ("0708614335", "Familie+"): {"0": {"BESKYT"}, "2": {"CBSK_TYP"}},
    ("0709610015", "Stam+"): {"0": {"BESKYT"}},
    ("0709610015", "Familie+"): {"0": {"BESKYT"}, "2": {"CBSK_TYP"}},
    ("0709614452", "Stam+"): {"0": {"BESKYT"}},
    ("0709614452", "Familie+"): {"0": {"BESKYT"}, "1": {"CBSK_TYP"}, "2": {"CBSK_TYP"}},
}
EXPECTED_DIFFERENCES.update({k: (v, _PROTECTION_KEPT + " (predicted; no recording shipped)")
                             for k, v in _PREDICTED.items()})


def _recorded_call(path: Path) -> tuple[str, str, str]:
    """(system, service, PNR) of a recording: the system and service names as CPR wrote them."""
    root = etree.parse(str(path)).getroot()
    system = next(e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("System")).get("r")
    service = next(e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("Service")).get("r")
    return system, service, path.name.split(".", 1)[0]


def _rows(answer: dict) -> dict[str, set[tuple[str, str | None, str | None]]]:
    """Row key -> {(field, v, t)} of the fields that carry a value or a text."""
    out: dict[str, set[tuple[str, str | None, str | None]]] = {}
    for row in answer["rows"]:
        out[row["k"]] = {(name, f.get("v") or None, f.get("t") or None)
                         for name, f in row["fields"].items() if f.get("v") or f.get("t")}
    return out


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def recorded_day_server(request, tmp_path_factory):
    """The demo register on each database behind one live server, the clock on the recording day."""
    from conftest import RECORDED_DAY, TEST_USERS, _pg_database, make_demo_register
    from live import Gctp, running
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.app import create_app
    from opencpr.clock import FixedClock
    from opencpr.register.db import make_engine
    from opencpr.register.migrate import upgrade
    from opencpr.services.gate import Gate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fidelity') / 'register.sqlite'}"
    else:
        url = _pg_database(request.getfixturevalue("pg_server"))
    engine = make_engine(url)
    if request.param == "sqlite":
        upgrade(engine)
    clock = FixedClock(RECORDED_DAY)
    make_demo_register(engine, clock)
    gate = Gate(engine, clock, audit_mode="sync", passwords=Passwords(CHEAP))
    try:
        with running(create_app(engine, gate=gate)) as port:
            client = Gctp(port)
            code, _, password = TEST_USERS["cpr-office"]
            assert client.signon(code, password)["kvit"]["v"] == "900"
            yield client
    finally:
        gate.close()
        engine.dispose()


def test_recordings_are_there():
    assert len(FILES) >= 160 or os.environ.get("OPENCPR_GCTP_RECORDED"), f"recordings missing in {RECORDINGS}"


@pytest.mark.parametrize("path", FILES, ids=[p.name.removesuffix(".xml") for p in FILES])
def test_answer_matches_the_recording(recorded_day_server, path):
    system, service, pnr = _recorded_call(path)
    recorded = read_answer(path.read_bytes())
    ours = recorded_day_server.call(service, {"PNR": pnr}, system=system)

    assert ours["kvit"] == recorded["kvit"]
    assert ours["table"] == recorded["table"]
    want, got = _rows(recorded), _rows(ours)
    assert sorted(got) == sorted(want), "rows differ"

    expected, _reason = EXPECTED_DIFFERENCES.get((pnr, path.name.split(".")[1]), ({}, ""))
    for k, names in expected.items():
        mine = {f for f in got[k] if f[0] in names}
        theirs = {f for f in want[k] if f[0] in names}
        assert mine != theirs, f"row {k}: {sorted(names)} no longer differ; drop the expected difference"
        got[k] -= mine
        want[k] -= theirs
    differences = {k: {"only ours": sorted(got[k] - want[k]), "only recorded": sorted(want[k] - got[k])}
                   for k in want if got[k] != want[k]}
    assert differences == {}
