"""Running the server: HTTPS (with the development certificates, made on first start) and plain HTTP.

Each process runs a uvicorn server per listener; ``workers`` > 1 starts that many processes, each
listening on the same ports (``SO_REUSEPORT``). Client certificates are asked for but
not required (a SOAP caller without one gets a SOAP fault, not a closed connection).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from opencpr.config import Settings

log = logging.getLogger("opencpr.server")


@dataclass(frozen=True)
class Listener:
    scheme: str
    host: str
    port: int


class ClientCertificateProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol that puts the verified client certificate into each request's
    scope, in the ASGI TLS extension's shape: ``scope["extensions"]["tls"]["client_cert_chain"]``
    (PEM strings, the peer's own certificate first). uvicorn itself verifies the certificate
    against the configured CA but does not pass it on; the SOAP services read the CVR from it.

    This relies on uvicorn's protocol internals (``connection_made``, ``on_message_begin``):
    uvicorn is pinned, and a test reads a CVR from a real client certificate through it.
    """

    _peer_pem: str | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        self._peer_pem = ssl.DER_cert_to_PEM_cert(der) if der else None

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._peer_pem is not None:
            self.scope["extensions"] = {"tls": {"client_cert_chain": [self._peer_pem], "tls_version": None}}


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


def _configs(settings: Settings, log_level: str) -> list[tuple[Listener, dict]]:
    configs = []
    common = {"log_level": log_level, "http": ClientCertificateProtocol, "lifespan": "on", "access_log": False,
              "timeout_keep_alive": 30}
    if settings.https_port:
        ensure_certificates(settings)
        tls: dict = {"ssl_certfile": str(settings.server_cert), "ssl_keyfile": str(settings.server_key)}
        if settings.ca_cert and Path(settings.ca_cert).exists():
            tls |= {"ssl_ca_certs": str(settings.ca_cert), "ssl_cert_reqs": ssl.CERT_OPTIONAL}
        configs.append((Listener("https", settings.host, settings.https_port),
                        {"host": settings.host, "port": settings.https_port, **common, **tls}))
    if settings.http_port:
        configs.append((Listener("http", settings.host, settings.http_port),
                        {"host": settings.host, "port": settings.http_port, **common}))
    if not configs:
        raise ValueError("neither an HTTPS nor an HTTP port is configured")
    return configs


def _bind(listener: Listener, reuse_port: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in listener.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # IPPROTO_TCP: asyncio sets TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((listener.host, listener.port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


async def _run(app, configs: list[tuple[Listener, dict]], sockets: list[socket.socket] | None,
               started: Callable[[list[Listener]], None] | None, background=None) -> None:
    servers = []
    for i, (listener, options) in enumerate(configs):
        config = uvicorn.Config(app, **(options | ({"lifespan": "off"} if servers else {})))
        servers.append((listener, uvicorn.Server(config), [sockets[i]] if sockets else None))
    tasks = [asyncio.create_task(server.serve(sockets=socks)) for _, server, socks in servers]
    jobs = asyncio.create_task(background()) if background is not None else None
    if started is not None:
        while not all(s.started for _, s, _ in servers):
            if any(t.done() for t in tasks):
                break
            await asyncio.sleep(0.05)
        started([listener for listener, _, _ in servers])
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for _, server, _ in servers:
        server.should_exit = True
    await asyncio.gather(*pending, return_exceptions=True)
    if jobs is not None:
        jobs.cancel()
        await asyncio.gather(jobs, return_exceptions=True)
    for task in done:
        task.result()


def _run_loop(main) -> None:
    """Run the coroutine ``main`` to completion on uvloop where it is installed (as uvicorn itself
    would), else on asyncio's own event loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


def _worker(app_factory: Callable[[], object], configs: list[tuple[Listener, dict]],
            sockets: list[socket.socket]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers with SIGTERM
    _run_loop(_run(app_factory(), configs, sockets, None))


def serve(app_factory: Callable[[], object], settings: Settings, log_level: str = "info",
          started: Callable[[list[Listener]], None] | None = None, workers: int = 1,
          background: Callable[[], object] | None = None) -> None:
    """Serve the application ``app_factory()`` makes, in this process or in ``workers`` processes.

    ``background()`` is a coroutine run once beside the listeners for as long as they serve (the
    SFTP server and the nightly jobs): in this process, or with several workers in a thread of
    the parent process.

    With several workers the listening sockets are opened here: one per worker and listener where
    the system has ``SO_REUSEPORT`` (the kernel spreads the connections over the workers; with one
    shared socket, the worker that accepts first takes every connection waiting, and a few
    long-lived connections can all land on one worker), else one shared socket. Each worker makes
    its own application (and so its own database engine) after it has started.
    """
    configs = _configs(settings, log_level)
    if workers <= 1:
        _run_loop(_run(app_factory(), configs, None, started, background))
        return
    reuse_port = hasattr(socket, "SO_REUSEPORT")
    per_worker = [[_bind(listener, reuse_port) for listener, _ in configs]
                  for _ in range(workers if reuse_port else 1)]
    sockets = [sock for socks in per_worker for sock in socks]
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_worker, args=(app_factory, configs, per_worker[i % len(per_worker)]),
                                 daemon=True) for i in range(workers)]
    for process in processes:
        process.start()
    if started is not None:
        started([listener for listener, _ in configs])
    stop = threading.Event()
    if background is not None:
        threading.Thread(target=lambda: _run_loop(background()), daemon=True, name="background").start()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.is_set() and all(p.is_alive() for p in processes):
            stop.wait(0.5)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(10)
        for sock in sockets:
            sock.close()
