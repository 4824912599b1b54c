"""Running the server: HTTPS (with the development certificates, made on first start) and plain HTTP.

One asyncio process runs a uvicorn server per listener. Client certificates are asked for but
not required (a SOAP caller without one gets a SOAP fault, not a closed connection).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from opencpr.config import Settings

log = logging.getLogger("opencpr.server")


@dataclass(frozen=True)
class Listener:
    scheme: str
    host: str
    port: int


def ensure_certificates(settings: Settings) -> None:
    """Make the development CA and server certificate when the configured files are missing."""
    from opencpr.access.certificates import Issued, make_ca, make_server_certificate

    cert, key = settings.server_cert, settings.server_key
    assert cert is not None and key is not None and settings.cert_dir is not None
    if cert.exists() and key.exists():
        return
    directory = settings.cert_dir
    if (directory / "ca.crt").exists() and (directory / "ca.key").exists():
        ca = Issued.load(directory, "ca")
    else:
        ca = make_ca()
        ca.save(directory, "ca")
    hosts = tuple(dict.fromkeys(("localhost", "127.0.0.1", settings.host)))
    issued = make_server_certificate(ca, hosts)
    key_path, cert_path = issued.save(directory, "server")
    if cert_path != cert or key_path != key:
        cert.parent.mkdir(parents=True, exist_ok=True)
        cert.write_bytes(cert_path.read_bytes())
        key.write_bytes(key_path.read_bytes())
    log.info("made development certificates in %s", directory)


def _configs(app, settings: Settings, log_level: str) -> list[tuple[Listener, uvicorn.Config]]:
    configs = []
    common = {"log_level": log_level, "http": "httptools", "lifespan": "on", "access_log": False,
              "timeout_keep_alive": 30}
    if settings.https_port:
        ensure_certificates(settings)
        tls: dict = {"ssl_certfile": str(settings.server_cert), "ssl_keyfile": str(settings.server_key)}
        if settings.ca_cert and Path(settings.ca_cert).exists():
            tls |= {"ssl_ca_certs": str(settings.ca_cert), "ssl_cert_reqs": ssl.CERT_OPTIONAL}
        configs.append((Listener("https", settings.host, settings.https_port),
                        uvicorn.Config(app, host=settings.host, port=settings.https_port, **common, **tls)))
    if settings.http_port:
        configs.append((Listener("http", settings.host, settings.http_port),
                        uvicorn.Config(app, host=settings.host, port=settings.http_port, **common)))
    if not configs:
        raise ValueError("neither an HTTPS nor an HTTP port is configured")
    return configs


async def serve_async(app, settings: Settings, log_level: str = "info", started=None) -> None:
    servers = []
    for listener, config in _configs(app, settings, log_level):
        server = uvicorn.Server(config)
        if servers:  # only the first server installs the signal handlers and runs the lifespan
            config.lifespan = "off"
        servers.append((listener, server))

    async def run(server: uvicorn.Server) -> None:
        await server.serve()

    tasks = [asyncio.create_task(run(s)) for _, s in servers]
    if started is not None:
        while not all(s.started for _, s in servers):
            if any(t.done() for t in tasks):
                break
            await asyncio.sleep(0.05)
        started([listener for listener, _ in servers])
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for _, server in servers:
        server.should_exit = True
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        task.result()


def serve(app, settings: Settings, log_level: str = "info", started=None) -> None:
    asyncio.run(serve_async(app, settings, log_level, started))
