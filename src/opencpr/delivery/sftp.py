"""The SFTP server the subscribers fetch their deliveries from (asyncssh).

* A subscriber system logs on with its UserSystemUUID as user name and the SSH key registered for
  it (``opencpr systems add/setup --ssh-key``); public-key authentication only, and only for an
  active system.
* Each session is confined to the system's home (``IN/`` and ``OUT/``, see
  :class:`~opencpr.delivery.store.DeliveryStore`): paths are mapped inside it, never outside
  (asyncssh's chroot mapping; no links are ever made in a home).
* In ``IN/`` the system may list, read and delete its files; it may not write, rename or make
  anything there. ``OUT/`` takes its uploads. Nothing else is allowed: no shell, no exec, no
  links, no attribute changes.
* Deleting both files of a delivery (the data file and its ``.metadata``) marks the delivery
  fetched (:func:`opencpr.delivery.monitoring.mark_fetched`).

The host key is kept in a file (made on first start), so clients can pin it.
"""

from __future__ import annotations

import logging
import os
import posixpath
from pathlib import Path

import asyncssh
from sqlalchemy import Engine

from opencpr.access.subscribers import system_for_user_system
from opencpr.clock import Clock
from opencpr.delivery.monitoring import mark_fetched
from opencpr.delivery.store import DeliveryStore

__all__ = ["ensure_host_key", "start_sftp_server"]

log = logging.getLogger("opencpr.sftp")

def ensure_host_key(path: Path) -> Path:
    """The server's host key file, made (Ed25519) when missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = asyncssh.generate_private_key("ssh-ed25519")
        key.write_private_key(str(path))
        os.chmod(path, 0o600)
    return path


def _denied(what: str) -> asyncssh.SFTPError:
    return asyncssh.SFTPError(asyncssh.FX_PERMISSION_DENIED, what)


def _virtual(path: bytes) -> str:
    """A client's path as a path inside its home (``/IN/x``), ``..`` resolved within the home."""
    text = path.decode("utf-8", "replace")
    return posixpath.normpath(posixpath.join("/", text))


class _Server(asyncssh.SSHServer):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn

    def begin_auth(self, username: str) -> bool:
        found = system_for_user_system(self.engine, username)
        if found is None or not found[0].active or not found[1].ssh_public_key:
            log.info("SFTP logon refused for %r: no active system with an SSH key", username)
            self._conn.set_authorized_keys(asyncssh.import_authorized_keys(""))
            return True
        self._conn.set_authorized_keys(asyncssh.import_authorized_keys(found[1].ssh_public_key + "\n"))
        return True

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False


class _Sftp(asyncssh.SFTPServer):
    """One subscriber's session, confined to its home."""

    def __init__(self, chan: asyncssh.SSHServerChannel, engine: Engine, store: DeliveryStore, clock: Clock | None):
        username = chan.get_extra_info("username")
        found = system_for_user_system(engine, username)
        if found is None:
            raise _denied("no subscriber system")
        self.system_id = found[0].id
        self.engine, self.store, self.clock = engine, store, clock
        super().__init__(chan, chroot=str(store.home(self.system_id)).encode())

    def open(self, path, pflags, attrs):
        where = _virtual(path)
        writes = pflags & (asyncssh.FXF_WRITE | asyncssh.FXF_APPEND | asyncssh.FXF_CREAT | asyncssh.FXF_TRUNC)
        if writes and not where.startswith("/OUT/"):
            raise _denied("files may be written in OUT/ only")
        return super().open(path, pflags, attrs)

    def remove(self, path):
        where = _virtual(path)
        if not where.startswith("/IN/"):
            raise _denied("only delivered files in IN/ may be deleted")
        super().remove(path)
        name = where[len("/IN/"):]
        data = name[: -len(".metadata")] if name.endswith(".metadata") else name
        inbox = self.store.inbox(self.system_id)
        if not (inbox / data).exists() and not (inbox / f"{data}.metadata").exists():
            mark_fetched(self.engine, self.system_id, data, self.clock)

    def mkdir(self, path, attrs):
        raise _denied("no directories may be made")

    def rmdir(self, path):
        raise _denied("no directories may be removed")

    def rename(self, oldpath, newpath):
        raise _denied("files may not be renamed")

    def posix_rename(self, oldpath, newpath):
        raise _denied("files may not be renamed")

    def symlink(self, oldpath, newpath):
        raise _denied("no links")

    def link(self, oldpath, newpath):
        raise _denied("no links")

    def setstat(self, path, attrs):
        raise _denied("attributes may not be changed")

    def fsetstat(self, file_obj, attrs):
        raise _denied("attributes may not be changed")


async def start_sftp_server(engine: Engine, store: DeliveryStore, host: str, port: int, host_key: Path,
                            clock: Clock | None = None) -> asyncssh.SSHAcceptor:
    """Start the SFTP server on ``host:port`` (0: a free port; see ``acceptor.sockets``)."""
    ensure_host_key(host_key)
    return await asyncssh.create_server(
        lambda: _Server(engine), host, port, server_host_keys=[str(host_key)],
        sftp_factory=lambda chan: _Sftp(chan, engine, store, clock), allow_scp=False,
        agent_forwarding=False, x11_forwarding=False, allow_pty=False,
        line_editor=False)
