"""Reading a row on a hot path without compiling an ORM query.

The signature service and the login read a token, a certificate and the CA on every request.
Django compiles each ``QuerySet`` anew, which costs more than the query itself (measured:
0.3-0.7 ms against 0.03 ms for the same statement on SQLite), and more than an SM2
verification. These helpers run one fixed statement through Django's connection (its
parameter quoting and transaction handling stay in force) and turn the row into model
instances with the fields' own database converters, as the ORM would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

Converter = Callable[[Any, Any, Any], Any]


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


class Columns:
    """The concrete columns of a model under a table alias, and how to build an instance."""

    def __init__(self, model: type[Model], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self._converters: dict[str, list[tuple[Any, list[Converter]]]] = {}

    def sql(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(f.column)}" for f in self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def _field_converters(self, conn: Any) -> list[tuple[Any, list[Converter]]]:
        found = self._converters.get(conn.vendor)
        if found is None:
            found = []
            for f in self.fields:
                col = f.get_col(self.alias)
                converters = [*conn.ops.get_db_converters(col), *f.get_db_converters(conn)]
                found.append((col, converters))
            self._converters[conn.vendor] = found
        return found

    def build(self, values: Sequence[Any], conn: Any = None) -> Model:
        conn = conn or connections[DEFAULT_DB_ALIAS]
        converted = []
        for value, (col, converters) in zip(values, self._field_converters(conn), strict=True):
            for convert in converters:
                value = convert(value, col, conn)
            converted.append(value)
        return self.model.from_db(conn.alias, self.attnames, converted)


class Statement:
    """A fixed SELECT, written once per database vendor by ``write(connection)``."""

    def __init__(self, write: Callable[[], str]) -> None:
        self.write = write
        self._sql: dict[str, str] = {}

    def fetch_one(self, params: Sequence[Any]) -> tuple[Any, ...] | None:
        conn = connections[DEFAULT_DB_ALIAS]
        sql = self._sql.get(conn.vendor)
        if sql is None:
            sql = self._sql[conn.vendor] = self.write()
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            row: tuple[Any, ...] | None = cursor.fetchone()
        return row


class Insert:
    """A fixed INSERT of some fields of a model, the values prepared by the fields."""

    def __init__(self, model: type[Model], fields: Sequence[str]) -> None:
        self.model = model
        self.fields = [model._meta.get_field(name) for name in fields]
        self._sql: dict[str, str] = {}

    def run(self, values: Sequence[Any]) -> None:
        conn = connections[DEFAULT_DB_ALIAS]
        sql = self._sql.get(conn.vendor)
        if sql is None:
            quote = conn.ops.quote_name
            columns = ", ".join(quote(f.column) for f in self.fields)  # type: ignore[union-attr]
            marks = ", ".join(["%s"] * len(self.fields))
            sql = self._sql[conn.vendor] = (
                f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the model, values bound
            )
        params = [f.get_db_prep_save(v, conn) for f, v in zip(self.fields, values, strict=True)]  # type: ignore[union-attr]
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
