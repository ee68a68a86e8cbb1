"""One HTTP status per problem ``code``, across every service and the shared library.

Clients switch on ``code``; if ``TOTP_INVALID`` is 401 from one service and 403 from
another (issue #13 found exactly that), a client that reacts to the status (a 401 means
"sign in again") misreads one of them. This test finds every code the source can
produce with its status and fails when one code has two statuses:

* every :class:`BurencyError` subclass that sets ``default_code`` (its ``status``);
* every call that builds an error with a literal code: a ``BurencyError`` subclass, or a
  function annotated to return one (``totp_error("TOTP_INVALID")``,
  ``invalid("BELOW_MINIMUM", detail, "amount")``). All-literal calls are simply run and
  the resulting error read; otherwise the class or the return annotation gives the status;
* the codes of a message table used as ``Cls(TABLE[code], code=code)``: each key of the
  table is a code of ``Cls``;
* literal ``status=``/``code=`` pairs of problem builders (``problem_body(...)``);
* the codes of ``burency_common.tokens``' errors, which are not ``BurencyError``s: the
  gateway answers each with a 401 (``_token_refused``), except an unreachable key set
  (503, raised with its own literal code).

It reads the source (AST) and resolves names on the imported modules, so it needs no
list kept by hand: a new error anywhere is checked as soon as it exists.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import typing
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from burency_common.errors import BurencyError
from burency_common.tokens import TokenError, TokenKeysUnavailable

PACKAGES = ["burency_common", "burency_auth", "burency_users", "burency_files",
            "burency_notifications", "burency_banking", "burency_gateway",
            "burency_trading"]  # fmt: skip
_UNKNOWN = object()
Found = dict[str, set[tuple[int, str]]]  # code -> {(status, where)}


def _modules() -> Iterator[ModuleType]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if ".testing" in info.name or info.name.endswith("__main__"):
                continue
            yield importlib.import_module(info.name)


def _error_classes() -> Iterator[type[BurencyError]]:
    pending: list[type[BurencyError]] = [BurencyError]
    while pending:
        cls = pending.pop()
        yield cls
        pending.extend(cls.__subclasses__())


def _is_error_class(value: object) -> bool:
    return inspect.isclass(value) and issubclass(value, BurencyError)


def _returned_error(func: object) -> type[BurencyError] | None:
    """The error class a factory function is annotated to return (``BurencyError``
    itself says nothing of the status: such a call counts only when it can be run)."""
    if not inspect.isfunction(func):
        return None
    try:
        returned = typing.get_type_hints(func).get("return")
    except Exception:  # annotations that do not resolve: not an error factory
        return None
    if _is_error_class(returned):
        return typing.cast(type[BurencyError], returned)
    return None


def _resolve(node: ast.expr, module: ModuleType) -> Any:
    if isinstance(node, ast.Name):
        return module.__dict__.get(node.id, _UNKNOWN)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, module)
        return _UNKNOWN if base is _UNKNOWN else getattr(base, node.attr, _UNKNOWN)
    return _UNKNOWN


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return _UNKNOWN


class _Collector(ast.NodeVisitor):
    def __init__(self, module: ModuleType, found: Found) -> None:
        self.module, self.found = module, found
        self.where = f"{module.__name__}"

    def add(self, code: object, status: int, line: int) -> None:
        if isinstance(code, str) and code.isupper():
            self.found[code].add((status, f"{self.where}:{line}"))

    def visit_Call(self, node: ast.Call) -> None:  # the name the ast API calls
        self.generic_visit(node)
        callee = _resolve(node.func, self.module)
        kinds = {k.arg: k.value for k in node.keywords if k.arg}
        status, code = kinds.get("status"), kinds.get("code")
        if status is not None and code is not None:  # problem_body(status=..., code=...)
            self.add(_literal(code), _literal(status), node.lineno)
        if callee is _UNKNOWN or not callable(callee):
            return
        error_class = callee if _is_error_class(callee) else _returned_error(callee)
        if error_class is None:
            return
        self._literal_call(node, callee, error_class)
        self._table_call(node, error_class)

    def _literal_call(self, node: ast.Call, callee: Any, error_class: type) -> None:
        args = [_literal(a) for a in node.args]
        kwargs = {k.arg: _literal(k.value) for k in node.keywords if k.arg}
        if _UNKNOWN not in args and _UNKNOWN not in kwargs.values():
            try:
                built = callee(*args, **kwargs)
            except Exception:  # not buildable from literals alone; use the signature
                built = None
            if isinstance(built, BurencyError):
                self.add(built.code, built.status, node.lineno)
                return
        try:
            bound = inspect.signature(callee).bind_partial(*args, **kwargs).arguments
        except (TypeError, ValueError):
            return
        if error_class is not BurencyError and bound.get("code", _UNKNOWN) is not _UNKNOWN:
            self.add(bound["code"], error_class.status, node.lineno)

    def _table_call(self, node: ast.Call, error_class: type) -> None:
        """``Cls(TABLE[code], code=code)``: every key of ``TABLE`` is a code of ``Cls``."""
        code = next((k.value for k in node.keywords if k.arg == "code"), None)
        if not isinstance(code, ast.Name) or error_class is BurencyError:
            return
        for arg in node.args:
            if isinstance(arg, ast.Subscript) and isinstance(arg.slice, ast.Name):
                table = _resolve(arg.value, self.module)
                if isinstance(table, dict) and arg.slice.id == code.id:
                    for key in table:
                        self.add(key, error_class.status, node.lineno)


def _token_codes(found: Found) -> None:
    pending: list[type[TokenError]] = [TokenError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not issubclass(cls, TokenKeysUnavailable):
            found[cls.code].add((401, f"{cls.__module__}.{cls.__qualname__}"))


def collect() -> Found:
    found: Found = defaultdict(set)
    modules = list(_modules())
    for cls in _error_classes():
        if "default_code" in cls.__dict__:
            found[cls.default_code].add((cls.status, f"{cls.__module__}.{cls.__qualname__}"))
    _token_codes(found)
    for module in modules:
        path = getattr(module, "__file__", None)
        if path and path.endswith(".py"):
            _Collector(module, found).visit(ast.parse(Path(path).read_text()))
    return found


def test_every_error_code_has_one_status_across_services() -> None:
    found = collect()
    clashes = {code: sorted(uses) for code, uses in found.items() if len({s for s, _ in uses}) > 1}
    assert clashes == {}


def test_the_collector_sees_the_codes_it_must() -> None:
    """Guards the test above against going blind: it finds codes of each kind."""
    found = collect()
    statuses = {code: {s for s, _ in uses} for code, uses in found.items()}
    assert statuses["VALIDATION_FAILED"] == {422}  # a class's default_code
    assert statuses["TOTP_INVALID"] == {403}  # auth's factory table and banking's table
    assert statuses["TOTP_NOT_ENABLED"] == {409}  # auth's literal call, banking's table
    assert statuses["API_KEY_SCOPE_MISSING"] == {403}  # api_key_error("...") run
    assert statuses["WITHDRAWAL_LIMIT_EXCEEDED"] == {409}  # Conflict(f"...", code="...")
    assert statuses["BELOW_MINIMUM"] == {422}  # invalid("BELOW_MINIMUM", f"...", "amount")
    assert statuses["TOKEN_EXPIRED"] == {401}  # an access token's, at the gateway
    assert len(found) > 100
