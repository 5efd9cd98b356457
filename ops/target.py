"""Where a command acts: a deployed stage (AWS, global or China) or the local stack.

- ``--stage local`` (the default): the local stack's API address (``--url``, default
  ``http://127.0.0.1:$SIYU_PORT`` or ``:8000``) is all a command needs; the stack answers
  ``/_local/stack`` with its emulator's endpoint and the names ``local/provision.py`` gave its
  bus, archive and queues.
- ``--stage dev|prod [--region R]``: AWS with the usual credential chain (``AWS_PROFILE``...). The
  bus and the archive have fixed names (``siyu-<stage>``, ``siyu-<stage>-all``); queues are found
  by the convention ``siyu-<stage>-<consumer>[-dlq]`` and, failing that, by the names CloudFormation
  generates from the construct ids (``...<Consumer>Dlq...``); the API's address is the ``ApiUrl``
  output of the stage's stacks. ``SIYU_AWS_ENDPOINT`` points the AWS path at an emulator instead.

Activating a target sets this process's environment the way the local stack sets its own, so the
shared code (``shared.aws``, ``shared.publisher``) talks to the right place with no other change.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from shared import aws
from shared.settings import get_settings

LOCAL = "local"
LOCAL_REGION = "us-east-1"
STACK_MAP_PATH = "/_local/stack"  # served by local/__main__.py


class OpsError(Exception):
    """What went wrong, in words an operator can act on; the command exits 1 with it."""


def pascal(name: str) -> str:
    """A name as CDK construct ids spell it (``cases-channel-gateway`` → ``CasesChannelGateway``)."""
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def default_local_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('SIYU_PORT', '8000')}"


@dataclass
class Target:
    stage: str
    region: str
    endpoint: str | None = None  # the emulator's, locally (or SIYU_AWS_ENDPOINT)
    api_url: str | None = None
    local_map: dict[str, Any] = field(default_factory=dict)  # what /_local/stack answered

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL

    @property
    def is_china(self) -> bool:
        return self.region.startswith("cn-")

    # Names -------------------------------------------------------------------------------------
    @property
    def bus_name(self) -> str:
        return str(self.local_map["event_bus"]) if self.is_local else f"siyu-{self.stage}"

    @property
    def archive_name(self) -> str:
        return str(self.local_map["archive"]) if self.is_local else f"siyu-{self.stage}-all"

    def bus_arn(self) -> str:
        return str(aws.client("events").describe_event_bus(Name=self.bus_name)["Arn"])

    def archive_arn(self) -> str:
        events = aws.client("events")
        try:
            return str(events.describe_archive(ArchiveName=self.archive_name)["ArchiveArn"])
        except events.exceptions.ResourceNotFoundException:
            pass
        found = events.list_archives(EventSourceArn=self.bus_arn()).get("Archives", [])
        if len(found) != 1:
            raise OpsError(
                f"no archive {self.archive_name!r}, and {len(found)} archives on bus {self.bus_name}: "
                "is the stage deployed in this account and region?"
            )
        return str(events.describe_archive(ArchiveName=found[0]["ArchiveName"])["ArchiveArn"])

    def consumer_dlq(self, consumer: str) -> str:
        if self.is_local:
            queues = self.local_map["consumers"].get(consumer)
            if queues is None:
                raise OpsError(f"the local stack has no consumer {consumer!r}")
            return str(queues["dlq_url"])
        return self._queue(f"siyu-{self.stage}-{consumer}-dlq", f"{pascal(consumer)}Dlq")

    def publisher_dlq(self, service: str) -> str:
        if self.is_local:
            url = self.local_map["publisher_dlqs"].get(service)
            if url is None:
                raise OpsError(f"the local stack has no publisher for {service!r}")
            return str(url)
        return self._queue(f"siyu-{self.stage}-{service}-publisher-dlq", f"{pascal(service)}PublisherFailures")

    def source_queue(self, dlq_url: str) -> str:
        """The queue whose redrive policy sends its failures to ``dlq_url``: where they go back to."""
        sources = aws.client("sqs").list_dead_letter_source_queues(QueueUrl=dlq_url).get("queueUrls", [])
        if len(sources) != 1:
            raise OpsError(f"{dlq_url} is the dead-letter queue of {len(sources)} queues, not one: {sources}")
        return str(sources[0])

    def _queue(self, conventional: str, construct_id: str) -> str:
        sqs = aws.client("sqs")
        try:
            return str(sqs.get_queue_url(QueueName=conventional)["QueueUrl"])
        except sqs.exceptions.QueueDoesNotExist:
            pass
        # CloudFormation names an unnamed queue <stack>-<logical id>-<suffix>; the logical id
        # contains the construct id.
        stack_prefix = f"Siyu-{self.stage}-"
        matches = [
            url
            for url in _all_queue_urls(sqs)
            if construct_id in (name := url.rsplit("/", 1)[-1]) and name.startswith(stack_prefix)
        ]
        if len(matches) != 1:
            raise OpsError(
                f"cannot find the queue {conventional!r} (found {len(matches)} queues named like "
                f"{stack_prefix}*{construct_id}*): check STAGE, REGION and the credentials' account"
            )
        return matches[0]

    def api(self) -> str:
        if self.api_url:
            return self.api_url.rstrip("/")
        outputs = self.stack_outputs()
        url = outputs.get("ApiUrl")
        if not url:
            raise OpsError(f"no ApiUrl output in the stacks of Siyu-{self.stage}: pass URL=https://...")
        return url.rstrip("/")

    def stack_outputs(self) -> dict[str, str]:
        """Every output of the stage's stacks (``Siyu-<stage>`` and ``Siyu-<stage>-*``), by key."""
        cloudformation = aws.client("cloudformation")
        outputs: dict[str, str] = {}
        for page in cloudformation.get_paginator("describe_stacks").paginate():
            for stack in page["Stacks"]:
                name = stack["StackName"]
                if name == f"Siyu-{self.stage}" or name.startswith(f"Siyu-{self.stage}-"):
                    outputs.update({o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])})
        return outputs

    # This process ------------------------------------------------------------------------------
    def activate(self) -> Target:
        """Point this process's AWS clients and settings at the target."""
        environment = {"SIYU_STAGE": self.stage, "SIYU_EVENT_BUS": self.bus_name, "POWERTOOLS_METRICS_DISABLED": "true"}
        if self.region:
            environment |= {"AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region}
        if self.endpoint:
            environment["AWS_ENDPOINT_URL"] = self.endpoint
        if self.is_local:
            environment |= {"AWS_ACCESS_KEY_ID": LOCAL, "AWS_SECRET_ACCESS_KEY": LOCAL}
        os.environ.update(environment)
        get_settings.cache_clear()
        aws.reset_clients()
        return self


def resolve(stage: str, url: str | None = None, region: str | None = None) -> Target:
    if stage == LOCAL:
        base = (url or default_local_url()).rstrip("/")
        stack_map = fetch_json(base + STACK_MAP_PATH, f"no local stack answers at {base}: start one with `make run`")
        return Target(LOCAL, LOCAL_REGION, endpoint=stack_map["emulator"], api_url=base, local_map=stack_map).activate()
    chosen_region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not chosen_region:
        raise OpsError("no region: pass REGION= (or --region), or set AWS_REGION")
    return Target(stage, chosen_region, endpoint=os.environ.get("SIYU_AWS_ENDPOINT") or None, api_url=url).activate()


def fetch_json(url: str, unreachable: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - an http(s) URL the operator gave
            return dict(json.loads(answer.read()))
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise OpsError(f"{unreachable} ({error})") from None


def _all_queue_urls(sqs: Any) -> list[str]:
    urls: list[str] = []
    for page in sqs.get_paginator("list_queues").paginate(PaginationConfig={"PageSize": 1000}):
        urls.extend(page.get("QueueUrls", []))
    return urls
