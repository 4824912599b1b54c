"""The gate is the only way in: adapters may not reach the register or the access tables directly."""

from __future__ import annotations

import ast
from pathlib import Path

import opencpr

SRC = Path(opencpr.__file__).parent

#: Modules an adapter must not import: they reach the database around the gate.
FORBIDDEN = ("sqlalchemy", "psycopg", "sqlite3", "opencpr.register",
             "opencpr.access.audit", "opencpr.devdb")
ADAPTER_PACKAGES = ("api",)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_adapters_do_not_import_the_database():
    offenders = []
    for package in ADAPTER_PACKAGES:
        for path in sorted((SRC / package).rglob("*.py")):
            for name in imports_of(path):
                if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                    offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == [], "adapters must call services through opencpr.services.gate.Gate"


def test_services_use_the_connection_the_gate_gives_them():
    offenders = []
    for path in sorted((SRC / "services").rglob("*.py")):
        if path.name == "gate.py":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in (".connect(", ".begin(", "create_engine", "make_engine", "write_audit", "append_audit"):
            if needle in text:
                offenders.append(f"{path.relative_to(SRC)} uses {needle}")
    assert offenders == []
