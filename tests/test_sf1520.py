"""SF1520 PersonBaseDataExtended PersonLookup, versions 4 and 5, over SOAP 1.1 with two-way TLS on a
real server: Magenta's client (``service-person-stamdata-udvidet``) and zeep on the served WSDL;
every demo person's answer valid against the contract's schema and in agreement with Stam+,
Familie+ and navne3 over GCTP; faults for what is wrong with a call; name and address protection
from the side of a system that may not see protected addresses; the audit record and the usage
count of a call; the AuthorityContext."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import requests
from lxml import etree
from sqlalchemy import select
from zeep import Client
from zeep.transports import Transport

from opencpr.formats import sf1520
from opencpr.formats.gctp import read_answer
from opencpr.register.access_schema import audit_record, usage_counter
from subscription_support import Pki, add_subscriber
from test_cprlookup import _message, _post, _signon

SERVICE_UUID = "e6be2436-bf35-4df2-83fe-925142825dc2"
SPF = "{http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/}"
PNR_NS = "http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/"
INV_NS = "http://serviceplatformen.dk/xml/schemas/InvocationContext/1/"
AUT_NS = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/"
PERSON = "0707614293"  # a demo person with a name, an address, parents and a spouse
AALBORG_CVR = "29189420"
KOBENHAVN_CVR = "64942212"


def path(version: str) -> str:
    return f"/service/CPR/PersonBaseDataExtended/{version}"


def _group(engine, name: str, services: list[str], *, protected: bool, scope: str = "all") -> None:
    from opencpr.access.groups import SecurityGroup
    from opencpr.services.permissions import parse, save_group

    save_group(engine, SecurityGroup(name, name, parse({"search": {"services": services, "scope": scope},
                                                        "protected_addresses": protected})), by="test")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """The demo register on the recording day behind one HTTPS server with client certificates.

    Systems: ``system`` (SF1520 with Stam+, Familie+, navne3, sees protected addresses; a GCTP user
    of the same group), ``plain`` (SF1520 without protected addresses), ``narrow`` (Stam+ only),
    ``aalborg`` (registered for municipality 0851), ``scoped`` (SF1520 for its own municipality only,
    registered without one)."""
    from conftest import RECORDED_DAY, _pg_database, make_demo_register
    from live import running
    from opencpr.access.passwords import CHEAP, Passwords
    from opencpr.access.subscribers import add_system
    from opencpr.access.users import add_user, set_known_password
    from opencpr.app import create_app
    from opencpr.clock import FixedClock
    from opencpr.register.db import make_engine
    from opencpr.register.migrate import upgrade
    from opencpr.server import ClientCertificateProtocol
    from opencpr.services.gate import Gate
    from subscription_support import Subscriber

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sf1520') / 'register.sqlite'}"
    else:
        url = _pg_database(request.getfixturevalue("pg_server"))
    engine = make_engine(url)
    if request.param == "sqlite":
        upgrade(engine)
    clock = FixedClock(RECORDED_DAY)
    make_demo_register(engine, clock)
    _group(engine, "sf1520-all", ["SF1520", "Stam+", "Familie+", "navne3"], protected=True)
    _group(engine, "sf1520-plain", ["SF1520", "Stam+"], protected=False)
    _group(engine, "stam-only", ["Stam+"], protected=False)
    _group(engine, "sf1520-own", ["SF1520"], protected=False, scope="own_municipality")
    cheap = Passwords(CHEAP)
    add_user(engine, "LOOK1", "0000", "sf1520-all", clock=clock, passwords=cheap)
    set_known_password(engine, "LOOK1", "Look-up-001!", clock=clock, passwords=cheap)
    pki = Pki.make(tmp_path_factory.mktemp("pki"))
    system = add_subscriber(engine, pki, "12345678", "Sagssystem", group="sf1520-all", clock=clock)
    plain = add_subscriber(engine, pki, "23456789", "Uden beskyttede", group="sf1520-plain", clock=clock)
    narrow = add_subscriber(engine, pki, "34567890", "Kun Stam", group="stam-only", clock=clock)
    scoped = add_subscriber(engine, pki, "56789012", "Egen kommune", group="sf1520-own", clock=clock)
    registered = add_system(engine, "45678901", "Aalborg", group="sf1520-all", authority="0851", clock=clock)
    cert, key = pki.client("client-aalborg", "45678901")
    aalborg = Subscriber(registered.id, "45678901", registered.agreement_uuid, system.user_system, cert, key)
    bundle = pki.directory / "client-bundle.pem"
    bundle.write_bytes(Path(system.cert).read_bytes() + Path(system.key).read_bytes())
    gate = Gate(engine, clock, audit_mode="sync", passwords=cheap)
    try:
        with running(create_app(engine, gate=gate, run_due_every=None), ssl=pki.server_ssl(),
                     http=ClientCertificateProtocol) as port:
            token = _signon(port, pki, "LOOK1", "Look-up-001!")
            yield {"engine": engine, "pki": pki, "port": port, "token": token, "system": system, "plain": plain,
                   "narrow": narrow, "scoped": scoped, "aalborg": aalborg, "bundle": bundle}
    finally:
        gate.close()
        engine.dispose()


# --- helpers --------------------------------------------------------------------------------------

def _envelope(version: str, invocation: dict[str, str] | None, pnr: str | None,
              municipality_cvr: str | None = None) -> bytes:
    ns = sf1520.namespace(version)
    inv = ("" if invocation is None else
           "<ic:InvocationContext>" + "".join(f"<ic:{k}>{v}</ic:{k}>" for k, v in invocation.items())
           + "</ic:InvocationContext>")
    aut = ("" if municipality_cvr is None else
           f"<ac:AuthorityContext><ac:MunicipalityCVR>{municipality_cvr}</ac:MunicipalityCVR></ac:AuthorityContext>")
    key = "" if pnr is None else f"<p:PNR>{pnr}</p:PNR>"
    return (f'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="{ns}" '
            f'xmlns:ic="{INV_NS}" xmlns:ac="{AUT_NS}" xmlns:p="{PNR_NS}"><soapenv:Header/><soapenv:Body>'
            f'<ns:PersonLookupRequest>{aut}{inv}{key}</ns:PersonLookupRequest></soapenv:Body></soapenv:Envelope>'
            ).encode()


def _call(w, pnr: str | None, *, version: str = "4", system=None, municipality_cvr: str | None = None,
          **override: str) -> tuple[int, bytes]:
    system = system or w["system"]
    body = _envelope(version, system.invocation(**{"ServiceUUID": SERVICE_UUID, **override}), pnr, municipality_cvr)
    status, _, answer = _post(w["port"], w["pki"], path(version), body, (system.cert, system.key))
    return status, answer


def _fault(answer: bytes) -> str:
    found = etree.fromstring(answer).find(f".//{SPF}ErrorCode")
    assert found is not None, answer
    return found.text


_REPEATED = {"barn", "adresseHistorik", "foraeldremyndighed", "notater", "diversedistrikter"}


def _plain(element: etree._Element) -> object:
    """An answer element as plain data by local names (repeated elements as lists)."""
    if len(element) == 0:
        return element.text
    out: dict[str, object] = {}
    for child in element:
        name = etree.QName(child).localname
        value = _plain(child)
        if name in _REPEATED:
            out.setdefault(name, []).append(value)  # type: ignore[union-attr]
        else:
            out[name] = value
    return out


def _answer(answer: bytes, version: str = "4") -> dict:
    found = etree.fromstring(answer).find(f".//{{{sf1520.namespace(version)}}}PersonLookupResponse")
    assert found is not None, answer
    return _plain(found)  # type: ignore[return-value]


def _gctp(w, service: str, pnr: str) -> dict:
    status, _, answer = _post(w["port"], w["pki"], "/cpr-online-gctp/gctp", _message(service, {"PNR": pnr}).encode(),
                              headers={"Cookie": f"Token={w['token']}"})
    assert status == 200
    return read_answer(answer)


@pytest.fixture(scope="module")
def schemas(tmp_path_factory):
    """The contract's schema of each version, for lxml. The type schema uses the PNR type without
    importing its namespace (libxml2 wants the import): it is added to the copy read here."""
    found = {}
    for version in sf1520.VERSIONS:
        folder = tmp_path_factory.mktemp(f"contract{version}")
        for name, text in sf1520.contract_files(version).items():
            if name.startswith("xsd/"):
                text = text.replace(b'version="1.0">', b'version="1.0"><xsd:import namespace="' + PNR_NS.encode()
                                    + b'" schemaLocation="../sp/PNR_1.xsd"/>', 1)
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(text)
        found[version] = etree.XMLSchema(etree.parse(str(folder / "PersonBaseDataExtendedServiceMsg.xsd")))
    return found


def _demo_pnrs(w) -> list[str]:
    from opencpr.register.schema import person

    with w["engine"].connect() as conn:
        return sorted(conn.execute(select(person.c.pnr)).scalars())


# --- the clients -----------------------------------------------------------------------------------

@pytest.mark.parametrize("version", sf1520.VERSIONS)
def test_magentas_client_reads_names_address_and_relations(world, version, monkeypatch):
    """The SF1520 client as published: its endpoint is a serviceplatformen host, so the URL it posts
    to is pointed at this server; its envelope, its certificate handling and its parsing are its own."""
    import service_person_stamdata_udvidet as client
    from service_person_stamdata_udvidet import udvidet_person_stam_data_lokal as module

    w = world
    posted: list[str] = []
    original = module.http_post

    def to_this_server(endpoint, soap_envelope, certificate):
        here = endpoint.replace("https://exttest.serviceplatformen.dk", f"https://127.0.0.1:{w['port']}")
        posted.append(here)
        return original(endpoint=here, soap_envelope=soap_envelope, certificate=certificate)

    monkeypatch.setattr(module, "http_post", to_this_server)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(w["pki"].directory / "ca.crt"))
    uuids = {"service_agreement": w["system"].agreement, "user_system": w["system"].user_system,
             "user": "0e5c1a4b-6a2c-4f0e-9e49-3c8d5b1f2a77", "service": SERVICE_UUID}
    citizen = client.get_citizen(uuids, str(w["bundle"]), PERSON, api_version=int(version))
    assert posted == [f"https://127.0.0.1:{w['port']}{path(version)}"]
    stam = _gctp(w, "Stam+", PERSON)["rows"][0]["fields"]
    names = _gctp(w, "navne3", PERSON)["rows"][0]["fields"]
    assert citizen["personadresseringsnavn"] == stam["ADRNVN"]["v"]
    assert citizen["fornavn"] == names["CNVN_FORNVN"]["v"] and citizen["efternavn"] == names["CNVN_EFTERNVN"]["v"]
    assert citizen["standardadresse"] == stam["STADR"]["v"]
    assert citizen["postnummer"] == stam["POSTNR"]["v"] and citizen["udrejst"] is False
    family = {(r["fields"]["FAMMRK"]["v"], r["fields"]["PNR_FOEDDATO"]["v"]) for r in _gctp(w, "Familie+", PERSON)["rows"][1:]}
    relations = {(r["relation"], r["cprnr"]) for r in citizen["relationer"]}
    wanted = {({"Mor": "mor", "Far": "far", "Ægtefælle": "aegtefaelle", "Barn": "barn"}[k], p)
              for k, p in family if k != "Andet"}
    assert wanted and wanted <= relations


@pytest.mark.parametrize("version", sf1520.VERSIONS)
def test_zeep_on_the_served_wsdl(world, version):
    w = world
    session = requests.Session()
    session.trust_env = False
    session.verify = str(w["pki"].directory / "ca.crt")
    session.cert = (str(w["system"].cert), str(w["system"].key))
    client = Client(f"https://127.0.0.1:{w['port']}{path(version).lower()}?wsdl",
                    transport=Transport(session=session, timeout=30))
    service = client.wsdl.services["PersonBaseDataExtendedService"]
    assert service.ports["PersonBaseDataExtendedPort"].binding_options["address"] \
        == f"https://127.0.0.1:{w['port']}{path(version)}"
    result = client.service.PersonLookup(InvocationContext=w["system"].invocation(ServiceUUID=SERVICE_UUID),
                                         PNR=PERSON)
    stam = _gctp(w, "Stam+", PERSON)["rows"][0]["fields"]
    assert result.persondata.personnummer == PERSON
    assert result.persondata.navn.personadresseringsnavn == stam["ADRNVN"]["v"]
    assert result.adresse.aktuelAdresse.standardadresse == stam["STADR"]["v"]
    assert result.adresse.aktuelAdresse.kommunekode == int(stam["KOMKOD"]["v"])
    assert result.persondata.status.status == int(stam["STATUS"]["v"])
    # a fault comes back as zeep's Fault with Serviceplatformen's detail
    from zeep.exceptions import Fault

    with pytest.raises(Fault) as caught:
        client.service.PersonLookup(InvocationContext=w["system"].invocation(ServiceUUID=SERVICE_UUID),
                                    PNR="0101000000")
    assert caught.value.detail.find(f".//{SPF}ErrorCode").text in ("InvalidCallParameters", "PNRNotFound")


# --- the answers -------------------------------------------------------------------------------------

def test_every_demo_persons_answer_is_valid_against_the_contract(world, schemas):
    w = world
    for pnr in _demo_pnrs(w):
        for version in sf1520.VERSIONS:
            status, answer = _call(w, pnr, version=version)
            assert status == 200, answer
            payload = etree.fromstring(answer).find(f".//{{{sf1520.namespace(version)}}}PersonLookupResponse")
            assert schemas[version].validate(payload), (pnr, version, schemas[version].error_log.last_error)


def _v(fields: dict, name: str) -> str | None:
    value = (fields.get(name) or {}).get("v")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _digits(value: str | None) -> str:
    return "".join(c for c in value if c.isdigit()) if value else ""


def _no_day(ours: str | None, theirs: str | None) -> bool:
    """A date GCTP writes as the register holds it that is no calendar day (``19610000``): SF1520's
    dates are ``xsd:date``/``xsd:dateTime`` and leave it out."""
    import datetime as dt

    if ours is not None or not theirs or not theirs.isdigit() or len(theirs) != 8:
        return False
    try:
        dt.date(int(theirs[:4]), int(theirs[4:6]), int(theirs[6:8]))
    except ValueError:
        return True
    return False


def test_the_answer_agrees_with_stam_familie_and_navne3(world):
    """For every demo person: every value SF1520 and the GCTP services both carry is the same."""
    w = world
    checked = 0
    for pnr in _demo_pnrs(w):
        status, answer = _call(w, pnr)
        assert status == 200, answer
        got = _answer(answer)
        person, address = got["persondata"], (got.get("adresse") or {})
        current = address.get("aktuelAdresse") or {}
        stam = _gctp(w, "Stam+", pnr)["rows"][0]["fields"]
        names = _gctp(w, "navne3", pnr)["rows"][0]["fields"]
        family = _gctp(w, "Familie+", pnr)["rows"]
        navn = person.get("navn") or {}
        pairs = [
            (person["personnummer"], _v(stam, "PNR")),
            (person["gaeldendePersonnummer"], _v(stam, "PNRGAELD") or pnr),
            (person.get("koen"), _v(stam, "KOEN")),
            (_digits((person.get("foedselsdato") or {}).get("dato")) or None, _v(stam, "FOEDDATO")),
            ((person.get("status") or {}).get("status"), str(int(_v(stam, "STATUS")))),
            (navn.get("personadresseringsnavn"), _v(stam, "ADRNVN")),
            (navn.get("personadresseringsnavn"), _v(names, "CNVN_ADRNVN")),
            (navn.get("fornavn"), _v(names, "CNVN_FORNVN")), (navn.get("mellemnavn"), _v(names, "CNVN_MELNVN")),
            (navn.get("efternavn"), _v(names, "CNVN_EFTERNVN")),
            (navn.get("fornavnMarkering"), _v(names, "CNVN_FORNVNMRK")),
            (navn.get("mellemnavnMarkering"), _v(names, "CNVN_MELNVNMRK")),
            (navn.get("efternavnMarkering"), _v(names, "CNVN_EFTERNVNMRK")),
            (_digits((navn.get("navnestartdato") or {}).get("dato") or "")[:8] or None,
             (_v(names, "CNVN_STARTDATO") or "")[:8] or None),
            (_digits(((person.get("status") or {}).get("statusdato") or {}).get("dato") or "")[:8] or None,
             (_v(stam, "STARTDATOSTATUS") or "")[:8] or None),
            (current.get("kommunekode"), str(int(_v(stam, "KOMKOD"))) if _v(stam, "KOMKOD") else None),
            (current.get("vejkode"), str(int(_v(stam, "VEJKOD"))) if _v(stam, "VEJKOD") else None),
            (current.get("husnummer"), (_v(stam, "HUSNR") or "").lstrip("0") or None),
            (current.get("etage"), _v(stam, "ETAGE")), (current.get("sidedoer"), _v(stam, "SIDEDOER")),
            (current.get("bygningsnummer"), _v(stam, "BNR")), (current.get("conavn"), _v(stam, "CONVN")),
            (current.get("bynavn"), _v(stam, "BYNVN")), (current.get("lokalitet"), _v(stam, "LOKALITET")),
            (current.get("postnummer"), _v(stam, "POSTNR") if _v(stam, "POSTNR") != "0" else None),
            (current.get("postdistrikt"), _v(stam, "CPSN_POSTDISTTXT")),
            (current.get("standardadresse"), _v(stam, "STADR")),
            (current.get("vejadresseringsnavn"), _v(stam, "VEJADRNVN")),
        ]
        departure = address.get("udrejseoplysninger")
        if departure:
            pairs.append((departure.get("udrejselandekode"), str(int(_v(stam, "UDRLANDEKOD")))))
            pairs.extend((departure.get(f"udlandsadresse{i}"), _v(stam, f"UDLANDSADR{i}")) for i in range(1, 6))
        assert [(i, a, b) for i, (a, b) in enumerate(pairs) if a != b and not _no_day(a, b)] == [], pnr
        # the relatives Familie+ lists (those in the register) are SF1520's, by the same relation
        relations = got.get("relationer") or {}
        ours = {"Mor": (relations.get("mor") or {}).get("personnummer"),
                "Far": (relations.get("far") or {}).get("personnummer"),
                "Ægtefælle": (relations.get("aegtefaelle") or {}).get("personnummer")}
        children = {c["personnummer"] for c in relations.get("barn", [])}
        for row in family[1:]:
            relation, relative = _v(row["fields"], "FAMMRK"), _v(row["fields"], "PNR_FOEDDATO")
            if relation == "Barn":
                assert relative in children, (pnr, relative)
            elif relation in ours:
                assert ours[relation] == relative, (pnr, relation)
        checked += 1
    assert checked == 80


# --- refusals ------------------------------------------------------------------------------------------

def test_faults(world):
    w = world
    system = w["system"]
    good = _envelope("4", system.invocation(ServiceUUID=SERVICE_UUID), PERSON)
    # no certificate
    status, _, answer = _post(w["port"], w["pki"], path("4"), good)
    assert status == 500 and _fault(answer) == "NoClientCertificate"
    # a certificate of the CA for a CVR without a system
    stranger = w["pki"].client("stranger", "87654321")
    status, _, answer = _post(w["port"], w["pki"], path("4"), good, stranger)
    assert status == 500 and _fault(answer) == "UnknownUserSystem"
    # the Invocation Context: wrong agreement, missing, malformed, another service's UUID
    assert _fault(_call(w, PERSON, ServiceAgreementUUID="00000000-0000-4000-8000-000000000000")[1]) \
        == "WrongServiceAgreement"
    status, _, answer = _post(w["port"], w["pki"], path("4"), _envelope("4", None, PERSON), (system.cert, system.key))
    assert status == 500 and _fault(answer) == "InvalidCallParameters"
    assert _fault(_call(w, PERSON, UserUUID="not-a-uuid")[1]) == "InvalidCallParameters"
    assert _fault(_call(w, PERSON, ServiceUUID="7baec3a5-26a5-4922-80fd-37f3bad3dfcb")[1]) == "WrongService"
    # the PNR: malformed, missing, unknown
    for bad in ("12345", "0101001234x", "", "01010012345"):
        status, answer = _call(w, bad)
        assert status == 500 and _fault(answer) == "InvalidCallParameters", (bad, answer)
    status, answer = _call(w, None)
    assert status == 500 and _fault(answer) == "InvalidCallParameters"
    status, answer = _call(w, "0101000000")  # mod-11 valid? either way never a 200 nor a crash
    assert status == 500 and _fault(answer) in ("InvalidCallParameters", "PNRNotFound")
    status, answer = _call(w, "0101010000")
    assert status == 500 and _fault(answer) in ("InvalidCallParameters", "PNRNotFound")
    status, answer = _call(w, "0101720012")  # valid, not in the register
    assert status == 500 and _fault(answer) == "PNRNotFound", answer
    # no access: a group without SF1520
    status, answer = _call(w, PERSON, system=w["narrow"])
    assert status == 500 and _fault(answer) == "AccessDenied"
    # unreadable envelopes: faults, never a crash
    for broken in (b"", b"<x/>", b"not xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
                   _envelope("5", system.invocation(ServiceUUID=SERVICE_UUID), PERSON),  # v5 on the v4 path
                   good.replace(b"PersonLookupRequest", b"PersonSearchRequest")):
        status, _, answer = _post(w["port"], w["pki"], path("4"), broken, (system.cert, system.key))
        assert status == 500 and _fault(answer) == "InvalidRequest", broken
    # GET without ?wsdl, another method, an unknown contract file
    context = ssl.create_default_context(cafile=str(w["pki"].directory / "ca.crt"))
    import http.client

    for method, target, wanted in (("GET", path("5"), 404), ("PUT", path("5"), 405),
                                   ("GET", path("5") + "?file=../../etc/passwd", 404)):
        conn = http.client.HTTPSConnection("127.0.0.1", w["port"], context=context, timeout=30)
        conn.request(method, target)
        assert conn.getresponse().status == wanted
        conn.close()


def test_a_protected_address_is_hidden_from_a_system_that_may_not_see_it(world):
    """The attacker: a system whose group grants SF1520 but not protected addresses asks for a person
    under name and address protection. It learns the name and that the address is protected, never
    the address, the previous addresses or the birth registration place (which often names the
    municipality); the system that may see protected addresses gets them."""
    from opencpr.register.schema import protection

    w = world
    pnr = "0709614347"
    with w["engine"].begin() as conn:
        conn.execute(protection.insert().values(pnr=pnr, protection_type="0001", valid_from="2014-01-01",
                                                valid_to=None, registered_at="2014-01-01T00:00:00"))
    try:
        for version in sf1520.VERSIONS:
            status, seen = _call(w, pnr, version=version)
            status2, hidden = _call(w, pnr, version=version, system=w["plain"])
            assert status == status2 == 200
            full, blank = _answer(seen, version), _answer(hidden, version)
            assert full["adresse"]["aktuelAdresse"]["standardadresse"]
            assert "adresse" not in blank, blank.get("adresse")
            assert "foedselsregistreringsOplysninger" not in blank["persondata"]
            assert "foedselsregistreringsOplysninger" in full["persondata"]
            assert blank["persondata"]["adressebeskyttelse"]["beskyttet"] == "true"
            assert blank["persondata"]["navn"] == full["persondata"]["navn"]
            street = full["adresse"]["aktuelAdresse"]["vejadresseringsnavn"].encode()
            assert street not in hidden and b"kommuneCvr" not in hidden
            # the same caller over GCTP's Stam+ gets the address blank too: one rule for every door
        status, answer = _call(w, pnr, system=w["plain"])
        assert b"<ns:aktuelAdresse>" not in answer
    finally:
        with w["engine"].begin() as conn:
            conn.execute(protection.delete().where(protection.c.pnr == pnr))


def test_a_call_is_audited_on_the_system_and_counted(world):
    w = world
    actor = f"CVR:{w['system'].cvr}"

    def counted() -> tuple[int, int]:
        with w["engine"].connect() as conn:
            records = conn.execute(select(audit_record.c.id).where(audit_record.c.actor == actor,
                                                                   audit_record.c.service == "SF1520")).all()
            calls = conn.execute(select(usage_counter.c.calls).where(usage_counter.c.actor == actor,
                                                                     usage_counter.c.service == "SF1520")).scalars()
            return len(records), sum(calls)

    before = counted()
    status, _ = _call(w, PERSON, version="5")
    assert status == 200
    after = counted()
    assert after == (before[0] + 1, before[1] + 1)
    with w["engine"].connect() as conn:
        last = conn.execute(select(audit_record).where(audit_record.c.actor == actor)
                            .order_by(audit_record.c.id.desc()).limit(1)).mappings().first()
    assert last["service"] == "SF1520" and last["result_code"] == 0 and PERSON in (last["persons"] or "")
    # a refused call is audited too, and not counted
    _call(w, "0101720012")
    assert counted()[1] == after[1]


def test_the_authority_context(world):
    w = world
    # a system registered without a municipality, its group reaching every person: the call is made
    # for the municipality named, and audited so
    status, answer = _call(w, PERSON, municipality_cvr=AALBORG_CVR)
    assert status == 200, answer
    with w["engine"].connect() as conn:
        last = conn.execute(select(audit_record).where(audit_record.c.actor == f"CVR:{w['system'].cvr}")
                            .order_by(audit_record.c.id.desc()).limit(1)).mappings().first()
    assert last["authority"] == "0851"
    # not 8 digits, or no municipality's CVR: InvalidCallParameters
    for bad in ("1234", "12345678", ""):
        status, answer = _call(w, PERSON, municipality_cvr=bad)
        assert status == 500 and _fault(answer) == "InvalidCallParameters", bad
    # the system registered for Aalborg: Aalborg yes, København no
    assert _call(w, PERSON, system=w["aalborg"], municipality_cvr=AALBORG_CVR)[0] == 200
    status, answer = _call(w, PERSON, system=w["aalborg"], municipality_cvr=KOBENHAVN_CVR)
    assert status == 500 and _fault(answer) == "WrongMunicipality"
    # a system limited to its own municipality but registered without one cannot name one
    status, answer = _call(w, PERSON, system=w["scoped"], municipality_cvr=AALBORG_CVR)
    assert status == 500 and _fault(answer) == "WrongMunicipality"


def test_the_wsdl_names_this_server_and_version(world):
    w = world
    context = ssl.create_default_context(cafile=str(w["pki"].directory / "ca.crt"))
    import http.client

    for version in sf1520.VERSIONS:
        conn = http.client.HTTPSConnection("127.0.0.1", w["port"], context=context, timeout=30)
        conn.request("GET", path(version).lower() + "?wsdl")
        reply = conn.getresponse()
        body = reply.read()
        conn.close()
        assert reply.status == 200
        root = etree.fromstring(body)
        assert root.get("targetNamespace") == sf1520.namespace(version)
        address = root.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address").get("location")
        assert address == f"https://127.0.0.1:{w['port']}{path(version)}"
        assert b"?file=PersonBaseDataExtendedServiceMsg.xsd" in body


def test_every_municipality_has_its_cvr_number():
    """The 98 municipalities' CVR numbers (``kommuneCvr``, the AuthorityContext): one each, every
    one passing the CVR modulus-11 check, and back again."""
    from opencpr.domain import reference

    codes = [m.code for m in reference.municipality_infos()]
    assert len(codes) == 98
    numbers = {code: reference.municipality_cvr(code) for code in codes}
    assert all(n and len(n) == 8 for n in numbers.values()) and len(set(numbers.values())) == 98
    weights = (2, 7, 6, 5, 4, 3, 2, 1)
    assert all(sum(int(d) * w for d, w in zip(n, weights, strict=True)) % 11 == 0 for n in numbers.values())
    assert all(reference.municipality_for_cvr(n) == code for code, n in numbers.items())
    assert numbers["0851"] == AALBORG_CVR and numbers["0101"] == KOBENHAVN_CVR
    assert reference.municipality_cvr("5100") is None and reference.municipality_for_cvr("12345678") is None
