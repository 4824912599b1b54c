"""Collecting declarations (services, events) from the modules that declare them."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any


def collect(modules: Iterable[str], attribute: str, key: Callable[[Any], str]) -> dict[str, Any]:
    """``{key(item): item}`` for every item in each module's ``attribute`` tuple, in order.

    A key declared twice is an error: each service and each event is declared once.
    """
    found: dict[str, Any] = {}
    for name in modules:
        for item in getattr(importlib.import_module(name), attribute):
            k = key(item)
            if k in found:
                raise RuntimeError(f"{k} is declared twice ({name})")
            found[k] = item
    return found
