"""Rows in the register's column order, built by small compiled functions.

The generator writes millions of rows; building a dict per row and sorting it into columns
would cost more than making the person. For each kind of row it writes, a :class:`RowMaker`
compiles two functions once, both taking just the values the generator sets:

* ``tuple(*values)``: the full row tuple in :class:`BulkWriter` column order, None in the other
  columns and the constants (``current``) in place; it becomes a dict for the bundle API
  (``dict(zip(COLUMNS[table], row))``) or a SQLite row;
* ``text(*values)``: the same row as one line of PostgreSQL COPY text (tab-separated, ``\\N`` for
  NULL), made with one ``%`` formatting, so PostgreSQL loads skip the tuples altogether.

The generator's values are strings or None and never contain tabs, newlines or backslashes
(the tests check the name and address data), so nothing needs escaping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opencpr.register.bulk import COLUMNS

__all__ = ["COLUMNS", "RowMaker", "row_maker"]


NULL = "\\N"


def _text_constant(value: Any) -> str:
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if any(ch in text for ch in "\t\n\\"):
        raise ValueError(f"constant {text!r} needs escaping")
    return text.replace("%", "%%")


class RowMaker:
    """The two compiled builders of one kind of row (see the module docstring)."""

    __slots__ = ("table", "fields", "tuple", "text")

    def __init__(self, table: str, fields: tuple[str, ...], constants: dict[str, Any]):
        columns = COLUMNS[table]
        unknown = (set(fields) | set(constants)) - set(columns)
        if unknown:
            raise ValueError(f"{table} has no columns {sorted(unknown)}")
        if set(fields) & set(constants) or len(set(fields)) != len(fields):
            raise ValueError("each column is set once, by a field or a constant")
        self.table = table
        self.fields = fields
        args = [f"v{i}" for i in range(len(fields))]
        by_column = dict(zip(fields, args, strict=True))
        namespace: dict[str, Any] = {"NULL": NULL}
        parts, template, values = [], [], []
        for col in columns:
            if col in by_column:
                v = by_column[col]
                parts.append(v)
                template.append("%s")
                values.append(f"NULL if {v} is None else {v}")
            elif col in constants:
                key = f"c_{col}"
                namespace[key] = constants[col]
                parts.append(key)
                template.append(_text_constant(constants[col]))
            else:
                parts.append("None")
                template.append(NULL)
        namespace["TEMPLATE"] = "\t".join(template) + "\n"
        signature = ", ".join(args)
        source = (
            f"def as_tuple({signature}):\n    return ({', '.join(parts)},)\n"
            f"def as_text({signature}):\n    return TEMPLATE % ({', '.join(values)},)\n"
        )
        exec(compile(source, f"<rows of {table}>", "exec"), namespace)  # noqa: S102 - built from column names
        self.tuple: Callable[..., tuple] = namespace["as_tuple"]
        self.text: Callable[..., str] = namespace["as_text"]


def row_maker(table: str, fields: tuple[str, ...], **constants: Any) -> RowMaker:
    """A :class:`RowMaker` for ``table`` with ``fields`` set from the arguments (in that order),
    ``constants`` fixed and every other column None."""
    return RowMaker(table, fields, constants)
