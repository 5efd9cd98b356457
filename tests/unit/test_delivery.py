"""Delivery as Lambda's event source mappings do it: retries of failed messages, then redrive."""

from __future__ import annotations

import json
from typing import Any

from local.pumps import QueuePump
from local.stack import LocalStack
from shared import aws
from tests.unit.conftest import eventually


def test_a_message_that_keeps_failing_is_redriven_to_the_dlq_after_max_receives(stack: LocalStack, tenant: str) -> None:
    sqs = aws.client("sqs")
    dlq = sqs.create_queue(QueueName=f"{tenant}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(
        QueueName=tenant,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})},
    )["QueueUrl"]
    attempts: list[str] = []

    def always_failing(event: dict[str, Any], context: Any) -> dict[str, Any]:
        attempts.extend(r["body"] for r in event["Records"])
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}

    pump = QueuePump(queue, "arn", always_failing, "always-failing", retry_after_seconds=0)
    sqs.send_message(QueueUrl=queue, MessageBody="poison")
    pump.start()
    try:
        moved = eventually(lambda: sqs.receive_message(QueueUrl=dlq).get("Messages"), timeout=20)
    finally:
        pump.stop()
    assert moved[0]["Body"] == "poison"
    assert attempts == ["poison"] * 3


def test_a_consumer_crash_retries_the_whole_batch(stack: LocalStack, tenant: str) -> None:
    sqs = aws.client("sqs")
    queue = sqs.create_queue(QueueName=f"{tenant}-crash")["QueueUrl"]
    seen: list[str] = []

    def crash_once(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.extend(r["body"] for r in event["Records"])
        if len(seen) == 1:
            raise RuntimeError("the function crashed")
        return {"batchItemFailures": []}

    pump = QueuePump(queue, "arn", crash_once, "crash-once", retry_after_seconds=0)
    sqs.send_message(QueueUrl=queue, MessageBody="work")
    pump.start()
    try:
        eventually(lambda: len(seen) >= 2)
        eventually(lambda: not sqs.receive_message(QueueUrl=queue).get("Messages"))
    finally:
        pump.stop()
    assert seen[:2] == ["work", "work"]
