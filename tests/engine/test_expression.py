from __future__ import annotations

import duckdb
import pytest

from skillnader.engine.expression import ExpressionError, parse_expression


@pytest.mark.parametrize(
    ("text", "sql"),
    [
        ("employed", '"employed"'),
        ("age >= 20 and age <= 64", '(("age" >= 20) AND ("age" <= 64))'),
        ("sex == 'female' or not employed", '(("sex" = \'female\') OR (NOT "employed"))'),
        ("region in ('a', 'b''c')", "(\"region\" IN ('a', 'b''c'))"),
        ("age not between 16 and 19", '("age" NOT BETWEEN 16 AND 19)'),
        ("income is not null", '("income" IS NOT NULL)'),
        ("x * 2 + -1 > y / 3", '((("x" * 2) + (-1)) > ("y" / 3))'),
        ("AGE < 5 AND Flag", '(("AGE" < 5) AND "Flag")'),
    ],
)
def test_sql_is_written_from_the_parse_tree(text, sql):
    assert parse_expression(text).sql == sql


def test_columns_are_collected_and_can_be_qualified():
    expr = parse_expression("employed and age between 20 and 64 and sex <> 'male'")
    assert expr.columns == {"employed", "age", "sex"}
    assert not expr.is_bare_column
    assert expr.qualified("r").count("r.") == 3
    assert parse_expression("employed").is_bare_column


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("age > 5; drop table records", 7),  # statement separator
        ("lower(sex) = 'f'", 0),  # function call
        ('"sex" = 1', 0),  # quoted identifiers would bypass the whitelist
        ("age > 5 /* comment */", 9),  # SQL comments are not tokens
        ("age >", 5),
        ("sex in 'f'", 7),
        ("(age > 5", 8),
        ("age not = 5", 4),
        ("", 0),
    ],
)
def test_anything_outside_the_grammar_is_rejected_with_its_position(text, position):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert info.value.position == position


def test_generated_sql_evaluates_as_written():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM (VALUES (15, 'f', TRUE), (30, 'm', FALSE), "
        "(64, 'f', NULL), (70, 'm', TRUE)) v(age, sex, employed)"
    )
    expr = parse_expression("(age between 20 and 64 and sex = 'f') or (employed and age > 65)")
    rows = con.execute(f"SELECT age FROM t WHERE {expr.sql} ORDER BY age").fetchall()
    assert rows == [(64,), (70,)]
