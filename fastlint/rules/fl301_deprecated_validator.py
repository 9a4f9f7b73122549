from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Optional, Union

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.guards import GuardTracker, guarded_import_names
from fastlint.imports import dotted_name
from fastlint.nodes import is_name, module_level_definitions, names_in, target_name_nodes
from fastlint.rule import Case, FileContext, FixAvailability, FixBuilder, Rule

_V1_VALIDATORS = frozenset(
    {
        "pydantic.validator",
        "pydantic.class_validators.validator",
        "pydantic.deprecated.class_validators.validator",
    }
)
_V2_VALIDATORS = frozenset(
    {"pydantic.field_validator", "pydantic.functional_validators.field_validator"}
)
_FIELD_FUNCTIONS = frozenset({"pydantic.Field", "pydantic.fields.Field"})
# Calls whose result is a field description of another library: never wrapped in ``Field()``.
_FIELD_LIBRARIES = frozenset({"pydantic", "pydantic_settings", "sqlmodel", "fastapi"})
# What the names a fix writes may already be bound to.
_PROVIDED_BY: dict[str, frozenset[str]] = {
    "field_validator": _V2_VALIDATORS,
    "ValidationInfo": frozenset(
        {"pydantic.ValidationInfo", "pydantic_core.core_schema.ValidationInfo"}
    ),
    "Field": _FIELD_FUNCTIONS,
}
_REMOVED_PARAMETERS = frozenset({"field", "config"})
_FIX_TITLE = "Replace `@validator` with `@field_validator`"


@dataclass(frozen=True)
class _Op:
    """One edit of a fix, anchored on nodes (resolved by the engine)."""

    kind: str  # replace | replace_range | delete_lines | insert_before | insert_after
    node: cst.CSTNode
    text: str = ""
    end: Optional[cst.CSTNode] = None


@dataclass
class _Plan:
    """What one deprecated ``@validator`` is, and how it can be rewritten."""

    node: cst.CSTNode  # what the finding points at
    fields: Optional[frozenset[str]]  # the validated fields; None: every field, or unknown
    mode: str  # before | after | other
    each_item: bool = False
    always: bool = False
    fixable: bool = True
    unsafe_reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ops: list[_Op] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    namespace: str = ""  # "pydantic." when the module is imported as a whole
    title: str = "`@validator` is deprecated in Pydantic 2; use `@field_validator`"

    def block(self, note: Optional[str] = None) -> None:
        self.fixable = False
        if note is not None and note not in self.notes:
            self.notes.append(note)

    @property
    def message(self) -> str:
        return "; ".join([self.title, *self.notes])

    @property
    def safety(self) -> Optional[Applicability]:
        if not self.fixable:
            return None
        return Applicability.UNSAFE if self.unsafe_reasons else Applicability.SAFE


@dataclass
class _Entry:
    """A validator of a class (v1 or v2), in definition order, for the order analysis."""

    fields: Optional[frozenset[str]]
    mode: str
    v1: bool
    each_item: bool = False
    plan: Optional[_Plan] = None

    def touches(self, name: str) -> bool:
        return self.fields is None or name in self.fields


@dataclass
class _ClassFrame:
    node: cst.ClassDef
    entries: list[_Entry] = field(default_factory=list)


class DeprecatedValidator(Rule):
    """## What it does
    Finds Pydantic 1 `@validator` decorators (from `pydantic` or `pydantic.class_validators`)
    in a project that uses Pydantic 2, and rewrites them to `@field_validator`.

    `pydantic.v1` validators (deliberately kept on the v1 API), `@field_validator`, functions of
    the project that happen to be called `validator`, and code under a version guard
    (`if PYDANTIC_V2:`, `if sys.version_info ...`, `try: ... except ImportError:`) are left
    alone. Nothing is reported when the project is configured for Pydantic 1.

    ## Why is this bad?
    `@validator` only survives in Pydantic 2 as a deprecated shim that warns on import and will
    be removed. Some of its forms already fail when the class is defined: a validator that takes
    a `field` or `config` parameter raises `PydanticUserError`.

    ## Example
    ```python
    from pydantic import BaseModel, validator


    class User(BaseModel):
        name: str
        password: str
        password2: str

        @validator("name", pre=True, allow_reuse=True)
        def strip_name(cls, v):
            return v.strip()

        @validator("password2")
        def passwords_match(cls, v, values):
            if v != values.get("password"):
                raise ValueError("passwords do not match")
            return v
    ```

    ## Use instead
    ```python
    from pydantic import BaseModel, ValidationInfo, field_validator


    class User(BaseModel):
        name: str
        password: str
        password2: str

        @field_validator("name", mode="before")
        @classmethod
        def strip_name(cls, v):
            return v.strip()

        @field_validator("password2")
        @classmethod
        def passwords_match(cls, v, info: ValidationInfo):
            if v != info.data.get("password"):
                raise ValueError("passwords do not match")
            return v
    ```

    ## Fix safety
    The fix is **safe** for a validator whose function takes only `cls` and the value:
    `@validator("a", "b", pre=True, allow_reuse=True, check_fields=False)` becomes
    `@field_validator("a", "b", mode="before", check_fields=False)`, with `@classmethod` added
    right above the `def` unless it is there already. `pre=True` becomes `mode="before"` (both
    run on the raw input), `pre=False`, `each_item=False`, `always=False` and `allow_reuse` are
    dropped, the rest of the decorator call keeps its layout and comments, `field_validator` is
    imported (`pydantic.field_validator` when the file uses `import pydantic`), and the
    `validator` import is removed once nothing uses it.

    The fix is **unsafe** (it changes the function's signature, which direct callers and
    subclasses may rely on, or moves behaviour out of the decorator) when:
    - the function takes `values`: it becomes `info: ValidationInfo` and each use of `values`
      becomes `info.data` (the same dictionary of the fields validated so far); a `values`
      parameter that the body never reads is dropped;
    - the function takes a `field` or `config` parameter that its body never reads, or a
      `**kwargs` that it never reads: they are dropped (Pydantic 2 refuses `field` and `config`
      when the class is defined, so this fix also makes the class load);
    - `always=True` is used: Pydantic 2 has no decorator form of it; `validate_default=True` is
      added to the `Field(...)` of each validated field declared in the same class (a plain
      default `x: int = 0` becomes `x: int = Field(0, validate_default=True)`). A subclass that
      redeclares the field no longer validates its default;
    - converting it would change the order in which the validators of a field run: Pydantic 2
      runs a field's new-style validators first and the old-style ones after them, so a
      `@validator` that stays (unsafe or unfixable) or a `@field_validator` defined after this
      one would swap places with it (a `mode="before"` and an after validator never swap).

    There is **no fix** when no faithful rewrite exists: `each_item=True` (needs an item type
    such as `list[Annotated[int, AfterValidator(f)]]`), a validator that shares a field with an
    `each_item=True` validator (Pydantic 2 cannot combine them), a `field` or `config` parameter
    that the body reads (there is no `ModelField` in Pydantic 2), a `**kwargs` the body reads,
    `*args`, a `values` that the body rebinds or an `info` name already in use,
    `pre=`/`always=`/`each_item=` values that are not literal booleans, unknown arguments, other
    decorators between `@validator` and the `def`, `@staticmethod`, a first parameter that is not
    `cls`, several validator decorators on one function, and `always=True` when a validated field
    is not declared in the same class. Calls such as
    `check = validator("a", allow_reuse=True)(normalize)` are reported without a fix.
    """

    code = "FL301"
    name = "deprecated-validator"
    message = "`@validator` is deprecated in Pydantic 2; use `@field_validator`"
    fix_availability = FixAvailability.SOMETIMES
    requires_any = ("validator",)

    valid = (
        # The v2 decorator.
        """
        from pydantic import BaseModel, field_validator

        class User(BaseModel):
            name: str

            @field_validator("name")
            @classmethod
            def strip(cls, v: str) -> str:
                return v.strip()
        """,
        # Deliberately on the v1 API.
        """
        from pydantic.v1 import BaseModel, validator

        class User(BaseModel):
            name: str

            @validator("name")
            def strip(cls, v):
                return v.strip()
        """,
        """
        import pydantic.v1 as pydantic

        class User(pydantic.BaseModel):
            name: str

            @pydantic.validator("name")
            def strip(cls, v):
                return v.strip()
        """,
        # A project function that happens to be called `validator`.
        """
        from app.checks import validator

        class Form:
            @validator("name")
            def strip(self, v):
                return v.strip()
        """,
        """
        def validator(*fields):
            return lambda f: f

        class Form:
            @validator("name")
            def strip(self, v):
                return v.strip()
        """,
        # Version guards.
        """
        from pydantic import BaseModel
        from app.compat import PYDANTIC_V2

        if PYDANTIC_V2:
            from pydantic import field_validator
        else:
            from pydantic import validator

        class User(BaseModel):
            name: str

            if PYDANTIC_V2:
                @field_validator("name")
                @classmethod
                def strip(cls, v):
                    return v.strip()
            else:
                @validator("name")
                def strip(cls, v):
                    return v.strip()
        """,
        """
        from pydantic import BaseModel

        try:
            from pydantic import field_validator
        except ImportError:
            from pydantic import validator as field_validator

        class User(BaseModel):
            name: str

            @field_validator("name")
            def strip(cls, v):
                return v.strip()
        """,
        # A project on Pydantic 1.
        Case(
            """
            from pydantic import BaseModel, validator

            class User(BaseModel):
                name: str

                @validator("name")
                def strip(cls, v):
                    return v.strip()
            """,
            config={"pydantic-version": 1},
        ),
    )

    invalid = (
        # The plain form: safe.
        Case(
            """
            from pydantic import BaseModel, validator

            class User(BaseModel):
                name: str

                @validator("name")
                def strip(cls, v: str) -> str:
                    return v.strip()
            """,
            expected="""
            from pydantic import BaseModel, field_validator

            class User(BaseModel):
                name: str

                @field_validator("name")
                @classmethod
                def strip(cls, v: str) -> str:
                    return v.strip()
            """,
            count=1,
            message="`@validator` is deprecated in Pydantic 2; use `@field_validator`",
        ),
        # pre=True, several fields, allow_reuse: safe.
        Case(
            """
            from pydantic import BaseModel, validator

            class User(BaseModel):
                first: str
                last: str

                @validator("first", "last", pre=True, allow_reuse=True)
                def strip(cls, v):
                    return v.strip()
            """,
            expected="""
            from pydantic import BaseModel, field_validator

            class User(BaseModel):
                first: str
                last: str

                @field_validator("first", "last", mode="before")
                @classmethod
                def strip(cls, v):
                    return v.strip()
            """,
        ),
        # `values` is used: unsafe.
        Case(
            """
            from pydantic import BaseModel, validator

            class Signup(BaseModel):
                password: str
                password2: str

                @validator("password2")
                def match(cls, v, values):
                    if v != values.get("password"):
                        raise ValueError("passwords do not match")
                    return v
            """,
            expected="""
            from pydantic import BaseModel, ValidationInfo, field_validator

            class Signup(BaseModel):
                password: str
                password2: str

                @field_validator("password2")
                @classmethod
                def match(cls, v, info: ValidationInfo):
                    if v != info.data.get("password"):
                        raise ValueError("passwords do not match")
                    return v
            """,
            unsafe=True,
        ),
        # `field` is used: no fix.
        Case(
            """
            from pydantic import BaseModel, validator

            class Item(BaseModel):
                name: str

                @validator("name")
                def check(cls, v, field):
                    return f"{field.name}: {v}"
            """,
            expected="""
            from pydantic import BaseModel, validator

            class Item(BaseModel):
                name: str

                @validator("name")
                def check(cls, v, field):
                    return f"{field.name}: {v}"
            """,
            unsafe=True,
            message="Pydantic 2 refuses its `field` parameter",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._enabled = context.pydantic_version >= 2
        self._guards = GuardTracker(context.imports)
        self._guarded_names: Optional[frozenset[str]] = None
        # The innermost scopes: a class frame, or None for a function.
        self._scopes: list[Optional[_ClassFrame]] = []
        self._decorator_calls: set[int] = set()
        # The indentation of the enclosing blocks, to write a line of our own.
        self._indents: list[str] = []

    # -- version guards ---------------------------------------------------------------------

    def visit_If(self, node: cst.If) -> None:
        self._guards.enter(node)

    def leave_If(self, original_node: cst.If) -> None:
        self._guards.leave(original_node)

    def visit_Try(self, node: cst.Try) -> None:
        self._guards.enter(node)

    def leave_Try(self, original_node: cst.Try) -> None:
        self._guards.leave(original_node)

    def visit_TryStar(self, node: cst.TryStar) -> None:
        self._guards.enter(node)

    def leave_TryStar(self, original_node: cst.TryStar) -> None:
        self._guards.leave(original_node)

    # -- scopes ------------------------------------------------------------------------------

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        indent = node.indent
        self._indents.append(self.context.indent if indent is None else indent)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self._indents.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._scopes.append(_ClassFrame(node))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        frame = self._scopes.pop()
        if frame is not None and frame.entries:
            self._finish_class(frame)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._enabled and not self._guards.active:
            self._check_decorators(node)
        self._scopes.append(None)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_Call(self, node: cst.Call) -> None:
        """``validator("a", allow_reuse=True)(normalize)``: reported, never fixed."""
        if not self._enabled or self._guards.active or id(node) in self._decorator_calls:
            return
        kind = self._kind(node.func)
        if kind is None:
            return
        fields, mode, each_item = _describe_call(node)
        frame = self._class_frame()
        if frame is not None:
            frame.entries.append(_Entry(fields, mode, kind == "v1", each_item))
        if kind == "v1":
            self.report(node, "`validator()` is deprecated in Pydantic 2; use `field_validator()`")

    # -- finding validators ------------------------------------------------------------------

    def _class_frame(self) -> Optional[_ClassFrame]:
        return self._scopes[-1] if self._scopes else None

    def _check_decorators(self, function: cst.FunctionDef) -> None:
        frame = self._class_frame()
        found: list[tuple[int, str]] = []
        for index, decorator in enumerate(function.decorators):
            expr = decorator.decorator
            kind = self._kind(expr.func if isinstance(expr, cst.Call) else expr)
            if kind is None:
                continue
            if isinstance(expr, cst.Call):
                self._decorator_calls.add(id(expr))
            found.append((index, kind))
        for index, kind in found:
            decorator = function.decorators[index]
            expr = decorator.decorator
            if kind == "v2":
                if frame is not None and isinstance(expr, cst.Call):
                    fields, mode, _ = _describe_call(expr)
                    frame.entries.append(_Entry(fields, mode, v1=False))
                continue
            plan = self._plan(function, index, decorator)
            if len(found) > 1:
                plan.block()
            entry = _Entry(plan.fields, plan.mode, True, plan.each_item, plan)
            if frame is not None:
                frame.entries.append(entry)
            else:
                if plan.always:
                    plan.block()
                self._emit(plan)

    def _kind(self, func: cst.BaseExpression) -> Optional[str]:
        dotted = dotted_name(func)
        if dotted is None:
            return None
        qualified = self._qualname(func)
        kind = (
            "v1" if qualified in _V1_VALIDATORS else "v2" if qualified in _V2_VALIDATORS else None
        )
        if kind is None or dotted.split(".")[0] in self._guarded():
            return None
        return kind

    def _qualname(self, expr: cst.BaseExpression) -> Optional[str]:
        """The qualified name through imports, and through ``from pydantic import *``."""
        imports = self.context.imports
        if (
            isinstance(expr, cst.Name)
            and expr.value not in imports.names
            and expr.value not in self._defined_names()
            and "pydantic" in imports.star_modules
        ):
            return f"pydantic.{expr.value}"
        return self.context.qualname(expr)

    def _guarded(self) -> frozenset[str]:
        if self._guarded_names is None:
            self._guarded_names = guarded_import_names(self.context.module, self.context.imports)
        return self._guarded_names

    def _defined_names(self) -> frozenset[str]:
        context = self.context
        return context.shared(
            module_level_definitions, lambda: module_level_definitions(context.module)
        )

    # -- planning the fix --------------------------------------------------------------------

    def _plan(self, function: cst.FunctionDef, index: int, decorator: cst.Decorator) -> _Plan:
        expr = decorator.decorator
        if not isinstance(expr, cst.Call):
            plan = _Plan(decorator, None, "other")
            plan.block("Pydantic 2 refuses a `@validator` without field names")
            return plan
        fields, mode, each_item = _describe_call(expr)
        plan = _Plan(decorator, fields, mode, each_item=each_item)
        self._plan_name(plan, expr.func)
        _plan_arguments(plan, expr)
        self._plan_decorators(plan, function, index)
        self._plan_signature(plan, function)
        return plan

    def _plan_name(self, plan: _Plan, func: cst.BaseExpression) -> None:
        if isinstance(func, cst.Name):
            plan.ops.append(_Op("replace", func, "field_validator"))
            plan.imports.append("field_validator")
            plan.unused.append(func.value)
            return
        head: cst.BaseExpression = func
        while isinstance(head, cst.Attribute):
            head = head.value
        if isinstance(head, cst.Name) and self.context.qualname(head) == "pydantic":
            plan.namespace = f"{head.value}."
            plan.ops.append(_Op("replace", func, f"{head.value}.field_validator"))
            return
        plan.ops.append(_Op("replace", func, "field_validator"))
        plan.imports.append("field_validator")
        if isinstance(head, cst.Name):
            plan.unused.append(head.value)

    def _plan_decorators(self, plan: _Plan, function: cst.FunctionDef, index: int) -> None:
        """``@classmethod`` goes right above the ``def``; other decorators below ours would
        start to receive a classmethod, so they stop the fix."""
        below = function.decorators[index + 1 :]
        above = function.decorators[:index]
        if any(self._is_builtin(d.decorator, "staticmethod") for d in function.decorators):
            plan.block()
            return
        if any(self._is_builtin(d.decorator, "classmethod") for d in above):
            plan.block()
            return
        if not all(self._is_builtin(d.decorator, "classmethod") for d in below):
            plan.block()
            return
        if below:
            return
        params = function.params.params
        if not params or params[0].name.value != "cls":
            plan.block()
            return
        # Inserted in front of ``def`` rather than as a line of its own (``insert_line_before``)
        # so that the new line ends like the ``def`` line does in a file of mixed line endings.
        newline = self.context.newline
        body = function.body
        if isinstance(body, cst.IndentedBlock) and body.header.newline.value is not None:
            newline = body.header.newline.value
        indent = "".join(self._indents)
        plan.ops.append(_Op("insert_before", function, f"@classmethod{newline}{indent}"))

    def _is_builtin(self, expr: cst.BaseExpression, name: str) -> bool:
        return is_name(expr, name) and name not in self.context.imports.names

    def _plan_signature(self, plan: _Plan, function: cst.FunctionDef) -> None:
        parameters = function.params
        positional = list(parameters.params)
        kwonly = list(parameters.kwonly_params)
        if (
            parameters.posonly_params
            or isinstance(parameters.posonly_ind, cst.ParamSlash)
            or isinstance(parameters.star_arg, cst.Param)
            or len(positional) < 2
            or positional[1].name.value in {"values", *_REMOVED_PARAMETERS}
        ):
            plan.block()
            return
        kwargs = parameters.star_kwarg
        watched = {"values", "info", *_REMOVED_PARAMETERS}
        if kwargs is not None:
            watched.add(kwargs.name.value)
        uses = _NameUses(frozenset(watched))
        function.body.visit(uses)

        items: list[Union[cst.Param, cst.ParamStar]] = [*positional]
        if isinstance(parameters.star_arg, cst.ParamStar):
            items.append(parameters.star_arg)
        items.extend(kwonly)
        if kwargs is not None:
            items.append(kwargs)

        dropped: set[int] = set()  # ids of parameters the fix deletes
        refused: list[str] = []
        values: Optional[cst.Param] = None
        for param in positional[2:] + kwonly:
            name = param.name.value
            if name == "values":
                values = param
            elif name in _REMOVED_PARAMETERS:
                refused.append(f"`{name}`")
                if name in uses.loads or name in uses.bound:
                    plan.block()
                else:
                    dropped.add(id(param))
                    plan.unsafe_reasons.append(f"`{name}` dropped")
            elif param.default is None:
                plan.block()  # Pydantic 2 refuses other required parameters
        if refused:
            plural = "parameters" if len(refused) > 1 else "parameter"
            plan.notes.append(
                f"Pydantic 2 refuses its {' and '.join(refused)} {plural} when the class is defined"
            )
        if kwargs is not None:
            if kwargs.name.value in uses.loads or kwargs.name.value in uses.bound:
                plan.block()
            else:
                dropped.add(id(kwargs))
                plan.unsafe_reasons.append("`**kwargs` dropped")
        if not plan.fixable:
            return

        values_kwonly = values is not None and any(p is values for p in kwonly)
        if values_kwonly:
            # ``(cls, v, *, values)``: ``info`` must become positional.
            if kwonly[0] is not values or any(
                id(p) not in dropped for p in positional[2:] + kwonly[1:]
            ):
                plan.block()
                return
        else:
            if values is not None and positional[2] is not values:
                plan.block()
                return
            if kwonly and all(id(p) in dropped for p in kwonly):
                plan.block()  # a bare ``*`` would be left behind
                return

        for position, item in enumerate(items):
            if isinstance(item, cst.Param) and id(item) in dropped:
                plan.ops.extend(_delete_item(items[position - 1], item))
                plan.unused.extend(_annotation_names(item))
        if values is not None:
            plan.unused.extend(_annotation_names(values))

        if values is None:
            return
        plan.unsafe_reasons.append("`values` rewritten")
        if "values" in uses.bound:
            plan.block()
            return
        star = parameters.star_arg
        if "values" not in uses.loads:
            if values_kwonly:
                before = _item_before(items, star)
                if before is None or not isinstance(before.comma, cst.Comma):
                    plan.block()
                    return
                plan.ops.append(_Op("replace_range", before.comma, "", _last_part(values)))
            else:
                plan.ops.extend(_delete_item(positional[1], values))
            return
        names = {p.name.value for p in [*positional, *kwonly]}
        if "info" in uses.loads or "info" in uses.bound or "info" in names:
            plan.block()
            return
        annotation = f"info: {plan.namespace}ValidationInfo"
        if not plan.namespace:
            plan.imports.append("ValidationInfo")
        if values_kwonly and isinstance(star, cst.ParamStar):
            plan.ops.append(_Op("replace_range", star, annotation, _last_part(values)))
        else:
            plan.ops.append(_Op("replace_range", values, annotation, _last_part(values)))
        for use in uses.loads["values"]:
            plan.ops.append(_Op("replace", use, "info.data"))

    def _plan_always(self, plan: _Plan, cls: cst.ClassDef) -> None:
        """``always=True``: ``validate_default=True`` on each validated field of the class."""
        if plan.fields is None:
            plan.block()
            return
        plan.unsafe_reasons.append("`always=True` moved to the fields")
        declarations = _declarations(cls)
        for name in sorted(plan.fields):
            declaration = declarations.get(name)
            if declaration is None:
                plan.block()
                return
            value = declaration.value
            if value is None:
                continue  # a required field: there is no default to validate
            if isinstance(value, cst.Call):
                qualified = self._qualname(value.func) or ""
                if qualified in _FIELD_FUNCTIONS:
                    if not self._plan_field_call(plan, value):
                        return
                    continue
                if qualified.split(".")[0] in _FIELD_LIBRARIES:
                    plan.block()
                    return
            plan.ops.append(_Op("insert_before", value, f"{plan.namespace}Field("))
            plan.ops.append(_Op("insert_after", value, ", validate_default=True)"))
            if not plan.namespace:
                plan.imports.append("Field")

    def _plan_field_call(self, plan: _Plan, call: cst.Call) -> bool:
        for arg in call.args:
            if arg.star:
                plan.block()
                return False
            if arg.keyword is not None and arg.keyword.value == "validate_default":
                if is_name(arg.value, "True"):
                    return True
                plan.block()
                return False
        if call.args:
            plan.ops.append(_Op("insert_after", call.args[-1], ", validate_default=True"))
        else:
            func = self.context.code(call.func)
            plan.ops.append(_Op("replace", call, f"{func}(validate_default=True)"))
        return True

    # -- the class as a whole ----------------------------------------------------------------

    def _finish_class(self, frame: _ClassFrame) -> None:
        entries = frame.entries
        each_item = [e for e in entries if e.v1 and e.each_item]
        for entry in entries:
            plan = entry.plan
            if plan is None or not plan.fixable:
                continue
            if any(other is not entry and _overlap(entry, other) for other in each_item):
                plan.block(
                    "an `each_item=True` validator of the same field cannot be combined "
                    "with `@field_validator`"
                )
            elif plan.always:
                self._plan_always(plan, frame.node)
        _downgrade_reordering(entries)
        for entry in entries:
            if entry.plan is not None:
                self._emit(entry.plan)

    def _emit(self, plan: _Plan) -> None:
        safety = plan.safety
        builder: Optional[FixBuilder] = None
        if safety is not None:
            builder = self.fix(safety, _FIX_TITLE)
            if self._add_imports(builder, plan.imports):
                for op in plan.ops:
                    _apply(builder, op)
                for name in plan.unused:
                    builder.remove_if_unused(name)
            else:
                builder = None
        self.report(plan.node, plan.message, fix=builder)

    def _add_imports(self, builder: FixBuilder, names: Sequence[str]) -> bool:
        """Import ``names`` from pydantic in one edit. False when a name is taken."""
        imports = self.context.imports
        needed: list[str] = []
        for name in dict.fromkeys(names):
            if imports.top_level_names.get(name) in _PROVIDED_BY[name]:
                continue
            if name in imports.names or name in self._defined_names():
                return False
            needed.append(name)
        # Classes before functions, as isort and ruff order them; the fixer puts all names
        # from one module into one edit of its import line (or one new line).
        for name in sorted(needed, key=lambda name: (not name[:1].isupper(), name)):
            builder.add_import("pydantic", name)
        return True


# -- decorator arguments ----------------------------------------------------------------------


def _describe_call(call: cst.Call) -> tuple[Optional[frozenset[str]], str, bool]:
    """The fields, mode and ``each_item`` of a ``validator(...)``/``field_validator(...)``."""
    names: set[str] = set()
    every = False
    mode = "after"
    each_item = False
    for arg in call.args:
        if arg.keyword is None:
            value = arg.value
            if arg.star or not isinstance(value, cst.SimpleString):
                every = True
                continue
            text = value.evaluated_value
            if not isinstance(text, str) or text == "*":
                every = True
            else:
                names.add(text)
            continue
        keyword = arg.keyword.value
        flag = _literal_bool(arg.value)
        if keyword == "pre":
            mode = {True: "before", False: "after", None: "other"}[flag]
        elif keyword == "mode":
            value = arg.value
            mode = "other"
            if isinstance(value, cst.SimpleString) and value.evaluated_value in ("before", "after"):
                mode = str(value.evaluated_value)
        elif keyword == "each_item":
            each_item = flag is not False
    return (None if every else frozenset(names)), mode, each_item


def _plan_arguments(plan: _Plan, call: cst.Call) -> None:
    args = list(call.args)
    quote = '"'
    seen_keyword = False
    positional = 0
    for index, arg in enumerate(args):
        if arg.keyword is None:
            if arg.star == "**" or seen_keyword:
                plan.block()
                continue
            positional += 1
            if isinstance(arg.value, cst.SimpleString) and positional == 1:
                quote = arg.value.quote[0]
            continue
        seen_keyword = True
        keyword = arg.keyword.value
        flag = _literal_bool(arg.value)
        if keyword == "check_fields":
            continue
        if keyword == "allow_reuse":
            plan.ops.extend(_delete_item(args[index - 1], arg) if index else [])
            continue
        if keyword not in ("pre", "each_item", "always") or flag is None:
            plan.block()
            continue
        if flag is False:
            plan.ops.extend(_delete_item(args[index - 1], arg) if index else [])
        elif keyword == "pre":
            plan.ops.append(_Op("replace", arg.keyword, "mode"))
            plan.ops.append(_Op("replace", arg.value, f"{quote}before{quote}"))
        elif keyword == "each_item":
            plan.block(
                "`each_item=True` has no `@field_validator` form: validate the items through "
                "the field's item type"
            )
        else:
            plan.always = True  # moved to the fields, see ``_plan_always``
            plan.ops.extend(_delete_item(args[index - 1], arg) if index else [])
    if positional == 0:
        plan.block()


def _literal_bool(expr: cst.BaseExpression) -> Optional[bool]:
    if is_name(expr, "True"):
        return True
    if is_name(expr, "False"):
        return False
    return None


# -- edits ------------------------------------------------------------------------------------

_Item = Union[cst.Arg, cst.Param, cst.ParamStar]


def _trailing_whitespace(item: _Item) -> Optional[cst.BaseParenthesizableWhitespace]:
    if isinstance(item, cst.Arg):
        return item.whitespace_after_arg
    if isinstance(item, cst.Param):
        return item.whitespace_after_param
    return None


def _on_own_line(previous: _Item, item: _Item) -> bool:
    """Whether ``item`` (with its comma) fills its lines alone in a multi-line list."""
    before = previous.comma
    if not (
        isinstance(before, cst.Comma)
        and isinstance(before.whitespace_after, cst.ParenthesizedWhitespace)
    ):
        return False
    after = item.comma
    if isinstance(after, cst.Comma):
        return isinstance(after.whitespace_after, cst.ParenthesizedWhitespace) and not isinstance(
            after.whitespace_before, cst.ParenthesizedWhitespace
        )
    return isinstance(_trailing_whitespace(item), cst.ParenthesizedWhitespace)


def _last_part(item: Union[cst.Arg, cst.Param]) -> cst.CSTNode:
    """The last node of an argument or parameter (a parameter's own range is its name)."""
    if isinstance(item, cst.Param):
        if item.default is not None:
            return item.default
        if item.annotation is not None:
            return item.annotation.annotation
    return item


def _item_before(items: Sequence[_Item], item: object) -> Optional[_Item]:
    for position, candidate in enumerate(items):
        if candidate is item:
            return items[position - 1] if position else None
    return None


def _annotation_names(param: cst.Param) -> Iterator[str]:
    """The names an annotation that the fix removes uses (their imports may become unused)."""
    if param.annotation is None:
        return
    for node in names_in(param.annotation):
        yield node.value


def _single_line(item: Union[cst.Arg, cst.Param]) -> bool:
    """Whether the parts of a parameter outside its own range (its name) fit on one line."""
    if isinstance(item, cst.Arg):
        return True
    parts = [item.annotation, item.default]
    module = cst.Module(body=[])
    return not any(p is not None and "\n" in module.code_for_node(p) for p in parts)


def _delete_item(previous: _Item, item: Union[cst.Arg, cst.Param]) -> list[_Op]:
    """Delete an argument or parameter that is not the first of its list."""
    if _on_own_line(previous, item) and _single_line(item):
        return [_Op("delete_lines", item)]
    if not isinstance(previous.comma, cst.Comma):  # pragma: no cover - not valid syntax
        return []
    return [_Op("replace_range", previous.comma, "", _last_part(item))]


def _apply(builder: FixBuilder, op: _Op) -> None:
    if op.kind == "replace":
        builder.replace(op.node, op.text)
    elif op.kind == "replace_range":
        assert op.end is not None
        builder.replace_range(op.node, op.end, op.text)
    elif op.kind == "delete_lines":
        builder.delete_lines(op.node)
    elif op.kind == "insert_before":
        builder.insert_before(op.node, op.text)
    elif op.kind == "insert_after":
        builder.insert_after(op.node, op.text)
    else:  # pragma: no cover - a programming error
        raise ValueError(op.kind)


# -- the class body ---------------------------------------------------------------------------


def _declarations(cls: cst.ClassDef) -> dict[str, cst.AnnAssign]:
    found: dict[str, cst.AnnAssign] = {}
    body = cls.body
    if not isinstance(body, cst.IndentedBlock):
        return found
    for statement in body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                found[small.target.value] = small
    return found


def _overlap(a: _Entry, b: _Entry) -> bool:
    if a.fields is None or b.fields is None:
        return True
    return bool(a.fields & b.fields)


def _downgrade_reordering(entries: Sequence[_Entry]) -> None:
    """Make unsafe the safe fixes that would change the order in which validators run.

    Pydantic 2 applies a field's ``@field_validator``s first, in definition order, and the
    old-style ``@validator``s after them. Converting every old validator of a field keeps the
    order; converting only some of them may not. Before and after validators never swap with
    each other, so only the sequences of each mode matter, split at ``wrap``/``plain`` ones.
    """
    converted = {
        index
        for index, entry in enumerate(entries)
        if entry.plan is not None and entry.plan.safety is Applicability.SAFE
    }
    names: set[str] = {"\0every other field"}
    for entry in entries:
        names |= entry.fields or set()
    while converted:
        reordered: set[int] = set()
        for name in names:
            if _run_order(entries, name, set()) != _run_order(entries, name, converted):
                reordered |= {i for i in converted if entries[i].touches(name)}
        if not reordered:
            return
        for index in reordered:
            plan = entries[index].plan
            assert plan is not None
            plan.unsafe_reasons.append("validators of the same field may run in another order")
        converted -= reordered


def _run_order(
    entries: Sequence[_Entry], name: str, converted: set[int]
) -> list[tuple[tuple[int, ...], ...]]:
    touching = [
        (i, e) for i, e in enumerate(entries) if e.touches(name) and not (e.v1 and e.each_item)
    ]
    new = [(i, e) for i, e in touching if not e.v1 or i in converted]
    old = [(i, e) for i, e in touching if e.v1 and i not in converted]
    segments: list[tuple[tuple[int, ...], ...]] = []
    before: list[int] = []
    after: list[int] = []
    for index, entry in new + old:
        if entry.mode == "before":
            before.append(index)
        elif entry.mode == "after":
            after.append(index)
        else:
            segments.append((tuple(before), tuple(after), (index,)))
            before, after = [], []
    segments.append((tuple(before), tuple(after)))
    return segments


# -- names in a function body -----------------------------------------------------------------


class _NameUses(cst.CSTVisitor):
    """Where a function body reads (``loads``) or rebinds (``bound``) some names."""

    def __init__(self, watched: frozenset[str]) -> None:
        super().__init__()
        self.watched = watched
        self.loads: dict[str, list[cst.Name]] = {}
        self.bound: set[str] = set()
        self._targets: set[int] = set()

    def _bind(self, expr: Optional[cst.BaseExpression]) -> None:
        if expr is not None:
            self._targets.update(id(name) for name in target_name_nodes(expr))

    def visit_Name(self, node: cst.Name) -> None:
        if node.value not in self.watched:
            return
        if id(node) in self._targets:
            self.bound.add(node.value)
        else:
            self.loads.setdefault(node.value, []).append(node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # ``x.values`` is not a use of ``values``
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)  # neither is ``f(values=...)``
        return False

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        if node.asname is not None:
            self._bind(node.asname.name)
            node.asname.visit(self)
        else:
            local = (dotted_name(node.name) or "").split(".")[0]
            if local in self.watched:
                self.bound.add(local)
        return False

    def visit_Param(self, node: cst.Param) -> None:
        self._bind(node.name)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bind(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._bind(node.name)

    def visit_Del(self, node: cst.Del) -> None:
        self._bind(node.target)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self._bind(item.name)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self._bind(item.name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        self._bind(node.name)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        self._bind(node.name)
