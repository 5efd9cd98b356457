"""Create the local stack's resources from the service declarations: the same tables, bus,
queues, dead-letter queues and rules that infra/ declares for AWS, with local names."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from shared import aws
from shared.manifest import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, Consumer, Service
from shared.settings import dlq_env_name, table_env_name

PREFIX = "siyu-local"


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

    def environment(self) -> dict[str, str]:
        env = {
            "SIYU_STAGE": "local",
            "SIYU_EVENT_BUS": self.bus_name,
            "SIYU_TOKEN_SECRET_ARN": self.token_secret_arn,
            "SIYU_WECHAT_GATEWAY": "fake",
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
    events.create_event_bus(Name=bus)
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
    return Provisioned(bus, tables, streams, consumers, secret["ARN"])
