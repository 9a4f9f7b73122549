"""The semantic model: what code means, for every rule.

Rules ask their :class:`~fastlint.rule.FileContext`:

* ``context.model`` (:class:`~fastlint.semantic.model.FileModel`), with the LibCST nodes the
  rule visits:

  - ``model.resolve(node)``: the qualified name a Name/Attribute means there, through imports,
    the project's re-exports and shadowing (``"fastapi.Depends"``; a project definition is
    ``"app.deps.get_db"``, a local ``"app.main.create_app.<locals>.app"``; None when the name
    has no single meaning);
  - ``model.type_of(node)``: the class of a value (:class:`~fastlint.semantic.types.ValueType`),
    or None;
  - ``model.is_guarded(node)`` / ``model.guarded_names()``: version guards;
  - ``model.rebound_after(name, node)``, ``model.lookup_at(name, node)``,
    ``model.bindings_of(defining_node)``, ``model.scope_of(def_node)``,
    ``model.call_site(call_node)``, ``model.point_of(node)``, ``model.expr_of(node)``;
  - the module's records (``model.summary``) and the record-level queries of
    :class:`~fastlint.semantic.model.ModuleModel` (``lookup``, ``reaching``,
    ``qualified_name``, ``calls_in``...), which work the same on every module of the project.
* ``context.types`` (:class:`~fastlint.semantic.types.Types`): type inference and definitions
  (``target``, ``definition``, ``class_member``, ``is_instance``, ``function_value``...) over
  any module's records.
* ``values_for(context)`` (:class:`~fastlint.semantic.values.Values`): static values
  (``value_at(model, node)``, ``bind_call(model, call_node, parameters)``, ``symbol_at``; the
  record-level ``value_of(model, expr, point)`` works on every module), with the configuration
  they depend on (``Value.unset``).
* ``context.facts`` (:class:`~fastlint.fastapi.facts.ProjectFacts`): apps, routers,
  registrations and the role of each function, project-wide.
* ``context.project`` (:class:`~fastlint.project.index.ProjectIndex`): every module of the
  project by name.

Library knowledge (sessions, clients, which methods do I/O) is data in
:mod:`fastlint.semantic.knowledge`.
"""
