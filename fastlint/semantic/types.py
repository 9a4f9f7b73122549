"""What class a value is: type inference over the semantic model, across the project.

Sources of types, in the order they are tried: annotations (through ``Annotated``, ``Optional``,
unions with ``None``, string annotations and project type aliases such as ``SessionDep``
defined in any module), what a ``Depends(provider)`` injects (the provider's return or yield
annotation, else the type of what it returns or yields), constructor calls, what library
functions and methods return (:mod:`fastlint.semantic.knowledge`), ``with X() as y``, calls of
session factories (``SessionLocal()``, ``sessionmaker(bind=engine)()``), and attributes of
project classes (class-level fields, ``self.x = ...`` in methods, properties).

Inference is conservative: a name whose bindings disagree, or anything not understood, has no
type (None), so rules stay silent rather than guess.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Optional, Union

from fastlint.semantic import ir, knowledge
from fastlint.semantic import summary as s
from fastlint.semantic.model import ModuleModel, Point
from fastlint.semantic.summary import Binding, Scope

if TYPE_CHECKING:
    from fastlint.semantic.model import ProjectView

__all__ = [
    "Definition",
    "External",
    "Target",
    "Types",
    "ValueType",
    "Variable",
    "binding_point",
]

_MAX_DEPTH = 40
_PROPERTY = frozenset({"builtins.property", "functools.cached_property"})
# Decorators that make a method's first parameter something other than the instance.
_NOT_BOUND = frozenset({"builtins.staticmethod", "builtins.classmethod"})


@dataclass(frozen=True)
class ValueType:
    """The class of a value: a canonical library class (see :mod:`knowledge`) or the qualified
    name of a project class. ``product`` is, for session factories, the class of what they
    make."""

    name: str
    product: Optional[str] = None


def _instance(qualname: str) -> ValueType:
    return ValueType(qualname, knowledge.FACTORY_PRODUCTS.get(qualname))


@dataclass(frozen=True)
class Definition:
    """A ``def`` or ``class`` of the project."""

    model: ModuleModel
    scope: Scope

    @property
    def qualname(self) -> str:
        return self.model.symbol_of(self.scope)

    @property
    def is_class(self) -> bool:
        return self.scope.kind == s.CLASS


@dataclass(frozen=True)
class Variable:
    """A name of the project bound to values (the bindings that may be in force)."""

    model: ModuleModel
    bindings: tuple[Binding, ...]


@dataclass(frozen=True)
class External:
    """Something outside the project (a library object, a builtin), by qualified name."""

    qualname: str


Target = Union[Definition, Variable, External]


def binding_point(binding: Binding) -> Point:
    """Where a binding's value is evaluated: at the binding's own event, which has not
    happened yet there (``x = x + 1`` reads the previous ``x``)."""
    return Point(binding.origin, binding.order, binding.branch)


def definition_point(model: ModuleModel, scope: Scope) -> Point:
    """Where a function's decorators, defaults and annotations are evaluated."""
    return Point(scope.parent, scope.order, scope.branch)


# A ``Depends(provider)`` found in an annotation: the provider expression, with the model and
# point to read it at (an alias may live in another module).
_Provider = tuple[ModuleModel, ir.Expr, Point]


@lru_cache(maxsize=2048)
def _parse_annotation(text: str) -> Optional[ir.Expr]:
    from fastlint.semantic.from_ast import lower_expression

    return lower_expression(text.strip())


def _is_none(expr: Optional[ir.Expr]) -> bool:
    return isinstance(expr, ir.Constant) and expr.value is None


class Types:
    """Type inference over the models of one project."""

    def __init__(self, index: Optional[ProjectView]) -> None:
        self.index = index
        # Keyed by the identities of the model and the expression; each entry keeps both alive,
        # so that an identity is never reused for another object while it is cached.
        self._cache: dict[
            tuple[int, int, Point], tuple[ModuleModel, ir.Expr, Optional[ValueType]]
        ] = {}
        self._active: set[tuple[int, int, Point]] = set()

    # -- what a name refers to -----------------------------------------------------------------
    def target(self, model: ModuleModel, expr: ir.Expr, point: Point) -> Optional[Target]:
        """What the Name/Attribute chain ``expr`` names at ``point``."""
        chain = ir.dotted(expr)
        if chain is None:
            return None
        head, _, rest = chain.partition(".")
        found = model.lookup(head, point)
        if found.kind == "builtin":
            return External(f"builtins.{chain}")
        if found.kind == "star":
            qualname = model.qualified_name(expr, point)
            return self.global_target(qualname, model.summary.path) if qualname else None
        if found.kind != "bound" or not found.bindings:
            return None
        bindings = found.bindings
        if all(b.kind == s.IMPORT for b in bindings):
            qualname = model.qualified_name(expr, point)
            return self.global_target(qualname, model.summary.path) if qualname else None
        if len(bindings) == 1 and bindings[0].kind in (s.DEF, s.CLASSDEF):
            definition = model.scope(bindings[0].definition)
            return self._member(model, definition, rest) if rest else Definition(model, definition)
        if rest:
            return None
        if any(b.kind in (s.DEF, s.CLASSDEF, s.DELETE) for b in bindings):
            return None
        return Variable(model, bindings)

    def global_target(self, qualname: str, near: Optional[str] = None) -> Optional[Target]:
        """What a qualified name names: a project definition or variable, or a library name.
        ``near`` is the path of the module that names it (two apps of one tree may have
        modules of the same name)."""
        index = self.index
        if index is None:
            return External(qualname)
        qualname = index.canonical(qualname, near)
        found = index.split(qualname, near)
        if found is None:
            return External(qualname)
        model, rest = found
        if not rest:
            return None  # a project module
        head, _, tail = rest.partition(".")
        if "<locals>" in rest:
            scope = model.scopes_named(rest)
            return Definition(model, scope) if scope is not None else None
        bindings = model.names_at_end(head)
        if not bindings:
            return None
        if len(bindings) == 1 and bindings[0].kind in (s.DEF, s.CLASSDEF):
            definition = model.scope(bindings[0].definition)
            return self._member(model, definition, tail) if tail else Definition(model, definition)
        if tail or any(b.kind in (s.DEF, s.CLASSDEF, s.DELETE, s.IMPORT) for b in bindings):
            return None
        return Variable(model, bindings)

    def _member(self, model: ModuleModel, scope: Scope, rest: str) -> Optional[Target]:
        """``Klass.method`` / ``Klass.attribute``."""
        if scope.kind != s.CLASS or "." in rest:
            return None
        bindings = model.reaching(scope.id, rest, model.end_of(scope))
        if len(bindings) == 1 and bindings[0].kind in (s.DEF, s.CLASSDEF):
            return Definition(model, model.scope(bindings[0].definition))
        if bindings and all(b.kind in (s.ASSIGN, s.DECLARE) for b in bindings):
            return Variable(model, bindings)
        return None

    def qualified_name(self, model: ModuleModel, expr: ir.Expr, point: Point) -> Optional[str]:
        """Like :meth:`ModuleModel.qualified_name`, for library and project definitions only
        (None for variables)."""
        found = self.target(model, expr, point)
        if isinstance(found, External):
            return found.qualname
        if isinstance(found, Definition):
            return found.qualname
        return None

    def definition(self, model: ModuleModel, expr: ir.Expr, point: Point) -> Optional[Definition]:
        found = self.target(model, expr, point)
        return found if isinstance(found, Definition) else None

    # -- classes --------------------------------------------------------------------------------
    def class_definition(self, qualname: str, near: Optional[str] = None) -> Optional[Definition]:
        found = self.global_target(qualname, near)
        return found if isinstance(found, Definition) and found.is_class else None

    def base_names(self, definition: Definition) -> list[str]:
        """Qualified names of a project class's bases."""
        point = definition_point(definition.model, definition.scope)
        out = []
        for base in definition.scope.bases:
            if base.keyword is None and not base.star:
                found = self.qualified_name(definition.model, base.value, point)
                if found is not None:
                    out.append(found)
        return out

    def is_subclass(
        self,
        qualname: str,
        classes: Collection[str],
        near: Optional[str] = None,
        _depth: int = 0,
    ) -> bool:
        """Whether ``qualname`` is one of the canonical ``classes`` or a project class deriving
        from one of them."""
        if qualname in classes or knowledge.canonical_class(qualname) in classes:
            return True
        if _depth > 12:
            return False
        definition = self.class_definition(qualname, near)
        if definition is None:
            return False
        here = definition.model.summary.path
        return any(
            self.is_subclass(b, classes, here, _depth + 1) for b in self.base_names(definition)
        )

    def is_instance(self, value: Optional[ValueType], classes: Collection[str]) -> bool:
        if value is None:
            return False
        if value.name in classes:
            return True
        if knowledge.canonical_class(value.name) is not None:
            return False
        return self.is_subclass(value.name, classes)

    # -- values ---------------------------------------------------------------------------------
    def type_of(self, model: ModuleModel, expr: ir.Expr, point: Point) -> Optional[ValueType]:
        key = (id(model), id(expr), point)
        cached = self._cache.get(key)
        if cached is not None:
            return cached[2]
        if key in self._active or len(self._active) > _MAX_DEPTH:
            return None
        self._active.add(key)
        try:
            result = self._type_of(model, expr, point)
        finally:
            self._active.discard(key)
        self._cache[key] = (model, expr, result)
        return result

    def _type_of(self, model: ModuleModel, expr: ir.Expr, point: Point) -> Optional[ValueType]:
        if isinstance(expr, (ir.Name, ir.Attribute)):
            found = self.target(model, expr, point)
            if isinstance(found, Variable):
                return self.variable_type(found)
            if isinstance(found, Definition) and not found.is_class:
                return None
            if isinstance(expr, ir.Attribute) and found is None:
                return self.attribute_type(self.type_of(model, expr.value, point), expr.attr)
            return None
        if isinstance(expr, ir.Subscript):
            return self._child(self.type_of(model, expr.value, point))
        if isinstance(expr, ir.Call):
            return self.call_type(model, expr, point)
        if isinstance(expr, ir.NamedExpr):
            return self.type_of(model, expr.value, point)
        if isinstance(expr, ir.BinOp) and expr.op == "/":  # Path(root) / "static"
            left = self.type_of(model, expr.left, point)
            return left if left is not None and left.name in knowledge.DIVIDING_CLASSES else None
        if isinstance(expr, ir.Await) and isinstance(expr.value, ir.Call):
            callee = self.definition(model, expr.value.func, point)
            if callee is not None and not callee.is_class and callee.scope.is_async:
                return self.function_value(callee, handed_out=True)
        return None

    @staticmethod
    def _child(parent: Optional[ValueType]) -> Optional[ValueType]:
        if parent is None:
            return None
        child = knowledge.CHILD_TYPES.get(parent.name)
        return ValueType(child) if child is not None else None

    @staticmethod
    def merge(types: Iterable[Optional[ValueType]]) -> Optional[ValueType]:
        result: Optional[ValueType] = None
        for found in types:
            if found is None or (result is not None and found != result):
                return None
            result = found
        return result

    def variable_type(self, variable: Variable) -> Optional[ValueType]:
        bindings = [
            b
            for b in variable.bindings
            if not (b.kind == s.ASSIGN and _is_none(b.value) and b.annotation is None)
        ]
        if not bindings:
            return None
        return self.merge(self.binding_type(variable.model, b) for b in bindings)

    def binding_type(self, model: ModuleModel, binding: Binding) -> Optional[ValueType]:
        point = binding_point(binding)
        if binding.kind in (s.ASSIGN, s.DECLARE, s.WALRUS):
            if binding.unpack:
                return None
            if binding.annotation is not None:
                found = self.annotation_type(model, binding.annotation, point)
                if found is not None:
                    return found
            return self.type_of(model, binding.value, point) if binding.value is not None else None
        if binding.kind == s.PARAM:
            return self.parameter_type(model, binding)
        if binding.kind == s.WITH and binding.value is not None and not binding.unpack:
            return self.entered_type(model, binding.value, point)
        return None

    def parameter_type(self, model: ModuleModel, binding: Binding) -> Optional[ValueType]:
        function = model.scope(binding.scope)
        outer = definition_point(model, function)
        provider: Optional[_Provider] = None
        if binding.annotation is not None:
            found, provider = self._annotation(model, binding.annotation, outer, 0)
            if found is not None:
                return found
        default = binding.value
        if isinstance(default, ir.Call) and self.is_depends(model, default, outer):
            target = default.argument(0, "dependency")
            if target is not None:
                provider = (model, target, outer)
        if provider is not None:
            return self.dependency_type(*provider)
        if binding.annotation is None and default is None:
            return self._receiver_type(model, function, binding.name)
        return None

    def _receiver_type(self, model: ModuleModel, function: Scope, name: str) -> Optional[ValueType]:
        """``self`` of a method of a project class: an instance of that class (or of a
        subclass, whose own members are not looked at)."""
        parent = model.parent(function)
        if parent is None or parent.kind != s.CLASS or function.kind != s.FUNCTION:
            return None
        positional = [p for p in function.params if p.kind in ("posonly", "normal")]
        if not positional or positional[0].name != name:
            return None
        outer = definition_point(model, function)
        for decorator in function.decorators:
            if self.qualified_name(model, decorator, outer) in _NOT_BOUND:
                return None
            if not isinstance(decorator, (ir.Name, ir.Attribute)):
                return None  # a decorator call may make it anything
        return ValueType(model.symbol_of(parent))

    def is_depends(self, model: ModuleModel, call: ir.Call, point: Point) -> bool:
        return model.qualified_name(call.func, point) in knowledge.DEPENDS_NAMES

    def annotation_type(
        self, model: ModuleModel, expr: ir.Expr, point: Point
    ) -> Optional[ValueType]:
        """The class an annotation declares; when it declares nothing known but carries
        ``Depends(provider)`` (``Annotated[Any, Depends(get_db)]``), what the provider gives."""
        found, provider = self._annotation(model, expr, point, 0)
        if found is None and provider is not None:
            return self.dependency_type(*provider)
        return found

    def annotation_provider(
        self, model: ModuleModel, expr: ir.Expr, point: Point
    ) -> Optional[_Provider]:
        """The ``Depends(provider)`` an annotation carries (also through an alias defined in
        another module), with the model and point to read the provider at."""
        return self._annotation(model, expr, point, 0)[1]

    def _annotation(
        self, model: ModuleModel, expr: ir.Expr, point: Point, depth: int
    ) -> tuple[Optional[ValueType], Optional[_Provider]]:
        """(declared class, the ``Depends`` provider it carries) of an annotation."""
        if depth > _MAX_DEPTH:
            return None, None
        if isinstance(expr, ir.Constant) and isinstance(expr.value, str):
            parsed = _parse_annotation(expr.value)
            return self._annotation(model, parsed, point, depth + 1) if parsed else (None, None)
        if isinstance(expr, ir.BinOp) and expr.op == "|":
            if _is_none(expr.right):
                return self._annotation(model, expr.left, point, depth + 1)
            if _is_none(expr.left):
                return self._annotation(model, expr.right, point, depth + 1)
            return None, None
        if isinstance(expr, ir.Subscript):
            return self._subscript_annotation(model, expr, point, depth)
        if not isinstance(expr, (ir.Name, ir.Attribute)):
            return None, None
        found = self.target(model, expr, point)
        if isinstance(found, External):
            canonical = knowledge.canonical_class(found.qualname)
            return (_instance(canonical) if canonical is not None else None), None
        if isinstance(found, Definition) and found.is_class:
            return ValueType(found.qualname), None
        if isinstance(found, Variable) and len(found.bindings) == 1:
            alias = found.bindings[0]  # SessionDep = Annotated[Session, Depends(get_db)]
            if alias.kind in (s.ASSIGN, s.TYPE_ALIAS) and alias.value is not None:
                return self._annotation(found.model, alias.value, binding_point(alias), depth + 1)
        return None, None

    def _subscript_annotation(
        self, model: ModuleModel, expr: ir.Subscript, point: Point, depth: int
    ) -> tuple[Optional[ValueType], Optional[_Provider]]:
        base = self.qualified_name(model, expr.value, point)
        elements = _elements(expr.index)
        if not elements or base is None:
            return None, None
        if base in knowledge.ANNOTATED:
            found, provider = self._annotation(model, elements[0], point, depth + 1)
            for extra in elements[1:]:
                if isinstance(extra, ir.Call) and self.is_depends(model, extra, point):
                    target = extra.argument(0, "dependency")
                    if target is not None:
                        provider = (model, target, point)
            return found, provider
        if base in knowledge.OPTIONAL:
            return self._annotation(model, elements[0], point, depth + 1)
        if base in knowledge.UNION:
            members = [e for e in elements if not _is_none(e)]
            if len(members) == 1:
                return self._annotation(model, members[0], point, depth + 1)
            return None, None
        canonical = knowledge.canonical_class(base)
        if canonical in knowledge.FACTORY_PRODUCTS:  # sessionmaker[Session]
            product, _ = self._annotation(model, elements[0], point, depth + 1)
            return ValueType(canonical, product.name if product else None), None
        return None, None

    def generator_item(
        self, model: ModuleModel, expr: ir.Expr, point: Point
    ) -> Optional[ValueType]:
        """What a generator or context manager annotated ``expr`` hands out
        (``Iterator[Session]`` -> Session)."""
        if isinstance(expr, ir.Constant) and isinstance(expr.value, str):
            parsed = _parse_annotation(expr.value)
            return self.generator_item(model, parsed, point) if parsed else None
        if (
            isinstance(expr, ir.Subscript)
            and self.qualified_name(model, expr.value, point) in knowledge.WRAPPING_ANNOTATIONS
        ):
            return self.annotation_type(model, _elements(expr.index)[0], point)
        return None

    def dependency_type(
        self, model: ModuleModel, provider: ir.Expr, point: Point
    ) -> Optional[ValueType]:
        """What FastAPI injects for ``Depends(provider)``."""
        found = self.target(model, provider, point)
        if isinstance(found, Definition):
            if found.is_class:
                return ValueType(found.qualname)
            return self.function_value(found, handed_out=True)
        return None

    def function_value(self, definition: Definition, handed_out: bool) -> Optional[ValueType]:
        """What calling a project function gives; with ``handed_out``, what a generator
        function yields (a yield dependency, a ``@contextmanager``) or an ``async def``
        returns, instead of the generator or coroutine itself."""
        scope, model = definition.scope, definition.model
        if scope.kind == s.CLASS:
            return ValueType(definition.qualname)
        if (scope.is_generator or scope.is_async) and not handed_out:
            return None
        outer = definition_point(model, scope)
        if scope.returns is not None:
            if scope.is_generator:
                return self.generator_item(model, scope.returns, outer)
            found = self.annotation_type(model, scope.returns, outer)
            if found is not None:
                return found
        values = scope.yields if scope.is_generator else scope.results
        own = [v for v in values if not _is_none(v.expr)]
        if not own:
            return None
        return self.merge(
            self.type_of(model, v.expr, Point(scope.id, v.order, v.branch)) for v in own
        )

    def entered_type(self, model: ModuleModel, expr: ir.Expr, point: Point) -> Optional[ValueType]:
        """The value bound by ``with expr as name``."""
        if isinstance(expr, ir.Call):
            callee = self.definition(model, expr.func, point)
            if callee is not None and not callee.is_class:
                decorators = {
                    self.qualified_name(
                        callee.model, d, definition_point(callee.model, callee.scope)
                    )
                    for d in callee.scope.decorators
                }
                if decorators & (knowledge.CONTEXT_MANAGER | knowledge.ASYNC_CONTEXT_MANAGER):
                    return self.function_value(callee, handed_out=True)
        return self.type_of(model, expr, point)

    def call_type(self, model: ModuleModel, call: ir.Call, point: Point) -> Optional[ValueType]:
        func = call.func
        if isinstance(func, ir.Call):  # sessionmaker(bind=engine)()
            factory = self.type_of(model, func, point)
            if factory is not None and factory.product is not None:
                return _instance(factory.product)
            return None
        found = (
            self.target(model, func, point) if isinstance(func, (ir.Name, ir.Attribute)) else None
        )
        if isinstance(found, Definition):
            if found.is_class:
                return _instance(found.qualname)
            return self.function_value(found, handed_out=False)
        if isinstance(found, External):
            library = self._library_call(model, found.qualname, call, point)
            if library is not None:
                return library
        if isinstance(found, Variable):
            factory = self.variable_type(found)  # SessionLocal()
            if factory is not None and factory.product is not None:
                return _instance(factory.product)
            return None
        if isinstance(func, ir.Attribute) and found is None:
            receiver = self.type_of(model, func.value, point)
            if receiver is None:
                return None
            method = func.attr
            if method == "begin" and receiver.product is not None:
                return _instance(receiver.product)  # with SessionLocal.begin() as session
            result = knowledge.METHOD_RESULTS.get((receiver.name, method))
            if result is not None:
                return _instance(result)
            member = self.class_member(receiver.name, method)
            if isinstance(member, Definition) and not member.is_class:
                return self.function_value(member, handed_out=False)
        return None

    def _library_call(
        self, model: ModuleModel, qualname: str, call: ir.Call, point: Point
    ) -> Optional[ValueType]:
        result = knowledge.FUNCTION_RESULTS.get(qualname)
        if result is not None:
            return _instance(result)
        canonical = knowledge.canonical_class(qualname)
        if canonical is None:
            return None
        if canonical in knowledge.SCOPED_FACTORIES:
            factory = call.argument(0, "session_factory")
            made = self.type_of(model, factory, point) if factory is not None else None
            if made is not None and made.product is not None:
                return ValueType(canonical, made.product)
            return _instance(canonical)
        if canonical in knowledge.FACTORY_PRODUCTS:
            product = call.keyword("class_")
            if product is None:
                return _instance(canonical)
            made = self.annotation_type(model, product, point)
            return ValueType(canonical, made.name if made is not None else None)
        return _instance(canonical)

    # -- project classes ------------------------------------------------------------------------
    def class_member(
        self, qualname: str, name: str, near: Optional[str] = None, _depth: int = 0
    ) -> Optional[Target]:
        """A member of a project class (or of its project bases)."""
        definition = self.class_definition(qualname, near)
        if definition is None or _depth > 12:
            return None
        found = self._member(definition.model, definition.scope, name)
        if found is not None:
            return found
        here = definition.model.summary.path
        for base in self.base_names(definition):
            inherited = self.class_member(base, name, here, _depth + 1)
            if inherited is not None:
                return inherited
        return None

    def attribute_type(self, receiver: Optional[ValueType], name: str) -> Optional[ValueType]:
        """The type of ``value.name`` for a value of a known class."""
        if receiver is None:
            return None
        held = knowledge.ATTRIBUTE_RESULTS.get((receiver.name, name))
        if held is not None:
            return ValueType(held)
        child = knowledge.CHILD_TYPES.get(receiver.name)
        if child is not None:
            return ValueType(child)
        member = self.class_member(receiver.name, name)
        if isinstance(member, Variable):
            return self.variable_type(member)
        if isinstance(member, Definition) and not member.is_class:
            decorators = {
                self.qualified_name(member.model, d, definition_point(member.model, member.scope))
                for d in member.scope.decorators
            }
            if decorators & _PROPERTY:
                return self.function_value(member, handed_out=False)
            return None
        return self._instance_attribute(receiver.name, name)

    def _instance_attribute(self, qualname: str, name: str, _depth: int = 0) -> Optional[ValueType]:
        """``self.name = value`` assignments in the methods of a project class."""
        definition = self.class_definition(qualname)
        if definition is None or _depth > 12:
            return None
        model, klass = definition.model, definition.scope
        found: list[Optional[ValueType]] = []
        for assignment in model.summary.attributes:
            target = assignment.target
            if not (isinstance(target, ir.Attribute) and target.attr == name):
                continue
            method = model.enclosing_function(assignment.scope)
            if method is None or method.parent != klass.id or not method.params:
                continue
            if target.value != ir.Name(method.params[0].name):
                continue
            point = Point(assignment.scope, assignment.order, assignment.branch)
            if assignment.annotation is not None:
                found.append(self.annotation_type(model, assignment.annotation, point))
            elif assignment.value is not None and not _is_none(assignment.value):
                found.append(self.type_of(model, assignment.value, point))
        if found:
            return self.merge(found)
        for base in self.base_names(definition):
            inherited = self._instance_attribute(base, name, _depth + 1)
            if inherited is not None:
                return inherited
        return None


def _elements(index: ir.Expr) -> list[ir.Expr]:
    if isinstance(index, ir.Collection) and index.kind == "tuple":
        return list(index.elements)
    return [index]
