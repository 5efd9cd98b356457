"""Every deployed function is given each setting its code reads, and may read each secret it is
given.

What a function's code reads is found from the code itself, not listed: its handler module and
every module of the code asset it imports (deferred imports too; ``if TYPE_CHECKING:`` blocks
are not run, so not followed) are parsed, and every read of ``shared.settings.get_settings()``
is collected: ``get_settings().x``, ``s = get_settings(); s.x``, a parameter annotated
``Settings``, ``getattr(get_settings(), "x")``, and the methods and properties of ``Settings``
(``table("cases")``, ``is_local``) through the fields they read themselves. What a deployed
function must be given follows from ``shared.settings.VARIABLES``: the variable of each field,
whether its default only holds locally (``required``), and whether it names a secret.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from infra.functions import CODE_DIRS
from services.registry import SERVICES
from shared.settings import VARIABLES, Settings, dlq_env_name, table_env_name
from tests.infra.conftest import resources

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_MODULE = "shared.settings"
FIELDS = {item.name for item in fields(Settings)}
# Settings members whose argument names a key of a dict field: table("cases") reads SIYU_TABLE_CASES.
KEYED = {"tables": table_env_name, "dead_letter_queues": dlq_env_name}
FROM_LAMBDA = {"AWS_REGION"}  # set by Lambda in every function

Read = tuple[str, str | None]  # (Settings field, key for a dict field when the code names it literally)


# Import closure ----------------------------------------------------------------------------------
@cache
def module_path(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file() and module.split(".", maxsplit=1)[0] in CODE_DIRS:
            return candidate
    return None


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, except the bodies of ``if TYPE_CHECKING:`` (never run)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def imported_by(module: str, path: Path) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names if module_path(f"{base}.{alias.name}")}
    # Importing a.b.c runs a and a.b first.
    return {prefix for name in found for prefix in _prefixes(name)}


def _prefixes(name: str) -> Iterator[str]:
    parts = name.split(".")
    for end in range(1, len(parts) + 1):
        yield ".".join(parts[:end])


@cache
def import_closure(module: str) -> frozenset[str]:
    seen: set[str] = set()
    pending = [*_prefixes(module)]
    while pending:
        name = pending.pop()
        path = module_path(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        pending.extend(imported_by(name, path) - seen)
    return frozenset(seen)


# Settings reads ----------------------------------------------------------------------------------
@cache
def member_reads() -> dict[str, frozenset[str]]:
    """Each method and property of Settings → the fields it reads (``self.<field>``)."""
    tree = ast.parse((ROOT / "shared" / "settings.py").read_text(encoding="utf-8"))
    settings_class = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Settings")
    members: dict[str, frozenset[str]] = {}
    for node in settings_class.body:
        if isinstance(node, ast.FunctionDef):
            members[node.name] = frozenset(
                inner.attr
                for inner in ast.walk(node)
                if isinstance(inner, ast.Attribute)
                and isinstance(inner.value, ast.Name)
                and inner.value.id == "self"
                and inner.attr in FIELDS
            )
    return members


def unit_reads(source: str) -> dict[str, set[Read]]:
    """The settings each unit of a module reads (see ``_unit_name``); the module's docstring lists
    the forms recognised."""
    tree = ast.parse(source)
    getters: set[str] = set()  # local names of shared.settings.get_settings
    types: set[str] = set()  # local names of shared.settings.Settings
    modules: set[str] = set()  # local names of the shared.settings module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == SETTINGS_MODULE:
            for alias in node.names:
                (getters if alias.name == "get_settings" else types if alias.name == "Settings" else set()).add(
                    alias.asname or alias.name
                )
        elif isinstance(node, ast.ImportFrom) and node.module == "shared" and not node.level:
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == "settings"}
        elif isinstance(node, ast.Import):
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == SETTINGS_MODULE}

    def is_getter_call(node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Name):
            return func.id in getters
        return isinstance(func, ast.Attribute) and func.attr == "get_settings" and ast.unparse(func.value) in modules

    def is_settings_type(annotation: ast.AST | None) -> bool:
        if annotation is None:
            return False
        text = ast.unparse(annotation).strip("'\"")
        return text in types or any(text == f"{name}.Settings" for name in modules)

    def receivers(scope: ast.AST, nested: bool) -> set[str]:
        """Names bound to the settings in a scope (``nested``: also inside its inner functions)."""
        names: set[str] = set()
        nodes = ast.walk(scope) if nested else iter(getattr(scope, "body", []))
        for node in nodes:
            if isinstance(node, ast.Assign) and is_getter_call(node.value):
                names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if is_getter_call(node.value) if node.value else is_settings_type(node.annotation):
                    names.add(node.target.id)
            elif isinstance(node, ast.arg) and is_settings_type(node.annotation):
                names.add(node.arg)
        return names

    module_receivers = receivers(tree, nested=False)
    units: dict[str, set[Read]] = {}

    def read(found: set[Read], member: str, call: ast.Call | None) -> None:
        key = None
        if call is not None and call.args and isinstance(call.args[0], ast.Constant):
            key = str(call.args[0].value)
        if member in FIELDS:
            found.add((member, None))
        for field_name in member_reads().get(member, frozenset()):
            found.add((field_name, key if field_name in KEYED else None))

    for statement in tree.body:
        found = units.setdefault(_unit_name(statement), set())
        functions = [n for n in ast.walk(statement) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for scope in [statement, *functions]:
            bound = module_receivers | (receivers(scope, nested=True) if scope in functions else set())

            def is_settings(node: ast.AST, bound: set[str] = bound) -> bool:
                return is_getter_call(node) or (isinstance(node, ast.Name) and node.id in bound)

            calls = {id(n.func): n for n in ast.walk(scope) if isinstance(n, ast.Call)}
            for node in ast.walk(scope):
                if isinstance(node, ast.Attribute) and is_settings(node.value):
                    read(found, node.attr, calls.get(id(node)))
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "getattr"
                    and len(node.args) >= 2
                    and is_settings(node.args[0])
                    and isinstance(node.args[1], ast.Constant)
                ):
                    read(found, str(node.args[1].value), None)
    return units


def reads_in_source(source: str) -> set[Read]:
    """Every setting a module's code reads, wherever it is."""
    return {item for found in unit_reads(source).values() for item in found}


def _unit_name(statement: ast.stmt) -> str:
    """A top-level function or class is a unit of its own; the rest of the module is the unit ""."""
    return statement.name if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) else ""


Unit = tuple[str, str]  # (module, top-level name); "" is the module's own top-level code


def _imported_names(tree: ast.AST, package: str) -> tuple[dict[str, Unit], dict[str, str]]:
    """A module's imported names: those bound to a function, class or value of another module
    (→ where it is defined), and those bound to a module (→ the module)."""
    origins: dict[str, Unit] = {}
    modules: dict[str, str] = {}
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                modules[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                local = alias.asname or alias.name
                if module_path(f"{base}.{alias.name}"):
                    modules[local] = f"{base}.{alias.name}"
                else:
                    origins[local] = (base, alias.name)
    return origins, modules


class ModuleCode:
    """One module of the code asset: what each unit reads and which units it refers to."""

    def __init__(self, module: str, path: Path) -> None:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        self.reads = unit_reads(source)
        self.origins, modules = _imported_names(tree, package)
        self.references: dict[str, set[Unit]] = {}
        defined = set(self.reads)
        for statement in tree.body:
            name = _unit_name(statement)
            found = self.references.setdefault(name, set())
            if name and getattr(statement, "decorator_list", None):
                self.references.setdefault("", set()).add((module, name))  # registered where defined
            for node in _runtime_nodes(statement):
                if isinstance(node, ast.Name) and node.id in defined and node.id != name:
                    found.add((module, node.id))
                elif isinstance(node, ast.Name) and node.id in self.origins:
                    found.add(self.origins[node.id])
                elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
                    found.add((modules[node.value.id], node.attr))


@cache
def module_code(module: str) -> ModuleCode | None:
    path = module_path(module)
    return ModuleCode(module, path) if path else None


@cache
def reads_of(handler: str) -> frozenset[Read]:
    """Every setting the code a handler can run reads: the top-level code of every module it
    imports, the handler, and every function and class that code refers to, transitively."""
    module, _, entry = handler.rpartition(".")
    pending: list[Unit] = [(name, "") for name in import_closure(module)] + [(module, entry)]
    seen: set[Unit] = set()
    found: set[Read] = set()
    while pending:
        unit = pending.pop()
        code = module_code(unit[0])
        if unit in seen or code is None:
            continue
        seen.add(unit)
        if unit[1] not in code.reads:
            if unit[1] in code.origins:  # re-exported: follow it to where it is defined
                pending.append(code.origins[unit[1]])
            continue
        found |= code.reads[unit[1]]
        pending.extend(code.references.get(unit[1], ()))
    return frozenset(found)


# The check ---------------------------------------------------------------------------------------
def role_statements(template: dict[str, Any], function: dict[str, Any]) -> list[dict[str, Any]]:
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for _, policy in resources(template, "AWS::IAM::Policy")
        if {"Ref": role} in policy["Properties"].get("Roles", [])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _text(value: Any) -> str:
    """A CloudFormation value as text, references kept as placeholders."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator: str
        parts: list[Any]
        separator, parts = value["Fn::Join"]
        return separator.join(_text(part) for part in parts)
    return "${" + json.dumps(value, sort_keys=True) + "}"


def may_read_secret(statements: list[dict[str, Any]], secret: Any) -> bool:
    """The role allows GetSecretValue on the secret the variable names: its ARN (the same
    reference), or, for a secret named rather than referenced, its ARN pattern ``name-??????``."""
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if statement.get("Effect") != "Allow" or "secretsmanager:GetSecretValue" not in actions:
            continue
        listed = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for resource in listed:
            if resource == secret:
                return True
            if isinstance(secret, str) and _text(resource).endswith(f":secret:{secret}-??????"):
                return True
    return False


def owner(function: dict[str, Any]) -> tuple[str | None, str | None]:
    """The service and the consumer (if it is one) a deployed function was built for."""
    properties = function["Properties"]
    service_name = properties.get("Environment", {}).get("Variables", {}).get("POWERTOOLS_SERVICE_NAME")
    service = next((s for s in SERVICES if s.name == service_name), None)
    if service is None:
        return service_name, None
    consumer = next((c.name for c in service.consumers if c.handler == properties["Handler"]), None)
    return service.name, consumer


def wiring_problems(template: dict[str, Any], logical_id: str, function: dict[str, Any]) -> list[str]:
    handler = function["Properties"]["Handler"]
    environment = function["Properties"].get("Environment", {}).get("Variables", {})
    service, consumer = owner(function)
    declared = next((s for s in SERVICES if s.name == service), None)
    own = {"tables": service if declared and declared.table else None, "dead_letter_queues": consumer}
    statements = role_statements(template, function)
    problems = []
    for field_name, literal_key in sorted(reads_of(handler), key=str):
        variable = VARIABLES[field_name]
        if field_name in KEYED:
            key = literal_key or own[field_name]
            if key is None:
                continue  # a key computed at run time in a function that owns none: nothing to give
            name = KEYED[field_name](key)
        else:
            name = variable.name
        if name in FROM_LAMBDA:
            continue
        if name not in environment:
            if variable.required:
                problems.append(f"{logical_id} ({handler}) reads {field_name} but has no {name}")
            continue
        if variable.secret and not may_read_secret(statements, environment[name]):
            problems.append(f"{logical_id} ({handler}) has {name} but may not read that secret")
    return problems


def deployed_functions(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, function in resources(template, "AWS::Lambda::Function"):
        handler = function["Properties"].get("Handler", "")
        if module_path(handler.rpartition(".")[0]):  # Siyu's code, not a CDK custom resource
            yield logical_id, function


# Tests -------------------------------------------------------------------------------------------
def test_every_function_has_the_settings_its_code_reads_and_may_read_its_secrets(template: dict[str, Any]) -> None:
    functions = list(deployed_functions(template))
    assert len(functions) >= 20
    problems = [
        problem for logical_id, function in functions for problem in wiring_problems(template, logical_id, function)
    ]
    assert problems == []


def test_the_reads_found_are_the_ones_that_broke_in_aws() -> None:
    """The cases channel gateway and inbox read the WeChat secret (the bug this test was written
    for); the publisher reads the bus name; consumers their own DLQ and table."""
    for handler in (
        "services.cases.handlers.channel_gateway.handler",
        "services.cases.handlers.channel_inbox.handler",
    ):
        assert ("wechat_secret_arn", None) in reads_of(handler), handler
        assert ("dead_letter_queues", None) in reads_of(handler), handler
        assert ("tables", "cases") in reads_of(handler), handler
    # Only what the handler can run: shared/auth/keys.py also reads the member-token key, in a
    # function the gateway never calls.
    assert ("token_secret_arn", None) not in reads_of("services.cases.handlers.channel_gateway.handler")
    assert reads_of("shared.publisher.handler") == {("event_bus_name", None)}
    assert ("token_secret_arn", None) in reads_of("shared.auth.authorizer.handler")
    assert ("stage", None) in reads_of("services.platform.api.handler")  # through Settings.is_local


def test_a_function_missing_a_setting_or_the_right_to_its_secret_fails(template: dict[str, Any]) -> None:
    [(logical_id, gateway)] = [
        (i, f)
        for i, f in deployed_functions(template)
        if f["Properties"]["Handler"] == "services.cases.handlers.channel_gateway.handler"
    ]
    assert wiring_problems(template, logical_id, gateway) == []

    without_variable = json.loads(json.dumps(gateway))
    del without_variable["Properties"]["Environment"]["Variables"]["SIYU_WECHAT_SECRET_ARN"]
    assert wiring_problems(template, logical_id, without_variable) == [
        f"{logical_id} (services.cases.handlers.channel_gateway.handler) reads wechat_secret_arn "
        "but has no SIYU_WECHAT_SECRET_ARN"
    ]

    without_grant = json.loads(json.dumps(template))
    role = gateway["Properties"]["Role"]["Fn::GetAtt"][0]
    for _, policy in resources(without_grant, "AWS::IAM::Policy"):
        if {"Ref": role} in policy["Properties"]["Roles"]:
            document = policy["Properties"]["PolicyDocument"]
            document["Statement"] = [s for s in document["Statement"] if "secretsmanager" not in json.dumps(s)]
    assert wiring_problems(without_grant, logical_id, gateway) == [
        f"{logical_id} (services.cases.handlers.channel_gateway.handler) has SIYU_WECHAT_SECRET_ARN "
        "but may not read that secret"
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "from shared.settings import get_settings\nx = get_settings().wechat_secret_arn",
            {("wechat_secret_arn", None)},
        ),
        (
            "from shared.settings import get_settings as gs\ndef f():\n    s = gs()\n    return s.event_bus_name",
            {("event_bus_name", None)},
        ),
        ("from shared.settings import Settings\ndef f(s: Settings):\n    return s.is_local", {("stage", None)}),
        ("from shared.settings import get_settings\ny = get_settings().table('points')", {("tables", "points")}),
        (
            "from shared.settings import get_settings\ndef f(c):\n    get_settings().dead_letter_queue(c)",
            {("dead_letter_queues", None)},
        ),
        (
            "from shared.settings import get_settings\ngetattr(get_settings(), 'staff_keys_secret_arn', '')",
            {("staff_keys_secret_arn", None)},
        ),
        ("from shared import settings\nsettings.get_settings().entry_url", {("entry_url", None)}),
        # Another get_settings (a route of cases is named so) and another "settings" are not ours.
        ("def get_settings():\n    pass\nget_settings().business_hours", set()),
        ("from shared.settings import get_settings\ndef f(settings):\n    return settings.stage", set()),
    ],
)
def test_each_way_of_reading_a_setting_is_found(source: str, expected: set[Read]) -> None:
    assert reads_in_source(source) == expected


def test_the_import_closure_follows_deferred_imports_but_not_type_checking_ones() -> None:
    closure = import_closure("shared.consumer")
    assert {"shared.settings", "shared.events.catalog", "shared"} <= closure
    assert "shared.dynamo" not in closure  # imported only under TYPE_CHECKING
    assert "botocore" not in closure  # not Siyu's code
