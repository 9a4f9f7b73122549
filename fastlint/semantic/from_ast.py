"""The summary of a module read with the standard ``ast`` module: how the project index sees
every module other than the one being checked.

Walks statements and expressions in evaluation order (see :mod:`fastlint.semantic.summary`),
lowering expressions into :mod:`fastlint.semantic.ir` records. Its twin for LibCST trees is
:mod:`fastlint.semantic.from_cst`; the two must produce equal summaries for the same code.
"""

from __future__ import annotations

import ast
import sys
import warnings
from collections.abc import Sequence
from typing import Callable, Optional, Union

from fastlint.gcpause import paused_gc
from fastlint.imports import resolve_relative
from fastlint.semantic import ir
from fastlint.semantic import summary as s
from fastlint.semantic.summary import ModuleSummary, Param, SummaryBuilder

__all__ = ["lower_expression", "summarize_source", "summarize_tree"]

_BINARY = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.MatMult: "@",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
}
_UNARY = {ast.Not: "not", ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}
_COMPARE = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}
_COMPREHENSIONS = {
    ast.ListComp: "list",
    ast.SetComp: "set",
    ast.GeneratorExp: "generator",
    ast.DictComp: "dict",
}
_FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


def summarize_source(
    source: str, name: str, path: str, is_package: bool
) -> Optional[ModuleSummary]:
    """The summary of ``source``, or None when it does not parse (the engine reports that)."""
    with paused_gc():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(source, filename=path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        try:
            return summarize_tree(tree, name, path, is_package)
        except RecursionError:
            return None


def summarize_tree(tree: ast.Module, name: str, path: str, is_package: bool) -> ModuleSummary:
    walker = _Walker(SummaryBuilder(name, path, is_package))
    walker.statements(tree.body)
    return walker.builder.finish()


def lower_expression(text: str) -> Optional[ir.Expr]:
    """The record of one expression written as text (a string annotation), or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return _Walker(SummaryBuilder("", "", False)).expr(tree.body)


class _Walker:
    def __init__(self, builder: SummaryBuilder) -> None:
        self.builder = builder

    # -- statements -------------------------------------------------------------------------
    def statements(self, body: Sequence[ast.stmt]) -> None:
        for statement in body:
            self.statement(statement)

    def statement(self, node: ast.stmt) -> None:
        b = self.builder
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.function(node)
        elif isinstance(node, ast.ClassDef):
            self.klass(node)
        elif isinstance(node, ast.Expr):
            self.expr(node.value, s.STATEMENT)
        elif isinstance(node, ast.Assign):
            value = self.expr(node.value, s.ASSIGNED)
            for target in node.targets:
                self.target(target, s.ASSIGN, value, None, node.lineno)
        elif isinstance(node, ast.AnnAssign):
            assigned = self.expr(node.value, s.ASSIGNED) if node.value is not None else None
            annotation = self.expr(node.annotation)
            kind = s.ASSIGN if node.value is not None else s.DECLARE
            self.target(node.target, kind, assigned, annotation, node.lineno)
        elif isinstance(node, ast.AugAssign):
            value = self.expr(node.value)
            if isinstance(node.target, ast.Name):
                b.read(node.target.id)
                b.bind(node.target.id, s.AUGMENT, value=value, line=node.lineno)
            else:
                self.target(node.target, s.AUGMENT, value, None, node.lineno)
        elif isinstance(node, ast.Return):
            if node.value is not None:
                b.result(self.expr(node.value, s.RETURNED))
            else:  # a bare ``return`` hands back None
                b.result(ir.Constant(None))
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                self.target(target, s.DELETE, None, None, node.lineno)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            iterable = self.expr(node.iter)
            if isinstance(node, ast.AsyncFor):
                b.awaited()
            target = node.target
            self.loop(node, lambda: self.target(target, s.FOR, iterable, None, node.lineno))
        elif isinstance(node, ast.While):
            self.expr(node.test)
            self.loop(node, lambda: None)
        elif isinstance(node, ast.If):
            test = self.expr(node.test)
            statement = b.new_statement()
            b.open_arm(statement, 0, "if", node.lineno, test=test)
            self.statements(node.body)
            b.close_arm()
            if node.orelse:
                b.open_arm(statement, 1, "else", node.lineno)
                self.statements(node.orelse)
                b.close_arm()
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                value = self.expr(item.context_expr, s.OTHER)
                if isinstance(node, ast.AsyncWith):
                    b.awaited()
                if item.optional_vars is not None:
                    self.target(item.optional_vars, s.WITH, value, None, node.lineno)
            self.statements(node.body)
        elif isinstance(node, ast.Raise):
            if node.exc is not None:
                self.expr(node.exc)
            if node.cause is not None:
                self.expr(node.cause)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self.try_statement(node)  # type: ignore[arg-type]
        elif isinstance(node, ast.Assert):
            self.expr(node.test)
            if node.msg is not None:
                self.expr(node.msg)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    b.bind(alias.asname, s.IMPORT, target=alias.name, line=node.lineno)
                else:
                    root = alias.name.split(".")[0]
                    b.bind(root, s.IMPORT, target=root, line=node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = resolve_relative(b.module_name, node.level or 0, node.module, b.is_package)
            for alias in node.names:
                if alias.name == "*":
                    b.bind("*", s.STAR, target=base, line=node.lineno)
                else:
                    imported = f"{base}.{alias.name}" if base else None
                    local = alias.asname or alias.name
                    b.bind(local, s.IMPORT, target=imported, line=node.lineno)
        elif isinstance(node, ast.Global):
            b.declare(list(node.names), nonlocal_=False)
        elif isinstance(node, ast.Nonlocal):
            b.declare(list(node.names), nonlocal_=True)
        elif sys.version_info >= (3, 10) and isinstance(node, ast.Match):
            self.match(node)
        elif type(node).__name__ == "TypeAlias":
            value = self.expr(node.value)  # type: ignore[attr-defined]
            alias = node.name  # type: ignore[attr-defined]
            if isinstance(alias, ast.Name):
                b.bind(alias.id, s.TYPE_ALIAS, value=value, line=node.lineno)

    def loop(
        self, node: Union[ast.For, ast.AsyncFor, ast.While], bind_target: Callable[[], None]
    ) -> None:
        """A loop's body is an arm that may not run; its ``else`` another."""
        b = self.builder
        statement = b.new_statement()
        b.open_arm(statement, 0, "loop", node.lineno)
        bind_target()
        self.statements(node.body)
        b.close_arm()
        if node.orelse:
            b.open_arm(statement, 1, "loopelse", node.lineno)
            self.statements(node.orelse)
            b.close_arm()

    def try_statement(self, node: ast.Try) -> None:
        b = self.builder
        statement = b.new_statement()
        b.open_arm(statement, 0, "try", node.lineno)
        self.statements(node.body)
        b.close_arm()
        catches: list[ir.Expr] = []
        for position, handler in enumerate(node.handlers, start=1):
            b.open_arm(statement, position, "except", handler.lineno)
            if handler.type is not None:
                catches.append(self.expr(handler.type))
            if handler.name:
                b.bind(handler.name, s.EXCEPT, line=handler.lineno)
            self.statements(handler.body)
            b.close_arm()
        arm = len(node.handlers) + 1
        if node.orelse:
            b.open_arm(statement, arm, "tryelse", node.lineno)
            self.statements(node.orelse)
            b.close_arm()
        if node.finalbody:
            b.open_arm(statement, arm + 1, "finally", node.lineno)
            self.statements(node.finalbody)
            b.close_arm()
        b.set_catches(statement, tuple(catches))

    def match(self, node: ast.stmt) -> None:
        b = self.builder
        self.expr(node.subject)  # type: ignore[attr-defined]
        statement = b.new_statement()
        for position, case in enumerate(node.cases):  # type: ignore[attr-defined]
            b.open_arm(statement, position, "case", case.pattern.lineno)
            self.pattern(case.pattern)
            if case.guard is not None:
                self.expr(case.guard)
            self.statements(case.body)
            b.close_arm()

    def pattern(self, node: ast.AST) -> None:
        """Names captured by a ``match`` pattern; values compared against are read."""
        kind = type(node).__name__
        if kind == "MatchValue":
            self.expr(node.value)  # type: ignore[attr-defined]
        elif kind == "MatchSequence":
            for item in node.patterns:  # type: ignore[attr-defined]
                self.pattern(item)
        elif kind == "MatchMapping":
            for key, item in zip(node.keys, node.patterns):  # type: ignore[attr-defined]
                self.expr(key)
                self.pattern(item)
            if node.rest:  # type: ignore[attr-defined]
                self.builder.bind(node.rest, s.MATCH)  # type: ignore[attr-defined]
        elif kind == "MatchClass":
            self.expr(node.cls)  # type: ignore[attr-defined]
            for item in (*node.patterns, *node.kwd_patterns):  # type: ignore[attr-defined]
                self.pattern(item)
        elif kind == "MatchStar":
            if node.name:  # type: ignore[attr-defined]
                self.builder.bind(node.name, s.MATCH)  # type: ignore[attr-defined]
        elif kind == "MatchAs":
            if node.pattern is not None:  # type: ignore[attr-defined]
                self.pattern(node.pattern)  # type: ignore[attr-defined]
            if node.name:  # type: ignore[attr-defined]
                self.builder.bind(node.name, s.MATCH)  # type: ignore[attr-defined]
        elif kind == "MatchOr":
            for item in node.patterns:  # type: ignore[attr-defined]
                self.pattern(item)

    def target(
        self,
        node: ast.expr,
        kind: str,
        value: Optional[ir.Expr],
        annotation: Optional[ir.Expr],
        line: int,
        unpack: tuple[int, ...] = (),
    ) -> None:
        b = self.builder
        if isinstance(node, ast.Name):
            b.bind(node.id, kind, value=value, annotation=annotation, unpack=unpack, line=line)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for position, element in enumerate(node.elts):
                if isinstance(element, ast.Starred):
                    self.target(element.value, kind, value, None, line, (*unpack, -position - 1))
                else:
                    self.target(element, kind, value, None, line, (*unpack, position))
        elif isinstance(node, ast.Starred):
            self.target(node.value, kind, value, None, line, (*unpack, -1))
        elif isinstance(node, ast.Attribute):
            target = ir.Attribute(self.expr(node.value), node.attr)
            if kind != s.DELETE:
                b.assign_attribute(target, value, annotation, line)
        elif isinstance(node, ast.Subscript):
            self.expr(node.value)
            self.expr(node.slice)

    def function(self, node: _FunctionNode) -> None:
        b = self.builder
        decorators, decorator_calls = self.decorators(node.decorator_list)
        params = self.parameters(node.args)
        returns = self.expr(node.returns) if node.returns is not None else None
        scope = b.open_scope(s.FUNCTION, node.name, node.lineno)
        for call in decorator_calls:
            b.set_decorates(call, scope)
        current = b.current()
        current.is_async = isinstance(node, ast.AsyncFunctionDef)
        current.params = params
        current.returns = returns
        current.decorators = decorators
        for type_param in getattr(node, "type_params", ()):
            b.bind(type_param.name, s.TYPE_PARAM)
        for param in params:
            b.bind(param.name, s.PARAM, value=param.default, annotation=param.annotation)
        self.statements(node.body)
        b.close_scope()
        b.bind(node.name, s.DEF, definition=scope, line=node.lineno)

    def klass(self, node: ast.ClassDef) -> None:
        b = self.builder
        decorators, decorator_calls = self.decorators(node.decorator_list)
        bases: list[ir.Arg] = []
        for item in _in_source_order(node.bases, node.keywords):
            if isinstance(item, ast.keyword):
                value = self.expr(item.value)
                bases.append(ir.Arg(value, item.arg, "" if item.arg else "**"))
            elif isinstance(item, ast.Starred):
                bases.append(ir.Arg(self.expr(item.value), None, "*"))
            elif isinstance(item, ast.expr):
                bases.append(ir.Arg(self.expr(item), None, ""))
        scope = b.open_scope(s.CLASS, node.name, node.lineno)
        for call in decorator_calls:
            b.set_decorates(call, scope)
        current = b.current()
        current.decorators = decorators
        current.bases = tuple(bases)
        for type_param in getattr(node, "type_params", ()):
            b.bind(type_param.name, s.TYPE_PARAM)
        self.statements(node.body)
        b.close_scope()
        b.bind(node.name, s.CLASSDEF, definition=scope, line=node.lineno)

    def decorators(self, nodes: Sequence[ast.expr]) -> tuple[tuple[ir.Expr, ...], list[int]]:
        exprs: list[ir.Expr] = []
        calls: list[int] = []
        for node in nodes:
            if isinstance(node, ast.Call):
                calls.append(self.builder.calls_made)
            exprs.append(self.expr(node, s.DECORATOR))
        return tuple(exprs), calls

    def parameters(self, args: ast.arguments) -> tuple[Param, ...]:
        positional = [*args.posonlyargs, *args.args]
        defaults: list[Optional[ir.Expr]] = [None] * (len(positional) - len(args.defaults))
        defaults += [self.expr(d) for d in args.defaults]
        kw_defaults = [self.expr(d) if d is not None else None for d in args.kw_defaults]
        out: list[tuple[ast.arg, str, Optional[ir.Expr]]] = []
        for position, arg in enumerate(positional):
            kind = "posonly" if position < len(args.posonlyargs) else "normal"
            out.append((arg, kind, defaults[position]))
        if args.vararg is not None:
            out.append((args.vararg, "vararg", None))
        for arg, default in zip(args.kwonlyargs, kw_defaults):
            out.append((arg, "kwonly", default))
        if args.kwarg is not None:
            out.append((args.kwarg, "kwarg", None))
        params = []
        for arg, kind, default in out:
            annotation = self.expr(arg.annotation) if arg.annotation is not None else None
            params.append(Param(arg.arg, kind, annotation, default))
        return tuple(params)

    # -- expressions --------------------------------------------------------------------------
    def expr(self, node: ast.expr, usage: str = s.OTHER) -> ir.Expr:
        b = self.builder
        if isinstance(node, ast.Name):
            b.read(node.id)
            return ir.Name(node.id)
        if isinstance(node, ast.Attribute):
            return ir.Attribute(self.expr(node.value), node.attr)
        if isinstance(node, ast.Call):
            index = b.enter_call()
            func = self.expr(node.func)
            args: list[ir.Arg] = []
            for item in _in_source_order(node.args, node.keywords):
                if isinstance(item, ast.keyword):
                    passed = self.expr(item.value, s.ARGUMENT)
                    args.append(ir.Arg(passed, item.arg, "" if item.arg else "**"))
                elif isinstance(item, ast.Starred):
                    args.append(ir.Arg(self.expr(item.value, s.ARGUMENT), None, "*"))
                elif isinstance(item, ast.expr):
                    args.append(ir.Arg(self.expr(item, s.ARGUMENT), None, ""))
            call = ir.Call(func, tuple(args))
            b.leave_call(index, call, usage, node.lineno)
            return call
        if isinstance(node, ast.Constant):
            return ir.Constant(node.value)
        if isinstance(node, ast.JoinedStr):
            return ir.FString(
                tuple(
                    self.expr(part.value)
                    for part in node.values
                    if isinstance(part, ast.FormattedValue)
                )
            )
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            kind = "list" if isinstance(node, ast.List) else type(node).__name__.lower()
            return ir.Collection(kind, tuple(self.expr(e) for e in node.elts))
        if isinstance(node, ast.Starred):
            return ir.Starred(self.expr(node.value))
        if isinstance(node, ast.Dict):
            keys: list[Optional[ir.Expr]] = []
            values: list[ir.Expr] = []
            for key, item in zip(node.keys, node.values):
                keys.append(self.expr(key) if key is not None else None)
                values.append(self.expr(item))
            return ir.Dict(tuple(keys), tuple(values))
        if isinstance(node, ast.Subscript):
            return ir.Subscript(self.expr(node.value), self.expr(node.slice))
        if isinstance(node, ast.Slice):
            return ir.Slice(
                self.expr(node.lower) if node.lower is not None else None,
                self.expr(node.upper) if node.upper is not None else None,
                self.expr(node.step) if node.step is not None else None,
            )
        if isinstance(node, ast.BinOp):
            left = self.expr(node.left)
            return ir.BinOp(_BINARY[type(node.op)], left, self.expr(node.right))
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            return ir.BoolOp(op, tuple(self.expr(v) for v in node.values))
        if isinstance(node, ast.UnaryOp):
            return ir.UnaryOp(_UNARY[type(node.op)], self.expr(node.operand))
        if isinstance(node, ast.Compare):
            left = self.expr(node.left)
            return ir.Compare(
                left,
                tuple(_COMPARE[type(op)] for op in node.ops),
                tuple(self.expr(c) for c in node.comparators),
            )
        if isinstance(node, ast.IfExp):
            test = self.expr(node.test)
            body = self.expr(node.body)
            return ir.IfExp(test, body, self.expr(node.orelse))
        if isinstance(node, ast.Await):
            b.awaited()
            return ir.Await(self.expr(node.value, s.AWAITED))
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            yielded = self.expr(node.value, s.YIELDED) if node.value is not None else None
            b.yielded(yielded)
            return ir.Yield(yielded, isinstance(node, ast.YieldFrom))
        if isinstance(node, ast.NamedExpr):
            value = self.expr(node.value, usage)
            if isinstance(node.target, ast.Name):
                b.bind(node.target.id, s.WALRUS, value=value, line=node.lineno)
                return ir.NamedExpr(node.target.id, value)
            return value
        if isinstance(node, ast.Lambda):
            params = self.parameters(node.args)
            scope = b.open_scope(s.LAMBDA, "<lambda>", node.lineno)
            b.current().params = params
            for param in params:
                b.bind(param.name, s.PARAM, value=param.default, annotation=param.annotation)
            b.result(self.expr(node.body, s.RETURNED))
            b.close_scope()
            return ir.Lambda(scope)
        comprehension = _COMPREHENSIONS.get(type(node))
        if comprehension is not None:
            return self.comprehension(node, comprehension)
        return ir.OPAQUE

    def comprehension(self, node: ast.expr, kind: str) -> ir.Expr:
        b = self.builder
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        first = self.expr(generators[0].iter)
        scope = b.open_scope(s.COMPREHENSION, f"<{kind}comp>", node.lineno)
        conditions: list[tuple[ir.Expr, ...]] = []
        for position, generator in enumerate(generators):
            iterable = first if position == 0 else self.expr(generator.iter)
            if generator.is_async:
                b.awaited()
            self.target(generator.target, s.FOR, iterable, None, node.lineno)
            conditions.append(tuple(self.expr(condition) for condition in generator.ifs))
        if isinstance(node, ast.DictComp):
            key = self.expr(node.key)
            b.result(ir.Collection("tuple", (key, self.expr(node.value))))
        else:
            b.result(self.expr(node.elt))  # type: ignore[attr-defined]
        b.close_scope()
        return ir.Comprehension(kind, scope, tuple(conditions))


def _in_source_order(args: Sequence[ast.expr], keywords: Sequence[ast.keyword]) -> list[ast.AST]:
    """Positional and keyword arguments as written (``ast`` keeps them in two lists; sorted
    only when a keyword comes before a positional argument, as in ``f(a=1, *rest)``)."""
    items: list[ast.AST] = [*args, *keywords]
    if not args or not keywords:
        return items
    last, first = args[-1], keywords[0]
    if (last.lineno, last.col_offset) < (first.lineno, first.col_offset):
        return items
    return sorted(items, key=lambda item: (item.lineno, item.col_offset))  # type: ignore[attr-defined]
