"""What the local stack costs while it runs: memory that follows the data, not the number of
requests, and pumps that sleep while there is nothing to do yet react at once when there is."""

from __future__ import annotations

import gc
import itertools
import time
from collections import defaultdict
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.pumps import QueuePump, StreamPump
from local.stack import LocalStack
from shared import aws
from tests.unit.conftest import eventually


def _table_with_stream(name: str) -> str:
    description = aws.client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    return str(description["LatestStreamArn"])


def _live(kind: type) -> int:
    gc.collect()
    return sum(1 for thing in gc.get_objects() if isinstance(thing, kind))


def _transfer(table: str, amount: int) -> None:
    """Move ``amount`` from one balance to another; cancelled if the first would go negative."""
    aws.client("dynamodb").transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": {"S": "balance"}, "sk": {"S": "a"}},
                    "UpdateExpression": "SET amount = amount - :n",
                    "ConditionExpression": "amount >= :n",
                    "ExpressionAttributeValues": {":n": {"N": str(amount)}},
                }
            },
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": {"S": "balance"}, "sk": {"S": "b"}},
                    "UpdateExpression": "SET amount = amount + :n",
                    "ExpressionAttributeValues": {":n": {"N": str(amount)}},
                }
            },
        ]
    )


def _amounts(table: str) -> dict[str, int]:
    items = aws.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "balance"}},
    )["Items"]
    return {item["sk"]["S"]: int(item["amount"]["N"]) for item in items}


def test_transactions_keep_no_copies_of_tables_or_items(stack: LocalStack, tenant: str) -> None:
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    _table_with_stream(tenant)
    dynamodb = aws.client("dynamodb")
    for filler in range(200):  # a table with some data, which a per-transaction copy would duplicate
        dynamodb.put_item(TableName=tenant, Item={"pk": {"S": "filler"}, "sk": {"S": f"{filler:04d}"}})
    for side in ("a", "b"):
        dynamodb.put_item(TableName=tenant, Item={"pk": {"S": "balance"}, "sk": {"S": side}, "amount": {"N": "50"}})
    tables_before, items_before = _live(Table), _live(Item)

    for _ in range(40):
        _transfer(tenant, 1)
        with pytest.raises(ClientError, match="TransactionCanceled"):
            _transfer(tenant, 1_000)  # a never holds that much

    assert _amounts(tenant) == {"a": 10, "b": 90}
    assert _live(Table) == tables_before
    # The same 202 items (give or take what the stack's own consumers write meanwhile): a copy per
    # transaction, kept, would be thousands.
    assert _live(Item) < items_before + 100


def test_a_cancelled_transaction_puts_back_updated_items_and_leaves_no_stream_record(
    stack: LocalStack, tenant: str
) -> None:
    stream_arn = _table_with_stream(tenant)
    dynamodb = aws.client("dynamodb")
    for side, amount in (("a", "5"), ("b", "7")):
        dynamodb.put_item(TableName=tenant, Item={"pk": {"S": "balance"}, "sk": {"S": side}, "amount": {"N": amount}})
    streams = aws.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")

    with pytest.raises(ClientError, match="TransactionCanceled"):
        # The emulator applies operations in order, so the update and the put are done before the
        # failed check cancels the transaction: both must be undone.
        aws.client("dynamodb").transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": tenant,
                        "Key": {"pk": {"S": "balance"}, "sk": {"S": "b"}},
                        "UpdateExpression": "SET amount = amount + :n",
                        "ExpressionAttributeValues": {":n": {"N": "100"}},
                    }
                },
                {
                    "Put": {
                        "TableName": tenant,
                        "Item": {"pk": {"S": "balance"}, "sk": {"S": "c"}, "amount": {"N": "1"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": tenant,
                        "Key": {"pk": {"S": "balance"}, "sk": {"S": "a"}},
                        "ConditionExpression": "amount >= :n",
                        "ExpressionAttributeValues": {":n": {"N": "100"}},
                    }
                },
            ]
        )

    assert _amounts(tenant) == {"a": 5, "b": 7}
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT"]  # the two puts before it, nothing else


def _wait_until_delivered(delivered: list[str], count: int) -> None:
    eventually(lambda: len(delivered) >= count, timeout=5)


def _count_polls(pump: Any) -> list[float]:
    polls: list[float] = []
    poll_once = pump.poll_once

    def counted() -> bool:
        polls.append(time.monotonic())
        return bool(poll_once())

    pump.poll_once = counted
    return polls


def test_an_idle_pump_sleeps_and_wakes_at_once_when_a_message_arrives(stack: LocalStack, tenant: str) -> None:
    sqs = aws.client("sqs")
    queue = sqs.create_queue(QueueName=tenant)["QueueUrl"]
    handled: list[tuple[float, str]] = []

    def consumer(event: dict[str, Any], context: Any) -> dict[str, Any]:
        handled.extend((time.monotonic(), r["body"]) for r in event["Records"])
        return {"batchItemFailures": []}

    pump = QueuePump(queue, "arn", consumer, "idle-probe", idle_ceiling_seconds=30)
    polls = _count_polls(pump)
    pump.start()
    try:
        time.sleep(2.0)
        idle_polls = len(polls)
        sent = time.monotonic()
        sqs.send_message(QueueUrl=queue, MessageBody="wake up")
        eventually(lambda: handled, timeout=5)
    finally:
        pump.stop()
    # Between bells an idle pump polls only at its ceiling: the first poll, and none after it.
    assert idle_polls <= 2
    assert handled[0][1] == "wake up"
    assert handled[0][0] - sent < 1.0  # not the 30 s idle ceiling: the queue's bell woke it


def test_a_failed_message_is_retried_when_its_back_off_ends_not_at_the_idle_ceiling(
    stack: LocalStack, tenant: str
) -> None:
    sqs = aws.client("sqs")
    queue = sqs.create_queue(QueueName=tenant)["QueueUrl"]
    attempts: list[float] = []

    def fails_once(event: dict[str, Any], context: Any) -> dict[str, Any]:
        attempts.extend(time.monotonic() for _ in event["Records"])
        failed = event["Records"] if len(attempts) == 1 else []
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in failed]}

    pump = QueuePump(queue, "arn", fails_once, "retry-probe", retry_after_seconds=1, idle_ceiling_seconds=30)
    sqs.send_message(QueueUrl=queue, MessageBody="try again")
    pump.start()
    try:
        eventually(lambda: len(attempts) >= 2, timeout=10)
    finally:
        pump.stop()
    assert 1.0 <= attempts[1] - attempts[0] < 2.5


def test_a_failed_stream_batch_is_read_again_after_its_back_off_not_at_the_idle_ceiling(
    stack: LocalStack, tenant: str
) -> None:
    stream_arn = _table_with_stream(tenant)
    attempts: list[tuple[float, list[str]]] = []

    def fails_once(event: dict[str, Any], context: Any) -> dict[str, Any]:
        attempts.append((time.monotonic(), [r["dynamodb"]["Keys"]["sk"]["S"] for r in event["Records"]]))
        failed = event["Records"] if len(attempts) == 1 else []
        return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in failed]}

    pump = StreamPump(stream_arn, fails_once, "stream-retry-probe", idle_ceiling_seconds=30)
    aws.client("dynamodb").put_item(TableName=tenant, Item={"pk": {"S": "p"}, "sk": {"S": "only"}})
    pump.start()
    try:
        eventually(lambda: len(attempts) >= 2, timeout=10)
    finally:
        pump.stop()
    assert attempts[0][1] == attempts[1][1] == ["only"]  # the same record again, from the checkpoint
    assert attempts[1][0] - attempts[0][0] < 2.5  # the back-off (0.5 s), not the 30 s idle ceiling


def test_an_idle_pump_still_polls_within_its_ceiling(stack: LocalStack, tenant: str) -> None:
    pump = QueuePump(aws.client("sqs").create_queue(QueueName=tenant)["QueueUrl"], "arn", lambda e, c: {}, "ceiling")
    pump.idle_ceiling_seconds = 0.3
    polls = _count_polls(pump)
    pump.start()
    try:
        time.sleep(2.0)
    finally:
        pump.stop()
    gaps = [later - earlier for earlier, later in itertools.pairwise(polls)]
    assert gaps, polls
    assert max(gaps) < 0.3 + 0.5  # the ceiling, plus a poll's own time on a loaded machine
    assert len(polls) <= 2.0 / 0.3 + 6


def test_a_stream_pump_keeps_its_iterator_between_reads(stack: LocalStack, tenant: str) -> None:
    stream_arn = _table_with_stream(tenant)
    delivered: list[str] = []

    def publisher(event: dict[str, Any], context: Any) -> dict[str, Any]:
        delivered.extend(r["dynamodb"]["Keys"]["sk"]["S"] for r in event["Records"])
        return {"batchItemFailures": []}

    pump = StreamPump(stream_arn, publisher, "iterator-probe")
    taken: list[str | None] = []
    from_checkpoint = pump._iterator_from_checkpoint

    def counted() -> str:
        taken.append(pump.checkpoint)
        return from_checkpoint()

    pump._iterator_from_checkpoint = counted  # type: ignore[method-assign]
    pump.start()
    try:
        for index in range(5):  # one write at a time, so each is a read of its own
            aws.client("dynamodb").put_item(TableName=tenant, Item={"pk": {"S": "p"}, "sk": {"S": str(index)}})
            _wait_until_delivered(delivered, index + 1)
        time.sleep(0.5)  # some reads that find nothing, too
    finally:
        pump.stop()
    assert delivered == ["0", "1", "2", "3", "4"]
    assert taken == [None]  # one iterator from the start of the stream, then each read's next one


def test_a_message_sent_does_not_count_the_queue_yet_its_counts_are_right_when_read(
    stack: LocalStack, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting a queue's messages is a pass over all of them: sending one no longer counts them
    (it grew with the backlog), while GetQueueAttributes still answers exact counts."""
    from moto.sqs import models

    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName=f"costs-counts-{tenant}")["QueueUrl"]

    def counted(self: Any) -> int:
        raise AssertionError("a send counted the queue's messages")

    with monkeypatch.context() as patched:
        patched.setattr(models.Queue, "approximate_number_of_messages", property(counted))
        for number in range(12):
            sqs.send_message(QueueUrl=url, MessageBody=str(number))
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=5, VisibilityTimeout=60)["Messages"]
    assert len(received) == 5
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    assert counts == {names[0]: "7", names[1]: "5", names[2]: "1"}
    every = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert {name: every[name] for name in names} == counts
    assert every["VisibilityTimeout"] == "30"


def _table_with_index(name: str) -> None:
    aws.client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": "S"} for attribute in ("pk", "sk", "gpk", "gsk")
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [
                    {"AttributeName": "gpk", "KeyType": "HASH"},
                    {"AttributeName": "gsk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )


class _OnlyByKey(defaultdict):  # type: ignore[type-arg]
    """A table's partitions that may be looked up by key but not walked."""

    def values(self) -> Any:
        raise AssertionError("the query walked the whole table")


def test_a_query_reads_its_own_partition_and_an_index_query_its_matches_with_dynamodb_answers(
    stack: LocalStack, tenant: str
) -> None:
    from moto.dynamodb.models import dynamodb_backends

    dynamodb = aws.client("dynamodb")
    _table_with_index(tenant)
    for partition, count in (("a", 12), ("b", 30), ("c", 5)):
        for number in range(count):
            item = {"pk": {"S": partition}, "sk": {"S": f"{number:03d}"}, "n": {"N": str(number)}}
            if number % 2 == 0:  # only the even ones are in the index
                item |= {"gpk": {"S": f"g-{partition}"}, "gsk": {"S": f"{100 - number:03d}"}}
            dynamodb.put_item(TableName=tenant, Item=item)
    table = dynamodb_backends["123456789012"]["us-east-1"].tables[tenant]
    partitions = table.items
    table.items = _OnlyByKey(dict, partitions)

    def table_query(**kwargs: Any) -> list[str]:
        answer = dynamodb.query(TableName=tenant, **kwargs)
        return [item["sk"]["S"] for item in answer["Items"]] + ([">"] if "LastEvaluatedKey" in answer else [])

    in_range = {":p": {"S": "b"}, ":from": {"S": "010"}, ":to": {"S": "020"}}
    condition = "pk = :p AND sk BETWEEN :from AND :to"
    assert table_query(KeyConditionExpression=condition, ExpressionAttributeValues=in_range) == [
        f"{n:03d}" for n in range(10, 21)
    ]
    assert table_query(
        KeyConditionExpression=condition, ExpressionAttributeValues=in_range, ScanIndexForward=False, Limit=3
    ) == ["020", "019", "018", ">"]
    page = dynamodb.query(
        TableName=tenant,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
        Limit=5,
        ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"S": "004"}},
    )
    assert [item["sk"]["S"] for item in page["Items"]] == ["005", "006", "007", "008", "009"]
    assert table_query(
        KeyConditionExpression="pk = :p",
        FilterExpression="n > :n",
        ExpressionAttributeValues={":p": {"S": "c"}, ":n": {"N": "2"}},
    ) == ["003", "004"]
    assert table_query(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "z"}}) == []

    table.items = partitions  # an index query does look at every item, as moto does
    by_index = dynamodb.query(
        TableName=tenant,
        IndexName="by-g",
        KeyConditionExpression="gpk = :g AND gsk < :below",
        ExpressionAttributeValues={":g": {"S": "g-b"}, ":below": {"S": "080"}},
    )["Items"]
    assert [item["gsk"]["S"] for item in by_index] == [f"{100 - n:03d}" for n in range(28, 20, -2)]


# An item with every DynamoDB attribute type, a non-ASCII key and binary that is not UTF-8.
EVERY_ATTRIBUTE_TYPE: dict[str, Any] = {
    "pk": {"S": "p"},
    "sk": {"S": "é"},
    "number": {"N": "2"},
    "nested": {"M": {"list": {"L": [{"S": "x"}, {"BOOL": True}, {"NULL": True}, {"B": b"\x00\xff"}]}}},
    "strings": {"SS": ["a", "b"]},
    "numbers": {"NS": ["1", "2"]},
    "binaries": {"BS": [b"z"]},
}


def test_stream_records_carry_every_attribute_type_as_dynamodb_writes_it(stack: LocalStack, tenant: str) -> None:
    stream_arn = _table_with_stream(tenant)
    item = {**EVERY_ATTRIBUTE_TYPE, "number": {"N": "1.50"}}  # the stream and a read agree on its form
    aws.client("dynamodb").put_item(TableName=tenant, Item=item)
    streams = aws.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    (record,) = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    stored = aws.client("dynamodb").get_item(TableName=tenant, Key={"pk": item["pk"], "sk": item["sk"]})["Item"]
    assert record["dynamodb"]["NewImage"] == stored
    assert record["dynamodb"]["Keys"] == {"pk": {"S": "p"}, "sk": {"S": "é"}}
    assert abs(record["dynamodb"]["ApproximateCreationDateTime"].timestamp() - time.time()) < 60


def test_item_operations_answer_every_attribute_type_as_dynamodb_writes_it(stack: LocalStack, tenant: str) -> None:
    """The item operations' answers are written by the emulator directly, not by moto's serializer:
    each kind of answer carries every attribute type back as it was written."""
    dynamodb = aws.client("dynamodb")
    _table_with_stream(tenant)
    item = EVERY_ATTRIBUTE_TYPE
    key = {"pk": item["pk"], "sk": item["sk"]}
    put = dynamodb.put_item(TableName=tenant, Item=item, ReturnValues="ALL_OLD", ReturnConsumedCapacity="TOTAL")
    assert "Attributes" not in put  # nothing was there: no attribute, not a null
    assert put["ConsumedCapacity"]["TableName"] == tenant

    def same(answer: dict[str, Any]) -> None:
        assert {name: answer[name] for name in item} == item
        assert answer["nested"]["M"]["list"]["L"][3]["B"] == b"\x00\xff"

    same(dynamodb.get_item(TableName=tenant, Key=key)["Item"])
    assert "Item" not in dynamodb.get_item(TableName=tenant, Key={"pk": {"S": "p"}, "sk": {"S": "none"}})
    dynamodb.put_item(TableName=tenant, Item={**item, "sk": {"S": "second"}})
    first = dynamodb.query(
        TableName=tenant, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}}, Limit=1
    )
    assert first["Count"] == 1
    assert first["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"S": "second"}}
    rest = dynamodb.query(
        TableName=tenant,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ExclusiveStartKey=first["LastEvaluatedKey"],
    )
    assert "LastEvaluatedKey" not in rest
    same(rest["Items"][0])
    (batch,) = dynamodb.batch_get_item(RequestItems={tenant: {"Keys": [key]}})["Responses"][tenant]
    same(batch)
    (transacted,) = dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": tenant, "Key": key}}])["Responses"]
    same(transacted["Item"])
    updated = dynamodb.update_item(
        TableName=tenant,
        Key=key,
        UpdateExpression="SET extra = :b",
        ExpressionAttributeValues={":b": {"B": b"\x01"}},
        ReturnValues="ALL_NEW",
    )["Attributes"]
    same(updated)
    assert updated["extra"] == {"B": b"\x01"}
    assert (
        dynamodb.batch_write_item(RequestItems={tenant: [{"DeleteRequest": {"Key": {**key, "sk": {"S": "second"}}}}]})[
            "UnprocessedItems"
        ]
        == {}
    )
    same(dynamodb.delete_item(TableName=tenant, Key=key, ReturnValues="ALL_OLD")["Attributes"])
    with pytest.raises(ClientError) as refused:  # errors are still moto's own answers
        dynamodb.delete_item(TableName=tenant, Key=key, ConditionExpression="attribute_exists(pk)")
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
