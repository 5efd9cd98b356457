"""Transfers of customers from one staff member to another (在职继承 in service, 离职继承 departed):
the API, the job kind ``transfer`` and the results.

**Start.** ``POST /v1/wecom/transfers`` (or a departure, ``logic/departures.py``) writes the
transfer, its listed ids and its job in one transaction; a departed transfer publishes
``WeComStaffSucceeded`` with it, so contacts and cases move the departed member's owned contacts
and open cases at once. to_staff must be an active member of the directory (unknown, disabled,
inactive or departed → 422; a directory that knows nobody yet knows no to_staff either).

**Batches.** Each job step sends the next batch of at most 100 (WeCom's limit per call) through
the client's ``transfer_customers``: the listed ids in order, or for ``all`` the next active
relationships of from_staff in Siyu (its relationships partition, page by page). Before calling,
each customer's history is read: one already transferred twice in service within 90 days (WeCom's
limit; departed transfers do not count) is skipped with reason ``transfer_limit`` and never sent.
WeCom's answer per customer: 0 → ``waiting`` (WeCom settles it within 24 h), 40128 → skipped
``transfer_limit`` (WeCom counted transfers Siyu did not see), 40129 → skipped
``transfer_in_progress``, 84061 → skipped ``not_a_customer``, any other → failed ``errcode_<n>``.
A step run again (SQS redelivered it) skips the customers whose outcome is written already.

**Customer groups (departed transfers only).** Once the customers' batches are sent, a departed
transfer gives the departed member's customer groups to the successor (离职继承 of groups, WeCom's
``groupchat/transfer``; the issue asks it of departures only, so in-service transfers move no
group): each step reads the next page of 100 of from_staff's groups through the groups' owner
index (gsi2, a cursor across steps: never a scan) and sends the active ones of the transfer's
corp in one call. WeCom answers only the failures (``failed_chat_list``); every other group has
its new owner at once. Each group's outcome is written once, with ``WeComGroupTransferred`` and
the transfer's group counts, in the transaction that makes the local group's owner the successor
(the groups' save, on the version read), so the group listings and the owner index show the new
owner. Reasons: 90500 ``owner_not_departed``, 90501 ``not_a_customer_group`` (unknown or
dismissed at WeCom), 90503 ``group_full``, 90507 ``inheritance_in_progress``, 90508
``already_inherited``, others ``errcode_<n>``. A step run again skips the groups whose outcome is
written; a group WeCom moved in a run that died before writing is sent again, and WeCom answers
90504 (the new owner owns it already), which is recorded as moved: the repeat is harmless. The
transfer leaves ``sending`` after its groups.

**Results.** WeCom reports results only through ``transfer_result`` (and a ``transfer_fail``
callback when the customer refuses or the takeover is full): the ``wecom-transfer-results``
schedule polls the transfers of its sparse due index (due 24 h after the first batch started, then
hourly; after 7 days of silence the rest fail ``no_result``). Each customer's final outcome is
written once with its ``WeComCustomerTransferred`` (skipped and failed ones at sending).

**Relationships.** WeCom tells of a completed takeover as it tells of any friendship change: an
add_external_contact for the takeover (none when already friends) and, in service, a
del_external_contact for the handover (``Source`` DELETE_BY_TRANSFER). Siyu does not wait for
them: a succeeded customer moves here too, through the same order-safe transition as the
callbacks, at WeCom's takeover time — the takeover's pair becomes active (add_way 201 in service,
202 departed, as WeCom records them; ``WeComContactAdded``) and the handover's, if still active,
removed by staff (``WeComContactRemoved``). Whichever arrives second, callback or poll, finds the
change applied (an add of an active pair and a removal of a removed pair at the same moment change
nothing).
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from services.wecom.dal import groups as groups_dal
from services.wecom.dal import jobs as jobs_dal
from services.wecom.dal import relationships as relationships_dal
from services.wecom.dal import settings as settings_dal
from services.wecom.dal import transfers as dal
from services.wecom.dal.table import mark_handled
from services.wecom.logic.jobs import StepOutcome
from services.wecom.logic.relationships import Change, transition
from services.wecom.models import JobProgress, WeComCredentials, WeComJob
from services.wecom.service import CALLBACKS_CONSUMER
from services.wecom.transfer_models import (
    Departure,
    GroupOutcome,
    Transfer,
    TransferCounts,
    TransferCustomer,
    TransferCustomerList,
    TransferGroup,
    TransferGroupList,
    TransferList,
    TransferOutcome,
    TransferRequest,
    TransferView,
)
from shared import clock, ids
from shared.auth.principal import StaffPrincipal
from shared.dynamo import Prepare
from shared.errors import ConcurrentUpdate, NotFound, Unprocessable, UpstreamUnavailable
from shared.events.wecom import (
    WeComCallbackReceived,
    WeComCustomerTransferred,
    WeComGroupTransferred,
    WeComJobStepped,
    WeComStaffSucceeded,
)
from shared.inbox import handled
from shared.observability import logger
from shared.retry import retry_on_race

BATCH = 100  # WeCom's limit of customers per transfer call
LIMIT_WINDOW_SECONDS = 90 * 86400
LIMIT_TRANSFERS = 2  # WeCom: an in-service customer is transferred at most twice in 90 days
SETTLE_SECONDS = 86400  # WeCom takes the customer over 24 h after the transfer started
POLL_AGAIN_SECONDS = 3600
GIVE_UP_SECONDS = 7 * 86400  # after the first result was due: the rest fail ``no_result``
MOST_DUE_PER_SHARD = 200
ADD_WAY_IN_SERVICE, ADD_WAY_DEPARTED = 201, 202
ANSWERS: dict[int, tuple[TransferOutcome, str | None]] = {
    0: ("waiting", None),
    40128: ("skipped", "transfer_limit"),
    40129: ("skipped", "transfer_in_progress"),
    84061: ("skipped", "not_a_customer"),
}
RESULTS: dict[int, tuple[TransferOutcome, str | None]] = {
    1: ("succeeded", None),
    3: ("failed", "customer_refused"),
    4: ("failed", "takeover_limit"),
    5: ("failed", "not_a_customer"),
}
FAIL_REASONS = {"customer_refused": "customer_refused", "customer_limit_exceed": "takeover_limit"}
GROUP_BATCH = 100  # WeCom's limit of groups per group transfer call
GROUPS_PHASE = "groups|"  # the cursor's prefix once the customers are sent: "groups|{batch}|{owner index cursor}"
OWNER_UNCHANGED = 90504  # the new owner owns the group already: a repeated call after a lost answer
GROUP_REASONS = {
    90500: "owner_not_departed",
    90501: "not_a_customer_group",
    90502: "owner_departed",
    90503: "group_full",
    90507: "inheritance_in_progress",
    90508: "already_inherited",
}


def _moment(epoch: float) -> str:
    return clock.rfc3339(datetime.fromtimestamp(epoch, UTC))


def _unprocessable(field: str, message: str) -> Unprocessable:
    return Unprocessable(message, [{"loc": ["body", field], "msg": message}])


def _corp(tenant_id: str, corp_id: str | None) -> str:
    corps = [str(corp["corp_id"]) for corp in settings_dal.corps(tenant_id)]
    if corp_id is not None:
        if corp_id not in corps:
            raise _unprocessable("corp_id", "The tenant has no such corp set up.")
        return corp_id
    if len(corps) != 1:
        raise _unprocessable("corp_id", "Name the corp: the tenant has several (or none set up).")
    return corps[0]


# ---- starting -----------------------------------------------------------------------------------
def begin(
    tenant_id: str,
    corp_id: str,
    from_staff: str,
    to_staff: str,
    *,
    departed: bool,
    listed: list[str] | None,
    created_by: str,
    transfer_id: str | None = None,
    prepares: tuple[Prepare, ...] = (),
) -> Transfer:
    """A new transfer and its job (the first batch is sent by the job's first step), with
    ``WeComStaffSucceeded`` when departed and the caller's items, in one transaction."""
    now = clock.now_rfc3339()
    transfer_id = transfer_id or ids.new_id("wt_")
    job = WeComJob(
        tenant_id=tenant_id,
        job_id=ids.new_id("wj_"),
        kind="transfer",
        params={"transfer_id": transfer_id},
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    transfer = Transfer(
        tenant_id=tenant_id,
        transfer_id=transfer_id,
        corp_id=corp_id,
        from_staff=from_staff,
        to_staff=to_staff,
        departed=departed,
        selection="all" if listed is None else "list",
        counts=TransferCounts(total=len(listed or [])),
        job_id=job.job_id,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    events: list[Any] = [WeComJobStepped(job_id=job.job_id, kind=job.kind, step=0)]
    if departed:
        events.append(
            WeComStaffSucceeded(corp_id=corp_id, staff_id=from_staff, successor_id=to_staff, transfer_id=transfer_id)
        )
    jobs_dal.create(job, events, prepares=(dal.prepare_create(transfer, listed or []), *prepares))
    logger.info("wecom transfer started", extra={"transfer_id": transfer_id, "departed": departed})
    return transfer


def start(staff: StaffPrincipal, body: TransferRequest) -> TransferView:
    """``POST /v1/wecom/transfers``: checks the members against the directory, then ``begin``."""
    tenant_id = staff.tenant_id
    corp_id = _corp(tenant_id, body.corp_id)
    to_status = dal.staff_status(tenant_id, body.to_staff)
    if to_status != "active":
        why = "unknown to the directory" if to_status is None else to_status
        raise _unprocessable("to_staff", f"to_staff must be an active member of the directory ({why}).")
    from_status = dal.staff_status(tenant_id, body.from_staff)
    if body.departed and from_status != "departed":
        raise _unprocessable("departed", "from_staff has not departed: transfer in service (departed false).")
    if not body.departed and from_status == "departed":
        raise _unprocessable("departed", "from_staff has departed: a departed transfer (departed true) is needed.")
    transfer_id = ids.new_id("wt_")
    prepares: tuple[Prepare, ...] = ()
    if body.departed:  # the departure (awaiting a successor, or started before) is now started
        record = Departure(
            corp_id=corp_id,
            staff_id=body.from_staff,
            status="started",
            successor_id=body.to_staff,
            transfer_id=transfer_id,
            departed_at=_departed_at(tenant_id, body.from_staff),
        )
        prepares = (dal.prepare_departure(tenant_id, record, first=False),)
    listed = list(dict.fromkeys(body.external_userids)) if body.external_userids is not None else None
    transfer = begin(
        tenant_id,
        corp_id,
        body.from_staff,
        body.to_staff,
        departed=body.departed,
        listed=listed,
        created_by=staff.staff_id,
        transfer_id=transfer_id,
        prepares=prepares,
    )
    return _view(transfer)


def _departed_at(tenant_id: str, staff_id: str) -> str:
    known = dal.departure(tenant_id, staff_id)
    return known.departed_at if known is not None else clock.now_rfc3339()


# ---- reading ------------------------------------------------------------------------------------
def _view(transfer: Transfer) -> TransferView:
    return TransferView.model_validate(transfer.model_dump(exclude={"tenant_id", "first_result_at"}))


def _require(tenant_id: str, transfer_id: str) -> Transfer:
    transfer = dal.get(tenant_id, transfer_id)
    if transfer is None:
        raise NotFound("No such transfer.")
    return transfer


def view(tenant_id: str, transfer_id: str) -> TransferView:
    return _view(_require(tenant_id, transfer_id))


def listing(tenant_id: str, from_staff: str | None, limit: int, cursor: str | None) -> TransferList:
    found, next_cursor = dal.page(tenant_id, from_staff, limit, cursor)
    return TransferList(items=[_view(transfer) for transfer in found], next_cursor=next_cursor)


def customers(
    tenant_id: str, transfer_id: str, outcome: str | None, limit: int, cursor: str | None
) -> TransferCustomerList:
    _require(tenant_id, transfer_id)
    found, next_cursor = dal.customers_page(tenant_id, transfer_id, outcome, limit, cursor)
    return TransferCustomerList(items=found, next_cursor=next_cursor)


def groups(tenant_id: str, transfer_id: str, outcome: str | None, limit: int, cursor: str | None) -> TransferGroupList:
    """Each customer group a departed transfer sent so far, with its outcome and a failure's reason."""
    _require(tenant_id, transfer_id)
    found, next_cursor = dal.groups_page(tenant_id, transfer_id, outcome, limit, cursor)
    return TransferGroupList(items=found, next_cursor=next_cursor)


# ---- the job: one batch per step ----------------------------------------------------------------
def _event(transfer: Transfer, external_userid: str, outcome: TransferOutcome, reason: str | None) -> Any:
    return WeComCustomerTransferred(
        transfer_id=transfer.transfer_id,
        corp_id=transfer.corp_id,
        external_userid=external_userid,
        from_staff=transfer.from_staff,
        to_staff=transfer.to_staff,
        outcome=outcome,  # never "waiting" here
        reason=reason,
    )


def _next_batch(transfer: Transfer, cursor: str | None) -> tuple[int, list[str], str | None, bool]:
    """(batch number, its customers, the relationships cursor after it, whether it is the last)."""
    number_text, _, relationships_cursor = (cursor or "0|").partition("|")
    number = int(number_text)
    if transfer.selection == "list":
        batch = dal.listed_ids(transfer.tenant_id, transfer.transfer_id, number * BATCH, BATCH)
        return number, batch, None, (number + 1) * BATCH >= transfer.counts.total
    collected: list[str] = []
    after: str | None = relationships_cursor or None
    while len(collected) < BATCH:
        found, after = relationships_dal.by_staff(
            transfer.tenant_id, transfer.from_staff, BATCH - len(collected), after
        )
        collected += [r.external_userid for r in found if r.corp_id == transfer.corp_id and r.status == "active"]
        if after is None:
            break
    return number, collected, after, after is None


def _limited(transfer: Transfer, known: dict[str, dal.History], now: float) -> set[str]:
    """Customers transferred in service twice within 90 days already (by other transfers)."""
    if transfer.departed:
        return set()
    since = now - LIMIT_WINDOW_SECONDS
    return {
        external
        for external, history in known.items()
        if sum(1 for at, other in history.recent if at > since and other != transfer.transfer_id) >= LIMIT_TRANSFERS
    }


def _call(
    transfer: Transfer, creds: WeComCredentials | None, batch: list[str]
) -> dict[str, tuple[TransferOutcome, str | None]]:
    """WeCom's answer for each customer of the batch."""
    from services.wecom.gateways import client as wecom_api  # only a step calls WeCom

    if not batch:
        return {}
    if creds is None:
        return dict.fromkeys(batch, ("failed", "wecom_not_configured"))
    try:
        answers = wecom_api.client().transfer_customers(
            creds, transfer.from_staff, transfer.to_staff, batch, transfer.departed
        )
    except wecom_api.WeComNotConfigured:
        return dict.fromkeys(batch, ("failed", "wecom_not_configured"))
    except wecom_api.WeComApiError as error:  # the whole call refused (a member WeCom will not take)
        return dict.fromkeys(batch, ("failed", f"errcode_{error.errcode}"))
    outcomes: dict[str, tuple[TransferOutcome, str | None]] = dict.fromkeys(batch, ("failed", "no_answer"))
    for answer in answers:
        external = str(answer.get("external_userid") or "")
        if external in outcomes:
            code = int(answer.get("errcode") or 0)
            outcomes[external] = ANSWERS.get(code, ("failed", f"errcode_{code}"))
    return outcomes


def step(job: WeComJob) -> StepOutcome:
    transfer = dal.get(job.tenant_id, str(job.params.get("transfer_id")))
    if transfer is None:
        return StepOutcome(cursor=None, progress=job.progress, finished=True, failed="the transfer is gone")
    if (job.cursor or "").startswith(GROUPS_PHASE):
        return _group_step(transfer, job.cursor or GROUPS_PHASE)
    number, batch, relationships_cursor, last = _next_batch(transfer, job.cursor)
    written = dal.customers(transfer.tenant_id, transfer.transfer_id, batch)
    todo = [external for external in batch if external not in written]  # a step run again: the rest
    now = clock.now_epoch()
    known = dal.histories(transfer.tenant_id, transfer.corp_id, todo)
    limited = _limited(transfer, known, now)
    creds = settings_dal.credentials(transfer.tenant_id, transfer.corp_id)
    answers = _call(transfer, creds, [external for external in todo if external not in limited])
    answers |= dict.fromkeys(limited, ("skipped", "transfer_limit"))
    sent_at = _moment(now)
    rows = []
    for external in todo:
        outcome, reason = answers[external]
        final = outcome != "waiting"
        customer = TransferCustomer(
            external_userid=external,
            outcome=outcome,
            reason=reason,
            batch=number,
            sent_at=sent_at,
            settled_at=sent_at if final else None,
            takeover_at=None if final else _moment(now + SETTLE_SECONDS),
        )
        rows.append(
            dal.Sent(
                customer=customer,
                started_at=None if final else int(now),
                event=_event(transfer, external, outcome, reason) if final else None,
            )
        )
    dal.record_sent(transfer.tenant_id, transfer, rows, known, sent_at)
    waiting = any(row.customer.outcome == "waiting" for row in rows)
    if transfer.selection == "all" and batch:
        dal.set_state(transfer.tenant_id, transfer.transfer_id, updated_at=sent_at, add_total=len(todo))
    if waiting:  # in the due index from the first result's time (a poll may have taken it out)
        first = transfer.first_result_at or _moment(now + SETTLE_SECONDS)
        dal.set_state(transfer.tenant_id, transfer.transfer_id, updated_at=sent_at, due=first, first_result_at=first)
    after = _require(transfer.tenant_id, transfer.transfer_id)
    progress = _progress(after)
    if last and transfer.departed:  # the departed member's customer groups next
        return StepOutcome(cursor=f"{GROUPS_PHASE}0|", progress=progress, result={"transfer_id": transfer.transfer_id})
    if last:
        _finish_sending(after, sent_at)
    cursor = f"{number + 1}|{relationships_cursor or ''}"
    return StepOutcome(cursor=cursor, progress=progress, finished=last, result={"transfer_id": transfer.transfer_id})


def _progress(transfer: Transfer) -> JobProgress:
    counts = transfer.counts
    return JobProgress(total=counts.total, done=counts.sent, failed=counts.failed + counts.skipped)


# ---- the job: a departed member's customer groups, 100 per step -----------------------------------
def _group_step(transfer: Transfer, cursor: str) -> StepOutcome:
    number_text, _, owner_cursor = cursor.removeprefix(GROUPS_PHASE).partition("|")
    number = int(number_text or 0)
    found, after = groups_dal.groups(transfer.tenant_id, transfer.from_staff, GROUP_BATCH, owner_cursor or None)
    batch = [
        group.chat_id
        for group in found
        if group.corp_id == transfer.corp_id and group.status == "active" and group.owner == transfer.from_staff
    ]
    written = dal.group_outcomes(transfer.tenant_id, transfer.transfer_id, batch)
    todo = [chat_id for chat_id in batch if chat_id not in written]  # a step run again: the rest
    creds = settings_dal.credentials(transfer.tenant_id, transfer.corp_id)
    sent_at = clock.now_rfc3339()
    for chat_id, (outcome, reason) in _call_groups(transfer, creds, todo).items():
        _record_group(
            transfer, TransferGroup(chat_id=chat_id, outcome=outcome, reason=reason, batch=number, sent_at=sent_at)
        )
    current = _require(transfer.tenant_id, transfer.transfer_id)
    last = after is None
    if last:
        _finish_sending(current, sent_at)
        logger.info(
            "wecom transfer groups sent",
            extra={"transfer_id": transfer.transfer_id, "moved": current.groups.moved, "failed": current.groups.failed},
        )
    result = {
        "transfer_id": transfer.transfer_id,
        "groups_moved": current.groups.moved,
        "groups_failed": current.groups.failed,
    }
    return StepOutcome(
        cursor=f"{GROUPS_PHASE}{number + 1}|{after or ''}", progress=_progress(current), finished=last, result=result
    )


def _call_groups(
    transfer: Transfer, creds: WeComCredentials | None, chat_ids: list[str]
) -> dict[str, tuple[GroupOutcome, str | None]]:
    """WeCom's answer for each group: moved unless WeCom lists it among the failures."""
    from services.wecom.gateways import client as wecom_api  # only a step calls WeCom

    if not chat_ids:
        return {}
    if creds is None:
        return dict.fromkeys(chat_ids, ("failed", "wecom_not_configured"))
    try:
        failures = wecom_api.client().transfer_groups(creds, chat_ids, transfer.to_staff, departed=transfer.departed)
    except wecom_api.WeComNotConfigured:
        return dict.fromkeys(chat_ids, ("failed", "wecom_not_configured"))
    except wecom_api.WeComApiError as error:  # the whole call refused (a successor WeCom will not take)
        return dict.fromkeys(chat_ids, ("failed", f"errcode_{error.errcode}"))
    outcomes: dict[str, tuple[GroupOutcome, str | None]] = dict.fromkeys(chat_ids, ("moved", None))
    for failure in failures:
        chat_id, code = str(failure.get("chat_id") or ""), _number(failure.get("errcode"))
        if chat_id in outcomes and code != OWNER_UNCHANGED:
            outcomes[chat_id] = ("failed", GROUP_REASONS.get(code, f"errcode_{code}"))
    return outcomes


def _record_group(transfer: Transfer, row: TransferGroup) -> None:
    """The group's outcome with its event, once; a moved group's local owner becomes to_staff in
    the same transaction (on the version read: a callback's refresh meanwhile is read again)."""
    t = transfer.tenant_id
    event = WeComGroupTransferred(
        transfer_id=transfer.transfer_id,
        corp_id=transfer.corp_id,
        chat_id=row.chat_id,
        from_staff=transfer.from_staff,
        to_staff=transfer.to_staff,
        outcome=row.outcome,
        reason=row.reason,
    )

    def attempt(_: int) -> None:
        group = groups_dal.get(t, row.chat_id)
        named = row.model_copy(update={"name": group.name if group else None})
        outcome = dal.prepare_group_outcome(t, transfer.transfer_id, named, event)
        if row.outcome == "moved" and group is not None and group.owner != transfer.to_staff:
            moved = group.model_copy(update={"owner": transfer.to_staff})
            groups_dal.save(t, moved, expected_version=group.version, prepares=(outcome,))
        else:
            dal.record_group_outcome(t, transfer.transfer_id, named, event)

    with suppress(dal.GroupOutcomeRecorded):  # another run of the step wrote it
        retry_on_race(attempt, races=ConcurrentUpdate)


def _finish_sending(transfer: Transfer, now: str) -> None:
    if transfer.counts.waiting:
        due = transfer.first_result_at or now
        dal.set_state(transfer.tenant_id, transfer.transfer_id, updated_at=now, status="waiting", due=due)
    else:
        dal.set_state(transfer.tenant_id, transfer.transfer_id, updated_at=now, status="done")


# ---- results ------------------------------------------------------------------------------------
def poll_due(tenant_id: str | None = None, now: datetime | None = None) -> dict[str, int]:
    """The schedule: every transfer whose results are due (of one tenant, when given), polled (a
    failure is retried next run)."""
    moment = clock.rfc3339(now or clock.utc_now())
    report = {"polled": 0, "settled": 0, "errors": 0}
    for shard in range(dal.DUE_SHARDS):
        for tenant, transfer_id in dal.due(shard, moment, MOST_DUE_PER_SHARD):
            if tenant_id is not None and tenant != tenant_id:
                continue
            try:
                report["settled"] += poll(tenant, transfer_id)
                report["polled"] += 1
            except (UpstreamUnavailable, ConcurrentUpdate) as error:
                report["errors"] += 1
                logger.warning(
                    "wecom transfer results not polled", extra={"transfer_id": transfer_id, "error": str(error)}
                )
            except Exception:  # one transfer's fault must not stall the others behind it in its shard
                report["errors"] += 1
                logger.exception("wecom transfer results failed", extra={"transfer_id": transfer_id})
                _after_poll(tenant, transfer_id, clock.now_epoch())
    return report


def _latest_results(transfer: Transfer, creds: WeComCredentials) -> dict[str, dict[str, Any]]:
    from services.wecom.gateways import client as wecom_api

    rows = wecom_api.client().transfer_result(creds, transfer.from_staff, transfer.to_staff, transfer.departed)
    return {str(row.get("external_userid")): row for row in rows}  # the latest of each customer wins


def poll(tenant_id: str, transfer_id: str) -> int:
    """WeCom's results for the transfer's waiting customers: each one settled is written with its
    event (and its relationships moved); how many settled."""
    transfer = dal.get(tenant_id, transfer_id)
    if transfer is None:
        return 0
    creds = settings_dal.credentials(tenant_id, transfer.corp_id)
    pending = dal.waiting(tenant_id, transfer_id)
    results: dict[str, dict[str, Any]] = {}
    if pending and creds is not None:
        from services.wecom.gateways import client as wecom_api

        try:
            results = _latest_results(transfer, creds)
        except (wecom_api.WeComApiError, wecom_api.WeComNotConfigured) as error:
            # WeCom refuses to answer (a party gone, a permission revoked): the give-up still runs.
            logger.warning("wecom transfer results refused", extra={"transfer_id": transfer_id, "error": error.detail})
    now = clock.now_epoch()
    give_up = transfer.first_result_at is not None and (
        clock.parse_rfc3339(transfer.first_result_at).timestamp() + GIVE_UP_SECONDS <= now
    )
    settled = 0
    for customer in pending:
        row = results.get(customer.external_userid) or {}
        outcome, reason = RESULTS.get(_number(row.get("status")), ("waiting", None))
        if outcome == "waiting" and give_up:
            outcome, reason = "failed", "no_result"
        if outcome == "waiting":
            continue
        takeover = _number(row.get("takeover_time")) or int(now)
        settled += _settle(transfer, customer, outcome, reason, takeover)
    _after_poll(tenant_id, transfer_id, now)
    return settled


def _number(value: Any) -> int:
    """WeCom's integer field, or 0 when it is missing or not a number."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _settle(
    transfer: Transfer,
    customer: TransferCustomer,
    outcome: TransferOutcome,
    reason: str | None,
    takeover: int,
    prepares: tuple[Prepare, ...] = (),
) -> int:
    now = clock.now_rfc3339()
    after = customer.model_copy(
        update={
            "outcome": outcome,
            "reason": reason,
            "settled_at": now,
            "takeover_at": _moment(takeover) if outcome == "succeeded" else None,
        }
    )
    try:
        dal.record_settled(
            transfer.tenant_id,
            transfer.transfer_id,
            customer,
            after,
            [_event(transfer, customer.external_userid, outcome, reason)],
            now,
            prepares,
        )
    except ConcurrentUpdate:
        return 0  # settled meanwhile (another poll, a transfer_fail callback)
    if outcome == "succeeded":
        move_relationships(transfer, customer.external_userid, takeover)
    return 1


def _after_poll(tenant_id: str, transfer_id: str, now: float) -> None:
    transfer = _require(tenant_id, transfer_id)
    moment = _moment(now)
    if transfer.counts.waiting > 0:
        dal.set_state(tenant_id, transfer_id, updated_at=moment, due=_moment(now + POLL_AGAIN_SECONDS))
    elif transfer.status == "waiting":
        dal.set_state(tenant_id, transfer_id, updated_at=moment, status="done")
    else:  # still sending: the batch that starts the next transfers puts it back in the due index
        dal.set_state(tenant_id, transfer_id, updated_at=moment, clear_due=True)


def move_relationships(transfer: Transfer, external_userid: str, takeover: int) -> None:
    """A succeeded takeover in Siyu's relationships (order-safe against WeCom's own callbacks):
    the takeover's pair active, the handover's removed by staff, each with its event."""
    t, corp = transfer.tenant_id, transfer.corp_id
    handover = relationships_dal.get(t, transfer.from_staff, corp, external_userid)
    details: dict[str, object] = {
        "add_way": ADD_WAY_DEPARTED if transfer.departed else ADD_WAY_IN_SERVICE,
        "name": handover.name if handover else None,
        "unionid": handover.unionid if handover else None,
    }

    def take(_: int) -> None:
        current = relationships_dal.get(t, transfer.to_staff, corp, external_userid)
        change = Change("add", corp, transfer.to_staff, external_userid, takeover, reason="transfer", details=details)
        decided = transition(current, change)
        if decided is None:
            return
        pair, announced = decided
        if pair.contact_id is None and handover is not None and handover.contact_id:
            pair = pair.model_copy(update={"contact_id": handover.contact_id})
        relationships_dal.save(
            t,
            pair,
            expected_version=current.version if current else None,
            events=(announced,) if announced is not None else (),
        )

    def leave(_: int) -> None:
        current = relationships_dal.get(t, transfer.from_staff, corp, external_userid)
        if current is None or current.status == "removed":  # never a second removal of one friendship
            return
        handover = Change("remove", corp, transfer.from_staff, external_userid, takeover, "staff", reason="transfer")
        decided = transition(current, handover)
        if decided is None:
            return
        pair, announced = decided
        relationships_dal.save(
            t, pair, expected_version=current.version, events=(announced,) if announced is not None else ()
        )

    retry_on_race(take, races=ConcurrentUpdate)
    retry_on_race(leave, races=ConcurrentUpdate)


# ---- WeCom's transfer_fail callback -------------------------------------------------------------
def apply(tenant_id: str, event_id: str, callback: WeComCallbackReceived) -> None:
    """change_external_contact/transfer_fail: the customer refused the takeover (or the takeover's
    customers are full). ``UserID`` is the takeover; the customer's waiting transfer is the one its
    history names. Settled failed with its event and this consumer's marker, or only the marker."""
    fields = callback.fields
    external_userid, takeover = fields.get("ExternalUserID", ""), fields.get("UserID", "")
    marker = handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)
    history = dal.history(tenant_id, callback.corp_id, external_userid) if external_userid else None
    transfer = dal.get(tenant_id, history.waiting) if history is not None and history.waiting else None
    customer = (
        dal.customer(tenant_id, transfer.transfer_id, external_userid)
        if transfer is not None and transfer.to_staff == takeover
        else None
    )
    if transfer is None or customer is None or customer.outcome != "waiting":
        mark_handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)
        return
    fail_reason = fields.get("FailReason", "")
    reason = FAIL_REASONS.get(fail_reason, fail_reason[:64] or "transfer_failed")
    if not _settle(transfer, customer, "failed", reason, int(callback.created_at.timestamp()), (marker,)):
        mark_handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)
        return
    _after_poll(tenant_id, transfer.transfer_id, clock.now_epoch())
