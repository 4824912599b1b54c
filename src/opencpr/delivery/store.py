"""The delivery store: each subscriber system's home on disk, with ``IN/`` (deliveries to it) and
``OUT/`` (its own uploads), and how a delivery gets there without a reader ever seeing half of it.

Layout under the store's root (``delivery_dir``)::

    <root>/homes/<system id>/IN/D261203.L000001            data file
    <root>/homes/<system id>/IN/D261203.L000001.metadata   metadata file
    <root>/homes/<system id>/OUT/
    <root>/staging/<system id>/                            files being written (outside every home)

A file is written in ``staging`` and flushed to disk, then renamed into ``IN`` (a rename within
one file system is atomic): the data file first, the metadata file last, so a subscriber that
waits for the metadata file always finds a complete data file.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DeliveryStore"]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DeliveryStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def home(self, system_id: int) -> Path:
        """The system's home (made with ``IN`` and ``OUT`` when missing)."""
        home = self.root / "homes" / str(int(system_id))
        for sub in ("IN", "OUT"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        return home

    def inbox(self, system_id: int) -> Path:
        return self.home(system_id) / "IN"

    def staging(self, system_id: int, name: str) -> Path:
        directory = self.root / "staging" / str(int(system_id))
        directory.mkdir(parents=True, exist_ok=True)
        return directory / name

    def publish(self, system_id: int, name: str) -> Path:
        """Move a staged file (flushed to disk by its writer) into the system's ``IN``."""
        staged = self.staging(system_id, name)
        target = self.inbox(system_id) / name
        os.replace(staged, target)
        _fsync_dir(target.parent)
        return target

    def write_staged(self, system_id: int, name: str, data: bytes) -> Path:
        path = self.staging(system_id, name)
        with open(path, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        return path

    def remove(self, system_id: int, name: str) -> bool:
        """Delete a delivered file from ``IN``; False if it was not there."""
        try:
            (self.inbox(system_id) / name).unlink()
            return True
        except FileNotFoundError:
            return False
