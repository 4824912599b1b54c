"""``opencpr check``: verify the register's invariants and say what is wrong.

Rules about one person run over the streamed person bundles (:mod:`opencpr.domain.invariants`);
rules that span persons (spouses point at each other, parents list their children and children
their parents, no row without its person) are SQL joins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, and_, exists, not_, or_, select
from sqlalchemy.orm import aliased

from opencpr.domain.invariants import NO_PNR, Violation, check_person
from opencpr.register.reader import iter_person_bundles
from opencpr.register.schema import PERSON_TABLES, child, civil_status, person

#: Civil statuses that name a living spouse or partner who must name this person back.
_COUPLED = ("G", "P")

#: A child row (record 014) not set aside by data maintenance (K corrected, A undone).
_kept_child = or_(child.c.correction.is_(None), child.c.correction.not_in(("K", "A")))


@dataclass
class CheckReport:
    persons: int = 0
    by_rule: Counter = field(default_factory=Counter)
    examples: list[Violation] = field(default_factory=list)
    max_examples: int = 50

    def add(self, v: Violation) -> None:
        self.by_rule[v.rule] += 1
        if len(self.examples) < self.max_examples:
            self.examples.append(v)

    @property
    def ok(self) -> bool:
        return not self.by_rule


def _cross_person(conn: Connection) -> Iterator[Violation]:
    me, other = aliased(civil_status), aliased(civil_status)
    spouse_person = aliased(person)
    # A current marriage/partnership with a spouse in the register: the spouse names us back.
    q = (
        select(me.c.pnr, me.c.spouse_pnr, me.c.civil_status)
        .join(spouse_person, spouse_person.c.pnr == me.c.spouse_pnr)
        .where(me.c.current.is_(True), me.c.civil_status.in_(_COUPLED))
        .where(not_(exists().where(and_(
            other.c.pnr == me.c.spouse_pnr, other.c.current.is_(True),
            other.c.spouse_pnr == me.c.pnr, other.c.civil_status == me.c.civil_status))))
    )
    for pnr, spouse, code in conn.execute(q):
        yield Violation(pnr, "spouse-symmetric",
                        f"civil status {code} with {spouse}, who does not name {pnr} back")
    # A parent's child row: the child (when in the register) names the parent.
    kid = aliased(person)
    q = (
        select(child.c.pnr, child.c.child_pnr)
        .join(kid, kid.c.pnr == child.c.child_pnr)
        .where(_kept_child)
        .where(or_(kid.c.mother_pnr.is_(None), kid.c.mother_pnr != child.c.pnr))
        .where(or_(kid.c.father_pnr.is_(None), kid.c.father_pnr != child.c.pnr))
    )
    for pnr, kid_pnr in conn.execute(q):
        yield Violation(pnr, "child-names-parent", f"lists child {kid_pnr}, whose parents are others")
    # A child's parent (when in the register) lists the child.
    for col, rule in ((person.c.mother_pnr, "mother-lists-child"), (person.c.father_pnr, "father-lists-child")):
        parent = aliased(person)
        q = (
            select(person.c.pnr, col)
            .join(parent, parent.c.pnr == col)
            .where(col.not_in([p for p in NO_PNR if p]))
            .where(not_(exists().where(and_(child.c.pnr == col, child.c.child_pnr == person.c.pnr, _kept_child))))
        )
        for pnr, parent_pnr in conn.execute(q):
            yield Violation(pnr, rule, f"parent {parent_pnr} does not list {pnr} as a child")
    # No row without its person.
    for table in PERSON_TABLES[1:]:
        q = select(table.c.pnr).distinct().where(not_(exists().where(person.c.pnr == table.c.pnr)))
        for (pnr,) in conn.execute(q):
            yield Violation(pnr, "row-has-person", f"{table.name} rows for a PNR with no person")


def check_register(engine: Engine, progress: Callable[[int], None] | None = None,
                   max_examples: int = 50) -> CheckReport:
    """Run every invariant over the whole register."""
    report = CheckReport(max_examples=max_examples)
    with engine.connect() as conn:
        for bundle in iter_person_bundles(conn):
            report.persons += 1
            for v in check_person(bundle):
                report.add(v)
            if progress and report.persons % 10_000 == 0:
                progress(report.persons)
        for v in _cross_person(conn):
            report.add(v)
    if progress:
        progress(report.persons)
    return report
