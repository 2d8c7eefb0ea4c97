"""The restricted evaluator refuses hostile input quickly and evaluates ordinary expressions."""

from __future__ import annotations

import time

import pytest

from engine import ExpressionError, _evaluator, evaluate
from engine._evaluator import TIME_LIMIT

HOSTILE = [
    "__import__('os')",
    "().__class__.__base__.__subclasses__()",
    "open('/etc/passwd')",
    "[x for x in range(10**8)]",
    "9**3999999",
    "'x'*10**9",
    "'x' * 1000000000",
    "'x'.ljust(1000000000)",
    "('ab' * 50000).replace('a', 'aaaa')",
    "lambda: 1",
    "(lambda: 1)()",
    "{x: 1 for x in range(10)}",
    "1 << 10000000",
    "nome.__class__",
    "eval('1')",
    "exec('x = 1')",
    "getattr(nome, 'upper')",
    "undefined_name + 1",
    "import os",
    "x = 1",
    "1 +",
    "'a' * 60000 + 'b' * 60000",
    "1" * 5000,
]


@pytest.mark.parametrize("expression", HOSTILE)
def test_hostile_input_is_refused_quickly(expression: str) -> None:
    started = time.monotonic()
    with pytest.raises(ExpressionError):
        evaluate(expression, {"nome": "Mario"})
    assert time.monotonic() - started < 1.0


def test_huge_integers_are_refused() -> None:
    big = 10 ** 1500  # large operands from task data are bounded too
    with pytest.raises(ExpressionError):
        evaluate("n * n * n * n", {"n": big})


def test_deadline_stops_evaluation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_evaluator, "TIME_LIMIT", -1.0)
    with pytest.raises(ExpressionError, match="time limit"):
        evaluate("1 + 1", {})


class _Waits:
    """A value whose length takes a while to come, without work: like a thread a busy server set aside."""

    def __len__(self) -> int:
        time.sleep(TIME_LIMIT + 0.2)
        return 3


def test_waiting_is_not_the_expressions_time() -> None:
    assert evaluate("len(value) + 1", {"value": _Waits()}) == 4


class _Works:
    """A value whose length takes a while of work to compute."""

    def __len__(self) -> int:
        until = time.thread_time() + TIME_LIMIT + 0.1
        while time.thread_time() < until:
            pass
        return 3


def test_work_is() -> None:
    with pytest.raises(ExpressionError, match="time limit"):
        evaluate("len(value) + 1", {"value": _Works()})


@pytest.mark.parametrize(("expression", "expected"), [
    ("importo >= 16 and len(nome) > 2", True),
    ("3000 if protocol_required else 2000", 2000),
    ("domanda['importo'] * 2", 32),
    ("nome.upper()", "MARIO"),
    ("action == 'request-integration'", False),
    ("max(1, importo) + round(2.6)", 19),
    ("domanda.get('manca', 'default')", "default"),
    ("f'{nome}-{importo}'", "Mario-16"),
    ("defined('nome') and defined('domanda')", True),
    ("defined('manca')", False),
    ("defined('manca') and manca > 0", False),  # `and` stops before the undefined name
    ("manca if defined('manca') else 'P30D'", "P30D"),
    ("importo if defined('importo') else 0", 16),
    ("defined(importo)", False),  # only names (strings) can be defined
])
def test_ordinary_expressions(expression: str, expected: object) -> None:
    names = {"importo": 16, "nome": "Mario", "protocol_required": False,
             "domanda": {"importo": 16}, "action": "accept"}
    assert evaluate(expression, names) == expected


def test_defined_sees_the_names_of_this_evaluation_only() -> None:
    assert evaluate("defined('a')", {"a": None}) is True  # present, even if null
    assert evaluate("defined('a')", {}) is False
    context: dict[str, object] = {"x": 3}
    _evaluator.execute("y = x if defined('x') else 0\nz = y + 1 if defined('y') else -1", context)
    assert context == {"x": 3, "y": 3, "z": 4}  # a script line sees the names assigned before it
    with pytest.raises(ExpressionError):
        evaluate("defined.__closure__", {})


def test_scripts_only_assign() -> None:
    context: dict[str, object] = {"a": 2}
    _evaluator.execute("b = a * 3\nc = b + 1", context)
    assert context == {"a": 2, "b": 6, "c": 7}
    for script in ["import os", "a.b = 1", "a, b = 1, 2", "print(a)", "for i in x: pass", "a += 1"]:
        with pytest.raises(ExpressionError):
            _evaluator.execute(script, {"a": 1, "x": []})


DATA = {"domanda": {"superficie_mq": 60, "get": "a key", "sub": {"x": 1}}, "parere": {"esito": "favorevole"},
        "nomi": ["a"]}


@pytest.mark.parametrize(("expression", "expected"), [
    ("domanda.superficie_mq > 50", True),
    ("parere.esito == 'favorevole'", True),
    ("domanda.sub.x + 1", 2),
    ("domanda['get']", "a key"),  # a key named like a dict method is read with [...]
    ("domanda.get('superficie_mq')", 60),  # ...because `.get` stays the method
    ("len(domanda.keys())", 3),
])
def test_dict_keys_read_as_attributes(expression: str, expected: object) -> None:
    assert evaluate(expression, DATA) == expected


@pytest.mark.parametrize(("expression", "message"), [
    ("domanda.manca > 1", "key 'manca' not found in 'domanda.manca > 1'"),
    ("domanda.__class__", "attribute '__class__' is not allowed"),
    ("nomi.append", "'.append' is not allowed on list"),
    ("parere.esito.__len__()", "attribute '__len__' is not allowed"),
])
def test_dict_attribute_failures_name_the_expression(expression: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate(expression, DATA)
    assert message in str(info.value)


@pytest.mark.parametrize(("expression", "message"), [
    ("sum(x)", "function 'sum' is not allowed"),
    ("x.append(1)", "method 'append' is not allowed"),
    ("x._private", "attribute '_private' is not allowed"),
    ("__builtins__", "name '__builtins__' is not allowed"),
    ("[1, 2]", "list literals are not allowed"),
    ("(1, 2)", "tuple literals are not allowed"),
    ("{'a': 1}", "dict literals are not allowed"),
    ("x ** 2", "operator Pow is not allowed"),
    ("lambda: 1", "lambdas are not allowed"),
    ("(y := 1)", "':=' assignments are not allowed"),
    ("x()()", "only named functions and methods can be called"),
    ("${importo > 1}", "JUEL/FEEL"),
])
def test_static_check_applies_the_rules_without_data(expression: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        _evaluator.check_expression(expression)
    assert message in str(info.value)


@pytest.mark.parametrize("expression", [
    "domanda.superficie_mq > 50 and defined('x')", "round(a / 3, 2)", "nome.strip().upper()",
    "f'{a}'", "a if b else c", "not a or -b < ~c", "x[1:2]", "x['k'] in 'abc'",
])
def test_static_check_accepts_ordinary_expressions(expression: str) -> None:
    _evaluator.check_expression(expression)
