"""What keeps cold starts cheap stays so: each check runs in a fresh interpreter, as Lambda's init
phase does, and fails on the change that would quietly bring a cost back."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from services.registry import SERVICES
from shared.auth.principal import MemberPrincipal, StaffPrincipal, from_context, to_context
from shared.manifest import Route

ROOT = Path(__file__).resolve().parents[2]


def fresh(code: str) -> object:
    """What ``code`` leaves in ``result``, run in a new interpreter."""
    script = f"import json, sys\n{code}\nprint(json.dumps(result))"
    answer = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True, timeout=60
    )
    return json.loads(answer.stdout)


def test_the_authorizer_does_not_import_pydantic() -> None:
    """pydantic's import alone was ~80 ms of the authorizer's cold start, for a handful of strings."""
    loaded = fresh("import shared.auth.authorizer\nresult = sorted(m for m in sys.modules if m.startswith('pydantic'))")
    assert loaded == []


def test_event_contracts_build_no_validator_on_import() -> None:
    """A service's manifest imports its event contracts; building them all cost every function
    several milliseconds for events it never publishes or consumes."""
    built = fresh(
        "from shared.events.catalog import MODULES\n"
        "import importlib\n"
        "result = [name for module in MODULES.values() "
        "for name, model in importlib.import_module(module).EVENTS.items() if model.__pydantic_complete__]"
    )
    assert built == []


@pytest.mark.parametrize(
    "module", ["services.points.models", "services.points.reward_models", "services.points.policy"]
)
def test_points_models_build_on_first_use(module: str) -> None:
    built = fresh(
        f"import {module} as models\nfrom pydantic import BaseModel\n"
        "result = [name for name, value in vars(models).items() if isinstance(value, type) "
        "and issubclass(value, BaseModel) and value.__module__ == models.__name__ and value.__pydantic_complete__]"
    )
    assert built == []


def test_a_consumer_builds_event_metadata_in_its_init_phase() -> None:
    """Every event's metadata is validated: the consumer builds it on import, not on its first event."""
    assert fresh(
        "import services.points.handlers.contacts\n"
        "from shared.events.envelope import EventMetadata\n"
        "result = EventMetadata.__pydantic_complete__"
    )


def test_a_principal_survives_the_authorizer_context() -> None:
    staff = StaffPrincipal(tenant_id="t-1", staff_id="s-1", roles=frozenset({"manager", "agent"}))
    member = MemberPrincipal(tenant_id="t-1", contact_id="c-1", app_id="wx1", openid="o-1")
    assert to_context(staff) == {"kind": "staff", "tenant_id": "t-1", "staff_id": "s-1", "roles": "agent,manager"}
    assert from_context(to_context(staff)) == staff
    assert from_context(to_context(member)) == member
    assert from_context(json.loads(json.dumps(to_context(member)))) == member  # flat strings, as API Gateway passes


@pytest.mark.parametrize(
    "context",
    [
        None,
        {},
        {"kind": "anonymous"},
        {"kind": "staff", "tenant_id": "t-1"},
        {"kind": "member", "tenant_id": "t-1"},
        {"kind": "member", "tenant_id": "t-1", "contact_id": 7},
        {"kind": "staff", "tenant_id": 1, "staff_id": "s-1", "roles": "admin"},
    ],
)
def test_a_context_without_a_whole_principal_is_nobody(context: dict[str, object] | None) -> None:
    assert from_context(context) is None


def test_principals_and_declarations_are_immutable_values() -> None:
    staff = StaffPrincipal(tenant_id="t-1", staff_id="s-1", roles=frozenset({"admin"}))
    route = Route("GET", "/v1/things/{thing_id}", "staff")
    with pytest.raises(AttributeError):
        staff.tenant_id = "other"
    with pytest.raises(AttributeError):
        route.path = "/v1/other"
    for value in (staff, route):
        assert copy.deepcopy(value) == value
        assert pickle.loads(pickle.dumps(value)) == value  # noqa: S301 - our own objects
        assert hash(copy.copy(value)) == hash(value)
    assert staff != StaffPrincipal(tenant_id="t-1", staff_id="s-2", roles=frozenset({"admin"}))
    assert route != Route("GET", "/v1/things/{thing_id}", "member")


def test_every_declared_service_is_equal_to_a_copy_of_itself() -> None:
    for service in SERVICES:
        assert copy.deepcopy(service) == service, service.name
