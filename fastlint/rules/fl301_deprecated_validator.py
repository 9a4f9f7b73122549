from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, Union

import libcst as cst

from fastlint.diagnostics import Applicability
from fastlint.fastapi.blocking import site_point
from fastlint.precheck import PreCheck
from fastlint.rule import Case, FileContext, FixAvailability, FixBuilder, Rule
from fastlint.semantic import ir
from fastlint.semantic import summary as s
from fastlint.semantic.knowledge import PYDANTIC_VALIDATORS
from fastlint.semantic.types import definition_point

if TYPE_CHECKING:
    from fastlint.semantic.model import FileModel, Point

_V2_VALIDATORS = frozenset(
    {"pydantic.field_validator", "pydantic.functional_validators.field_validator"}
)
_KINDS = {**dict.fromkeys(PYDANTIC_VALIDATORS, "v1"), **dict.fromkeys(_V2_VALIDATORS, "v2")}
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


@dataclass
class _Plan:
    """What one deprecated ``@validator`` is, and the edits that rewrite it."""

    node: cst.CSTNode  # what the finding points at
    fields: Optional[frozenset[str]]  # the validated fields; None: every field, or unknown
    mode: str  # before | after | other
    each_item: bool = False
    always: bool = False
    fixable: bool = True
    unsafe_reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fix: FixBuilder = field(default_factory=lambda: FixBuilder(Applicability.SAFE, _FIX_TITLE))
    # The pydantic names the edits write, each with a node where it is written.
    imports: list[tuple[str, cst.CSTNode]] = field(default_factory=list)
    namespace: str = ""  # "pydantic." when the module is imported as a whole

    def block(self, note: Optional[str] = None) -> None:
        self.fixable = False
        if note is not None and note not in self.notes:
            self.notes.append(note)

    @property
    def message(self) -> str:
        return "; ".join([DeprecatedValidator.message, *self.notes])

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

    No comment is lost. A comment on an argument or parameter that the fix keeps or renames
    stays with it. A comment on one that the fix removes stays too: at the end of its line when
    a kept argument shares that line (`@field_validator("a",  # whole list`), else as a comment
    line of its own where the argument was, for you to keep or delete; only a `# noqa` or
    `# type: ignore` pragma that applied to the removed line goes with it. The names of the
    pydantic import keep their comments the same way: `field_validator` is added without
    taking the comment of `validator`, and the comment of a `validator` that goes stays.

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
    description = "Pydantic 1 `@validator`"
    fix_availability = FixAvailability.SAFE_OR_UNSAFE
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
        self._pydantic_2: Optional[bool] = None
        self._classes: dict[int, list[_Entry]] = {}  # class scope id -> its validators so far

    @property
    def _enabled(self) -> bool:
        """The project uses Pydantic 2 (read from its metadata when first needed)."""
        if self._pydantic_2 is None:
            self._pydantic_2 = self.context.pydantic_version >= 2
        return self._pydantic_2

    # -- finding validators ------------------------------------------------------------------

    @classmethod
    def may_report(cls, file: PreCheck) -> bool:
        """Only Pydantic 1 validators are reported: a call or decorator that means one."""
        if file.settings.pydantic_version_for(file.path) < 2:
            return False
        model = file.model

        def validator(expr: ir.Expr, point: Point) -> bool:
            return model.may_name(expr, _NAMES) and (
                model.qualified_name(expr, point) in PYDANTIC_VALIDATORS
            )

        if any(validator(site.call.func, site_point(site)) for site in file.calls()):
            return True
        return any(
            isinstance(decorator, (ir.Name, ir.Attribute))
            and validator(decorator, definition_point(model, scope))
            for scope in model.functions()
            for decorator in scope.decorators
        )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.decorators and self._enabled and not self.context.model.is_guarded(node):
            self._check_decorators(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        scope = self.context.model.scope_of(original_node) if self._enabled else None
        entries = self._classes.pop(scope.id, None) if scope is not None else None
        if entries:
            self._finish_class(original_node, entries)

    def visit_Call(self, node: cst.Call) -> None:
        """``validator("a", allow_reuse=True)(normalize)``: reported, never fixed."""
        model = self.context.model
        kind = self._kind(node.func)
        if kind is None or not self._enabled or model.is_guarded(node):
            return
        site = model.call_site(node)
        if site and site.usage == s.DECORATOR and model.scope(site.decorates).kind == s.FUNCTION:
            return  # a decorator: see ``visit_FunctionDef``
        fields, mode, each_item = _describe_call(model.expr_of(node))
        entries = self._entries(node)
        if entries is not None:
            entries.append(_Entry(fields, mode, kind == "v1", each_item))
        if kind == "v1":
            self.report(node, "`validator()` is deprecated in Pydantic 2; use `field_validator()`")

    def _entries(self, node: cst.CSTNode) -> Optional[list[_Entry]]:
        """The validators so far of the class whose body ``node`` is in, if it is in one."""
        model = self.context.model
        point = model.point_of(node)
        scope = model.scope(model.code_scope(point.scope)) if point is not None else None
        if scope is None or scope.kind != s.CLASS:
            return None
        return self._classes.setdefault(scope.id, [])

    def _check_decorators(self, function: cst.FunctionDef) -> None:
        entries = self._entries(function)
        found: list[tuple[int, str]] = []
        for index, decorator in enumerate(function.decorators):
            expr = decorator.decorator
            kind = self._kind(expr.func if isinstance(expr, cst.Call) else expr)
            if kind is not None:
                found.append((index, kind))
        for index, kind in found:
            expr = function.decorators[index].decorator
            if kind == "v2":
                if entries is not None and isinstance(expr, cst.Call):
                    fields, mode, _ = _describe_call(self.context.model.expr_of(expr))
                    entries.append(_Entry(fields, mode, v1=False))
                continue
            plan = self._plan(function, index)
            if len(found) > 1:
                plan.block()
            if entries is not None:
                entries.append(_Entry(plan.fields, plan.mode, True, plan.each_item, plan))
            else:
                if plan.always:
                    plan.block()
                self._emit(plan)

    def _kind(self, func: cst.BaseExpression) -> Optional[str]:
        """ "v1" for pydantic's ``validator``, "v2" for ``field_validator``, where ``func``
        stands; None for anything else and for names that a version guard imports."""
        model = self.context.model
        head = _head(func)
        if head is None or head.value in model.guarded_names():
            return None
        if not model.may_resolve_to(func, _NAMES):
            return None  # resolving every call would read other modules for nothing
        return _KINDS.get(model.resolve(func) or "")

    # -- planning the fix --------------------------------------------------------------------

    def _plan(self, function: cst.FunctionDef, index: int) -> _Plan:
        decorator = function.decorators[index]
        expr = decorator.decorator
        if not isinstance(expr, cst.Call):
            plan = _Plan(decorator, None, "other")
            plan.block("Pydantic 2 refuses a `@validator` without field names")
            return plan
        fields, mode, each_item = _describe_call(self.context.model.expr_of(expr))
        plan = _Plan(decorator, fields, mode, each_item=each_item)
        self._plan_name(plan, expr.func, decorator)
        _plan_arguments(plan, expr)
        self._plan_decorators(plan, function, index)
        self._plan_signature(plan, function, decorator)
        return plan

    def _plan_name(self, plan: _Plan, func: cst.BaseExpression, decorator: cst.Decorator) -> None:
        head = _head(func)
        if head is not func and head is not None and self.context.model.resolve(head) == "pydantic":
            plan.namespace = f"{head.value}."
            plan.fix.replace(func, f"{head.value}.field_validator")
            return
        plan.fix.replace(func, "field_validator")
        plan.imports.append(("field_validator", decorator))
        if head is not None:
            plan.fix.remove_if_unused(head.value)

    def _plan_decorators(self, plan: _Plan, function: cst.FunctionDef, index: int) -> None:
        """``@classmethod`` goes right above the ``def``; other decorators below ours would
        start to receive a classmethod, so they stop the fix."""
        below = function.decorators[index + 1 :]
        above = function.decorators[:index]
        if (
            any(self._is_builtin(d, "staticmethod") for d in function.decorators)
            or any(self._is_builtin(d, "classmethod") for d in above)
            or not all(self._is_builtin(d, "classmethod") for d in below)
        ):
            plan.block()
            return
        if below:
            return
        params = function.params.params
        if not params or params[0].name.value != "cls":
            plan.block()
            return
        plan.fix.insert_line_before(function, "@classmethod")

    def _is_builtin(self, decorator: cst.Decorator, name: str) -> bool:
        return self.context.model.resolve(decorator.decorator) == f"builtins.{name}"

    def _plan_signature(
        self, plan: _Plan, function: cst.FunctionDef, decorator: cst.Decorator
    ) -> None:
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
        body = _Body(self.context.model, function)
        star, kwargs = parameters.star_arg, parameters.star_kwarg
        items: list[Union[cst.Param, cst.ParamStar]] = [
            p
            for p in (*positional, star, *kwonly, kwargs)
            if isinstance(p, (cst.Param, cst.ParamStar))
        ]
        dropped: set[int] = set()  # ids of parameters the fix deletes
        refused: list[str] = []
        values: Optional[cst.Param] = None
        for param in [*positional[2:], *kwonly, *([kwargs] if kwargs else [])]:
            name = "**kwargs" if param is kwargs else param.name.value
            if param is kwargs or name in _REMOVED_PARAMETERS:
                refused.extend([] if param is kwargs else [f"`{name}`"])
                if body.reads(param) != []:
                    plan.block()  # a `field`/`config`/`**kwargs` that the body reads
                else:
                    dropped.add(id(param))
                    plan.unsafe_reasons.append(f"`{name}` dropped")
            elif name == "values":
                values = param
            elif param.default is None:
                plan.block()  # Pydantic 2 refuses other required parameters
        if refused:
            plural = "parameters" if len(refused) > 1 else "parameter"
            plan.notes.append(
                f"Pydantic 2 refuses its {' and '.join(refused)} {plural} when the class is defined"
            )
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

        for item in items:
            if isinstance(item, cst.Param) and id(item) in dropped:
                plan.fix.remove_parameter(function, item)
                body.forget_annotation(plan.fix, item)
        if values is None:
            return
        body.forget_annotation(plan.fix, values)
        plan.unsafe_reasons.append("`values` rewritten")
        uses = body.reads(values)
        if uses is None:
            plan.block()
            return
        if not uses:
            plan.fix.remove_parameter(function, values)  # a bare `*` before it goes too
            return
        if body.mentions("info"):
            plan.block()
            return
        annotation = f"info: {plan.namespace}ValidationInfo"
        if not plan.namespace:
            plan.imports.append(("ValidationInfo", decorator))
        first = star if values_kwonly and isinstance(star, cst.ParamStar) else values
        plan.fix.replace_range(first, _last_part(values), annotation)
        for use in uses:
            plan.fix.replace(use, "info.data")

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
                qualified = self.context.model.resolve(value.func) or ""
                if qualified in _FIELD_FUNCTIONS:
                    if not self._plan_field_call(plan, value):
                        return
                    continue
                if qualified.split(".")[0] in _FIELD_LIBRARIES:
                    plan.block()
                    return
            plan.fix.insert_before(value, f"{plan.namespace}Field(")
            plan.fix.insert_after(value, ", validate_default=True)")
            if not plan.namespace:
                plan.imports.append(("Field", value))

    def _plan_field_call(self, plan: _Plan, call: cst.Call) -> bool:
        for arg in call.args:
            if arg.star:
                plan.block()
                return False
            if arg.keyword is not None and arg.keyword.value == "validate_default":
                if _literal_bool(arg.value) is True:
                    return True
                plan.block()
                return False
        if call.args:
            plan.fix.insert_after(call.args[-1], ", validate_default=True")
        else:
            func = self.context.code(call.func)
            plan.fix.replace(call, f"{func}(validate_default=True)")
        return True

    # -- the class as a whole ----------------------------------------------------------------

    def _finish_class(self, cls: cst.ClassDef, entries: list[_Entry]) -> None:
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
                self._plan_always(plan, cls)
        _downgrade_reordering(entries)
        for entry in entries:
            if entry.plan is not None:
                self._emit(entry.plan)

    def _emit(self, plan: _Plan) -> None:
        safety = plan.safety
        fix: Optional[FixBuilder] = None
        if safety is not None and self._add_imports(plan):
            fix = plan.fix
            fix.applicability = safety
        self.report(plan.node, plan.message, fix=fix)

    def _add_imports(self, plan: _Plan) -> bool:
        """Import the pydantic names the fix writes, where they do not mean pydantic's already
        (a star import is made explicit). False when the import would not reach where a name is
        written, or would change what another use of the name means."""
        model = self.context.model
        needed: list[str] = []
        for name, node in plan.imports:
            kind, _, meaning = self._meaning(name, node)
            provided = _PROVIDED_BY[name]
            if (kind == "bound" and meaning in provided) or name in needed:
                continue
            uses = [self._meaning(name, use) for use, _ in model.cst.loads if use.value == name]
            if (
                kind == "bound"
                or model.bindings(0, name)
                or any(scope <= 0 and meaning not in provided for _, scope, meaning in uses)
            ):
                return False
            needed.append(name)
        # Classes before functions, as isort and ruff order them; the fixer puts all names
        # from one module into one edit of its import line (or one new line).
        for name in sorted(needed, key=lambda name: (not name[:1].isupper(), name)):
            plan.fix.add_import("pydantic", name)
        return True

    def _meaning(self, name: str, node: cst.CSTNode) -> tuple[str, int, Optional[str]]:
        """Where ``name`` is found at ``node`` (the lookup's kind and scope; a local binding has
        a scope above 0) and the qualified name it means there."""
        model = self.context.model
        point = model.point_of(node)
        if point is None:
            return "bound", -1, None
        found = model.lookup(name, point)
        return found.kind, found.scope, model.qualified_name(ir.Name(name), point)


class _Body:
    """What a function's code (nested functions and comprehensions included) does with the
    names of its parameters, from the model."""

    def __init__(self, model: FileModel, function: cst.FunctionDef) -> None:
        self.model = model
        scope = model.scope_of(function)
        self.scope = scope.id if scope is not None else -1

    def _inside(self, scope: int) -> bool:
        while scope >= 0 and scope != self.scope:
            scope = self.model.scope(scope).parent
        return scope >= 0

    def reads(self, param: cst.Param) -> Optional[list[cst.Name]]:
        """The reads of ``param`` in the body, or None when the body binds its name again
        (assigns, deletes, imports it...; also from a nested function, through ``nonlocal``)."""
        model = self.model
        own = model.bindings_of(param.name)
        binding = own[0] if len(own) == 1 else None
        if binding is None or list(model.bindings(binding.scope, binding.name)) != [binding]:
            return None
        found = []
        for node, point in model.cst.loads:
            if node.value == binding.name and self._inside(point.scope):
                lookup = model.lookup_at(node.value, node)
                if lookup is not None and binding in lookup.bindings:
                    found.append(node)
        return found

    def mentions(self, name: str) -> bool:
        """Whether the body (or the parameter list) reads or binds ``name`` anywhere."""
        return any(
            node.value == name and self._inside(point.scope) for node, point in self.model.cst.loads
        ) or any(b.name == name and self._inside(b.origin) for b in self.model.summary.bindings)

    def forget_annotation(self, fix: FixBuilder, param: cst.Param) -> None:
        """The names in the annotation of a parameter the fix removes may become unused."""
        if param.annotation is not None:
            expr = self.model.expr_of(param.annotation.annotation)
            for part in ir.walk(expr) if expr is not None else ():
                if isinstance(part, ir.Name):
                    fix.remove_if_unused(part.id)


# -- decorator arguments ----------------------------------------------------------------------


def _describe_call(call: Optional[ir.Expr]) -> tuple[Optional[frozenset[str]], str, bool]:
    """The fields, mode and ``each_item`` of a ``validator(...)``/``field_validator(...)``."""
    if not isinstance(call, ir.Call):
        return None, "other", False
    positional = [arg for arg in call.args if arg.keyword is None]
    names = [_literal(arg.value) for arg in positional if not arg.star]
    fields = frozenset(n for n in names if isinstance(n, str) and n != "*")
    every = len(names) < len(positional) or any(n not in fields for n in names)
    pre, mode = _literal(call.keyword("pre")), _literal(call.keyword("mode"))
    if call.keyword("pre") is not None:
        mode = "before" if pre is True else "after" if pre is False else "other"
    elif call.keyword("mode") is not None:
        mode = mode if mode in ("before", "after") else "other"
    else:
        mode = "after"
    each = call.keyword("each_item")
    return (None if every else fields), str(mode), each is not None and _literal(each) is not False


_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in _KINDS)


def _head(expr: cst.BaseExpression) -> Optional[cst.Name]:
    """The name a chain of attributes starts with (``pydantic`` of ``pydantic.validator``)."""
    while isinstance(expr, cst.Attribute):
        expr = expr.value
    return expr if isinstance(expr, cst.Name) else None


def _literal(expr: Optional[ir.Expr]) -> object:
    """The value of a literal (an object of its own for anything else)."""
    return expr.value if isinstance(expr, ir.Constant) else _literal


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
        if keyword != "allow_reuse" and (
            keyword not in ("pre", "each_item", "always") or flag is None
        ):
            plan.block()
        elif keyword == "each_item" and flag:
            plan.block(
                "`each_item=True` has no `@field_validator` form: validate the items through "
                "the field's item type"
            )
        elif keyword == "pre" and flag:
            plan.fix.replace(arg.keyword, "mode")
            plan.fix.replace(arg.value, f"{quote}before{quote}")
        elif index:  # `allow_reuse`, the defaults, and `always=True` (moved to the fields)
            plan.always = plan.always or (keyword == "always" and flag is True)
            plan.fix.remove_argument(call, arg)
    if positional == 0:
        plan.block()


def _literal_bool(expr: cst.BaseExpression) -> Optional[bool]:
    return {"True": True, "False": False}.get(expr.value) if isinstance(expr, cst.Name) else None


# -- edits ------------------------------------------------------------------------------------


def _last_part(item: cst.Param) -> cst.CSTNode:
    """The last node of a parameter (a parameter's own range is its name)."""
    if item.default is not None:
        return item.default
    if item.annotation is not None:
        return item.annotation.annotation
    return item


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
