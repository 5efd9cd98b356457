"""Create the local stack's resources from the service declarations: the same tables, bus,
archive, queues, dead-letter queues and rules that infra/ declares for AWS, with local names.

Names follow one convention, ``siyu-<stage>-<what>`` (here the stage is ``local``), which the
operator's commands (``ops/``) also use to find a consumer's queues."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from shared import aws
from shared.auth.staff_keys import STAFF_AUDIENCE, staff_issuer_name, staff_keys_secret_name
from shared.manifest import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, Consumer, Service
from shared.settings import dlq_env_name, table_env_name

PREFIX = "siyu-local"
# What the bus archives for replay: Siyu's own events and partner events, whichever account sent
# them (a filter on this account would drop partner events put from the partners' accounts).
ARCHIVE_PATTERN = {"source": [{"prefix": "siyu."}, {"prefix": "partner."}]}


@dataclass
class ConsumerQueues:
    consumer: Consumer
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str
    rules: list[str] = field(default_factory=list)


@dataclass
class Provisioned:
    bus_name: str
    tables: dict[str, str]  # service → table name
    streams: dict[str, str]  # service → stream arn
    consumers: dict[str, ConsumerQueues]
    token_secret_arn: str
    archive_name: str = ""
    # Siyu's own staff-token keys, as in an AWS China stage: local dev tokens are ES256 tokens that
    # the very verifier of a China stage checks, and ``ops.staff_tokens --stage local`` finds them.
    staff_keys_secret_arn: str = ""
    # service → the publisher's on-failure queue (AWS: its stream mapping's destination). Locally the
    # stream pump retries a failed batch until it succeeds, so only ``make redrive`` and tests use it.
    publisher_dlqs: dict[str, str] = field(default_factory=dict)

    def describe(self, emulator: str) -> dict[str, Any]:
        """Where everything is, for the operator's commands (served at ``/_local/stack``)."""
        return {
            "stage": "local",
            "emulator": emulator,
            "region": "us-east-1",
            "event_bus": self.bus_name,
            "archive": self.archive_name,
            "tables": self.tables,
            "streams": self.streams,
            "consumers": {
                name: {"queue_url": q.queue_url, "dlq_url": q.dlq_url, "rules": q.rules}
                for name, q in self.consumers.items()
            },
            "publisher_dlqs": self.publisher_dlqs,
        }

    def environment(self) -> dict[str, str]:
        env = {
            "SIYU_STAGE": "local",
            "SIYU_EVENT_BUS": self.bus_name,
            "SIYU_TOKEN_SECRET_ARN": self.token_secret_arn,
            "SIYU_WECHAT_GATEWAY": "fake",
            "SIYU_STAFF_KEYS_SECRET_ARN": self.staff_keys_secret_arn,
            "SIYU_STAFF_ISSUER": staff_issuer_name("local"),
            "SIYU_STAFF_AUDIENCE": STAFF_AUDIENCE,
        }
        env.update({table_env_name(service): name for service, name in self.tables.items()})
        env.update({dlq_env_name(name): queues.dlq_url for name, queues in self.consumers.items()})
        return env


def table_definition(name: str, service: Service) -> dict[str, Any]:
    assert service.table is not None
    spec = service.table
    attributes = {PARTITION_KEY, SORT_KEY}
    for index in spec.indexes:
        attributes |= {index.partition_key, index.sort_key}
    definition: dict[str, Any] = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }
    if spec.indexes:
        definition["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in spec.indexes
        ]
    return definition


def _queue(name: str, attributes: dict[str, str]) -> tuple[str, str]:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def provision(services: tuple[Service, ...]) -> Provisioned:
    dynamodb, events = aws.client("dynamodb"), aws.client("events")
    bus = f"{PREFIX}-bus"
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    archive = f"{PREFIX}-all"
    events.create_archive(
        ArchiveName=archive,
        EventSourceArn=bus_arn,
        EventPattern=json.dumps(ARCHIVE_PATTERN),
        Description="Every Siyu and partner event on the bus, for replay",
    )
    tables, streams = {}, {}
    for service in services:
        if service.table is None:
            continue
        name = f"{PREFIX}-{service.name}"
        description = dynamodb.create_table(**table_definition(name, service))["TableDescription"]
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )
        tables[service.name] = name
        streams[service.name] = description["LatestStreamArn"]
    publisher_dlqs = {}
    for service in services:
        if service.publisher_handler and service.name in streams:
            publisher_dlqs[service.name] = _queue(
                f"{PREFIX}-{service.name}-publisher-dlq", {"MessageRetentionPeriod": "1209600"}
            )[0]
    consumers = {}
    for service in services:
        for consumer in service.consumers:
            dlq_url, dlq_arn = _queue(f"{PREFIX}-{consumer.name}-dlq", {"MessageRetentionPeriod": "1209600"})
            url, arn = _queue(
                f"{PREFIX}-{consumer.name}",
                {
                    "VisibilityTimeout": str(consumer.visibility_timeout_seconds),
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": consumer.max_receive_count}
                    ),
                },
            )
            queues = ConsumerQueues(consumer, url, arn, dlq_url, dlq_arn)
            for index, pattern in enumerate(consumer.patterns):
                rule = f"{consumer.name}-{index}"
                events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(pattern), State="ENABLED")
                events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
                queues.rules.append(rule)
            consumers[consumer.name] = queues
    secret = aws.client("secretsmanager").create_secret(
        Name=f"{PREFIX}/token-signing-key",
        SecretString=json.dumps({"signing_key": secrets.token_urlsafe(48)}),
    )
    staff_keys = aws.client("secretsmanager").create_secret(
        Name=staff_keys_secret_name("local"),
        SecretString=json.dumps({"signing_seed": secrets.token_urlsafe(48)}),
    )
    return Provisioned(
        bus,
        tables,
        streams,
        consumers,
        secret["ARN"],
        archive_name=archive,
        publisher_dlqs=publisher_dlqs,
        staff_keys_secret_arn=staff_keys["ARN"],
    )
