"""Certificates: development CA, server and OCES-style client certificates, CVR, subscriber systems."""

from __future__ import annotations

import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from opencpr.access.certificates import (
    CertificateError,
    cvr_from_certificate,
    make_ca,
    make_client_certificate,
    make_server_certificate,
    oces_identity,
)
from opencpr.access.subscribers import (
    SubscriberError,
    UnknownSystem,
    actor_for_certificate,
    add_system,
    set_system_active,
)
from opencpr.domain.kvit import Kvit
from opencpr.services.permissions import ensure_default_groups


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.mark.parametrize("form", ["oces2", "oces3", "both"])
def test_cvr_is_read_from_either_subject_form(ca, form):
    issued = make_client_certificate(ca, "12345678", uid="4711", form=form)
    subject = issued.certificate.subject
    serial = [a.value for a in subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)]
    org_id = [a.value for a in subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)]
    assert serial == (["CVR:12345678-UID:4711"] if form != "oces3" else [])
    assert org_id == (["NTRDK-12345678"] if form != "oces2" else [])
    assert cvr_from_certificate(issued.certificate) == "12345678"
    assert cvr_from_certificate(issued.certificate_pem()) == "12345678"  # PEM bytes
    assert cvr_from_certificate(issued.certificate.public_bytes(Encoding.DER)) == "12345678"
    assert oces_identity(issued.certificate) == ("12345678", "4711" if form != "oces3" else None)


def test_certificates_without_a_cvr_or_with_two_are_refused(ca):
    server = make_server_certificate(ca)
    with pytest.raises(CertificateError, match="names no CVR"):
        cvr_from_certificate(server.certificate)
    with pytest.raises(CertificateError, match="not a certificate"):
        cvr_from_certificate(b"garbage")
    with pytest.raises(CertificateError, match="8 digits"):
        make_client_certificate(ca, "1234")
    with pytest.raises(CertificateError, match="form"):
        make_client_certificate(ca, "12345678", form="oces4")


def test_server_certificate_names_localhost_and_loopback(ca):
    cert = make_server_certificate(ca).certificate
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(a) for a in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    cert.verify_directly_issued_by(ca.certificate)


def test_cvr_read_from_a_real_mutual_tls_handshake(ca, tmp_path):
    server = make_server_certificate(ca)
    client = make_client_certificate(ca, "87654321", uid="1", form="oces2")
    server_paths = server.save(tmp_path, "server")
    client_paths = client.save(tmp_path, "client")
    ca.save(tmp_path, "ca")
    assert oct(server_paths[0].stat().st_mode & 0o777) == "0o600"

    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(server_paths[1], server_paths[0])
    server_ctx.load_verify_locations(tmp_path / "ca.crt")
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    client_ctx = ssl.create_default_context(cafile=tmp_path / "ca.crt")
    client_ctx.load_cert_chain(client_paths[1], client_paths[0])

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    seen: dict[str, str] = {}

    def serve() -> None:
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            seen["cvr"] = cvr_from_certificate(tls.getpeercert(binary_form=True))
            tls.sendall(b"ok")

    thread = threading.Thread(target=serve)
    thread.start()
    with socket.create_connection(("127.0.0.1", port)) as raw, \
            client_ctx.wrap_socket(raw, server_hostname="localhost") as tls:
        assert tls.recv(2) == b"ok"
    thread.join(5)
    listener.close()
    assert seen == {"cvr": "87654321"}


def test_certificate_maps_to_subscriber_system_and_actor(engine, ca):
    ensure_default_groups(engine)
    general = add_system(engine, "11111111", "Kommunens fagsystem", authority="0851")
    special = add_system(engine, "11111111", "Særligt system", uid="42", group="cpr-office",
                         agreement_uuid="7baec3a5-26a5-4922-80fd-37f3bad3dfcb")
    any_cert = make_client_certificate(ca, "11111111", uid="7", form="both").certificate
    uid42 = make_client_certificate(ca, "11111111", uid="42", form="oces2").certificate
    oces3 = make_client_certificate(ca, "11111111", form="oces3").certificate

    actor = actor_for_certificate(engine, any_cert, client="10.0.0.1")
    assert (actor.kind, actor.cvr, actor.ident, actor.system) == ("system", "11111111", "CVR:11111111",
                                                                  "Kommunens fagsystem")
    assert actor.group.name == "subscriber-system" and actor.authority == "0851"
    assert actor.agreement_uuid == general.agreement_uuid and actor.client == "10.0.0.1"
    assert actor_for_certificate(engine, oces3).system == "Kommunens fagsystem"
    chosen = actor_for_certificate(engine, uid42)
    assert (chosen.system, chosen.group.name, chosen.agreement_uuid) == (
        "Særligt system", "cpr-office", "7baec3a5-26a5-4922-80fd-37f3bad3dfcb")

    with pytest.raises(UnknownSystem) as unknown:
        actor_for_certificate(engine, make_client_certificate(ca, "22222222").certificate)
    assert unknown.value.kvit is Kvit.NO_ACCESS
    set_system_active(engine, special.id, False)
    with pytest.raises(UnknownSystem, match="no active subscriber system"):
        actor_for_certificate(engine, uid42)
    with pytest.raises(SubscriberError, match="already exists"):
        add_system(engine, "11111111", "Igen")
    with pytest.raises(SubscriberError, match="8 digits"):
        add_system(engine, "1111", "Kort")
    with pytest.raises(SubscriberError, match="UUID"):
        add_system(engine, "33333333", "X", agreement_uuid="not-a-uuid")
    with pytest.raises(SubscriberError, match="no security group"):
        add_system(engine, "33333333", "X", group="nosuch")
