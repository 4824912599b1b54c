"""The service catalogue: declared once, read by every door.

Every service is called with its published example through GCTP and through REST on the same
live server, and the two answers must say the same thing field for field (the GCTP value is the
REST value written in GCTP's format). The catalogue's own rules are checked too.
"""

from __future__ import annotations

import re
from pathlib import Path

from opencpr.access.groups import Kind
from opencpr.api.gctp import wire_value
from opencpr.services import lookups
from opencpr.services.catalogue import Shape, catalogue, specifications
from opencpr.services.permissions import DEFAULT_GROUPS, default_groups

GROUPS = {name for name, _, _ in DEFAULT_GROUPS}


def test_every_service_is_declared_soundly():
    services = list(catalogue().values())
    assert len({s.slug for s in services}) == len(services)
    for s in services:
        assert s.title and s.description, s.name
        assert set(s.groups) <= GROUPS, s.name
        assert len({k.name.casefold() for k in s.keys}) == len(s.keys), s.name
        assert len({k.param for k in s.keys}) == len(s.keys), s.name
        assert len({f.name for f in s.fields}) == len(s.fields), f"{s.name}: a field is declared twice"
        assert all(re.fullmatch(r"[A-Za-z0-9_æøåÆØÅ+]+", f.name) for f in s.fields), s.name
        assert s.example, f"{s.name} publishes no example call"
        for name, _ in s.example:
            s.key_named(name)  # the example uses declared keys only
        if s.shape is Shape.SEARCH:
            assert s.keys and any(k.name == "MAXA" for k in s.keys), s.name


def test_each_service_is_declared_once_in_one_area_module():
    declared = [s for module in lookups.MODULES for s in module.SERVICES]
    assert len(declared) == len(set(declared))  # no service in two modules
    assert set(lookups.SERVICES) == set(declared) and len(lookups.SERVICES) == len(declared)
    assert list(catalogue().values()) == list(lookups.SERVICES)
    assert sorted(m.__name__ for m in lookups.MODULES) == sorted(
        f"opencpr.services.lookups.{f.stem}" for f in Path(lookups.__file__).parent.glob("*.py")
        if f.stem not in ("__init__", "common", "search"))


def test_default_groups_follow_the_catalogue():
    groups = {g.name: g.permissions for g in default_groups()}
    for s in catalogue().values():
        for name in ("municipality", "church-office"):
            assert groups[name].allows(Kind.SEARCH, s.name) == (name in s.groups), (s.name, name)
        assert groups["cpr-office"].allows(Kind.SEARCH, s.name)
        assert not groups["citizen"].allows(Kind.SEARCH, s.name)


def test_specifications_publish_every_service():
    published = specifications()
    assert [s["name"] for s in published["services"]] == [s.name for s in catalogue().values()]


def test_every_service_answers_its_example_the_same_through_gctp_and_rest(gctp, rest):
    failures = []
    for service in catalogue().values():
        keys = dict(service.example)
        answer = gctp.call(service.name, keys, system=service.system)
        if answer["kvit"]["v"] != "0":
            failures.append(f"{service.name} GCTP: {answer['kvit']}")
            continue
        response = rest.get(f"/api/v1/{service.slug}", params=keys)
        if response.status_code != 200:
            failures.append(f"{service.name} REST: {response.status_code} {response.text[:200]}")
            continue
        records = response.json()["records"]
        if service.shape in (Shape.FLAT, Shape.PRAES):
            gctp_rows = [answer["fields"]]
        else:
            gctp_rows = [row["fields"] for row in answer["rows"]]
        if len(gctp_rows) != len(records):
            failures.append(f"{service.name}: {len(gctp_rows)} GCTP rows, {len(records)} REST records")
            continue
        for gctp_row, record in zip(gctp_rows, records, strict=True):
            for out in service.fields:
                expected = wire_value(out, record.get(out.key))
                got = gctp_row.get(out.name, {}).get("v")
                if out.name not in gctp_row:
                    failures.append(f"{service.name}: field {out.name} is missing (empty fields are sent too)")
                elif expected != got:
                    failures.append(f"{service.name}.{out.name}: GCTP {got!r}, REST {record.get(out.key)!r}")
    assert not failures, "\n".join(failures)
