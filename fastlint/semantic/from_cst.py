"""The summary of the file being checked, from its LibCST tree (no second parse).

The twin of :mod:`fastlint.semantic.from_ast`: the same walk in evaluation order, the same
events, the same records. It also remembers, for the nodes rules visit, where they are: the
record each expression lowered to, and the point (scope, order, branch) each expression,
statement, decorator, argument and parameter sits at. That lets a rule ask the model about
the very node it is looking at.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Sequence
from typing import Any, Callable, NamedTuple, Optional, Union

import libcst as cst

from fastlint.gcpause import paused_gc
from fastlint.imports import dotted_name, resolve_relative
from fastlint.semantic import ir
from fastlint.semantic import summary as s
from fastlint.semantic.summary import ModuleSummary, Param, SummaryBuilder

__all__ = ["CstSummary", "Point", "summarize_cst"]


class Point(NamedTuple):
    """Where a node is: its scope, the first event that has not happened when it starts (every
    event numbered below ``order`` has), and its innermost branch arm. A name read stands at
    its own read event."""

    scope: int
    order: int
    branch: int


def literal_value(node: Union[cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString]) -> Any:
    """The value of a number or string literal: LibCST's ``evaluated_value`` without its
    ``ast.literal_eval`` where the text says it plainly (that call builds a cycle of closures
    each time, left for the cyclic collector)."""
    if isinstance(node, cst.SimpleString):
        prefix, body = node.prefix.lower(), node.raw_value
        if prefix in ("", "u", "r") and "\r" not in body and (prefix == "r" or "\\" not in body):
            return body  # (a CR in a literal reads as LF)
    elif (
        isinstance(node, cst.Integer)
        and node.value.isdigit()
        and (node.value[0] != "0" or node.value.strip("0") == "")
    ):
        return int(node.value)
    return _evaluated(node.value)


@functools.lru_cache(maxsize=4096)
def _evaluated(text: str) -> Any:
    return ast.literal_eval(text)


_BINARY: dict[type[cst.CSTNode], str] = {
    cst.Add: "+",
    cst.Subtract: "-",
    cst.Multiply: "*",
    cst.MatrixMultiply: "@",
    cst.Divide: "/",
    cst.FloorDivide: "//",
    cst.Modulo: "%",
    cst.Power: "**",
    cst.LeftShift: "<<",
    cst.RightShift: ">>",
    cst.BitOr: "|",
    cst.BitXor: "^",
    cst.BitAnd: "&",
}
_AUGMENTED: dict[type[cst.CSTNode], str] = {
    cst.AddAssign: "+",
    cst.SubtractAssign: "-",
    cst.MultiplyAssign: "*",
    cst.MatrixMultiplyAssign: "@",
    cst.DivideAssign: "/",
    cst.FloorDivideAssign: "//",
    cst.ModuloAssign: "%",
    cst.PowerAssign: "**",
    cst.LeftShiftAssign: "<<",
    cst.RightShiftAssign: ">>",
    cst.BitOrAssign: "|",
    cst.BitXorAssign: "^",
    cst.BitAndAssign: "&",
}
_UNARY: dict[type[cst.CSTNode], str] = {
    cst.Not: "not",
    cst.Minus: "-",
    cst.Plus: "+",
    cst.BitInvert: "~",
}
_COMPARE: dict[type[cst.CSTNode], str] = {
    cst.Equal: "==",
    cst.NotEqual: "!=",
    cst.LessThan: "<",
    cst.LessThanEqual: "<=",
    cst.GreaterThan: ">",
    cst.GreaterThanEqual: ">=",
    cst.Is: "is",
    cst.IsNot: "is not",
    cst.In: "in",
    cst.NotIn: "not in",
}
_CONSTANT_NAMES = {"True": True, "False": False, "None": None}
_Comprehension = Union[cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp]
_COMPREHENSION_KINDS: dict[type[cst.CSTNode], str] = {
    cst.ListComp: "list",
    cst.SetComp: "set",
    cst.GeneratorExp: "generator",
    cst.DictComp: "dict",
}


class CstSummary:
    """A module's summary plus the way back from LibCST nodes to it."""

    def __init__(
        self,
        summary: ModuleSummary,
        exprs: dict[cst.CSTNode, ir.Expr],
        points: dict[cst.CSTNode, Point],
        scopes: dict[cst.CSTNode, int],
        bindings: dict[cst.CSTNode, list[s.Binding]],
        loads: list[tuple[cst.Name, Point]],
        calls: dict[cst.Call, int],
    ) -> None:
        self.summary = summary
        self.exprs = exprs  # expression node -> its record
        self.points = points  # node -> where it is
        self.scopes = scopes  # FunctionDef/ClassDef/Lambda/comprehension -> scope id
        self.bindings = bindings  # defining node (target Name, def, import alias) -> bindings
        self.loads = loads  # every Name read, in order
        self.calls = calls  # Call node -> index in summary.calls


def summarize_cst(module: cst.Module, name: str, path: str, is_package: bool) -> CstSummary:
    walker = _Walker(SummaryBuilder(name, path, is_package))
    with paused_gc():
        walker.statements(module.body)
    return CstSummary(
        walker.builder.finish(),
        walker.exprs,
        walker.points,
        walker.scopes,
        walker.bindings,
        walker.loads,
        walker.calls,
    )


def _suite(body: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    if isinstance(body, cst.IndentedBlock):
        return body.body
    if isinstance(body, cst.SimpleStatementSuite):
        return body.body
    return ()


class _Walker:
    def __init__(self, builder: SummaryBuilder) -> None:
        self.builder = builder
        self.exprs: dict[cst.CSTNode, ir.Expr] = {}
        self.points: dict[cst.CSTNode, Point] = {}
        self.scopes: dict[cst.CSTNode, int] = {}
        self.bindings: dict[cst.CSTNode, list[s.Binding]] = {}
        self.loads: list[tuple[cst.Name, Point]] = []
        self.calls: dict[cst.Call, int] = {}

    def point(self) -> Point:
        """Where the next node starts: after the last event so far (which may be the binding
        of a name the node reads, as in ``import os`` then ``os.getenv()``)."""
        b = self.builder
        return Point(b.scope, b.order + 1, b.branch)

    def mark(self, node: cst.CSTNode) -> None:
        self.points[node] = self.point()

    def bind(self, node: cst.CSTNode, name: str, kind: str, **extra: object) -> None:
        binding = self.builder.bind(name, kind, **extra)  # type: ignore[arg-type]
        self.bindings.setdefault(node, []).append(binding)

    # -- statements -------------------------------------------------------------------------
    def statements(self, body: Sequence[cst.CSTNode]) -> None:
        for statement in body:
            self.mark(statement)
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self.mark(small)
                    self.small(small)
            elif isinstance(statement, cst.BaseSmallStatement):
                self.small(statement)
            else:
                self.compound(statement)

    def small(self, node: cst.CSTNode) -> None:
        b = self.builder
        if isinstance(node, cst.Expr):
            self.expr(node.value, s.STATEMENT)
        elif isinstance(node, cst.Assign):
            value = self.expr(node.value, s.ASSIGNED)
            for target in node.targets:
                self.target(target.target, s.ASSIGN, value, None)
        elif isinstance(node, cst.AnnAssign):
            assigned = self.expr(node.value, s.ASSIGNED) if node.value is not None else None
            annotation = self.expr(node.annotation.annotation)
            kind = s.ASSIGN if node.value is not None else s.DECLARE
            self.target(node.target, kind, assigned, annotation)
        elif isinstance(node, cst.AugAssign):
            value = self.expr(node.value)
            if isinstance(node.target, cst.Name):
                self.mark(node.target)
                b.read(node.target.value)
                self.bind(node.target, node.target.value, s.AUGMENT, value=value)
            else:
                self.target(node.target, s.AUGMENT, value, None)
        elif isinstance(node, cst.Return):
            if node.value is not None:
                b.result(self.expr(node.value, s.RETURNED))
            else:  # a bare ``return`` hands back None
                b.result(ir.Constant(None))
        elif isinstance(node, cst.Del):
            deleted = node.target
            if isinstance(deleted, cst.Tuple) and not deleted.lpar:
                for element in deleted.elements:
                    self.target(element.value, s.DELETE, None, None)
            else:
                self.target(deleted, s.DELETE, None, None)
        elif isinstance(node, cst.Raise):
            if node.exc is not None:
                self.expr(node.exc)
            if node.cause is not None:
                self.expr(node.cause.item)
        elif isinstance(node, cst.Assert):
            self.expr(node.test)
            if node.msg is not None:
                self.expr(node.msg)
        elif isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted_name(alias.name)
                if full is None:
                    continue
                self.mark(alias)
                asname = alias.asname
                if asname is not None and isinstance(asname.name, cst.Name):
                    self.bind(alias, asname.name.value, s.IMPORT, target=full)
                else:
                    root = full.split(".")[0]
                    self.bind(alias, root, s.IMPORT, target=root)
        elif isinstance(node, cst.ImportFrom):
            module = dotted_name(node.module) if node.module is not None else None
            base = resolve_relative(b.module_name, len(node.relative), module, b.is_package)
            if isinstance(node.names, cst.ImportStar):
                self.bind(node, "*", s.STAR, target=base)
                return
            for alias in node.names:
                if not isinstance(alias.name, cst.Name):
                    continue
                self.mark(alias)
                imported = alias.name.value
                asname = alias.asname
                local = (
                    asname.name.value
                    if asname is not None and isinstance(asname.name, cst.Name)
                    else imported
                )
                self.bind(alias, local, s.IMPORT, target=f"{base}.{imported}" if base else None)
        elif isinstance(node, cst.Global):
            b.declare([item.name.value for item in node.names], nonlocal_=False)
        elif isinstance(node, cst.Nonlocal):
            b.declare([item.name.value for item in node.names], nonlocal_=True)
        elif type(node).__name__ == "TypeAlias":
            value = self.expr(node.value)  # type: ignore[attr-defined]
            self.bind(node, node.name.value, s.TYPE_ALIAS, value=value)  # type: ignore[attr-defined]

    def compound(self, node: cst.CSTNode) -> None:
        b = self.builder
        if isinstance(node, cst.FunctionDef):
            self.function(node)
        elif isinstance(node, cst.ClassDef):
            self.klass(node)
        elif isinstance(node, cst.For):
            iterable = self.expr(node.iter)
            if node.asynchronous is not None:
                b.awaited()
            self.loop(node, lambda: self.target(node.target, s.FOR, iterable, None))
        elif isinstance(node, cst.While):
            self.expr(node.test)
            self.loop(node, lambda: None)
        elif isinstance(node, cst.If):
            self.if_statement(node)
        elif isinstance(node, cst.With):
            for item in node.items:
                self.mark(item)
                value = self.expr(item.item, s.OTHER)
                if node.asynchronous is not None:
                    b.awaited()
                if item.asname is not None:
                    self.target(item.asname.name, s.WITH, value, None)
            self.statements(_suite(node.body))
        elif isinstance(node, (cst.Try, cst.TryStar)):
            self.try_statement(node)
        elif isinstance(node, cst.Match):
            self.expr(node.subject)
            statement = b.new_statement()
            for position, case in enumerate(node.cases):
                b.open_arm(statement, position, "case", 0)
                self.mark(case)
                self.pattern(case.pattern)
                if case.guard is not None:
                    self.expr(case.guard)
                self.statements(_suite(case.body))
                b.close_arm()

    def loop(self, node: Union[cst.For, cst.While], bind_target: Callable[[], None]) -> None:
        """A loop's body is an arm that may not run; its ``else`` another."""
        b = self.builder
        statement = b.new_statement()
        b.open_arm(statement, 0, "loop", 0)
        bind_target()
        self.statements(_suite(node.body))
        b.close_arm()
        if node.orelse is not None:
            b.open_arm(statement, 1, "loopelse", 0)
            self.statements(_suite(node.orelse.body))
            b.close_arm()

    def if_statement(self, node: cst.If) -> None:
        b = self.builder
        test = self.expr(node.test)
        statement = b.new_statement()
        b.open_arm(statement, 0, "if", 0, test=test)
        self.statements(_suite(node.body))
        b.close_arm()
        orelse = node.orelse
        if orelse is None:
            return
        b.open_arm(statement, 1, "else", 0)
        if isinstance(orelse, cst.If):  # elif: an `if` inside the else arm, as in `ast`
            self.mark(orelse)
            self.if_statement(orelse)
        else:
            self.statements(_suite(orelse.body))
        b.close_arm()

    def try_statement(self, node: Union[cst.Try, cst.TryStar]) -> None:
        b = self.builder
        statement = b.new_statement()
        b.open_arm(statement, 0, "try", 0)
        self.statements(_suite(node.body))
        b.close_arm()
        catches: list[ir.Expr] = []
        handlers: Sequence[Union[cst.ExceptHandler, cst.ExceptStarHandler]] = node.handlers
        for position, handler in enumerate(handlers, start=1):
            b.open_arm(statement, position, "except", 0)
            self.mark(handler)
            if handler.type is not None:
                catches.append(self.expr(handler.type))
            if handler.name is not None and isinstance(handler.name.name, cst.Name):
                self.bind(handler.name.name, handler.name.name.value, s.EXCEPT)
            self.statements(_suite(handler.body))
            b.close_arm()
        arm = len(node.handlers) + 1
        if node.orelse is not None:
            b.open_arm(statement, arm, "tryelse", 0)
            self.statements(_suite(node.orelse.body))
            b.close_arm()
        if node.finalbody is not None:
            b.open_arm(statement, arm + 1, "finally", 0)
            self.statements(_suite(node.finalbody.body))
            b.close_arm()
        b.set_catches(statement, tuple(catches))

    def pattern(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.MatchValue):
            self.expr(node.value)
        elif isinstance(node, (cst.MatchList, cst.MatchTuple)):
            for element in node.patterns:
                if isinstance(element, cst.MatchStar):
                    self.pattern(element)
                else:
                    self.pattern(element.value)
        elif isinstance(node, cst.MatchMapping):
            for item in node.elements:
                self.expr(item.key)
                self.pattern(item.pattern)
            if node.rest is not None:
                self.bind(node.rest, node.rest.value, s.MATCH)
        elif isinstance(node, cst.MatchClass):
            self.expr(node.cls)
            for positional in node.patterns:
                self.pattern(positional.value)
            for keyword in node.kwds:
                self.pattern(keyword.pattern)
        elif isinstance(node, cst.MatchStar):
            if node.name is not None:
                self.bind(node.name, node.name.value, s.MATCH)
        elif isinstance(node, cst.MatchAs):
            if node.pattern is not None:
                self.pattern(node.pattern)
            if node.name is not None:
                self.bind(node.name, node.name.value, s.MATCH)
        elif isinstance(node, cst.MatchOr):
            for option in node.patterns:
                self.pattern(option.pattern)

    def target(
        self,
        node: cst.BaseExpression,
        kind: str,
        value: Optional[ir.Expr],
        annotation: Optional[ir.Expr],
        unpack: tuple[int, ...] = (),
    ) -> None:
        self.mark(node)
        if isinstance(node, cst.Name):
            self.bind(node, node.value, kind, value=value, annotation=annotation, unpack=unpack)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for position, element in enumerate(node.elements):
                if isinstance(element, cst.StarredElement):
                    self.mark(element)
                    self.target(element.value, kind, value, None, (*unpack, -position - 1))
                else:
                    self.target(element.value, kind, value, None, (*unpack, position))
        elif isinstance(node, cst.StarredElement):
            self.target(node.value, kind, value, None, (*unpack, -1))
        elif isinstance(node, cst.Attribute):
            target = ir.Attribute(self.expr(node.value), node.attr.value)
            self.exprs[node] = target
            if kind != s.DELETE:
                self.builder.assign_attribute(target, value, annotation, 0)
        elif isinstance(node, cst.Subscript):
            self.expr(node.value)
            self.subscript_index(node.slice)

    def function(self, node: cst.FunctionDef) -> None:
        b = self.builder
        decorators, decorator_calls = self.decorators(node.decorators)
        params = self.parameters(node.params)
        returns = self.expr(node.returns.annotation) if node.returns is not None else None
        scope = b.open_scope(s.FUNCTION, node.name.value, 0)
        self.scopes[node] = scope
        for call in decorator_calls:
            b.set_decorates(call, scope)
        current = b.current()
        current.is_async = node.asynchronous is not None
        current.params = params
        current.returns = returns
        current.decorators = decorators
        if node.type_parameters is not None:
            for type_param in node.type_parameters.params:
                name = type_param.param.name
                self.bind(name, name.value, s.TYPE_PARAM)
        self.bind_params(node.params, params)
        self.mark(node.body)
        self.statements(_suite(node.body))
        b.close_scope()
        self.bind(node, node.name.value, s.DEF, definition=scope)

    def klass(self, node: cst.ClassDef) -> None:
        b = self.builder
        decorators, decorator_calls = self.decorators(node.decorators)
        bases: list[ir.Arg] = []
        for arg in (*node.bases, *node.keywords):
            self.mark(arg)
            keyword = arg.keyword.value if arg.keyword is not None else None
            bases.append(ir.Arg(self.expr(arg.value), keyword, arg.star))
        scope = b.open_scope(s.CLASS, node.name.value, 0)
        self.scopes[node] = scope
        for call in decorator_calls:
            b.set_decorates(call, scope)
        current = b.current()
        current.decorators = decorators
        current.bases = tuple(bases)
        if node.type_parameters is not None:
            for type_param in node.type_parameters.params:
                name = type_param.param.name
                self.bind(name, name.value, s.TYPE_PARAM)
        self.mark(node.body)
        self.statements(_suite(node.body))
        b.close_scope()
        self.bind(node, node.name.value, s.CLASSDEF, definition=scope)

    def decorators(self, nodes: Sequence[cst.Decorator]) -> tuple[tuple[ir.Expr, ...], list[int]]:
        exprs: list[ir.Expr] = []
        calls: list[int] = []
        for decorator in nodes:
            self.mark(decorator)
            if isinstance(decorator.decorator, cst.Call):
                calls.append(self.builder.calls_made)
            exprs.append(self.expr(decorator.decorator, s.DECORATOR))
        return tuple(exprs), calls

    def bind_params(self, params: cst.Parameters, records: tuple[Param, ...]) -> None:
        """The parameters are bound in the function's (or lambda's) own scope."""
        for param, record in zip(_all_params(params), records):
            self.mark(param)
            self.bind(
                param.name,
                record.name,
                s.PARAM,
                value=record.default,
                annotation=record.annotation,
            )

    def parameters(self, params: cst.Parameters) -> tuple[Param, ...]:
        nodes = list(_all_params(params))
        kinds = _param_kinds(params)
        defaults: list[Optional[ir.Expr]] = []
        for param in nodes:  # defaults first, positional then keyword-only, as Python does
            defaults.append(self.expr(param.default) if param.default is not None else None)
        out = []
        for param, kind, default in zip(nodes, kinds, defaults):
            annotation = (
                self.expr(param.annotation.annotation) if param.annotation is not None else None
            )
            out.append(Param(param.name.value, kind, annotation, default))
        return tuple(out)

    # -- expressions --------------------------------------------------------------------------
    def expr(self, node: cst.BaseExpression, usage: str = s.OTHER) -> ir.Expr:
        self.points[node] = self.point()
        result = self._expr(node, usage)
        self.exprs[node] = result
        return result

    def _expr(self, node: cst.BaseExpression, usage: str) -> ir.Expr:
        b = self.builder
        if isinstance(node, cst.Name):
            if node.value in _CONSTANT_NAMES:
                return ir.Constant(_CONSTANT_NAMES[node.value])
            point = Point(b.scope, b.read(node.value), b.branch)
            self.points[node] = point
            self.loads.append((node, point))
            return ir.Name(node.value)
        if isinstance(node, cst.Attribute):
            return ir.Attribute(self.expr(node.value), node.attr.value)
        if isinstance(node, cst.Call):
            index = b.enter_call()
            self.calls[node] = index
            func = self.expr(node.func)
            args = []
            for arg in node.args:
                self.mark(arg)
                keyword = arg.keyword.value if arg.keyword is not None else None
                args.append(ir.Arg(self.expr(arg.value, s.ARGUMENT), keyword, arg.star))
            call = ir.Call(func, tuple(args))
            b.leave_call(index, call, usage, 0)
            return call
        if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString)):
            return ir.Constant(literal_value(node))
        if isinstance(node, (cst.ConcatenatedString, cst.FormattedString)):
            return self.string(node)
        if isinstance(node, cst.Ellipsis):
            return ir.Constant(...)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            kind = type(node).__name__.lower()
            elements: list[ir.Expr] = []
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    self.points[element] = self.point()
                    starred = ir.Starred(self.expr(element.value))
                    self.exprs[element] = starred
                    elements.append(starred)
                else:
                    elements.append(self.expr(element.value))
            return ir.Collection(kind, tuple(elements))
        if isinstance(node, cst.Dict):
            keys: list[Optional[ir.Expr]] = []
            values: list[ir.Expr] = []
            for item in node.elements:
                if isinstance(item, cst.DictElement):
                    keys.append(self.expr(item.key))
                else:
                    keys.append(None)
                values.append(self.expr(item.value))
            return ir.Dict(tuple(keys), tuple(values))
        if isinstance(node, cst.Subscript):
            value = self.expr(node.value)
            return ir.Subscript(value, self.subscript_index(node.slice))
        if isinstance(node, cst.BinaryOperation):
            left = self.expr(node.left)
            return ir.BinOp(_BINARY[type(node.operator)], left, self.expr(node.right))
        if isinstance(node, cst.BooleanOperation):
            op = "and" if isinstance(node.operator, cst.And) else "or"
            return ir.BoolOp(op, tuple(self.bool_operands(node, op)))
        if isinstance(node, cst.UnaryOperation):
            return ir.UnaryOp(_UNARY[type(node.operator)], self.expr(node.expression))
        if isinstance(node, cst.Comparison):
            left = self.expr(node.left)
            ops = tuple(_COMPARE[type(c.operator)] for c in node.comparisons)
            return ir.Compare(left, ops, tuple(self.expr(c.comparator) for c in node.comparisons))
        if isinstance(node, cst.IfExp):
            test = self.expr(node.test)
            body = self.expr(node.body)
            return ir.IfExp(test, body, self.expr(node.orelse))
        if isinstance(node, cst.Await):
            b.awaited()
            return ir.Await(self.expr(node.expression, s.AWAITED))
        if isinstance(node, cst.Yield):
            yielded: Optional[ir.Expr] = None
            inner = node.value
            if isinstance(inner, cst.From):
                yielded = self.expr(inner.item, s.YIELDED)
            elif inner is not None:
                yielded = self.expr(inner, s.YIELDED)
            b.yielded(yielded)
            return ir.Yield(yielded, isinstance(inner, cst.From))
        if isinstance(node, cst.NamedExpr):
            value = self.expr(node.value, usage)
            if isinstance(node.target, cst.Name):
                self.mark(node.target)
                self.bind(node.target, node.target.value, s.WALRUS, value=value)
                return ir.NamedExpr(node.target.value, value)
            return value
        if isinstance(node, cst.Lambda):
            params = self.parameters(node.params)
            scope = b.open_scope(s.LAMBDA, "<lambda>", 0)
            self.scopes[node] = scope
            b.current().params = params
            self.bind_params(node.params, params)
            b.result(self.expr(node.body, s.RETURNED))
            b.close_scope()
            return ir.Lambda(scope)
        comprehension = _COMPREHENSION_KINDS.get(type(node))
        if comprehension is not None:
            return self.comprehension(node, comprehension)  # type: ignore[arg-type]
        return ir.OPAQUE

    def bool_operands(self, node: cst.BooleanOperation, op: str) -> list[ir.Expr]:
        """``a or b or c`` is one operation of three operands, as in ``ast``; a parenthesised
        operand stays one operand."""
        out: list[ir.Expr] = []
        left = node.left
        if (
            isinstance(left, cst.BooleanOperation)
            and not left.lpar
            and ("and" if isinstance(left.operator, cst.And) else "or") == op
        ):
            self.points[left] = self.point()
            out.extend(self.bool_operands(left, op))
        else:
            out.append(self.expr(left))
        out.append(self.expr(node.right))
        return out

    def string(self, node: Union[cst.ConcatenatedString, cst.FormattedString]) -> ir.Expr:
        parts: list[cst.BaseExpression] = []
        stack: list[cst.BaseExpression] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, cst.ConcatenatedString):
                stack.append(current.right)
                stack.append(current.left)
            else:
                parts.append(current)
        if not any(isinstance(part, cst.FormattedString) for part in parts):
            evaluated = node.evaluated_value if isinstance(node, cst.ConcatenatedString) else None
            return ir.Constant(evaluated)
        values: list[ir.Expr] = []
        for part in parts:
            if isinstance(part, cst.FormattedString):
                for piece in part.parts:
                    if isinstance(piece, cst.FormattedStringExpression):
                        values.append(self.expr(piece.expression))
        return ir.FString(tuple(values))

    def subscript_index(self, elements: Sequence[cst.SubscriptElement]) -> ir.Expr:
        lowered: list[ir.Expr] = []
        for element in elements:
            index = element.slice
            if isinstance(index, cst.Index):
                value = self.expr(index.value)
                lowered.append(ir.Starred(value) if index.star else value)
            elif isinstance(index, cst.Slice):
                lowered.append(
                    ir.Slice(
                        self.expr(index.lower) if index.lower is not None else None,
                        self.expr(index.upper) if index.upper is not None else None,
                        self.expr(index.step) if index.step is not None else None,
                    )
                )
        single = len(elements) == 1 and not isinstance(elements[0].comma, cst.Comma)
        if single and not isinstance(lowered[0], ir.Starred):
            return lowered[0]
        return ir.Collection("tuple", tuple(lowered))

    def comprehension(self, node: _Comprehension, kind: str) -> ir.Expr:
        b = self.builder
        first = node.for_in
        first_iterable = self.expr(first.iter)
        scope = b.open_scope(s.COMPREHENSION, f"<{kind}comp>", 0)
        self.scopes[node] = scope
        current: Optional[cst.CompFor] = first
        position = 0
        conditions: list[tuple[ir.Expr, ...]] = []
        while current is not None:
            iterable = first_iterable if position == 0 else self.expr(current.iter)
            if current.asynchronous is not None:
                b.awaited()
            self.target(current.target, s.FOR, iterable, None)
            conditions.append(tuple(self.expr(condition.test) for condition in current.ifs))
            current = current.inner_for_in
            position += 1
        if isinstance(node, cst.DictComp):
            key = self.expr(node.key)
            b.result(ir.Collection("tuple", (key, self.expr(node.value))))
        else:
            b.result(self.expr(node.elt))
        b.close_scope()
        return ir.Comprehension(kind, scope, tuple(conditions))


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    out = [*params.posonly_params, *params.params]
    if isinstance(params.star_arg, cst.Param):
        out.append(params.star_arg)
    out.extend(params.kwonly_params)
    if params.star_kwarg is not None:
        out.append(params.star_kwarg)
    return out


def _param_kinds(params: cst.Parameters) -> list[str]:
    kinds = ["posonly"] * len(params.posonly_params) + ["normal"] * len(params.params)
    if isinstance(params.star_arg, cst.Param):
        kinds.append("vararg")
    kinds += ["kwonly"] * len(params.kwonly_params)
    if params.star_kwarg is not None:
        kinds.append("kwarg")
    return kinds
