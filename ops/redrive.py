"""``make redrive QUEUE=<name> [DRY_RUN=1]``: a dead-letter queue's messages back to where they failed.

``QUEUE`` names a consumer (``cases-channel-gateway``: its DLQ goes back to its own queue, where the
consumer applies each message once more; it is idempotent, so a message it had in fact applied
changes nothing) or a publisher (``contacts-publisher``: its stream mapping's on-failure queue).
A consumer's DLQ holds what the consumer dead-lettered itself (with a ``reason`` attribute), what
SQS moved after the maximum receives (no reason), and what its rules could not deliver (EventBridge's
``ERROR_CODE`` and ``ERROR_MESSAGE`` attributes): all go back to the consumer's queue.

A publisher's DLQ holds no events: Lambda writes there a *descriptor* of the stream batch it gave
up on (shard and sequence range). Redriving one re-reads those records from the table's stream
and runs the publisher's own code over them, so the outbox items they carry are put on the bus
again (with their original event ids: a consumer that had them already ignores them). A stream
keeps its records for 24 hours; a descriptor older than that is left in the queue and reported,
with what to do instead.

Messages are moved one at a time, sent before they are deleted: an interrupted redrive may leave
a message in both queues, never in neither, and the consumer applies it once. ``--dry-run``
lists each message with the reason it was dead-lettered and moves nothing.

Not SQS's StartMessageMoveTask: it cannot show reasons or re-read a stream, and the emulator does
not have it, so this path would go untested. For a DLQ of many thousands of messages, the SQS
console's "Start DLQ redrive" is the faster tool for consumer DLQs.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from ops import cli
from ops.target import OpsError, Target
from shared import aws

VISIBILITY_SECONDS = 60  # a message in hand is hidden this long from anyone else
MAX_MESSAGES = 10_000
PUBLISHER_SUFFIX = "-publisher"
CONSUMER_ATTRIBUTES = ("reason", "consumer", "original_message_id")  # what shared/consumer.py adds
STREAM_EMPTY_READS = 5  # reads that find nothing before a stream range is taken as read to its end


@dataclass
class DeadLetter:
    message_id: str
    receipt: str
    body: str
    digest: str
    attributes: dict[str, str]
    receive_count: str

    @classmethod
    def of(cls, message: dict[str, Any]) -> DeadLetter:
        attributes = {
            name: str(value.get("StringValue", ""))
            for name, value in (message.get("MessageAttributes") or {}).items()
            if value.get("DataType", "").startswith("String")
        }
        return cls(
            message["MessageId"],
            message["ReceiptHandle"],
            message.get("Body", ""),
            message.get("MD5OfBody", ""),
            attributes,
            message.get("Attributes", {}).get("ApproximateReceiveCount", "?"),
        )

    def parsed(self) -> dict[str, Any]:
        try:
            value = json.loads(self.body)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @property
    def batch(self) -> dict[str, Any] | None:
        """A stream batch descriptor (a publisher's on-failure record), or None for an event."""
        info = self.parsed().get("DDBStreamBatchInfo")
        return info if isinstance(info, dict) else None

    @property
    def reason(self) -> str:
        if "reason" in self.attributes:
            return self.attributes["reason"]
        if "ERROR_CODE" in self.attributes:  # EventBridge could not deliver it to the queue
            return (
                f"the rule could not deliver it: {self.attributes['ERROR_CODE']} "
                f"{self.attributes.get('ERROR_MESSAGE', '')} (rule {self.attributes.get('RULE_ARN', '?')})"
            )
        body = self.parsed()
        if self.batch is not None:
            request, response = body.get("requestContext", {}), body.get("responseContext", {})
            return (
                f"{request.get('condition', 'failed')} after {request.get('approximateInvokeCount', '?')} "
                f"invocations ({response.get('functionError') or 'no function error'})"
            )
        return (
            "no reason recorded: the queue's redrive policy moved it after the consumer failed on it "
            "at every receive (search the consumer's logs for its message id)"
        )

    def summary(self) -> str:
        body = self.parsed()
        if (batch := self.batch) is not None:
            return (
                f"stream batch of {batch.get('batchSize', '?')} records "
                f"{batch.get('startSequenceNumber')}..{batch.get('endSequenceNumber')} "
                f"(first arrived {batch.get('approximateArrivalOfFirstRecord', '?')})"
            )
        if not body:
            return f"not JSON: {self.body[:80]!r}"
        metadata = (body.get("detail") or {}).get("metadata") or {} if isinstance(body.get("detail"), dict) else {}
        return (
            f"{body.get('source', '?')} {body.get('detail-type', '?')} "
            f"event {metadata.get('event_id', '?')} tenant {metadata.get('tenant_id', '?')}"
        )


def resolve_queue(target: Target, name: str) -> tuple[str, str | None]:
    """The DLQ's URL and the queue its messages go back to (None: a publisher's, re-read from the stream)."""
    from services.registry import SERVICES

    consumers = sorted(c.name for s in SERVICES for c in s.consumers)
    publishers = sorted(f"{s.name}{PUBLISHER_SUFFIX}" for s in SERVICES if s.publisher_handler and s.table)
    if name in {schedule.name for s in SERVICES for schedule in s.schedules}:
        raise OpsError(
            f"{name} is a scheduled job: its failure queue holds runs that failed, and there is nothing to "
            "move back: every run sweeps all that is due, so the next successful run does their work. "
            "Read the messages in the SQS console, fix the cause, then purge the queue"
        )
    if name in consumers:
        dlq = target.consumer_dlq(name)
        return dlq, target.source_queue(dlq)
    if name in publishers:
        return target.publisher_dlq(name.removesuffix(PUBLISHER_SUFFIX)), None
    raise OpsError(f"no queue {name!r}: QUEUE is one of the consumers {consumers} or the publishers {publishers}")


def receive_batch(dlq: str, count: int, wait_seconds: int) -> list[DeadLetter]:
    messages = (
        aws.client("sqs")
        .receive_message(
            QueueUrl=dlq,
            MaxNumberOfMessages=max(1, min(10, count)),
            VisibilityTimeout=VISIBILITY_SECONDS,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        .get("Messages", [])
    )
    return [DeadLetter.of(message) for message in messages]


def receive(dlq: str, limit: int, wait_seconds: int) -> list[DeadLetter]:
    """Up to ``limit`` messages of the DLQ, each once, hidden from others while in hand."""
    found: dict[str, DeadLetter] = {}
    while len(found) < limit and (batch := receive_batch(dlq, limit - len(found), wait_seconds)):
        for letter in batch:
            found.setdefault(letter.message_id, letter)
    return list(found.values())


def release(dlq: str, letters: list[DeadLetter]) -> None:
    """Visible again at once: a dry run leaves the queue as it found it."""
    sqs = aws.client("sqs")
    for letter in letters:
        sqs.change_message_visibility(QueueUrl=dlq, ReceiptHandle=letter.receipt, VisibilityTimeout=0)


def back_to_queue(dlq: str, source: str, letter: DeadLetter) -> None:
    sqs = aws.client("sqs")
    sqs.send_message(QueueUrl=source, MessageBody=letter.body)  # first: never in neither queue
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=letter.receipt)


def stream_records(batch: dict[str, Any]) -> list[dict[str, Any]]:
    """The records of a failed stream batch, read again from the table's stream."""
    streams = aws.client("dynamodbstreams")
    start, end = str(batch["startSequenceNumber"]), int(batch["endSequenceNumber"])
    try:
        iterator: str | None = streams.get_shard_iterator(
            StreamArn=batch["streamArn"],
            ShardId=batch["shardId"],
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=start,
        )["ShardIterator"]
    except streams.exceptions.TrimmedDataAccessException:
        raise OpsError(
            f"the stream no longer has records from {start} (a stream keeps 24 hours). The outbox "
            "items themselves stay in the table for 7 days (kind = outbox, pk T#<tenant>#OUTBOX#<event id>): "
            "find those written around approximateArrivalOfFirstRecord and put their source, "
            "detail_type and detail on the bus, then delete this message by hand"
        ) from None
    records: list[dict[str, Any]] = []
    empty_reads = 0
    while iterator and empty_reads < STREAM_EMPTY_READS:
        answer = streams.get_records(ShardIterator=iterator, Limit=1000)
        found = answer.get("Records", [])
        empty_reads = 0 if found else empty_reads + 1
        for record in found:
            if int(record["dynamodb"]["SequenceNumber"]) > end:
                return records
            records.append(record)
        if records and int(records[-1]["dynamodb"]["SequenceNumber"]) == end:
            return records
        iterator = answer.get("NextShardIterator")
    return records


def republish(letter: DeadLetter) -> int:
    """Run the publisher over the batch's records again; how many records were read."""
    from shared.publisher import handler as publish

    assert letter.batch is not None
    records = stream_records(letter.batch)
    if not records:
        raise OpsError(f"no records found in the stream for {letter.summary()}")
    result = publish({"Records": records}, None)
    if result.get("batchItemFailures"):
        raise OpsError(f"the bus still refuses events of {letter.summary()}; left in the queue")
    return len(records)


def show(number: int, letter: DeadLetter) -> None:
    print(f"{number}. {letter.message_id}  {letter.summary()}  (received {letter.receive_count}x)")
    print(f"   reason: {letter.reason}")


def move(letter: DeadLetter, dlq: str, source: str | None) -> None:
    if source is not None:
        back_to_queue(dlq, source, letter)
        return
    count = republish(letter)
    aws.client("sqs").delete_message(QueueUrl=dlq, ReceiptHandle=letter.receipt)
    print(f"   {count} stream records published again")


def main() -> int:
    parser = cli.parser("Move a dead-letter queue's messages back to where they failed.")
    parser.add_argument("queue", help="a consumer (cases-channel-gateway) or a publisher (contacts-publisher)")
    parser.add_argument("--dry-run", action="store_true", help="list the messages with their reasons, move nothing")
    parser.add_argument("--max", type=int, default=MAX_MESSAGES, help="look at most at this many messages")
    args = parser.parse_args()
    target = cli.target_of(args)
    dlq, source = resolve_queue(target, args.queue)
    wait_seconds = 0 if target.is_local else 2  # the emulator serialises requests: no long polls there
    name = dlq.rsplit("/", 1)[-1]
    destination = source.rsplit("/", 1)[-1] if source else "the bus (re-read from the stream)"
    if args.dry_run:
        letters = receive(dlq, args.max, wait_seconds)
        for number, letter in enumerate(letters, 1):
            show(number, letter)
        release(dlq, letters)
        print(f"{len(letters)} message(s) in {name}; nothing moved (dry run). Without it they go to {destination}.")
        return 0
    # A batch at a time, so that no message outlives its visibility timeout in hand. A message
    # that fails again at once can land back in the DLQ while this runs: seen twice (same body),
    # it is left there rather than moved round in a loop.
    moved: set[str] = set()
    seen = failed = returned = 0
    while seen < args.max and (batch := receive_batch(dlq, args.max - seen, wait_seconds)):
        for letter in batch:
            seen += 1
            show(seen, letter)
            if letter.digest in moved:
                returned += 1
                print("   back in the DLQ already: it still fails; left there")
                continue
            try:
                move(letter, dlq, source)
                moved.add(letter.digest)
            except OpsError as error:
                failed += 1
                print(f"   not moved: {error}", file=sys.stderr)
    print(f"moved {len(moved)} of {seen} message(s) from {name} to {destination}")
    if returned:
        print(f"{returned} came back while this ran: look at their reasons with --dry-run", file=sys.stderr)
    return 1 if failed or returned else 0


if __name__ == "__main__":
    cli.run(main)
