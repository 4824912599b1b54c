"""Certificates: a development CA, a server certificate and OCES-style client certificates.

Machine-to-machine services (SOAP) identify the calling company by the CVR number in its OCES
company certificate. Two subject forms exist and both are read:

* OCES2: ``serialNumber=CVR:<cvr>-UID:<n>`` (or ``-FID:``/``-RID:``) in the subject;
* OCES3: ``organizationIdentifier=NTRDK-<cvr>``.

This module makes development certificates of either form (or both at once) with
``cryptography``; real OCES certificates are issued by the Danish Agency for Digital Government.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CVR_PATTERN = re.compile(r"\d{8}")
_OCES2 = re.compile(r"CVR:(\d{8})-(?:UID|FID|RID):(\S+)", re.IGNORECASE)
_OCES3 = re.compile(r"NTRDK-(\d{8})", re.IGNORECASE)
FORMS = ("oces2", "oces3", "both")


class CertificateError(ValueError):
    """A certificate cannot be made or read as asked (the message says why)."""


@dataclass(frozen=True, slots=True)
class Issued:
    """A private key and its certificate."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def save(self, directory: Path, stem: str) -> tuple[Path, Path]:
        """Write ``<stem>.key`` (mode 0600) and ``<stem>.crt``; return their paths."""
        directory.mkdir(parents=True, exist_ok=True)
        key_path, cert_path = directory / f"{stem}.key", directory / f"{stem}.crt"
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(self.key_pem())
        cert_path.write_bytes(self.certificate_pem())
        return key_path, cert_path

    @classmethod
    def load(cls, directory: Path, stem: str) -> Issued:
        key = serialization.load_pem_private_key((directory / f"{stem}.key").read_bytes(), None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise CertificateError(f"{directory / stem}.key is not an RSA key")
        return cls(key, x509.load_pem_x509_certificate((directory / f"{stem}.crt").read_bytes()))


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def make_ca(common_name: str = "OpenCPR Development CA", *, days: int = 3650) -> Issued:
    """A self-signed certificate authority for development and tests."""
    key = _key()
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "OpenCPR"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = _now()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return Issued(key, cert)


def _issue(ca: Issued, subject: x509.Name, usage: x509.ObjectIdentifier, san: list[x509.GeneralName] | None,
           days: int) -> Issued:
    key = _key()
    now = _now()
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.certificate.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                              critical=False))
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return Issued(key, builder.sign(ca.key, hashes.SHA256()))


def make_server_certificate(ca: Issued, hosts: tuple[str, ...] = ("localhost", "127.0.0.1"), *,
                            days: int = 825) -> Issued:
    """A TLS server certificate for ``hosts`` (names and IP addresses)."""
    san: list[x509.GeneralName] = []
    for host in hosts:
        try:
            san.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            san.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "OpenCPR"),
                         x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    return _issue(ca, subject, ExtendedKeyUsageOID.SERVER_AUTH, san, days)


def make_client_certificate(ca: Issued, cvr: str, *, organisation: str = "Development company",
                            system: str = "Development system", uid: str | None = None, form: str = "both",
                            days: int = 825) -> Issued:
    """An OCES-style company (system) certificate for ``cvr``.

    ``form`` is ``oces2`` (``serialNumber=CVR:<cvr>-UID:<uid>``), ``oces3``
    (``organizationIdentifier=NTRDK-<cvr>``) or ``both``.
    """
    if not isinstance(cvr, str) or not CVR_PATTERN.fullmatch(cvr):
        raise CertificateError(f"a CVR number is 8 digits, not {cvr!r}")
    if form not in FORMS:
        raise CertificateError(f"form must be one of {', '.join(FORMS)}, not {form!r}")
    uid = uid or str(x509.random_serial_number() % 10**8)
    if not re.fullmatch(r"[A-Za-z0-9]{1,32}", uid):
        raise CertificateError(f"a UID is 1-32 letters and digits, not {uid!r}")
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
                  x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{organisation} // CVR:{cvr}")]
    if form in ("oces3", "both"):
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"NTRDK-{cvr}"))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, system))
    if form in ("oces2", "both"):
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, f"CVR:{cvr}-UID:{uid}"))
    return _issue(ca, x509.Name(attributes), ExtendedKeyUsageOID.CLIENT_AUTH, None, days)


def load_certificate(data: bytes | str | x509.Certificate) -> x509.Certificate:
    """A certificate from an object, PEM text or DER bytes."""
    if isinstance(data, x509.Certificate):
        return data
    raw = data.encode("ascii") if isinstance(data, str) else data
    try:
        if raw.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(raw)
        return x509.load_der_x509_certificate(raw)
    except ValueError as exc:
        raise CertificateError(f"not a certificate: {exc}") from None


_NAMES = {NameOID.SERIAL_NUMBER: "serialNumber", NameOID.ORGANIZATION_IDENTIFIER: "organizationIdentifier"}


def subject_text(name: x509.Name) -> str:
    """A subject or issuer as RFC 4514 text, with OCES's attribute names spelled out."""
    return name.rfc4514_string(_NAMES)


def _subject_values(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(a.value) for a in cert.subject.get_attributes_for_oid(oid)]


def oces_identity(cert: bytes | str | x509.Certificate) -> tuple[str, str | None]:
    """``(cvr, uid)`` from a certificate's subject; ``uid`` is None for the OCES3 form alone."""
    cert = load_certificate(cert)
    found: dict[str, str | None] = {}
    for value in _subject_values(cert, NameOID.SERIAL_NUMBER):
        m = _OCES2.fullmatch(value.strip())
        if m:
            found[m.group(1)] = m.group(2)
    for value in _subject_values(cert, NameOID.ORGANIZATION_IDENTIFIER):
        m = _OCES3.fullmatch(value.strip())
        if m:
            found.setdefault(m.group(1), None)
    if not found:
        raise CertificateError(f"the certificate's subject ({subject_text(cert.subject)}) names no CVR "
                               "(neither serialNumber=CVR:<cvr>-UID:… nor organizationIdentifier=NTRDK-<cvr>)")
    if len(found) > 1:
        raise CertificateError(f"the certificate's subject names different CVR numbers: {', '.join(sorted(found))}")
    cvr, uid = next(iter(found.items()))
    return cvr, uid


def cvr_from_certificate(cert: bytes | str | x509.Certificate) -> str:
    """The CVR number in an OCES2 or OCES3 company certificate."""
    return oces_identity(cert)[0]
