"""Restricted evaluator for every expression and script in a model.

BPMN files are code: the stock script engine runs `eval`/`exec` with full builtins. Here every
expression goes through simpleeval with a whitelist, no `**`, bounded strings and integers, a
per-type whitelist of methods, and a wall-clock deadline checked at every AST node.
"""

from __future__ import annotations

import ast
import operator
import time
from collections.abc import Callable
from typing import Any

import simpleeval
from simpleeval import DEFAULT_OPERATORS, SimpleEval
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from ._errors import ExpressionError

TIME_LIMIT = 0.5  # seconds of wall clock per expression or script
MAX_EXPRESSION_LENGTH = 4000
MAX_INT_BITS = 4096  # big-int arithmetic in C cannot be interrupted, so refuse huge operands

ALLOWED_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len, "min": min, "max": max, "round": round, "abs": abs,
    "int": int, "float": float, "str": str, "bool": bool,
}

# Only methods whose output is bounded by their input; ljust/replace/join/format could allocate
# gigabytes from a short expression.
_STR_METHODS = frozenset({
    "upper", "lower", "strip", "lstrip", "rstrip", "title", "capitalize", "casefold",
    "startswith", "endswith", "isdigit", "isalpha", "isalnum", "isspace", "count", "find", "split",
})
ALLOWED_ATTRS: dict[type, frozenset[str]] = {
    str: _STR_METHODS,
    dict: frozenset({"get", "keys", "values", "items"}),
    list: frozenset({"count", "index"}),
}


def _bounded(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def guarded(a: Any, b: Any) -> Any:
        for v in (a, b):
            if isinstance(v, int) and v.bit_length() > MAX_INT_BITS:
                raise ExpressionError("integer operand too large")
        return fn(a, b)
    return guarded


OPERATORS: dict[type, Callable[..., Any]] = {
    op: fn for op, fn in DEFAULT_OPERATORS.items() if op is not ast.Pow
}
OPERATORS[ast.Mult] = _bounded(simpleeval.safe_mult)
OPERATORS[ast.Add] = _bounded(simpleeval.safe_add)
OPERATORS[ast.Sub] = _bounded(operator.sub)
OPERATORS[ast.LShift] = _bounded(simpleeval.safe_lshift)


class _DeadlineEval(SimpleEval):
    """SimpleEval that gives up when the wall-clock deadline has passed.

    Besides ALLOWED_FUNCTIONS it offers `defined('name')`: True when `name` is in the data, so a
    model can give an optional key a default (`x if defined('x') else 0`, or
    `defined('x') and x == 'y'`; `and`/`or`/`if-else` only evaluate the branch they need).
    """

    def __init__(self, names: dict[str, Any], deadline: float) -> None:
        def defined(name: Any) -> bool:
            return isinstance(name, str) and name in names

        super().__init__(operators=OPERATORS, functions={**ALLOWED_FUNCTIONS, "defined": defined},
                         names=names, allowed_attrs=ALLOWED_ATTRS)
        self.deadline = deadline

    def _eval(self, node: ast.AST) -> Any:
        if time.monotonic() > self.deadline:
            raise ExpressionError(f"time limit of {TIME_LIMIT}s exceeded")
        return super()._eval(node)


def _parse(expression: str) -> ast.expr:
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"invalid expression {expression!r}: {exc.msg}") from None
    return tree.body


def check_expression(expression: str) -> None:
    """Raise ExpressionError if `expression` is not a single valid expression (no evaluation)."""
    _parse(expression)


def _run(tree: ast.expr, expression: str, names: dict[str, Any], deadline: float) -> Any:
    evaluator = _DeadlineEval(names, deadline)
    evaluator.expr = expression
    try:
        return evaluator._eval(tree)
    except ExpressionError:
        raise
    except simpleeval.NameNotDefined as exc:
        raise ExpressionError(f"name not defined in {expression!r}: {exc.name}") from None
    except Exception as exc:  # any failure of untrusted code is an expression error
        raise ExpressionError(f"{type(exc).__name__} in {expression!r}: {exc}") from None


def evaluate(expression: str, names: dict[str, Any]) -> Any:
    """Evaluate `expression` with the restricted evaluator; raises ExpressionError."""
    return _run(_parse(expression), expression, names, time.monotonic() + TIME_LIMIT)


def parse_script(script: str) -> list[tuple[str, str]]:
    """Split a script into (name, expression) pairs; every line must be `name = expression`."""
    try:
        body = ast.parse(script).body
    except SyntaxError as exc:
        raise ExpressionError(f"invalid script: {exc.msg} (line {exc.lineno})") from None
    pairs = []
    for stmt in body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            raise ExpressionError(f"only 'name = expression' lines are allowed: {ast.unparse(stmt)}")
        pairs.append((stmt.targets[0].id, ast.unparse(stmt.value)))
    return pairs


def execute(script: str, context: dict[str, Any], external: dict[str, Any] | None = None) -> None:
    """Run a `name = expression` script, assigning into `context`, under one shared deadline."""
    deadline = time.monotonic() + TIME_LIMIT
    for name, expression in parse_script(script):
        names = {**context, **external} if external else context
        context[name] = _run(_parse(expression), expression, names, deadline)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Script-engine environment for SpiffWorkflow backed by the restricted evaluator."""

    def evaluate(self, expression: str, context: dict[str, Any],
                 external_context: dict[str, Any] | None = None) -> Any:
        names = {**context, **external_context} if external_context else context
        return evaluate(expression, names)

    def execute(self, script: str, context: dict[str, Any],
                external_context: dict[str, Any] | None = None) -> bool:
        execute(script, context, external_context)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ExpressionError("service tasks are asynchronous; the engine never calls out")


SCRIPT_ENGINE = PythonScriptEngine(environment=RestrictedEnvironment())
