"""The operator's commands, in the parts the local stack cannot show: how they find a deployed
stage's queues, the smoke user's TOTP codes, which rules a typed replay goes to, and how a
dead letter is described. (End to end against the local stack: tests/e2e/test_operations.py.)"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from local.stack import LocalStack
from ops.redrive import DeadLetter
from ops.replay import instant, may_match
from ops.smoke import claims, totp
from ops.target import OpsError, Target
from shared import aws


@pytest.fixture
def aws_account(stack: LocalStack) -> Any:
    """The in-process stack's emulator, holding queues named as a deployed stage's are. (Not
    moto's ``mock_aws``: it would reset the backends this process's emulator serves from.)"""
    return aws.client("sqs")


def _queue_pair(sqs: Any, dlq_name: str, source_name: str) -> tuple[str, str]:
    dlq = sqs.create_queue(QueueName=dlq_name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
    source = sqs.create_queue(QueueName=source_name, Attributes={"RedrivePolicy": policy})["QueueUrl"]
    return dlq, source


def test_a_deployed_consumers_queues_are_found_by_convention(aws_account: Any) -> None:
    dlq, source = _queue_pair(aws_account, "siyu-prod-points-orders-dlq", "siyu-prod-points-orders")
    target = Target("prod", "ap-southeast-1")
    assert target.consumer_dlq("points-orders") == dlq
    assert target.source_queue(dlq) == source


def test_or_by_the_names_cloudformation_generated(aws_account: Any) -> None:
    dlq, source = _queue_pair(
        aws_account,
        "Siyu-dev-cases-CasesChannelGatewayDlq1A2B3C-Xy9",
        "Siyu-dev-cases-CasesChannelGatewayQueue4D5E-Ab1",
    )
    _queue_pair(
        aws_account, "Siyu-prod-cases-CasesChannelGatewayDlq7F8G-Zz2", "Siyu-prod-cases-Other-Q"
    )  # another stage
    target = Target("dev", "ap-southeast-1")
    assert target.consumer_dlq("cases-channel-gateway") == dlq
    assert target.source_queue(dlq) == source
    with pytest.raises(OpsError, match="cannot find the queue 'siyu-dev-points-orders-dlq'"):
        target.consumer_dlq("points-orders")


def test_the_smoke_users_codes_are_rfc_6238s() -> None:
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 6238's SHA-1 key, "12345678901234567890", in base32
    assert totp(secret, at=59) == "287082"
    assert totp(secret, at=1111111109) == "081804"
    assert totp(secret.lower(), at=1234567890) == "005924"


def test_the_tenant_is_read_from_the_id_token() -> None:
    payload = json.dumps({"custom:tenant_id": "smoke", "cognito:groups": ["admin"]}).encode()
    token = "e30." + base64.urlsafe_b64encode(payload).decode().rstrip("=") + ".sig"
    assert claims(token)["custom:tenant_id"] == "smoke"


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ({"source": ["siyu.campaigns"], "detail-type": ["CampaignConversionRecorded"]}, True),
        ({"source": ["siyu.contacts"], "detail-type": ["ContactCreated", "ContactErased"]}, False),
        ({"source": [{"prefix": "siyu."}]}, True),  # no detail-type: every type
        ({"detail-type": [{"prefix": "Campaign"}]}, True),  # cannot be ruled out
    ],
)
def test_a_typed_replay_goes_to_the_rules_that_can_match_its_types(pattern: dict[str, Any], matches: bool) -> None:
    assert may_match(pattern, {"CampaignConversionRecorded"}) is matches


def test_replay_times_need_a_zone() -> None:
    assert instant("2026-03-01T08:00:00+08:00", "FROM").utcoffset() is not None
    with pytest.raises(OpsError, match="no time zone"):
        instant("2026-03-01T08:00:00", "FROM")
    with pytest.raises(OpsError, match="not an RFC 3339 time"):
        instant("yesterday", "FROM")


def _letter(body: str, attributes: dict[str, str] | None = None) -> DeadLetter:
    message = {
        "MessageId": "m-1",
        "ReceiptHandle": "r",
        "Body": body,
        "MD5OfBody": "d",
        "MessageAttributes": {k: {"DataType": "String", "StringValue": v} for k, v in (attributes or {}).items()},
        "Attributes": {"ApproximateReceiveCount": "1"},
    }
    return DeadLetter.of(message)


def test_a_dead_letter_says_why_it_is_there() -> None:
    event = {
        "source": "siyu.contacts",
        "detail-type": "ContactCreated",
        "detail": {"metadata": {"event_id": "evt_1", "tenant_id": "t1"}},
    }
    given = _letter(json.dumps(event), {"reason": "ContactCreated does not match its contract: data.version"})
    assert given.reason == "ContactCreated does not match its contract: data.version"
    assert given.summary() == "siyu.contacts ContactCreated event evt_1 tenant t1"
    assert given.batch is None
    moved_by_sqs = _letter(json.dumps(event))
    assert moved_by_sqs.reason.startswith("no reason recorded: the queue's redrive policy moved it")
    undelivered = _letter(
        json.dumps(event), {"ERROR_CODE": "SQS.AccessDenied", "ERROR_MESSAGE": "denied", "RULE_ARN": "arn:rule/r0"}
    )
    assert undelivered.reason == "the rule could not deliver it: SQS.AccessDenied denied (rule arn:rule/r0)"
    garbage = _letter("{oops")
    assert garbage.summary() == "not JSON: '{oops'"
    descriptor = {
        "requestContext": {"condition": "MaximumRecordAgeExceeded", "approximateInvokeCount": 12},
        "responseContext": {"functionError": "Unhandled"},
        "DDBStreamBatchInfo": {"startSequenceNumber": "100", "endSequenceNumber": "180", "batchSize": 3},
    }
    batch = _letter(json.dumps(descriptor))
    assert batch.batch is not None
    assert batch.reason == "MaximumRecordAgeExceeded after 12 invocations (Unhandled)"
    assert batch.summary().startswith("stream batch of 3 records 100..180")
