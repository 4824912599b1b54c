"""SF6002 over SOAP 1.1 with two-way TLS: zeep on the served WSDL calls every operation; the real
clients' exact bytes are answered with the prefixes they index; bad input is a fault and stores
nothing; wrong certificates, agreements, user systems and disabled systems are refused."""

from __future__ import annotations

import http.client
import ssl

import pytest
import requests
from lxml import etree
from sqlalchemy import select
from zeep import Client
from zeep.exceptions import Fault
from zeep.transports import Transport

from opencpr.access.subscribers import set_subscription_setup, set_system_active
from opencpr.register.access_schema import audit_record, usage_counter
from opencpr.register.schema import subscription_filter
from subscription_support import Pki, add_subscriber, soap_server

PATH = "/service/CprSubscription/CprSubscription/1/"


@pytest.fixture
def pki(tmp_path):
    return Pki.make(tmp_path / "pki")


@pytest.fixture
def setup(engine, pki):
    system = add_subscriber(engine, pki, "12345678", "Sagssystem")
    with soap_server(engine, pki) as port:
        yield engine, pki, system, port


def _zeep(port: int, pki: Pki, cert=None) -> Client:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=
    session.verify = str(pki.directory / "ca.crt")
    session.headers["Connection"] = "close"  # no idle keep-alive connection to hold the server's shutdown
    if cert is not None:
        session.cert = tuple(str(p) for p in cert)
    return Client(f"https://127.0.0.1:{port}{PATH}?wsdl", transport=Transport(session=session, timeout=30))


def _raw(port: int, pki: Pki, body: bytes, cert=None, path: str = PATH, headers: dict | None = None
         ) -> tuple[int, bytes]:
    context = ssl.create_default_context(cafile=str(pki.directory / "ca.crt"))
    if cert is not None:
        context.load_cert_chain(str(cert[0]), str(cert[1]))
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    try:
        conn.putrequest("POST", path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def _filters(engine, system_id):
    with engine.connect() as conn:
        return sorted((r.kind, r.value) for r in conn.execute(
            select(subscription_filter).where(subscription_filter.c.system_id == system_id)))


def test_the_wsdl_names_this_server_and_zeep_calls_every_operation(setup):
    engine, pki, system, port = setup
    client = _zeep(port, pki, (system.cert, system.key))
    assert client.wsdl.services["CprSubscriptionWebService"].ports["CprSubscriptionWebServicePort"] \
        .binding_options["address"] == f"https://127.0.0.1:{port}{PATH}"
    ctx = system.invocation()
    s = client.service
    assert s.AddPNRSubscription(InvocationContext=ctx, PNR="0101011234") == "ADDED"
    assert s.AddPNRSubscription(InvocationContext=ctx, PNR="0101011234") == "ALREADY_EXISTED"
    assert s.AddPNRSubscription(InvocationContext=ctx, PNR="0707614285") == "ADDED"
    assert s.AddMunicipalityCodeSubscription(InvocationContext=ctx, MunicipalityCode=851) == "ADDED"
    assert s.AddMunicipalityCodeSubscription(InvocationContext=ctx, MunicipalityCode=851) == "ALREADY_EXISTED"
    assert s.AddMunicipalityCodeSubscription(InvocationContext=ctx, MunicipalityCode=9999) == "ADDED"  # unknown
    assert s.AddAgeRangeSubscription(InvocationContext=ctx, AgeRange={"StartAge": 0, "EndAge": 17}) == "ADDED"
    assert s.AddAgeRangeSubscription(InvocationContext=ctx, AgeRange={"StartAge": 0, "EndAge": 17}) \
        == "ALREADY_EXISTED"
    assert s.AddChangeCodeSubscription(InvocationContext=ctx, ChangeCode="A21") == "ADDED"
    assert s.AddChangeCodeSubscription(InvocationContext=ctx, ChangeCode="A01") == "ADDED"
    found = s.GetAllFilters(InvocationContext=ctx)
    assert [(a.StartAge, a.EndAge) for a in found.AgeRange] == [(0, 17)]
    assert found.ChangeCode == ["A01", "A21"]
    assert found.MunicipalityCode == [851, 9999]
    assert found.PNR == ["0101011234", "0707614285"]

    assert s.RemovePNRSubscription(InvocationContext=ctx, PNR="0101011234") == "REMOVED"
    assert s.RemovePNRSubscription(InvocationContext=ctx, PNR="0101011234") == "NON_EXISTING_PNR"
    assert s.RemoveMunicipalityCodeSubscription(InvocationContext=ctx, MunicipalityCode=101) \
        == "NON_EXISTING_MUNICIPALITYCODE"
    assert s.RemoveMunicipalityCodeSubscription(InvocationContext=ctx, MunicipalityCode=9999) == "REMOVED"
    assert s.RemoveAgeRangeSubscription(InvocationContext=ctx, AgeRange={"StartAge": 65, "EndAge": 120}) \
        == "NON_EXISTING_AGERANGE"
    assert s.RemoveAgeRangeSubscription(InvocationContext=ctx, AgeRange={"StartAge": 0, "EndAge": 17}) == "REMOVED"
    assert s.RemoveChangeCodeSubscription(InvocationContext=ctx, ChangeCode="A13") == "NON_EXISTING_CHANGECODE"
    assert s.RemoveChangeCodeSubscription(InvocationContext=ctx, ChangeCode="A01") == "REMOVED"
    assert s.RemoveAll(InvocationContext=ctx, FilterGroup="EventChangeCode") == "REMOVED"
    assert s.RemoveAll(InvocationContext=ctx, FilterGroup="EventChangeCode") == "NON_EXISTING_CHANGECODE"
    assert s.RemoveAll(InvocationContext=ctx, FilterGroup="AgeRange") == "NON_EXISTING_AGERANGE"
    assert _filters(engine, system.system_id) == [("municipality", "0851"), ("pnr", "0707614285")]
    assert s.RemoveAll(InvocationContext=ctx, FilterGroup="PNR") == "REMOVED"
    assert s.RemoveAll(InvocationContext=ctx, FilterGroup="MunicipalityCode") == "REMOVED"
    assert _filters(engine, system.system_id) == []
    # every call is audited on the system and counted for billing
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(select(audit_record).where(audit_record.c.actor == "CVR:12345678"))]
        calls = conn.execute(select(usage_counter.c.calls).where(usage_counter.c.actor == "CVR:12345678")).scalar()
    assert len(actions) == 24 and actions.count("subscribe") == 10 and "get-filters" in actions
    assert calls == 24


def test_the_no_filter_subscription(setup):
    engine, pki, system, port = setup
    inv = "".join(f"<ic:{k}>{v}</ic:{k}>" for k, v in system.invocation().items())

    def call(op: str) -> bytes:
        body = (f'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
                f'xmlns:s="http://serviceplatformen.dk/xml/wsdl/soap11/CprSubscriptionService/1/" '
                f'xmlns:ic="http://serviceplatformen.dk/xml/schemas/InvocationContext/1/"><soap:Body>'
                f'<s:{op}><ic:InvocationContext>{inv}</ic:InvocationContext></s:{op}></soap:Body></soap:Envelope>')
        status, answer = _raw(port, pki, body.encode(), (system.cert, system.key))
        assert status == 200, answer
        return answer

    assert b"<ns3:Result>ADDED</ns3:Result>" in call("AddNoFilterSubscription")
    assert b"<ns3:Result>ALREADY_EXISTED</ns3:Result>" in call("AddNoFilterSubscription")
    assert _filters(engine, system.system_id) == [("no_filter", "")]
    assert b"<ns3:Result>REMOVED</ns3:Result>" in call("RemoveNoFilterSubscription")
    assert b"<ns3:Result>NON_EXISTING_NOFILTER</ns3:Result>" in call("RemoveNoFilterSubscription")


def _fault(excinfo) -> str:
    detail = excinfo.value.detail
    return detail.find(".//{http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/}ErrorCode").text


def test_bad_values_are_faults_and_store_nothing(setup):
    engine, pki, system, port = setup
    s = _zeep(port, pki, (system.cert, system.key)).service
    ctx = system.invocation()
    for call in (lambda: s.AddPNRSubscription(InvocationContext=ctx, PNR="12345"),
                 lambda: s.AddPNRSubscription(InvocationContext=ctx, PNR="abcdefghij"),
                 lambda: s.AddAgeRangeSubscription(InvocationContext=ctx, AgeRange={"StartAge": 60, "EndAge": 18}),
                 lambda: s.AddChangeCodeSubscription(InvocationContext=ctx, ChangeCode="ZZZ"),
                 lambda: s.AddChangeCodeSubscription(InvocationContext=ctx, ChangeCode="")):
        with pytest.raises(Fault) as excinfo:
            call()
        assert _fault(excinfo) == "InvalidCallParameters"
        assert excinfo.value.code.endswith("Server")
    # a negative municipality code, which zeep itself would not send: the seed's own example
    body = (b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            b'<AddMunicipalityCodeSubscription xmlns="http://serviceplatformen.dk/xml/wsdl/soap11/'
            b'CprSubscriptionService/1/"><InvocationContext xmlns="http://serviceplatformen.dk/xml/schemas/'
            b'InvocationContext/1/">'
            + "".join(f"<{k}>{v}</{k}>" for k, v in ctx.items()).encode()
            + b'</InvocationContext><MunicipalityCode>-851</MunicipalityCode></AddMunicipalityCodeSubscription>'
              b'</soap:Body></soap:Envelope>')
    status, answer = _raw(port, pki, body, (system.cert, system.key))
    assert status == 500
    assert b"<faultcode>soap:Server</faultcode>" in answer and b"InvalidCallParameters" in answer
    assert b"municipality code was negative" in answer
    for broken in (b"", b"<not-xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
                   b"<a/>", body.replace(b"AddMunicipalityCodeSubscription", b"AddEverything")):
        status, answer = _raw(port, pki, broken, (system.cert, system.key))
        assert status == 500 and b"<soap:Fault>" in answer, answer
    assert _filters(engine, system.system_id) == []


def test_refusals_wrong_certificate_agreement_user_system_service_and_disabled(setup, tmp_path):
    engine, pki, system, port = setup
    ctx = system.invocation()
    # no certificate: a fault, not a closed connection
    with pytest.raises(Fault) as excinfo:
        _zeep(port, pki).service.AddPNRSubscription(InvocationContext=ctx, PNR="0101011234")
    assert _fault(excinfo) == "NoClientCertificate"
    # a certificate of the same CA for a CVR that has no system
    stranger = pki.client("stranger", "87654321")
    with pytest.raises(Fault) as excinfo:
        _zeep(port, pki, stranger).service.AddPNRSubscription(InvocationContext=ctx, PNR="0101011234")
    assert _fault(excinfo) == "UnknownUserSystem"
    # a certificate of another CA for the right CVR: the TLS handshake refuses it
    from opencpr.access.certificates import make_ca

    forged = pki.client("forged", system.cvr, ca=make_ca("Someone else's CA"))
    with pytest.raises(requests.exceptions.ConnectionError):  # SSLError, or a closed connection (TLS 1.3)
        _zeep(port, pki, forged).service.AddPNRSubscription(InvocationContext=ctx, PNR="0101011234")
    s = _zeep(port, pki, (system.cert, system.key)).service
    for override, code in (({"ServiceAgreementUUID": "00000000-0000-4000-8000-000000000000"}, "WrongServiceAgreement"),
                           ({"UserSystemUUID": "00000000-0000-4000-8000-000000000001"}, "WrongUserSystem"),
                           ({"ServiceUUID": "00000000-0000-4000-8000-000000000002"}, "WrongService")):
        with pytest.raises(Fault) as excinfo:
            s.AddPNRSubscription(InvocationContext=system.invocation(**override), PNR="0101011234")
        assert _fault(excinfo) == code
    # another registered system's certificate cannot use this system's agreement
    other = add_subscriber(engine, pki, "11223344", "Andet system")
    with pytest.raises(Fault) as excinfo:
        _zeep(port, pki, (other.cert, other.key)).service.AddPNRSubscription(InvocationContext=ctx, PNR="0101011234")
    assert _fault(excinfo) == "WrongServiceAgreement"
    set_system_active(engine, system.system_id, False)
    with pytest.raises(Fault) as excinfo:
        s.AddPNRSubscription(InvocationContext=ctx, PNR="0101011234")
    assert _fault(excinfo) == "UnknownUserSystem"
    set_system_active(engine, system.system_id, True)
    set_subscription_setup(engine, system.system_id, user_system_uuid="00000000-0000-4000-8000-000000000009")
    with pytest.raises(Fault) as excinfo:
        s.AddPNRSubscription(InvocationContext=ctx, PNR="0101011234")
    assert _fault(excinfo) == "WrongUserSystem"
    assert _filters(engine, system.system_id) == []
    with engine.connect() as conn:  # refusals are audited too
        refused = conn.execute(select(audit_record.c.result_code).where(audit_record.c.actor == "CVR:12345678",
                                                                        audit_record.c.result_code != 0)).all()
    assert len(refused) >= 4


def test_the_magenta_client_bytes_latin1_no_headers_children_in_the_pnr_namespace(setup):
    """cpr_abonnement's envelope: Latin-1, no declaration, no Content-Type, no SOAPAction, the
    InvocationContext children in the PNR namespace, posted to CPR Broker's spelling of the path;
    the reply is read with literal prefixes."""
    engine, pki, system, port = setup
    inv = system.invocation()
    body = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:ns="http://serviceplatformen.dk/xml/wsdl/soap11/CprSubscriptionService/1/" '
        'xmlns:ns1="http://serviceplatformen.dk/xml/schemas/InvocationContext/1/" '
        'xmlns:ns2="http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/">\n'
        '<soap:Header/>\n<soap:Body>\n<ns:AddPNRSubscription>\n<ns1:InvocationContext>\n'
        f'<ns2:ServiceAgreementUUID>{inv["ServiceAgreementUUID"]}</ns2:ServiceAgreementUUID>\n'
        f'<ns2:UserSystemUUID>{inv["UserSystemUUID"]}</ns2:UserSystemUUID>\n'
        f'<ns2:UserUUID>{inv["UserUUID"]}</ns2:UserUUID>\n'
        f'<ns2:ServiceUUID>{inv["ServiceUUID"]}</ns2:ServiceUUID>\n'
        '<ns2:AccountingInfo>Søren Ærø</ns2:AccountingInfo>\n'
        '</ns1:InvocationContext>\n<ns2:PNR>0101011234</ns2:PNR>\n</ns:AddPNRSubscription>\n'
        '</soap:Body>\n</soap:Envelope>').encode("iso-8859-1")
    status, answer = _raw(port, pki, body, (system.cert, system.key),
                          path="/service/CPRSubscription/CPRSubscription/1/")
    assert status == 200, answer
    assert answer.startswith(b"<?xml") and b"<soap:Envelope" in answer and b"<soap:Body>" in answer
    assert b"<ns3:AddPNRSubscriptionResponse" in answer and b"<ns3:Result>ADDED</ns3:Result>" in answer
    get_all = body.replace(b"AddPNRSubscription", b"GetAllFilters").replace(b"<ns2:PNR>0101011234</ns2:PNR>\n", b"")
    status, answer = _raw(port, pki, get_all, (system.cert, system.key), path="/service/cprsubscription/cprsubscription/1")
    assert status == 200, answer
    root = etree.fromstring(answer)
    assert root.nsmap == {"soap": "http://schemas.xmlsoap.org/soap/envelope/"}
    assert b"<ns2:PNR>0101011234</ns2:PNR>" in answer and b"<ns3:GetAllFiltersResponse" in answer
    assert _filters(engine, system.system_id) == [("pnr", "0101011234")]
