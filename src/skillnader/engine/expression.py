"""A small, safe expression language for indicator filters.

Indicator specifications describe who is counted with boolean expressions such as
``employed and age between 20 and 64`` or ``birth_region in ('europe', 'outside_europe')``.
Specifications come from files that officials edit, so they are never pasted into SQL: they are
tokenised and parsed here against a whitelist grammar, and the SQL is written from the parse
tree with every column name quoted and every string literal escaped.

Grammar (keywords are case-insensitive)::

    expr      := or
    or        := and ("or" and)*
    and       := not ("and" not)*
    not       := "not" not | predicate
    predicate := sum [ cmp sum
                     | ["not"] "in" "(" literal ("," literal)* ")"
                     | ["not"] "between" sum "and" sum
                     | "is" ["not"] "null" ]
    cmp       := "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
    sum       := product (("+" | "-") product)*
    product   := unary (("*" | "/") unary)*
    unary     := "-" unary | atom
    atom      := number | 'string' | true | false | null | column | "(" expr ")"

Anything else (function calls, sub-queries, semicolons, comments, double quotes) is rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Expression", "ExpressionError", "parse_expression"]

_KEYWORDS = {"and", "or", "not", "in", "between", "is", "null", "true", "false"}
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<string>'(?:[^']|'')*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|<>|!=|==|=|<|>|\+|-|\*|/|\(|\)|,)
    """,
    re.VERBOSE,
)
_COMPARISONS = {"=": "=", "==": "=", "!=": "<>", "<>": "<>", "<": "<", "<=": "<=", ">": ">"}
_COMPARISONS[">="] = ">="


class ExpressionError(ValueError):
    """The expression is outside the grammar; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, position: int) -> None:
        self.position = position
        super().__init__(f"{message} at character {position + 1}")


@dataclass(frozen=True)
class Expression:
    """A parsed expression: the original text, its SQL and the columns it reads."""

    text: str
    sql: str
    columns: frozenset[str]
    is_bare_column: bool

    def qualified(self, alias: str) -> str:
        """The SQL with every column qualified by the relation alias ``alias``."""
        return _Parser(self.text, qualifier=alias).parse()


@dataclass(frozen=True)
class _Token:
    kind: str
    value: str
    position: int


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExpressionError(f"unexpected character {text[position]!r}", position)
        kind = match.lastgroup or ""
        value = match.group()
        if kind == "name" and value.lower() in _KEYWORDS:
            kind, value = "keyword", value.lower()
        if kind != "ws":
            tokens.append(_Token(kind, value, position))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _quote_identifier(name: str) -> str:
    return '"' + name + '"'


class _Parser:
    def __init__(self, text: str, qualifier: str | None = None) -> None:
        self.text = text
        self.qualifier = qualifier
        self.tokens = _tokenise(text)
        self.index = 0
        self.columns: set[str] = set()

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def accept(self, kind: str, value: str | None = None) -> _Token | None:
        token = self.current
        if token.kind == kind and (value is None or token.value == value):
            self.index += 1
            return token
        return None

    def expect(self, kind: str, value: str | None = None, what: str = "") -> _Token:
        token = self.accept(kind, value)
        if token is None:
            found = self.current.value or "end of expression"
            raise ExpressionError(
                f"expected {what or value or kind}, found {found!r}", self.current.position
            )
        return token

    def parse(self) -> str:
        sql = self.or_()
        if self.current.kind != "end":
            raise ExpressionError(f"unexpected {self.current.value!r}", self.current.position)
        return sql

    def or_(self) -> str:
        parts = [self.and_()]
        while self.accept("keyword", "or"):
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def and_(self) -> str:
        parts = [self.not_()]
        while self.accept("keyword", "and"):
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def not_(self) -> str:
        if self.accept("keyword", "not"):
            return f"(NOT {self.not_()})"
        return self.predicate()

    def predicate(self) -> str:
        left = self.sum_()
        token = self.current
        if token.kind == "op" and token.value in _COMPARISONS:
            self.index += 1
            return f"({left} {_COMPARISONS[token.value]} {self.sum_()})"
        negated = False
        if token.kind == "keyword" and token.value == "not":
            following = self.tokens[self.index + 1]
            if following.kind == "keyword" and following.value in {"in", "between"}:
                self.index += 1
                negated = True
        if self.accept("keyword", "in"):
            self.expect("op", "(", "'(' after IN")
            items = [self.literal()]
            while self.accept("op", ","):
                items.append(self.literal())
            self.expect("op", ")", "')' closing the IN list")
            return f"({left} {'NOT IN' if negated else 'IN'} ({', '.join(items)}))"
        if self.accept("keyword", "between"):
            low = self.sum_()
            self.expect("keyword", "and", "AND inside BETWEEN")
            high = self.sum_()
            return f"({left} {'NOT BETWEEN' if negated else 'BETWEEN'} {low} AND {high})"
        if negated:
            raise ExpressionError("expected IN or BETWEEN after NOT", self.current.position)
        if self.accept("keyword", "is"):
            is_not = self.accept("keyword", "not") is not None
            self.expect("keyword", "null", "NULL after IS")
            return f"({left} IS {'NOT ' if is_not else ''}NULL)"
        return left

    def sum_(self) -> str:
        sql = self.product()
        while True:
            token = self.accept("op", "+") or self.accept("op", "-")
            if token is None:
                return sql
            sql = f"({sql} {token.value} {self.product()})"

    def product(self) -> str:
        sql = self.unary()
        while True:
            token = self.accept("op", "*") or self.accept("op", "/")
            if token is None:
                return sql
            sql = f"({sql} {token.value} {self.unary()})"

    def unary(self) -> str:
        if self.accept("op", "-"):
            return f"(-{self.unary()})"
        return self.atom()

    def literal(self) -> str:
        token = self.current
        negative = False
        if token.kind == "op" and token.value == "-":
            self.index += 1
            negative = True
            token = self.current
        if token.kind == "number":
            self.index += 1
            return ("-" if negative else "") + token.value
        if negative:
            raise ExpressionError("expected a number after '-'", token.position)
        if token.kind == "string":
            self.index += 1
            return token.value
        if token.kind == "keyword" and token.value in {"true", "false", "null"}:
            self.index += 1
            return token.value.upper()
        raise ExpressionError(f"expected a literal, found {token.value or 'end'!r}", token.position)

    def atom(self) -> str:
        token = self.current
        if token.kind == "name":
            self.index += 1
            if self.current.kind == "op" and self.current.value == "(":
                raise ExpressionError(
                    f"function calls are not allowed ({token.value})", token.position
                )
            self.columns.add(token.value)
            prefix = "" if self.qualifier is None else self.qualifier + "."
            return prefix + _quote_identifier(token.value)
        if self.accept("op", "("):
            inner = self.or_()
            self.expect("op", ")", "')'")
            return inner
        return self.literal()


def parse_expression(text: str) -> Expression:
    """Parse ``text`` with the whitelist grammar of this module and return its SQL.

    Raises :class:`ExpressionError` (with the character position) for anything outside it.
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("empty expression", 0)
    parser = _Parser(text)
    sql = parser.parse()
    tokens = [t for t in parser.tokens if t.kind != "end"]
    bare = len(tokens) == 1 and tokens[0].kind == "name"
    return Expression(text=text, sql=sql, columns=frozenset(parser.columns), is_bare_column=bare)
