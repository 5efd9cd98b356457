"""Every asynchronous path ends somewhere an operator sees: each rule target, schedule, stream
mapping and queue has a dead-letter queue or on-failure destination with an alarm on it, bounded
retries, and timeouts that leave room for them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from infra.monitoring import CONSUMER_DIMENSION, CONSUMER_FAILURES, MALFORMED_OUTBOX_ITEMS, METRICS_NAMESPACE
from services.registry import SERVICES
from shared.manifest import VISIBILITY_PER_TIMEOUT, schedule_interval_seconds
from tests.infra.conftest import refs, resources

ROOT = Path(__file__).resolve().parents[2]
STREAM_RETENTION_SECONDS = 24 * 3600  # DynamoDB Streams drop records after a day


def queue_id(arn: Any) -> str:
    """The logical id of the queue an ``Fn::GetAtt [queue, Arn]`` names."""
    [found] = refs(arn)
    return found


def alarmed_queues(template: dict[str, Any]) -> set[str]:
    """Queues whose visible messages have an alarm that notifies someone."""
    found = set()
    for _, alarm in resources(template, "AWS::CloudWatch::Alarm"):
        properties = alarm["Properties"]
        if properties.get("MetricName") == "ApproximateNumberOfMessagesVisible" and properties.get("AlarmActions"):
            assert properties["Threshold"] <= 1
            found |= refs(properties.get("Dimensions", []))
    return found


def function_of(template: dict[str, Any], reference: Any) -> dict[str, Any]:
    [logical_id] = refs(reference)
    function: dict[str, Any] = template["Resources"][logical_id]
    assert function["Type"] == "AWS::Lambda::Function"
    return function


def test_every_rule_target_has_a_retry_policy_and_an_alarmed_dead_letter_queue(template: dict[str, Any]) -> None:
    rules = list(resources(template, "AWS::Events::Rule"))
    assert len(rules) == sum(len(c.patterns) for s in SERVICES for c in s.consumers) >= 12
    alarmed = alarmed_queues(template)
    policies = [p["Properties"] for _, p in resources(template, "AWS::SQS::QueuePolicy")]
    for logical_id, rule in rules:
        for target in rule["Properties"]["Targets"]:
            retry = target["RetryPolicy"]
            assert 0 < retry["MaximumRetryAttempts"] <= 185, logical_id
            assert 60 <= retry["MaximumEventAgeInSeconds"] <= 86400, logical_id
            dlq = queue_id(target["DeadLetterConfig"]["Arn"])
            assert dlq in alarmed, f"no alarm on {dlq}, the DLQ of {logical_id}"
            # EventBridge may send there, from this rule only.
            allowed = [
                statement
                for policy in policies
                if dlq in refs(policy["Queues"])
                for statement in policy["PolicyDocument"]["Statement"]
                if statement["Effect"] == "Allow" and statement.get("Principal") == {"Service": "events.amazonaws.com"}
            ]
            assert any(
                "sqs:SendMessage" in json.dumps(s["Action"])
                and logical_id in refs(s.get("Condition", {}).get("ArnEquals", {}).get("aws:SourceArn"))
                for s in allowed
            ), f"{dlq} does not let {logical_id} send to it"


def test_every_rule_has_a_delivery_failure_alarm(template: dict[str, Any]) -> None:
    watched = set()
    for _, alarm in resources(template, "AWS::CloudWatch::Alarm"):
        for query in alarm["Properties"].get("Metrics", []):
            stat = query.get("MetricStat", {}).get("Metric", {})
            if stat.get("Namespace") == "AWS/Events" and stat.get("MetricName") == "FailedInvocations":
                assert alarm["Properties"]["AlarmActions"]
                watched |= refs(stat["Dimensions"])
    assert watched >= {logical_id for logical_id, _ in resources(template, "AWS::Events::Rule")}


def test_schedules_retry_then_dead_letter_and_their_runs_report_failures(template: dict[str, Any]) -> None:
    schedules = list(resources(template, "AWS::Scheduler::Schedule"))
    assert len(schedules) == sum(len(s.schedules) for s in SERVICES) >= 2
    alarmed = alarmed_queues(template)
    invoke_configs = {
        refs(config["Properties"]["FunctionName"]).pop(): config["Properties"]
        for _, config in resources(template, "AWS::Lambda::EventInvokeConfig")
    }
    for logical_id, schedule in schedules:
        target = schedule["Properties"]["Target"]
        interval = schedule_interval_seconds(schedule["Properties"]["ScheduleExpression"])
        assert 0 < target["RetryPolicy"]["MaximumRetryAttempts"] <= 3, logical_id
        assert 60 <= target["RetryPolicy"]["MaximumEventAgeInSeconds"] <= max(60, interval), logical_id
        dlq = queue_id(target["DeadLetterConfig"]["Arn"])
        assert dlq in alarmed, logical_id
        # Scheduler sends to the DLQ with the schedule's role.
        role = refs(target["RoleArn"]).pop()
        role_policies = [
            p["Properties"]["PolicyDocument"]
            for _, p in resources(template, "AWS::IAM::Policy")
            if {"Ref": role} in p["Properties"]["Roles"]
        ]
        assert any("sqs:SendMessage" in json.dumps(d) and dlq in refs(d) for d in role_policies), logical_id
        # The run itself is invoked asynchronously: its failure after retries lands in a queue too.
        function = refs(target["Arn"]).pop()
        config = invoke_configs[function]
        assert 0 <= config["MaximumRetryAttempts"] <= 2
        assert 60 <= config["MaximumEventAgeInSeconds"] <= max(60, interval)
        assert queue_id(config["DestinationConfig"]["OnFailure"]["Destination"]) in alarmed


def test_schedule_runs_cannot_overlap(template: dict[str, Any]) -> None:
    """A run ends before the next is due, and the function runs once at a time: a late run or a
    retry of the last one is held back (throttled, and retried by Lambda) rather than run twice."""
    for logical_id, schedule in resources(template, "AWS::Scheduler::Schedule"):
        function = function_of(template, schedule["Properties"]["Target"]["Arn"])["Properties"]
        interval = schedule_interval_seconds(schedule["Properties"]["ScheduleExpression"])
        assert function["Timeout"] < interval, logical_id
        assert function["ReservedConcurrentExecutions"] == 1, logical_id
    sla = next(s for service in SERVICES for s in service.schedules if s.name == "cases-sla")
    assert sla.expression == "rate(1 minute)"
    assert sla.timeout_seconds < 60


def test_stream_mappings_isolate_poison_records_and_give_up_before_the_stream_does(template: dict[str, Any]) -> None:
    streams = [
        (logical_id, m["Properties"])
        for logical_id, m in resources(template, "AWS::Lambda::EventSourceMapping")
        if "StreamArn" in json.dumps(m["Properties"]["EventSourceArn"])
    ]
    assert len(streams) == sum(1 for s in SERVICES if s.publisher_handler) == 6
    alarmed = alarmed_queues(template)
    iterator_age_alarms = {
        ref
        for _, alarm in resources(template, "AWS::CloudWatch::Alarm")
        if alarm["Properties"].get("MetricName") == "IteratorAge" and alarm["Properties"].get("AlarmActions")
        for ref in refs(alarm["Properties"]["Dimensions"])
    }
    for logical_id, mapping in streams:
        assert mapping["BisectBatchOnFunctionError"] is True, logical_id
        assert 0 < mapping["MaximumRetryAttempts"] <= 100, logical_id
        assert 60 <= mapping["MaximumRecordAgeInSeconds"] < STREAM_RETENTION_SECONDS, logical_id
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert queue_id(mapping["DestinationConfig"]["OnFailure"]["Destination"]) in alarmed
        assert refs(mapping["FunctionName"]) <= iterator_age_alarms, f"no iterator age alarm for {logical_id}"


def test_queue_visibility_is_at_least_six_times_the_function_timeout(template: dict[str, Any]) -> None:
    queues = [
        (logical_id, m["Properties"])
        for logical_id, m in resources(template, "AWS::Lambda::EventSourceMapping")
        if "StreamArn" not in json.dumps(m["Properties"]["EventSourceArn"])
    ]
    assert len(queues) == sum(len(s.consumers) for s in SERVICES) >= 11
    for logical_id, mapping in queues:
        queue = template["Resources"][queue_id(mapping["EventSourceArn"])]["Properties"]
        function = function_of(template, mapping["FunctionName"])["Properties"]
        assert queue["VisibilityTimeout"] >= VISIBILITY_PER_TIMEOUT * function["Timeout"], logical_id
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_every_dead_letter_queue_and_failure_destination_has_an_alarm(template: dict[str, Any]) -> None:
    """Every queue is either fed by an event source mapping (and has a redrive policy) or is where
    failures land: the latter each have an alarm on their visible messages."""
    sources = {
        queue_id(m["Properties"]["EventSourceArn"])
        for _, m in resources(template, "AWS::Lambda::EventSourceMapping")
        if "StreamArn" not in json.dumps(m["Properties"]["EventSourceArn"])
    }
    alarmed = alarmed_queues(template)
    failure_queues = {
        logical_id for logical_id, _ in resources(template, "AWS::SQS::Queue") if logical_id not in sources
    }
    assert len(failure_queues) >= 11 + 4 + 2  # consumers, publishers, schedules
    assert failure_queues - alarmed == set()
    for logical_id in sources:
        assert "RedrivePolicy" in template["Resources"][logical_id]["Properties"], logical_id


def test_every_consumer_has_a_failing_alarm_on_the_metric_its_code_emits(template: dict[str, Any]) -> None:
    """shared/consumer.py turns handler errors into batch item failures (the function succeeds, so
    its Errors metric never sees them) and counts them as Siyu/ConsumerFailures per consumer."""
    consumer_source = re.sub(r"\s+", " ", (ROOT / "shared" / "consumer.py").read_text(encoding="utf-8"))
    assert f'count_per("{CONSUMER_FAILURES}", {{"{CONSUMER_DIMENSION}": self.name}}' in consumer_source
    watched = {
        dimension["Value"]
        for _, alarm in resources(template, "AWS::CloudWatch::Alarm")
        if alarm["Properties"].get("Namespace") == METRICS_NAMESPACE
        and alarm["Properties"].get("MetricName") == CONSUMER_FAILURES
        for dimension in alarm["Properties"]["Dimensions"]
        if dimension["Name"] == CONSUMER_DIMENSION and alarm["Properties"].get("AlarmActions")
    }
    assert watched == {c.name for s in SERVICES for c in s.consumers}


def test_every_queue_has_the_name_the_operators_commands_look_for(template: dict[str, Any]) -> None:
    """`make redrive QUEUE=<consumer>` finds queues as ``siyu-<stage>-<what>`` (ops/target.py)."""
    names = {r["Properties"].get("QueueName") for _, r in resources(template, "AWS::SQS::Queue")}
    expected = set()
    for service in SERVICES:
        expected |= {f"siyu-prod-{c.name}" for c in service.consumers}
        expected |= {f"siyu-prod-{c.name}-dlq" for c in service.consumers}
        expected |= {f"siyu-prod-{s.name}-failures" for s in service.schedules}
        if service.publisher_handler and service.table is not None:
            expected.add(f"siyu-prod-{service.name}-publisher-dlq")
    assert expected <= names
    assert all(str(name).startswith("siyu-prod-") for name in names)


def test_outbox_items_the_publisher_sets_aside_alarm(template: dict[str, Any]) -> None:
    """shared/publisher.py counts an unreadable outbox item and moves on: that count must alarm."""
    import inspect

    from shared import publisher

    assert f'count("{MALFORMED_OUTBOX_ITEMS}")' in inspect.getsource(publisher)
    watched = {
        dimension["Value"]
        for _, alarm in resources(template, "AWS::CloudWatch::Alarm")
        if alarm["Properties"].get("MetricName") == MALFORMED_OUTBOX_ITEMS
        and alarm["Properties"].get("Namespace") == METRICS_NAMESPACE
        and alarm["Properties"].get("AlarmActions")
        for dimension in alarm["Properties"].get("Dimensions", [])
        if dimension["Name"] == "service"
    }
    assert watched == {s.name for s in SERVICES if s.publisher_handler and s.table is not None}
