"""The synthesized templates: a platform stack and one stack per service, each well under
CloudFormation's limits; least privilege, queues with dead-letter queues, rules and routes wired
exactly as declared (and as the local stack wires them), and cdk-nag clean."""

from __future__ import annotations

import json
import re
from typing import Any

from infra.layers import ROOT
from infra.stack import ENTRY_URL_READERS
from local.gateway import LocalGateway
from services.registry import SERVICES
from tests.infra.conftest import CHINA_ENTRY_URL, STAGE, Synthesized, refs, resources

MAX_RESOURCES_PER_STACK = 300  # of CloudFormation's 500: room for each service to grow


def test_each_function_reaches_only_its_own_table(template: dict[str, Any]) -> None:
    tables = {logical_id for logical_id, _ in resources(template, "AWS::DynamoDB::Table")}
    assert len(tables) == 6
    roles_with_tables = 0
    for logical_id, policy in resources(template, "AWS::IAM::Policy"):
        reached = refs(policy["Properties"]["PolicyDocument"]) & tables
        service = re.match(r"^(Contacts|Cases|Campaigns|Points|Wecom|Outreach)", logical_id)
        if not reached:
            continue
        roles_with_tables += 1
        assert service is not None, f"{logical_id} reaches a table but belongs to no service"
        assert reached == {t for t in tables if t.startswith(f"{service.group(1)}Table")}, logical_id
        actions = {
            a
            for s in policy["Properties"]["PolicyDocument"]["Statement"]
            for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        }
        assert "dynamodb:Scan" not in actions, f"{logical_id} may scan"
    assert roles_with_tables >= 6  # four APIs, a publisher, a consumer


def test_only_publishers_put_events_and_only_under_their_own_source(template: dict[str, Any]) -> None:
    seen = {}
    for logical_id, policy in resources(template, "AWS::IAM::Policy"):
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if "events:PutEvents" in actions:
                assert "Publisher" in logical_id, logical_id
                seen[logical_id] = statement["Condition"]["StringEquals"]["events:source"]
    publishing = sorted(s.name for s in SERVICES if s.publisher_handler)
    assert len(seen) == len(publishing) == 6  # every service publishes now
    for logical_id, sources in seen.items():
        service = re.match(r"^[A-Z][a-z]+", logical_id).group(0).lower()  # type: ignore[union-attr]
        assert sources == [f"siyu.{service}"], logical_id


def test_every_queue_has_a_dead_letter_queue(template: dict[str, Any]) -> None:
    queues = dict(resources(template, "AWS::SQS::Queue"))
    dead_letter = {
        refs(q["Properties"]["RedrivePolicy"]).pop() for q in queues.values() if "RedrivePolicy" in q["Properties"]
    }
    # Queues that are themselves where failures go: a stream mapping's or an asynchronous
    # invocation's on-failure destination, a rule target's or a schedule's dead-letter queue.
    failure_configs = [
        *(
            m["Properties"].get("DestinationConfig", {})
            for _, m in resources(template, "AWS::Lambda::EventSourceMapping")
        ),
        *(
            c["Properties"].get("DestinationConfig", {})
            for _, c in resources(template, "AWS::Lambda::EventInvokeConfig")
        ),
        *(
            s["Properties"]["Target"].get("DeadLetterConfig", {})
            for _, s in resources(template, "AWS::Scheduler::Schedule")
        ),
        *(
            t.get("DeadLetterConfig", {})
            for _, r in resources(template, "AWS::Events::Rule")
            for t in r["Properties"]["Targets"]
        ),
    ]
    destinations = {ref for config in failure_configs for ref in refs(config)} & set(queues)
    for logical_id, queue in queues.items():
        assert "RedrivePolicy" in queue["Properties"] or logical_id in dead_letter | destinations, logical_id
        assert queue["Properties"].get("SqsManagedSseEnabled") is True
    alarms = [a["Properties"] for _, a in resources(template, "AWS::CloudWatch::Alarm")]
    for dlq in dead_letter | destinations:
        assert any(dlq in refs(alarm) for alarm in alarms), f"no alarm on {dlq}"


def test_consumer_mappings_report_partial_failures(template: dict[str, Any]) -> None:
    for _, mapping in resources(template, "AWS::Lambda::EventSourceMapping"):
        assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_rules_are_the_declared_subscriptions_and_target_their_consumer_queue(
    template: dict[str, Any],
) -> None:
    declared = sorted(json.dumps(p, sort_keys=True) for s in SERVICES for c in s.consumers for p in c.patterns)
    rules = list(resources(template, "AWS::Events::Rule"))
    assert sorted(json.dumps(r["Properties"]["EventPattern"], sort_keys=True) for _, r in rules) == declared
    for logical_id, rule in rules:
        targets = rule["Properties"]["Targets"]
        assert len(targets) == 1
        queue = refs(targets[0]["Arn"]).pop()
        consumer_prefix = re.sub(r"Rule\d+[0-9A-F]{8}$", "", logical_id)
        assert queue.startswith(f"{consumer_prefix}Queue"), (logical_id, queue)
        assert template["Resources"][queue]["Type"] == "AWS::SQS::Queue"
        assert "RedrivePolicy" in template["Resources"][queue]["Properties"]


def test_routes_equal_the_declarations_and_what_the_local_stack_serves(template: dict[str, Any]) -> None:
    deployed = {r["Properties"]["RouteKey"] for _, r in resources(template, "AWS::ApiGatewayV2::Route")}
    declared = {route.key for s in SERVICES for route in s.routes if not route.local_only}
    local_only = {route.key for s in SERVICES for route in s.routes if route.local_only}
    assert deployed == declared
    assert LocalGateway(SERVICES).route_keys() - local_only == deployed
    assert "POST /v1/auth/dev-token" in local_only
    assert "POST /v1/auth/dev-token" not in deployed


def test_private_routes_have_the_authorizer_and_public_ones_do_not(template: dict[str, Any]) -> None:
    access = {route.key: route.access for s in SERVICES for route in s.routes}
    for _, route in resources(template, "AWS::ApiGatewayV2::Route"):
        properties = route["Properties"]
        if access[properties["RouteKey"]] == "public":
            assert properties.get("AuthorizationType", "NONE") == "NONE"
        else:
            assert properties["AuthorizationType"] == "CUSTOM"


def test_tables_are_durable_in_production(template: dict[str, Any]) -> None:
    for _, table in resources(template, "AWS::DynamoDB::Table"):
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert properties["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        assert properties["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == "Retain"


def test_functions_run_python_313_on_arm_with_the_layers_built_from_the_lock(template: dict[str, Any]) -> None:
    layer_ids = {logical_id for logical_id, _ in resources(template, "AWS::Lambda::LayerVersion")}
    functions = [
        f["Properties"]
        for _, f in resources(template, "AWS::Lambda::Function")
        if "Handler" in f["Properties"] and not f["Properties"]["Handler"].startswith("index.")
    ]
    assert len(functions) >= 8
    for function in functions:
        assert function["Runtime"] == "python3.13"
        assert function["Architectures"] == ["arm64"]
        assert {layer["Ref"] for layer in function["Layers"]} <= layer_ids
        assert "PydanticLayer" in json.dumps(function["Layers"])  # every function: the base layer
        assert function["TracingConfig"] == {"Mode": "Active"}


def test_the_bus_is_archived_whatever_account_put_the_event(template: dict[str, Any]) -> None:
    """Partners put events from their own accounts: the archive keeps those too, for replay."""
    archives = list(resources(template, "AWS::Events::Archive"))
    assert len(archives) == 1
    properties = archives[0][1]["Properties"]
    assert properties["RetentionDays"] == 90
    assert "EventPattern" not in properties  # no pattern: every event but replayed ones


def test_cdk_nag_aws_solutions_checks_pass(template: dict[str, Any]) -> None:
    problems = [
        (path, entry["data"])
        for path, entries in template["__metadata__"].items()
        for entry in entries
        if entry["type"] in ("aws:cdk:error", "aws:cdk:warning")
    ]
    assert problems == []


def test_token_code_ships_with_its_jwt_layers(template: dict[str, Any]) -> None:
    """The authorizer verifies both token kinds (PyJWT + cryptography for RS256); the contacts API
    signs member tokens at login (PyJWT only). Without these layers they fail on import in AWS."""

    def layers_of(prefix: str) -> str:
        found = [f for logical_id, f in resources(template, "AWS::Lambda::Function") if logical_id.startswith(prefix)]
        assert len(found) == 1, prefix
        return json.dumps(found[0]["Properties"].get("Layers", []))

    authorizer = layers_of("Authorizer")
    assert "JwtLayer" in authorizer
    assert "CryptographyLayer" in authorizer
    contacts_api = layers_of("ContactsApi")
    assert "JwtLayer" in contacts_api
    assert "CryptographyLayer" not in contacts_api


def test_a_platform_stack_and_one_stack_per_service(templates: dict[str, Any]) -> None:
    assert set(templates) == {f"Siyu-{STAGE}-{service.name}" for service in SERVICES}
    platform = {r["Type"] for r in templates[f"Siyu-{STAGE}-platform"]["Resources"].values()}
    assert {
        "AWS::Events::EventBus",
        "AWS::Events::Archive",
        "AWS::ApiGatewayV2::Api",
        "AWS::ApiGatewayV2::Stage",
        "AWS::ApiGatewayV2::Authorizer",
        "AWS::Cognito::UserPool",
        "AWS::SNS::Topic",
    } <= platform
    assert "AWS::DynamoDB::Table" not in platform
    for service in SERVICES:
        if service.table is not None:
            tables = list(resources(templates[f"Siyu-{STAGE}-{service.name}"], "AWS::DynamoDB::Table"))
            assert len(tables) == 1, service.name


def test_no_stack_is_above_300_resources(templates: dict[str, Any], china: dict[str, Synthesized]) -> None:
    for synthesized_templates in (templates, *(s.templates for s in china.values())):
        counts = {name: len(template["Resources"]) for name, template in synthesized_templates.items()}
        assert max(counts.values()) <= MAX_RESOURCES_PER_STACK, counts


def test_service_stacks_depend_on_the_platform_stack_only(synthesized: Synthesized) -> None:
    manifest = json.loads((synthesized.outdir / "manifest.json").read_text())["artifacts"]
    platform = f"Siyu-{STAGE}-platform"
    for name in synthesized.templates:
        dependencies = {d for d in manifest[name].get("dependencies", []) if not d.endswith(".assets")}
        assert dependencies == (set() if name == platform else {platform}), name


def test_the_api_function_of_each_service_has_one_invoke_permission(template: dict[str, Any]) -> None:
    """One permission per function for the whole API (not one per route, which outgrew the 20 KB
    resource policy of the cases function)."""
    api_functions = {
        logical_id
        for logical_id, f in resources(template, "AWS::Lambda::Function")
        if f["Properties"]["Handler"] in {s.api_handler for s in SERVICES}
    }
    per_function: dict[str, int] = {}
    for _, permission in resources(template, "AWS::Lambda::Permission"):
        properties = permission["Properties"]
        if properties["Principal"] != "apigateway.amazonaws.com":
            continue
        for function in refs(properties["FunctionName"]) & api_functions:
            per_function[function] = per_function.get(function, 0) + 1
    assert per_function == dict.fromkeys(api_functions, 1)


def test_the_entry_url_is_set_through_the_stack_on_the_functions_that_read_it(
    template: dict[str, Any], china: dict[str, Synthesized]
) -> None:
    """Unset, the readers are given the member H5's landing page (test_frontends.py checks the
    URL); set (context ``entry_url`` or ``--entry-url``), the readers are given it; no other
    function is given the variable."""
    wanted = {f"{service.capitalize()}{function}" for service, function in ENTRY_URL_READERS.items()}
    given_by_default = {
        re.sub(r"[0-9A-F]{8}$", "", logical_id)
        for logical_id, f in resources(template, "AWS::Lambda::Function")
        if "SIYU_ENTRY_URL" in f["Properties"].get("Environment", {}).get("Variables", {})
    }
    assert given_by_default == wanted
    for synthesized in china.values():
        given = {
            logical_id
            for logical_id, f in resources(synthesized.merged(), "AWS::Lambda::Function")
            if f["Properties"]["Environment"]["Variables"].get("SIYU_ENTRY_URL") == CHINA_ENTRY_URL
        }
        assert {re.sub(r"[0-9A-F]{8}$", "", logical_id) for logical_id in given} == wanted


def test_only_the_declared_readers_read_the_entry_url() -> None:
    """ENTRY_URL_READERS is the list of code that reads settings.entry_url: keep it true."""
    readers = sorted(
        path.relative_to(ROOT).as_posix()
        for top in ("services", "shared")
        for path in (ROOT / top).rglob("*.py")
        if re.search(r"\bentry_url\b", path.read_text()) and "get_settings().entry_url" in path.read_text()
    )
    assert readers == ["services/campaigns/logic/codes.py"]
    assert set(ENTRY_URL_READERS) == {"campaigns"}
