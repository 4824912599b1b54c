"""Test support for SF6002: a development CA, a subscriber system with its certificate, agreement,
user system and SSH key, and the server over two-way TLS."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from opencpr.access.certificates import Issued, make_ca, make_client_certificate, make_server_certificate
from opencpr.access.subscribers import add_system, set_subscription_setup
from opencpr.services.permissions import ensure_default_groups

SERVICE_UUID = "9cdccc2f-3243-11e2-8fef-d4bed98c5934"
USER_UUID = "0e5c1a4b-6a2c-4f0e-9e49-3c8d5b1f2a77"


@dataclass
class Subscriber:
    system_id: int
    cvr: str
    agreement: str
    user_system: str
    cert: Path
    key: Path

    def invocation(self, **override: str) -> dict[str, str]:
        values = {"ServiceAgreementUUID": self.agreement, "UserSystemUUID": self.user_system,
                  "UserUUID": USER_UUID, "ServiceUUID": SERVICE_UUID}
        values.update(override)
        return values


@dataclass
class Pki:
    directory: Path
    ca: Issued

    @classmethod
    def make(cls, directory: Path) -> Pki:
        ca = make_ca()
        ca.save(directory, "ca")
        make_server_certificate(ca).save(directory, "server")
        return cls(directory, ca)

    def client(self, stem: str, cvr: str, ca: Issued | None = None) -> tuple[Path, Path]:
        key, cert = make_client_certificate(ca or self.ca, cvr, system=stem).save(self.directory, stem)
        return cert, key

    def server_ssl(self) -> dict:
        d = self.directory
        return {"ssl_certfile": str(d / "server.crt"), "ssl_keyfile": str(d / "server.key"),
                "ssl_ca_certs": str(d / "ca.crt"), "ssl_cert_reqs": ssl.CERT_OPTIONAL}


def add_subscriber(engine, pki: Pki, cvr: str, name: str, *, group: str = "subscriber-system",
                   ssh_key: str | None = None, clock=None) -> Subscriber:
    ensure_default_groups(engine, clock)
    system = add_system(engine, cvr, name, group=group, clock=clock)
    import uuid

    user_system = str(uuid.uuid5(uuid.NAMESPACE_URL, f"test:{cvr}:{name}"))
    set_subscription_setup(engine, system.id, user_system_uuid=user_system, ssh_public_key=ssh_key, clock=clock)
    cert, key = pki.client(f"client-{system.id}", cvr)
    return Subscriber(system.id, cvr, system.agreement_uuid, user_system, cert, key)


@contextlib.contextmanager
def soap_server(engine, pki: Pki, clock=None) -> Iterator[int]:
    from live import running
    from opencpr.app import create_app
    from opencpr.server import ClientCertificateProtocol
    from opencpr.services.gate import Gate

    gate = Gate(engine, clock, audit_mode="sync")
    with running(create_app(engine, gate=gate, run_due_every=None), ssl=pki.server_ssl(),
                 http=ClientCertificateProtocol) as port:
        yield port
