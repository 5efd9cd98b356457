"""What Lambda's event source mappings do in AWS, done by threads in the local stack.

- ``StreamPump``: reads a table's stream in order, invokes the publisher with batches of records
  and advances its checkpoint only past what the function reported done; a failed or crashed
  invocation is retried from the checkpoint, so nothing written is ever skipped.
- ``QueuePump``: receives a consumer queue's messages in batches, invokes the consumer, deletes
  what succeeded and leaves the reported failures to be received again; SQS's redrive policy
  moves a message that keeps failing to the dead-letter queue.

A pump that finds nothing sleeps on its resource's bell (``local.wakeup``): the emulator rings it
when a record or a message lands there, so work is picked up at once, and the pump polls anyway
after at most ``idle_ceiling_seconds`` (a bell is a hint; a message whose visibility timeout ran
out rings none), or when work it put off itself falls due (a failed batch's retry). It does not
poll between those on a timer: every empty poll holds the emulator, which serialises requests,
and with fifteen pumps, polls at 50, 100, 200 ms after each piece of work were two thirds of the
emulator's requests and slowed the work they waited for. For the same reason SQS long polling
(which would hold the emulator for the whole wait) is not used.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from local.gateway import LambdaHandler, LocalContext
from local.wakeup import BELLS, Bells, queue_bell, table_bell
from shared import aws
from shared.observability import logger

# Work that rings no bell and that the pump did not schedule itself (a delayed message, one whose
# visibility timeout ran out after a crash) waits at most this long; each poll of an idle pump
# costs a few ms of CPU, and fifteen pumps at 2 s were 3% of a core, at 5 s about 1%.
IDLE_CEILING_SECONDS = 5.0
RETRY_SECONDS = 0.5
# A pump finishing its batch in hand is waited for this long at shutdown (threads are daemons).
JOIN_SECONDS = 3.0


class Pump:
    name = "pump"

    def __init__(self, bell: str = "", bells: Bells = BELLS, idle_ceiling_seconds: float | None = None) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.bell = bell
        self.bells = bells
        self.idle_ceiling_seconds = IDLE_CEILING_SECONDS if idle_ceiling_seconds is None else idle_ceiling_seconds
        # When work this pump put off falls due (a failed message visible again): it wakes then.
        self.due_at: float | None = None
        self.invocations = 0
        self.errors = 0
        # Set by a poll that did work: whether its source may hold more right now (a full batch).
        # A partial batch drained it, so the pump sleeps on its bell rather than polling once more
        # to find it empty: about a third of the emulator's requests were those confirming polls.
        self.may_have_more = False

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.signal_stop()
        self.join()

    def signal_stop(self) -> None:
        self._stop.set()
        self.bells.ring(self.bell)  # wakes this pump if it is sleeping

    def join(self, timeout: float = JOIN_SECONDS) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            rings = self.bells.rings(self.bell)  # read before polling, so a ring during the poll counts
            if self.due_at is not None and time.monotonic() >= self.due_at:
                self.due_at = None
            try:
                busy = self.poll_once()
            except Exception:
                self.errors += 1
                logger.exception("pump failed; retrying", extra={"pump": self.name})
                self._stop.wait(RETRY_SECONDS)
                continue
            if busy and self.may_have_more:
                continue
            if not self._stop.is_set():
                sleep = self.idle_ceiling_seconds
                if self.due_at is not None:
                    sleep = min(sleep, max(0.0, self.due_at - time.monotonic()))
                self.bells.wait(self.bell, rings, sleep)

    def poll_once(self) -> bool:
        """Look for work once and do it; True if there was some (``may_have_more`` says whether to
        look again at once)."""
        raise NotImplementedError


class StreamPump(Pump):
    """DynamoDB Stream → function, with an outbox filter like the event source mapping's."""

    def __init__(
        self,
        stream_arn: str,
        handler: LambdaHandler,
        function_name: str,
        batch_size: int = 100,
        idle_ceiling_seconds: float | None = None,
    ) -> None:
        # arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
        table_name = stream_arn.split(":", 5)[5].split("/")[1]
        super().__init__(table_bell(table_name), idle_ceiling_seconds=idle_ceiling_seconds)
        self.name = f"stream:{function_name}"
        self.stream_arn = stream_arn
        self.handler = handler
        self.function_name = function_name
        self.batch_size = batch_size
        self.checkpoint: str | None = None  # the last sequence number fully processed
        # Where the next read starts; None: take a new iterator from the checkpoint (at start and
        # after anything went wrong, so a failed batch is read again).
        self._next_iterator: str | None = None
        shards = aws.client("dynamodbstreams").describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
        self.shard_id = shards[0]["ShardId"]

    def _iterator_from_checkpoint(self) -> str:
        streams = aws.client("dynamodbstreams")
        if self.checkpoint is None:
            answer = streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=self.shard_id, ShardIteratorType="TRIM_HORIZON"
            )
        else:
            answer = streams.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=self.shard_id,
                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                SequenceNumber=self.checkpoint,
            )
        return str(answer["ShardIterator"])

    def poll_once(self) -> bool:
        iterator = self._next_iterator or self._iterator_from_checkpoint()
        self._next_iterator = None  # kept only once this read has been dealt with in full
        answer = aws.client("dynamodbstreams").get_records(ShardIterator=iterator, Limit=self.batch_size)
        records = answer.get("Records", [])
        if not records:
            self._next_iterator = answer.get("NextShardIterator")
            return False
        self.invocations += 1
        result = self.handler({"Records": records}, LocalContext(self.function_name)) or {}
        failures = [f["itemIdentifier"] for f in result.get("batchItemFailures", [])]
        if failures:
            first_failed = min(int(sequence) for sequence in failures)
            done = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) < first_failed]
            if done:
                self.checkpoint = done[-1]["dynamodb"]["SequenceNumber"]
            self._stop.wait(RETRY_SECONDS)
            self.due_at = time.monotonic()  # the back-off is over: read again from the checkpoint
            return False
        self.checkpoint = records[-1]["dynamodb"]["SequenceNumber"]
        self._next_iterator = answer.get("NextShardIterator")
        self.may_have_more = len(records) >= self.batch_size
        return True


class QueuePump(Pump):
    def __init__(
        self,
        queue_url: str,
        queue_arn: str,
        handler: LambdaHandler,
        function_name: str,
        batch_size: int = 10,
        retry_after_seconds: int = 1,
        idle_ceiling_seconds: float | None = None,
    ) -> None:
        super().__init__(queue_bell(queue_url.rsplit("/", 1)[-1]), idle_ceiling_seconds=idle_ceiling_seconds)
        self.name = f"queue:{function_name}"
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.handler = handler
        self.function_name = function_name
        self.batch_size = batch_size
        self.retry_after_seconds = retry_after_seconds

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": "local",
        }

    def poll_once(self) -> bool:
        sqs = aws.client("sqs")
        messages = sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return False
        records = [self._record(m) for m in messages]
        self.invocations += 1
        try:
            result = self.handler({"Records": records}, LocalContext(self.function_name)) or {}
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        except Exception:
            logger.exception("consumer crashed; the whole batch will be retried", extra={"pump": self.name})
            failed = {r["messageId"] for r in records}
        done = [r for r in records if r["messageId"] not in failed]
        if done:
            sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(done)],
            )
        for record in records:
            if record["messageId"] in failed:  # back off briefly rather than the full visibility timeout
                sqs.change_message_visibility(
                    QueueUrl=self.queue_url,
                    ReceiptHandle=record["receiptHandle"],
                    VisibilityTimeout=self.retry_after_seconds,
                )
        if failed:
            retry_at = time.monotonic() + self.retry_after_seconds
            self.due_at = retry_at if self.due_at is None else min(self.due_at, retry_at)
        self.may_have_more = len(messages) >= self.batch_size
        return True


class ScheduleTimer(Pump):
    """EventBridge Scheduler's part: invokes a scheduled function every ``interval`` seconds
    (the first run shortly after start). Locally the interval is short so results show quickly;
    the functions are written to be run any number of times."""

    def __init__(self, name: str, handler: LambdaHandler, interval_seconds: float) -> None:
        super().__init__()
        self.name = f"schedule:{name}"
        self.function_name = name
        self.handler = handler
        self.interval_seconds = interval_seconds

    def _run(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            try:
                self.invocations += 1
                self.handler(
                    {"source": "aws.scheduler", "detail-type": "Scheduled Event"}, LocalContext(self.function_name)
                )
            except Exception:
                self.errors += 1
                logger.exception("scheduled function failed", extra={"schedule": self.name})
