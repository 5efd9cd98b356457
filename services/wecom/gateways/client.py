"""The one WeCom (企业微信) API client.

``call(creds, app, method, path, query, body)`` is every request: it adds the access token of the
corp's app, retries once with a new token when WeCom says the token is invalid or expired
(40014, 42001, 40001), and backs off with jitter when WeCom is busy or rate limits the caller
(45009, 45033, -1, HTTP 429 and 5xx) before giving up with ``UpstreamUnavailable``. Any other
errcode is a ``WeComApiError`` the caller can inspect. The typed methods below it are the calls
the service makes.

Access tokens (``gettoken``, 7200 s) are cached per corp and app in the process and in the wecom
table (``services.wecom.dal.tokens``), so that warm containers share them, and refreshed 5
minutes before they expire by one caller at a time: a lock in the process, a lease item across
processes (the winner fetches; the others re-read the item for a bounded wait, then fetch
themselves should the lease holder have died). A token or a secret never reaches a log line or an
exception message: the query string that carries them is never logged, and WeCom's own messages
are scrubbed of them.

Requests go through a ``Transport``: HTTPS to ``qyapi.weixin.qq.com`` in AWS; the local stack
installs its fake WeCom (``local/fake_wecom.py``) with ``use_transport`` (services never import
``local/``).
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, Literal, Protocol

from services.wecom.dal.tokens import AccessToken, TokenTable
from shared import clock
from shared.errors import DomainError, UpstreamUnavailable
from shared.observability import logger
from shared.retry import retry_on_race

API_ROOT = "https://qyapi.weixin.qq.com"
TIMEOUT_SECONDS = 5.0
App = Literal["contact", "agent", "directory"]
"""Which of the corp's secrets a call uses: 客户联系 (``contact``), the self-built app (``agent``:
app messages, web sign-in) or 通讯录同步 (``directory``)."""

TOKEN_ERRORS = frozenset({40014, 42001, 40001})  # invalid token, expired token, invalid credential
BUSY_ERRORS = frozenset({45009, 45033, -1})  # frequency limit, concurrency limit, system busy
NO_RELATIONSHIP = 84061
REFRESH_MARGIN_SECONDS = 300
ATTEMPTS = 4  # the first try and three more (WeCom: "retry a busy answer no more than 3 times")
BACKOFF_BASE_SECONDS = 0.25
BACKOFF_CAP_SECONDS = 2.0
LEASE_SECONDS = 8.0  # longer than one gettoken with its retries
LEASE_WAIT_SECONDS = 8.0  # then a waiter fetches a token itself: the lease holder has died
LEASE_POLL_SECONDS = 0.1
TRANSFER_BATCH = 100  # WeCom's limit of customers per transfer call
GROUP_TRANSFER_BATCH = 100  # WeCom's limit of groups per group transfer call (chat_id_list: 1 ~ 100)
APP_MESSAGE_BATCH = 1000  # WeCom's limit of users per app message
WELCOME_ATTACHMENTS = 9
MASS_MESSAGE_CUSTOMERS = 10_000  # WeCom's limit of external_userids per add_msg_template
MASS_MESSAGE_GROUPS = 2_000  # WeCom's limit of chat ids per add_msg_template (chat_id_list)
MASS_MESSAGE_ATTACHMENTS = 9
MASS_MESSAGE_PAGE = 1000  # the largest page get_groupmsg_task and get_groupmsg_send_result answer
STATE_MAX_CHARS = 30


# Errors ----------------------------------------------------------------------------------------
USER_NOT_FOUND = 60111  # user/get: no such member in the corp


class WeComApiError(DomainError):
    """WeCom answered with an errcode the client does not handle itself."""

    status, title, type_slug = 502, "WeCom refused the request", "wecom-refused"

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeCom answered errcode {errcode}: {errmsg}", errcode=errcode)
        self.errcode = errcode
        self.errmsg = errmsg


class WeComNotConfigured(DomainError):
    """The tenant's WeCom settings lack what the call needs (a secret, the app's agent id)."""

    status, title, type_slug = 422, "WeCom is not configured", "wecom-not-configured"


class TransientFailure(UpstreamUnavailable):
    """The transport got no answer (``status`` None: network, timeout) or an HTTP status that is
    worth retrying (429, 5xx)."""

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.http_status = status


class _Busy(Exception):
    """One attempt found WeCom busy; the next attempt backs off first."""


# Credentials and transport ----------------------------------------------------------------------
class Credentials(Protocol):
    """What the client reads of a tenant's WeCom settings (the wecom settings model has it)."""

    @property
    def corp_id(self) -> str: ...

    @property
    def agent_id(self) -> int | None: ...

    @property
    def secrets(self) -> Mapping[str, str]: ...


class Transport(Protocol):
    def send(self, method: str, path: str, query: Mapping[str, str], body: Mapping[str, Any] | None) -> dict[str, Any]:
        """WeCom's JSON answer; ``TransientFailure`` when there is none worth reading."""
        ...


class HttpTransport:
    """HTTPS to WeCom. Only a function that calls WeCom pays for urllib's import."""

    def __init__(self, root: str = API_ROOT, timeout: float = TIMEOUT_SECONDS) -> None:
        self.root = root
        self.timeout = timeout

    def send(self, method: str, path: str, query: Mapping[str, str], body: Mapping[str, Any] | None) -> dict[str, Any]:
        import json
        import urllib.error
        import urllib.parse
        import urllib.request

        url = f"{self.root}{path}?{urllib.parse.urlencode(dict(query))}"
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - a fixed https endpoint
            url, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        # The URL carries the token (or the secret): no message below may include it, so the
        # original exceptions (whose attributes hold the URL) are not chained.
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                parsed = json.loads(answer.read())
        except urllib.error.HTTPError as error:
            status = int(error.code)
            if status == 429 or status >= 500:
                raise TransientFailure(f"WeCom answered HTTP {status} to {path}.", status) from None
            raise UpstreamUnavailable(f"WeCom answered HTTP {status} to {path}.") from None
        except (OSError, ValueError) as error:
            raise TransientFailure(f"WeCom did not answer {path} ({type(error).__name__}).") from None
        if not isinstance(parsed, dict):
            raise UpstreamUnavailable(f"WeCom's answer to {path} is not a JSON object.")
        return parsed


_transport: Transport | None = None


def use_transport(transport: Transport | None) -> None:
    """Send every WeCom request of this process through ``transport`` (None: back to HTTPS).
    The local stack installs its fake WeCom so; tests may install their own."""
    global _transport  # noqa: PLW0603 - the process-wide choice this function exists for
    _transport = transport


def current_transport() -> Transport:
    global _transport  # noqa: PLW0603
    if _transport is None:
        _transport = HttpTransport()
    return _transport


# Helpers -----------------------------------------------------------------------------------------
class TokenStore(Protocol):
    def read(self, corp_id: str, app: str) -> AccessToken | None: ...

    def take_lease(self, corp_id: str, app: str, owner: str, seconds: float, fingerprint: str) -> bool: ...

    def store(self, corp_id: str, app: str, token: AccessToken) -> None: ...

    def forget(self, corp_id: str, app: str, token: str) -> None: ...


def fingerprint(secret: str) -> str:
    """Tells secrets apart without keeping them: a changed secret makes cached tokens stale."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def _scrub(text: str, *hidden: str) -> str:
    for value in hidden:
        if value:
            text = text.replace(value, "***")
    return text


def _errcode(answer: Mapping[str, Any]) -> int:
    try:
        return int(answer.get("errcode") or 0)
    except (TypeError, ValueError):
        return -1


def backoff_delay(retry: int) -> float:
    """Seconds before retry number ``retry`` (1, 2, …): exponential, capped, with jitter so that
    callers throttled together do not come back together."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (retry - 1))
    return float(ceiling * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not security


# The client --------------------------------------------------------------------------------------
class WeComClient:
    def __init__(
        self,
        transport: Transport | None = None,
        store: TokenStore | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        lease_wait_seconds: float = LEASE_WAIT_SECONDS,
    ) -> None:
        self._fixed_transport = transport
        self._store: TokenStore = store if store is not None else TokenTable()
        self._sleep = sleep
        self._lease_wait = lease_wait_seconds
        self._owner = uuid.uuid4().hex  # this process, as a lease holder
        self._memory: dict[tuple[str, str], AccessToken] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_lock = threading.Lock()

    @property
    def transport(self) -> Transport:
        return self._fixed_transport or current_transport()

    # Generic call ------------------------------------------------------------------------------
    def call(
        self,
        creds: Credentials,
        app: App,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """WeCom's answer to ``method path`` made with the access token of ``creds``' ``app``
        (errcode 0), else ``WeComApiError``/``UpstreamUnavailable``/``WeComNotConfigured``."""
        for attempt in range(2):
            token = self._token(creds, app)
            answer = self._send(method, path, {**(query or {}), "access_token": token}, body)
            code = _errcode(answer)
            if code in TOKEN_ERRORS and attempt == 0:
                logger.warning("wecom token refused; refreshing", extra={"path": path, "app": app, "errcode": code})
                self._forget(creds.corp_id, app, token)
                continue
            if code:
                raise WeComApiError(code, _scrub(str(answer.get("errmsg", "")), token))
            return answer
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _send(self, method: str, path: str, query: Mapping[str, str], body: Mapping[str, Any] | None) -> dict[str, Any]:
        """One request, retried with backoff while WeCom is busy. A request that got no answer at
        all is retried only when it reads (a POST may have been carried out)."""

        def attempt(number: int) -> dict[str, Any]:
            if number:
                self._sleep(backoff_delay(number))
            try:
                answer = self.transport.send(method, path, query, body)
            except TransientFailure as failure:
                if failure.http_status is None and method != "GET":
                    raise
                raise _Busy(failure.detail) from None
            if _errcode(answer) in BUSY_ERRORS:
                raise _Busy(f"WeCom answered errcode {_errcode(answer)} to {path}")
            return answer

        def exhausted() -> Exception:
            logger.warning("wecom busy: gave up", extra={"path": path, "attempts": ATTEMPTS})
            return UpstreamUnavailable(f"WeCom is busy or rate limiting {path}; try again later.")

        return retry_on_race(attempt, races=_Busy, attempts=ATTEMPTS, exhausted=exhausted, backoff=False)

    # Access tokens -----------------------------------------------------------------------------
    def _lock(self, key: tuple[str, str]) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(key, threading.Lock())

    def _token(self, creds: Credentials, app: App) -> str:
        secret = creds.secrets.get(app)
        if not secret:
            raise WeComNotConfigured(f"The tenant's WeCom settings have no {app} secret.")
        key = (creds.corp_id, app)
        seal = fingerprint(secret)
        held = self._memory.get(key)
        if held is not None and held.fresh(seal, clock.now_epoch()):
            return held.token
        with self._lock(key):  # one refresh per corp and app in this process
            held = self._memory.get(key)
            if held is not None and held.fresh(seal, clock.now_epoch()):
                return held.token
            try:
                got = self._shared_token(creds.corp_id, app, secret, seal)
            except UpstreamUnavailable:
                if held is not None and held.usable(seal, clock.now_epoch()):
                    return held.token  # due for a refresh but still valid: serve while WeCom recovers
                raise
            self._memory[key] = got
            return got.token

    def _shared_token(self, corp_id: str, app: str, secret: str, seal: str) -> AccessToken:
        deadline = time.monotonic() + self._lease_wait
        while True:
            stored = self._store.read(corp_id, app)
            if stored is not None and stored.fresh(seal, clock.now_epoch()):
                return stored
            leased = self._store.take_lease(corp_id, app, self._owner, LEASE_SECONDS, seal)
            if leased or time.monotonic() >= deadline:
                got = self._fetch(corp_id, secret, seal)
                self._store.store(corp_id, app, got)
                return got
            self._sleep(LEASE_POLL_SECONDS)  # another process is fetching: read its token soon

    def _fetch(self, corp_id: str, secret: str, seal: str) -> AccessToken:
        answer = self._send("GET", "/cgi-bin/gettoken", {"corpid": corp_id, "corpsecret": secret}, None)
        code = _errcode(answer)
        token = str(answer.get("access_token") or "")
        if code or not token:
            raise WeComApiError(code, _scrub(str(answer.get("errmsg", "no access_token")), secret))
        now = clock.now_epoch()
        lifetime = max(1, int(answer.get("expires_in") or 7200))
        # WeCom answers the same token while it is valid (with its remaining lifetime): a token
        # fetched inside the margin is refreshed again halfway through what is left of it.
        ahead = lifetime - REFRESH_MARGIN_SECONDS if lifetime > 2 * REFRESH_MARGIN_SECONDS else lifetime / 2
        logger.info("wecom token fetched", extra={"corp_id": corp_id, "expires_in": lifetime})
        return AccessToken(token=token, refresh_at=int(now + ahead), expires_at=int(now + lifetime), fingerprint=seal)

    def _forget(self, corp_id: str, app: str, token: str) -> None:
        key = (corp_id, app)
        with self._lock(key):
            held = self._memory.get(key)
            if held is not None and held.token == token:
                del self._memory[key]
        self._store.forget(corp_id, app, token)

    # Customers (客户联系) ------------------------------------------------------------------------
    def _contact_app(self, creds: Credentials) -> App:
        """客户联系 calls take the 客户联系 secret, or a self-built app's that WeCom lets call them."""
        return "contact" if creds.secrets.get("contact") else "agent"

    def get_external_contact(self, creds: Credentials, external_userid: str) -> dict[str, Any]:
        """``{"external_contact": {...}, "follow_user": [...]}``: the customer and every staff
        member who has them (all pages of ``follow_user``)."""
        path = "/cgi-bin/externalcontact/get"
        query = {"external_userid": external_userid}
        answer = self.call(creds, self._contact_app(creds), "GET", path, query)
        follow = list(answer.get("follow_user") or [])
        cursor = str(answer.get("next_cursor") or "")
        while cursor:
            page = self.call(creds, self._contact_app(creds), "GET", path, {**query, "cursor": cursor})
            follow += list(page.get("follow_user") or [])
            cursor = str(page.get("next_cursor") or "")
        return {"external_contact": dict(answer.get("external_contact") or {}), "follow_user": follow}

    def list_external_contacts(self, creds: Credentials, userid: str) -> list[str]:
        """The external_userids of ``userid``'s customers (none: WeCom answers 84061)."""
        try:
            answer = self.call(
                creds, self._contact_app(creds), "GET", "/cgi-bin/externalcontact/list", {"userid": userid}
            )
        except WeComApiError as error:
            if error.errcode == NO_RELATIONSHIP:
                return []
            raise
        return [str(item) for item in answer.get("external_userid") or []]

    def send_welcome_message(
        self, creds: Credentials, welcome_code: str, text: str | None, attachments: Sequence[Mapping[str, Any]]
    ) -> None:
        """The welcome of a new customer (once per WelcomeCode, within 20 s of the add event).
        ``attachments``: WeCom's own shapes (``{"msgtype": "image", "image": {...}}``, link, miniprogram)."""
        if not text and not attachments:
            raise ValueError("A welcome message needs a text or an attachment.")
        if len(attachments) > WELCOME_ATTACHMENTS:
            raise ValueError(f"WeCom sends at most {WELCOME_ATTACHMENTS} attachments with a welcome.")
        body: dict[str, Any] = {"welcome_code": welcome_code}
        if text:
            body["text"] = {"content": text}
        if attachments:
            body["attachments"] = [dict(item) for item in attachments]
        self.call(creds, self._contact_app(creds), "POST", "/cgi-bin/externalcontact/send_welcome_msg", body=body)

    def add_contact_way(
        self,
        creds: Credentials,
        state: str,
        user_ids: Sequence[str],
        *,
        remark: str | None = None,
        skip_verify: bool = True,
    ) -> dict[str, str]:
        """A 联系我 QR code shared by ``user_ids`` whose adds carry ``state``: ``{config_id, qr_code}``."""
        if not 0 < len(state) <= STATE_MAX_CHARS:
            raise ValueError(f"A contact way's state is 1 to {STATE_MAX_CHARS} characters.")
        body: dict[str, Any] = {
            "type": 2,  # several staff members (a single one is allowed too)
            "scene": 2,  # a QR code
            "state": state,
            "user": list(user_ids),
            "skip_verify": skip_verify,
        }
        if remark:
            body["remark"] = remark[:STATE_MAX_CHARS]
        answer = self.call(
            creds, self._contact_app(creds), "POST", "/cgi-bin/externalcontact/add_contact_way", body=body
        )
        return {"config_id": str(answer["config_id"]), "qr_code": str(answer.get("qr_code", ""))}

    def update_contact_way(self, creds: Credentials, config_id: str, user_ids: Sequence[str]) -> None:
        body = {"config_id": config_id, "user": list(user_ids)}
        self.call(creds, self._contact_app(creds), "POST", "/cgi-bin/externalcontact/update_contact_way", body=body)

    def transfer_customers(
        self,
        creds: Credentials,
        handover: str,
        takeover: str,
        external_userids: Sequence[str],
        departed: bool,
        *,
        transfer_success_msg: str | None = None,
    ) -> list[dict[str, Any]]:
        """Start the transfer of ``external_userids`` from ``handover`` to ``takeover`` (the
        departed-staff API when ``departed``), 100 per call: WeCom's ``customer`` list,
        ``{external_userid, errcode}`` each (0: started; the takeover completes within 24 h)."""
        prefix = "/cgi-bin/externalcontact/resigned" if departed else "/cgi-bin/externalcontact"
        outcomes: list[dict[str, Any]] = []
        for start in range(0, len(external_userids), TRANSFER_BATCH):
            body: dict[str, Any] = {
                "handover_userid": handover,
                "takeover_userid": takeover,
                "external_userid": list(external_userids[start : start + TRANSFER_BATCH]),
            }
            if transfer_success_msg and not departed:
                body["transfer_success_msg"] = transfer_success_msg
            answer = self.call(creds, self._contact_app(creds), "POST", f"{prefix}/transfer_customer", body=body)
            outcomes += [dict(item) for item in answer.get("customer") or []]
        return outcomes

    def transfer_result(self, creds: Credentials, handover: str, takeover: str, departed: bool) -> list[dict[str, Any]]:
        """Every customer's takeover state, all pages: ``{external_userid, status, takeover_time}``
        (status 1 done, 2 waiting, 3 refused by the customer, 4 takeover's limit reached, 5 none)."""
        prefix = "/cgi-bin/externalcontact/resigned" if departed else "/cgi-bin/externalcontact"
        found: list[dict[str, Any]] = []
        cursor = ""
        while True:
            body: dict[str, Any] = {"handover_userid": handover, "takeover_userid": takeover}
            if cursor:
                body["cursor"] = cursor
            answer = self.call(creds, self._contact_app(creds), "POST", f"{prefix}/transfer_result", body=body)
            found += [dict(item) for item in answer.get("customer") or []]
            cursor = str(answer.get("next_cursor") or "")
            if not cursor:
                return found

    def transfer_groups(
        self, creds: Credentials, chat_ids: Sequence[str], new_owner: str, *, departed: bool
    ) -> list[dict[str, Any]]:
        """Give customer groups a new owner: 分配离职成员的客户群 (``groupchat/transfer``: only groups
        whose owner has left) when ``departed``, else 分配在职成员的客户群 (``groupchat/onjob_transfer``:
        WeCom allows each group two of these in 90 days). At most 100 groups per call (more is a
        ValueError: the caller batches, so that it can record each batch's outcome). WeCom's
        ``failed_chat_list``, ``{chat_id, errcode, errmsg}`` each: the groups not given to
        ``new_owner`` (90500 owner not departed, 90501 not a customer group, 90502 owner departed,
        90503 group full, 90504 owner unchanged, 90507 inheritance in progress, 90508 inherited
        already); every other group of the call has its new owner. A refusal of the whole call
        (an unknown or inactive new owner, WeCom's daily limit of 300 groups per owner) is a
        ``WeComApiError``."""
        chats = list(dict.fromkeys(chat_ids))
        if not 0 < len(chats) <= GROUP_TRANSFER_BATCH:
            raise ValueError(f"A group transfer names 1 to {GROUP_TRANSFER_BATCH} groups.")
        path = "/cgi-bin/externalcontact/groupchat/" + ("transfer" if departed else "onjob_transfer")
        body = {"chat_id_list": chats, "new_owner": new_owner}
        answer = self.call(creds, self._contact_app(creds), "POST", path, body=body)
        return [dict(item) for item in answer.get("failed_chat_list") or []]

    def list_groups(
        self, creds: Credentials, cursor: str | None, *, limit: int = 1000
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the corp's customer groups (``{chat_id, status}``) and the next cursor."""
        body: dict[str, Any] = {"status_filter": 0, "limit": limit}
        if cursor:
            body["cursor"] = cursor
        answer = self.call(
            creds, self._contact_app(creds), "POST", "/cgi-bin/externalcontact/groupchat/list", body=body
        )
        return [dict(item) for item in answer.get("group_chat_list") or []], (
            str(answer.get("next_cursor") or "") or None
        )

    def get_group(self, creds: Credentials, chat_id: str) -> dict[str, Any]:
        """A customer group: name, owner, create_time, member_list (type 1 staff, 2 customer), admin_list."""
        body = {"chat_id": chat_id, "need_name": 1}
        answer = self.call(creds, self._contact_app(creds), "POST", "/cgi-bin/externalcontact/groupchat/get", body=body)
        return dict(answer.get("group_chat") or {})

    # 企业群发 (mass messages to customers or customer groups) ------------------------------------
    def add_msg_template(
        self,
        creds: Credentials,
        chat_type: Literal["single", "group"],
        sender: str,
        recipients: Sequence[str] | None,
        text: str | None,
        attachments: Sequence[Mapping[str, Any]],
    ) -> tuple[str, list[str]]:
        """A 群发 task for ``sender`` to confirm in the WeCom app (创建企业群发): to the customers
        ``recipients`` (external_userids, at most 10,000) for ``single``, or for ``group`` to the
        customer groups ``recipients`` (chat ids, at most 2,000) or, when None, to every group the
        sender owns. ``attachments``: WeCom's own shapes (image, link, miniprogram), at most 9.
        WeCom's ``(msgid, fail_list)``: fail_list names the recipients it would not take (not the
        sender's customer, or not a customer at all)."""
        targets = list(dict.fromkeys(recipients or []))
        if chat_type == "single" and not 0 < len(targets) <= MASS_MESSAGE_CUSTOMERS:
            raise ValueError(f"A 群发 to customers names 1 to {MASS_MESSAGE_CUSTOMERS} of them.")
        if chat_type == "group" and len(targets) > MASS_MESSAGE_GROUPS:
            raise ValueError(f"A 群发 to customer groups names at most {MASS_MESSAGE_GROUPS} of them.")
        if not text and not attachments:
            raise ValueError("A 群发 needs a text or an attachment.")
        if len(attachments) > MASS_MESSAGE_ATTACHMENTS:
            raise ValueError(f"WeCom sends at most {MASS_MESSAGE_ATTACHMENTS} attachments with a 群发.")
        body: dict[str, Any] = {"chat_type": chat_type, "sender": sender}
        if chat_type == "single":
            body["external_userid"] = targets
        elif targets:
            body["chat_id_list"] = targets
        if text:
            body["text"] = {"content": text}
        if attachments:
            body["attachments"] = [dict(item) for item in attachments]
        answer = self.call(
            creds, self._contact_app(creds), "POST", "/cgi-bin/externalcontact/add_msg_template", body=body
        )
        msgid = str(answer.get("msgid") or "")
        if not msgid:
            raise UpstreamUnavailable("WeCom answered add_msg_template without a msgid.")
        return msgid, [str(item) for item in answer.get("fail_list") or []]

    def get_groupmsg_task(self, creds: Credentials, msgid: str) -> list[dict[str, Any]]:
        """Each sender's task of a 群发, all pages (获取群发成员发送任务列表): ``{userid, status,
        send_time}`` (status 0 not sent yet, 2 sent: the member confirmed it)."""
        found: list[dict[str, Any]] = []
        cursor = ""
        while True:
            body: dict[str, Any] = {"msgid": msgid, "limit": MASS_MESSAGE_PAGE}
            if cursor:
                body["cursor"] = cursor
            answer = self.call(
                creds, self._contact_app(creds), "POST", "/cgi-bin/externalcontact/get_groupmsg_task", body=body
            )
            found += [dict(item) for item in answer.get("task_list") or []]
            cursor = str(answer.get("next_cursor") or "")
            if not cursor:
                return found

    def get_groupmsg_send_result(
        self, creds: Credentials, msgid: str, userid: str, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a sender's results of a 群发 (获取企业群发成员执行结果) and the next cursor:
        ``{external_userid | chat_id, userid, status, send_time}`` (status 0 not sent, 1 sent, 2 not
        the sender's customer any more, 3 the customer already received a 群发 within WeCom's limit)."""
        body: dict[str, Any] = {"msgid": msgid, "userid": userid, "limit": MASS_MESSAGE_PAGE}
        if cursor:
            body["cursor"] = cursor
        answer = self.call(
            creds, self._contact_app(creds), "POST", "/cgi-bin/externalcontact/get_groupmsg_send_result", body=body
        )
        rows = [dict(item) for item in answer.get("send_list") or []]
        return rows, str(answer.get("next_cursor") or "") or None

    def cancel_groupmsg_send(self, creds: Credentials, msgid: str) -> None:
        """Stop a 群发 its senders have not sent yet (停止企业群发): a task Siyu gave up on can no
        longer be confirmed."""
        body = {"msgid": msgid}
        self.call(creds, self._contact_app(creds), "POST", "/cgi-bin/externalcontact/cancel_groupmsg_send", body=body)

    # Staff (通讯录, 应用) -------------------------------------------------------------------------
    def _directory_app(self, creds: Credentials) -> App:
        """The 通讯录同步 secret reads the whole directory; a self-built app reads what it can see."""
        return "directory" if creds.secrets.get("directory") else "agent"

    def list_departments(self, creds: Credentials) -> list[dict[str, Any]]:
        """Every department: ``{id, name, parentid, order, department_leader?}``."""
        answer = self.call(creds, self._directory_app(creds), "GET", "/cgi-bin/department/list")
        return [dict(item) for item in answer.get("department") or []]

    def list_department_users(self, creds: Credentials, department_id: int) -> list[dict[str, Any]]:
        """The members of a department: ``{userid, name, department, is_leader_in_dept, status, …}``
        (status 1 active, 2 disabled, 4 not activated, 5 left the corp)."""
        answer = self.call(
            creds, self._directory_app(creds), "GET", "/cgi-bin/user/list", {"department_id": str(department_id)}
        )
        return [dict(item) for item in answer.get("userlist") or []]

    def get_user(self, creds: Credentials, userid: str) -> dict[str, Any] | None:
        """A member of the directory (``user/get``), or None when WeCom knows no such member
        (60111: the member left the corp, or the userid was renamed)."""
        try:
            return self.call(creds, self._directory_app(creds), "GET", "/cgi-bin/user/get", {"userid": userid})
        except WeComApiError as error:
            if error.errcode == USER_NOT_FOUND:
                return None
            raise

    def get_user_by_login_code(self, creds: Credentials, code: str) -> str:
        """The userid of the member who signed in by WeCom web login (the code is single use)."""
        answer = self.call(creds, "agent", "GET", "/cgi-bin/auth/getuserinfo", {"code": code})
        userid = answer.get("userid") or answer.get("UserId")
        if not userid:  # someone outside the corp (WeCom answers an openid instead)
            raise WeComApiError(60111, "the login code belongs to no member of the corp")
        return str(userid)

    def send_app_message(self, creds: Credentials, to_users: Sequence[str], text: str) -> None:
        """A text from the self-built app to members (1000 per call)."""
        if creds.agent_id is None:
            raise WeComNotConfigured("The tenant's WeCom settings have no agent id for app messages.")
        users = list(dict.fromkeys(to_users))
        for start in range(0, len(users), APP_MESSAGE_BATCH):
            body = {
                "touser": "|".join(users[start : start + APP_MESSAGE_BATCH]),
                "msgtype": "text",
                "agentid": creds.agent_id,
                "text": {"content": text},
                "safe": 0,
            }
            answer = self.call(creds, "agent", "POST", "/cgi-bin/message/send", body=body)
            if answer.get("invaliduser"):
                logger.warning("wecom app message: some users unknown", extra={"invalid": answer["invaliduser"]})


@cache
def client() -> WeComClient:
    """The process's client (its token cache lives as long as the warm container)."""
    return WeComClient()
