"""CPRLookup/2 over SOAP 1.1 with two-way TLS: the GCTP message CPR Broker sends (bare ``<Gctp>``,
no declaration) answered through the GCTP door's own handler for the certificate's system, byte for
byte what the GCTP door answers a user of a group with the same permissions; recorded answers of
CPR's demo service through CPRLookup; refusals as faults, or as the GCTP answer's own Kvit; a
protected address blank for a system that may not see it."""

from __future__ import annotations

import http.client
import re
import ssl
from pathlib import Path

import pytest
import requests
from lxml import etree
from sqlalchemy import select
from zeep import Client
from zeep.transports import Transport

from opencpr.formats.gctp import read_answer
from opencpr.register.access_schema import audit_record, usage_counter
from subscription_support import Pki, add_subscriber

PATH = "/service/CPRLookup/CPRLookup/2"
NS = "http://serviceplatformen.dk/xml/wsdl/soap11/CprService/2/"
STAM_UUID = "7baec3a5-26a5-4922-80fd-37f3bad3dfcb"
LOOKUPS = ["Stam+", "Familie+", "navne3", "Adresse4", "ADRSOG1"]
RECORDED = Path(__file__).parent / "data" / "gctp-recorded"
SPF = "{http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/}"


def _group(engine, name: str, services: list[str]) -> None:
    from opencpr.access.groups import SecurityGroup
    from opencpr.services.permissions import parse, save_group

    save_group(engine, SecurityGroup(name, name, parse({"search": {"services": services, "scope": "all"}})),
               by="test")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """The demo register on the recording day behind one HTTPS server with client certificates: a
    system and a GCTP user of the group ``lookup`` (the five lookups), a system of ``stam-only``."""
    from conftest import RECORDED_DAY, _pg_database, make_demo_register
    from live import running
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.access.users import add_user, set_known_password
    from opencpr.app import create_app
    from opencpr.clock import FixedClock
    from opencpr.register.db import make_engine
    from opencpr.register.migrate import upgrade
    from opencpr.server import ClientCertificateProtocol
    from opencpr.services.gate import Gate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('cprlookup') / 'register.sqlite'}"
    else:
        url = _pg_database(request.getfixturevalue("pg_server"))
    engine = make_engine(url)
    if request.param == "sqlite":
        upgrade(engine)
    clock = FixedClock(RECORDED_DAY)
    make_demo_register(engine, clock)
    _group(engine, "lookup", LOOKUPS)
    _group(engine, "stam-only", ["Stam+"])
    cheap = Passwords(CHEAP)
    add_user(engine, "LOOK1", "0000", "lookup", clock=clock, passwords=cheap)
    set_known_password(engine, "LOOK1", "Look-up-001!", clock=clock, passwords=cheap)
    pki = Pki.make(tmp_path_factory.mktemp("pki"))
    system = add_subscriber(engine, pki, "12345678", "Opslag", group="lookup", clock=clock)
    narrow = add_subscriber(engine, pki, "23456789", "Kun Stam", group="stam-only", clock=clock)
    gate = Gate(engine, clock, audit_mode="sync", passwords=cheap)
    try:
        with running(create_app(engine, gate=gate, run_due_every=None), ssl=pki.server_ssl(),
                     http=ClientCertificateProtocol) as port:
            token = _signon(port, pki, "LOOK1", "Look-up-001!")
            yield {"engine": engine, "pki": pki, "system": system, "narrow": narrow, "port": port, "token": token}
    finally:
        gate.close()
        engine.dispose()


def _post(port: int, pki: Pki, path: str, body: bytes, cert=None, headers: dict | None = None
          ) -> tuple[int, dict, bytes]:
    context = ssl.create_default_context(cafile=str(pki.directory / "ca.crt"))
    if cert is not None:
        context.load_cert_chain(str(cert[0]), str(cert[1]))
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    try:
        conn.putrequest("POST", path, skip_accept_encoding=True)
        for k, v in {**(headers or {}), "Content-Length": str(len(body))}.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


def _signon(port: int, pki: Pki, user: str, password: str) -> str:
    body = (f'<root xmlns="http://www.cpr.dk"><Gctp v="1.0"><Sik function="signon" userid="{user}" '
            f'password="{password}"/></Gctp></root>').encode()
    status, headers, answer = _post(port, pki, "/cpr-online-gctp/gctp", body)
    assert status == 200 and b'v="900"' in answer, answer
    return headers["set-cookie"].split("=", 1)[1].split(";", 1)[0]


def _door(w, message: str) -> bytes:
    """The GCTP door's answer to ``message`` for the GCTP user of the same group."""
    status, _, answer = _post(w["port"], w["pki"], "/cpr-online-gctp/gctp", message.encode("iso-8859-1"),
                              headers={"Cookie": f"Token={w['token']}"})
    assert status == 200
    return answer


def _message(service: str, keys: dict[str, str], ts: str | None = None) -> str:
    """A GCTP message as CPR Broker puts it in ``gctpMessage``: bare ``<Gctp>``, no declaration."""
    fields = "".join(f'<Field r="{k}" v="{v}"/>' for k, v in keys.items())
    stamp = f' ts="{ts}"' if ts else ""
    return (f'<Gctp v="1.0"><System r="CprSoeg"><Service r="{service}"><CprServiceHeader r="{service}"{stamp}>'
            f'<Key>{fields}</Key></CprServiceHeader></Service></System></Gctp>')


def _envelope(invocation: dict[str, str] | None, message: str, element: str = "callGCTPCheckServiceRequest") -> bytes:
    inv = ("" if invocation is None else
           "<ic:InvocationContext>" + "".join(f"<ic:{k}>{v}</ic:{k}>" for k, v in invocation.items())
           + "</ic:InvocationContext>")
    text = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (f'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="{NS}" '
            f'xmlns:ic="http://serviceplatformen.dk/xml/schemas/InvocationContext/1/"><soap:Body>'
            f'<c:{element}>{inv}<c:gctpMessage>{text}</c:gctpMessage></c:{element}></soap:Body></soap:Envelope>'
            ).encode()


def _lookup(w, message: str, system=None, path: str = PATH, **override) -> tuple[int, bytes]:
    system = system or w["system"]
    invocation = system.invocation(**{"ServiceUUID": STAM_UUID, **override})
    status, _, answer = _post(w["port"], w["pki"], path, _envelope(invocation, message), (system.cert, system.key))
    return status, answer


def _result(answer: bytes) -> bytes:
    """The ``result`` string, as the bytes the GCTP door would send (its declaration is ISO-8859-1)."""
    found = etree.fromstring(answer).find(f".//{{{NS}}}result")
    assert found is not None, answer
    return found.text.encode("iso-8859-1")


def _fault(answer: bytes) -> str:
    return etree.fromstring(answer).find(f".//{SPF}ErrorCode").text


def _zeep(w, cert) -> Client:
    session = requests.Session()
    session.trust_env = False
    session.verify = str(w["pki"].directory / "ca.crt")
    session.headers["Connection"] = "close"
    session.cert = tuple(str(p) for p in cert)
    return Client(f"https://127.0.0.1:{w['port']}{PATH}?wsdl", transport=Transport(session=session, timeout=30))


def _address_keys(w, pnr: str) -> dict[str, str]:
    fields = read_answer(_door(w, _message("Stam+", {"PNR": pnr})))["rows"][0]["fields"]
    return {"KOMK": fields["KOMKOD"]["v"], "VEJK": fields["VEJKOD"]["v"]}


def test_the_broker_messages_get_the_gctp_doors_answer_byte_for_byte(world):
    w = world
    pnr = "0101005038"
    for service in LOOKUPS:
        keys = _address_keys(w, pnr) if service == "ADRSOG1" else {"PNR": pnr}
        message = _message(service, keys, ts="20141027120000123456")
        status, answer = _lookup(w, message)
        assert status == 200, answer
        assert answer.startswith(b"<?xml") and b"<ns3:callGCTPCheckServiceResponse" in answer
        door = _door(w, message)
        assert b'<Kvit r="Ok"' in door, door
        assert _result(answer) == door, service
    # without a ts the answers differ only in the stamp each one makes
    message = _message("Stam+", {"PNR": pnr})
    status, answer = _lookup(w, message)
    stamp = re.compile(rb'ts="\d+"')
    assert stamp.sub(b'ts=""', _result(answer)) == stamp.sub(b'ts=""', _door(w, message))
    # zeep on the served WSDL, the older replica path and operation name, and the audit and usage
    client = _zeep(w, (w["system"].cert, w["system"].key))
    assert client.wsdl.services["CprLookupService"].ports["CprLookupServicePort"].binding_options["address"] \
        == f"https://127.0.0.1:{w['port']}{PATH}"
    result = client.service.callGctpService(InvocationContext=w["system"].invocation(ServiceUUID=STAM_UUID),
                                            gctpMessage=_message("navne3", {"PNR": pnr}, ts="1"))
    assert result.encode("iso-8859-1") == _door(w, _message("navne3", {"PNR": pnr}, ts="1"))
    status, old = _lookup(w, _message("Stam+", {"PNR": pnr}, ts="2"), path="/service/CPRService/CPRService/1")
    assert status == 200 and _result(old) == _door(w, _message("Stam+", {"PNR": pnr}, ts="2"))
    status, _, wsdl = _post(w["port"], w["pki"], "/service/cprservice/cprservice/1", b"")  # POST without a body
    assert status == 500 and b"Fault" in wsdl
    with w["engine"].connect() as conn:
        services = [r.service for r in conn.execute(select(audit_record).where(
            audit_record.c.actor == f"CVR:{w['system'].cvr}"))]
        calls = conn.execute(select(usage_counter.c.calls).where(
            usage_counter.c.actor == f"CVR:{w['system'].cvr}")).scalars().all()
    assert len(set(services)) == 5, set(services)
    assert sum(calls) == len(services)


def _recorded_samples() -> list[Path]:
    files = sorted(RECORDED.glob("*.xml"))
    wanted = [p for p in files if p.name.split(".", 1)[0] in ("0101005038", "0108610018", "0701614038")]
    return wanted or files[:6]


@pytest.mark.parametrize("path", _recorded_samples(), ids=lambda p: p.name.removesuffix(".xml"))
def test_recorded_answers_through_cprlookup(world, path):
    """The fidelity check of ``test_fidelity.py`` for a few recordings, asked through CPRLookup."""
    from test_fidelity import EXPECTED_DIFFERENCES, _recorded_call, _rows

    system_name, service, pnr = _recorded_call(path)
    recorded = read_answer(path.read_bytes())
    message = _message(service, {"PNR": pnr}).replace('r="CprSoeg"', f'r="{system_name}"')
    status, answer = _lookup(world, message)
    assert status == 200, answer
    ours = read_answer(_result(answer))
    assert ours["kvit"] == recorded["kvit"]
    assert ours["table"] == recorded["table"]
    want, got = _rows(recorded), _rows(ours)
    assert sorted(got) == sorted(want)
    expected, _ = EXPECTED_DIFFERENCES.get((pnr, path.name.split(".")[1]), ({}, ""))
    for k, names in expected.items():
        got[k] = {f for f in got[k] if f[0] not in names}
        want[k] = {f for f in want[k] if f[0] not in names}
    differences = {k: {"only ours": sorted(got[k] - want[k]), "only recorded": sorted(want[k] - got[k])}
                   for k in want if got[k] != want[k]}
    assert differences == {}


def test_refusals(world):
    w = world
    message = _message("Stam+", {"PNR": "0101005038"})
    system = w["system"]
    body = _envelope(system.invocation(ServiceUUID=STAM_UUID), message)
    # no certificate
    status, _, answer = _post(w["port"], w["pki"], PATH, body)
    assert status == 500 and _fault(answer) == "NoClientCertificate"
    # a certificate of the CA for a CVR without a system
    stranger = w["pki"].client("stranger", "87654321")
    status, _, answer = _post(w["port"], w["pki"], PATH, body, stranger)
    assert status == 500 and _fault(answer) == "UnknownUserSystem"
    # the wrong agreement, a missing Invocation Context, a foreign ServiceUUID
    status, answer = _lookup(w, message, ServiceAgreementUUID="00000000-0000-4000-8000-000000000000")
    assert status == 500 and _fault(answer) == "WrongServiceAgreement"
    status, _, answer = _post(w["port"], w["pki"], PATH, _envelope(None, message), (system.cert, system.key))
    assert status == 500 and _fault(answer) == "InvalidCallParameters"
    status, answer = _lookup(w, message, ServiceUUID="9cdccc2f-3243-11e2-8fef-d4bed98c5934")
    assert status == 500 and _fault(answer) == "WrongService"
    # unreadable GCTP, an empty message, an unreadable envelope: faults, never a crash
    for bad in ("<Gctp v='1.0'><System", "not xml at all", ""):
        status, answer = _lookup(w, bad)
        assert status == 500 and _fault(answer) == "InvalidCallParameters", answer
    for broken in (b"", b"<x/>", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"):
        status, _, answer = _post(w["port"], w["pki"], PATH, broken, (system.cert, system.key))
        assert status == 500 and _fault(answer) == "InvalidRequest"
    # a group without the service: the GCTP answer's own Kvit 5, inside the string
    narrow = w["narrow"]
    status, answer = _lookup(w, _message("Familie+", {"PNR": "0101005038"}), system=narrow)
    assert status == 200
    assert read_answer(_result(answer))["kvit"]["v"] == "5"
    status, answer = _lookup(w, _message("Stam+", {"PNR": "0101005038"}), system=narrow)
    assert status == 200 and read_answer(_result(answer))["kvit"]["v"] == "0"
    # a signon makes no sense here: the system is known by its certificate
    status, answer = _lookup(w, '<Gctp v="1.0"><Sik function="signon" userid="LOOK1" password="x"/></Gctp>')
    assert status == 200 and read_answer(_result(answer))["kvit"]["v"] == "10"


def test_a_protected_address_is_blank_for_a_system_without_protected_address_access(world):
    """Name and address protection (0001) in force: the CPR office sees the address over the GCTP
    door; the system, whose group may not see protected addresses, gets it blank through CPRLookup."""
    from conftest import TEST_USERS
    from opencpr.register.schema import protection

    w = world
    pnr = "0307610078"
    with w["engine"].begin() as conn:
        conn.execute(protection.insert().values(pnr=pnr, protection_type="0001", valid_from="2014-01-01",
                                                valid_to=None, registered_at="2014-01-01T00:00:00"))
    code, _, password = TEST_USERS["cpr-office"]
    office = _signon(w["port"], w["pki"], code, password)
    message = _message("Stam+", {"PNR": pnr}, ts="3")
    status, _, seen = _post(w["port"], w["pki"], "/cpr-online-gctp/gctp", message.encode(),
                            headers={"Cookie": f"Token={office}"})
    status, answer = _lookup(w, message)
    assert status == 200
    full = read_answer(seen)["rows"][0]["fields"]
    blank = read_answer(_result(answer))["rows"][0]["fields"]
    assert full["VEJKOD"].get("v") and full["KOMKOD"].get("v")
    assert not blank["VEJKOD"].get("v") and not blank.get("STANDARDADR", {}).get("v")
    assert blank["PNR"]["v"] == pnr and blank["BESKYT"]["v"]  # name, PNR and the protection itself stay
