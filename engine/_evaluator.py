"""Restricted evaluator for every expression and script in a model.

BPMN files are code: the stock script engine runs `eval`/`exec` with full builtins. Here every
expression goes through simpleeval with a whitelist, no `**`, bounded strings and integers, a
per-type whitelist of methods, and a wall-clock deadline checked at every AST node.

On a dict, `a.b` means `a["b"]`, so models read form data as `domanda.superficie_mq > 50` or
`parere.esito == "favorevole"`. The dict methods in ALLOWED_ATTRS win over keys: a key named
`get`, `keys`, `values` or `items` must be read as `a["get"]`. A missing key is an
ExpressionError naming the expression. `check_expression` applies the same rules without data, so
a model breaking them is refused when it is loaded rather than when a citizen reaches it.
"""

from __future__ import annotations

import ast
import functools
import operator
import time
from collections.abc import Callable
from typing import Any

import simpleeval
from simpleeval import DEFAULT_OPERATORS, SimpleEval
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from ._errors import ExpressionError

# Seconds of the evaluating thread's CPU time per expression or script: a runaway expression is stopped by
# its own work, while the time a busy server keeps the thread waiting (other threads, other processes) does
# not count, so an ordinary script never fails for the load it met.
TIME_LIMIT = 0.5
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
_DICT_METHODS = frozenset({"get", "keys", "values", "items"})
ALLOWED_ATTRS: dict[type, frozenset[str]] = {
    str: _STR_METHODS,
    dict: _DICT_METHODS,
    list: frozenset({"count", "index"}),
}
_ALL_METHODS = frozenset().union(*ALLOWED_ATTRS.values())


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
    """SimpleEval that gives up when the deadline (in the thread's CPU time) has passed.

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
        if time.thread_time() > self.deadline:
            raise ExpressionError(f"time limit of {TIME_LIMIT}s exceeded")
        return super()._eval(node)

    def _eval_attribute(self, node: ast.Attribute) -> Any:
        if node.attr.startswith("_"):
            raise ExpressionError(f"attribute {node.attr!r} is not allowed in {self.expr!r}")
        value = self._eval(node.value)
        if type(value) is dict and node.attr not in _DICT_METHODS:
            try:
                return value[node.attr]
            except KeyError:
                raise ExpressionError(f"key {node.attr!r} not found in {self.expr!r}") from None
        allowed = ALLOWED_ATTRS.get(type(value), frozenset())
        if node.attr not in allowed:
            raise ExpressionError(f"'.{node.attr}' is not allowed on {type(value).__name__} "
                                  f"in {self.expr!r}")
        return getattr(value, node.attr)


# Expressions and scripts come from process definitions, which never change once loaded: each text is parsed
# once per process, not at every evaluation (the trees are only read). Bounded, so hostile texts cannot grow it.
PARSED_TEXTS = 4096


@functools.lru_cache(maxsize=PARSED_TEXTS)
def _parse(expression: str) -> ast.expr:
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        hint = ""
        if "${" in expression or "#{" in expression:
            hint = " (JUEL/FEEL '${...}' is not supported: write a plain expression such as a > 1)"
        raise ExpressionError(f"invalid expression {expression!r}: {exc.msg}{hint}") from None
    return tree.body


_STRUCTURE_NODES = (
    ast.Name, ast.Constant, ast.UnaryOp, ast.BinOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call,
    ast.keyword, ast.Subscript, ast.Attribute, ast.Slice, ast.JoinedStr, ast.FormattedValue,
    ast.Load, ast.boolop, ast.operator, ast.unaryop, ast.cmpop,
)
_NAMES_OF_NODES = {
    ast.List: "list literals", ast.Tuple: "tuple literals", ast.Dict: "dict literals",
    ast.Set: "set literals", ast.Lambda: "lambdas", ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions", ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.NamedExpr: "':=' assignments", ast.Starred: "'*' unpacking", ast.Await: "await",
}
FUNCTION_NAMES = frozenset({*ALLOWED_FUNCTIONS, "defined"})


def _static_problem(node: ast.AST) -> str | None:
    """Why the evaluator would refuse `node` whatever the data, or None."""
    if not isinstance(node, _STRUCTURE_NODES):
        return f"{_NAMES_OF_NODES.get(type(node), type(node).__name__)} are not allowed"
    if isinstance(node, (ast.BinOp, ast.UnaryOp)) and type(node.op) not in OPERATORS:
        return f"operator {type(node.op).__name__} is not allowed"
    if isinstance(node, ast.Compare) and any(type(op) not in OPERATORS for op in node.ops):
        return "comparison operator is not allowed"
    if isinstance(node, ast.Name) and node.id.startswith("__"):
        return f"name {node.id!r} is not allowed"
    if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        return f"attribute {node.attr!r} is not allowed"
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id not in FUNCTION_NAMES:
            return f"function {func.id!r} is not allowed (allowed: {', '.join(sorted(FUNCTION_NAMES))})"
        if isinstance(func, ast.Attribute) and func.attr not in _ALL_METHODS:
            return f"method {func.attr!r} is not allowed"
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return "only named functions and methods can be called"
    return None


def check_expression(expression: str) -> None:
    """Raise ExpressionError if `expression` breaks the evaluator's rules (no evaluation):
    syntax, allowed node types, functions, methods and operators, no `_` attributes."""
    tree = _parse(expression)
    for node in ast.walk(tree):
        problem = _static_problem(node)
        if problem is not None:
            raise ExpressionError(f"{problem} in {expression.strip()!r}")


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
    return _run(_parse(expression), expression, names, time.thread_time() + TIME_LIMIT)


@functools.lru_cache(maxsize=PARSED_TEXTS)
def parse_script(script: str) -> tuple[tuple[str, str], ...]:
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
    return tuple(pairs)


def execute(script: str, context: dict[str, Any], external: dict[str, Any] | None = None) -> None:
    """Run a `name = expression` script, assigning into `context`, under one shared deadline."""
    deadline = time.thread_time() + TIME_LIMIT
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
