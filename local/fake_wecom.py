"""A fake WeCom (企业微信) for the local stack and the tests: the real client runs against it unchanged.

``FakeWeCom`` is a ``Transport`` (``services.wecom.gateways.client``): the local stack installs it
in-process with ``install()``. It keeps, per corp, the staff and departments, the customers and
who follows them (with the ``state`` of the contact way that brought them), contact ways,
customer groups, transfers, welcome codes and login codes, and answers the endpoints the client
calls with WeCom's shapes and errcodes:

- ``gettoken``: 40013 unknown corp id, 40001 a secret the corp does not have (once a corp's apps
  are registered with ``register_app``; until then any secret is accepted and remembered); a
  token lives 7200 s of business time (``shared.clock``: the test clock expires it) and is
  answered again, with its remaining lifetime, while it is valid;
- every other call: 41001 no token, 40014 unknown token, 42001 expired token, 48002 an app whose
  secret may not call that API (contact: 客户联系; agent: everything; directory: 通讯录),
  43001/43002 the wrong HTTP method;
- 84061 no such relationship, 60111 unknown userid, 41051 a welcome code already used or past its
  20 s, 40029 a login code unknown, used or older than 5 minutes, 40058 a bad parameter (more than
  100 customers in one transfer, a state over 30 characters…), 40128 a customer transferred twice
  in 90 days, 40129 a customer whose transfer is pending, 40050 an unknown group;
- group transfers (``groupchat/transfer`` of a departed owner's groups, ``groupchat/onjob_transfer``
  of an in-service owner's): 40058 no or more than 100 chat ids, 60111 an unknown new owner, 40003
  a new owner who is not active; per group, in ``failed_chat_list``: 90501 an unknown group, 90504
  the new owner owns it already (so a repeated call is harmless), 90500 its owner has not left
  (departed) or 90502 has left (in service); any other group changes owner at once (the new owner
  joins it if not in it). WeCom's limits of 300 groups per owner a day and of two in-service
  transfers per group in 90 days are not modelled;
- 群发: add_msg_template, get_groupmsg_task, get_groupmsg_send_result and cancel_groupmsg_send are
  answered by the mass messages section; a task is confirmed as the staff member would in WeCom
  through ``POST /v1/dev/wecom/mass-messages/{msgid}/confirm`` and listed by
  ``GET /v1/dev/wecom/mass-messages``.

It records every call (path, app, query and body without the token or secret, errcode, business
time) and takes scripted answers: ``fail_next(path, errcode, times)`` (or ``http_status=``), the
``script_*`` methods, ``reset()``. A transfer completes 24 h (business time) after it started.

``callback(...)`` builds a correctly signed, encrypted callback (``shared.wecom_crypto``); the
relationship helpers (``customer_adds``…) change the fake's state and return the callback fields
WeCom would send for the change. ``CreateTime`` is business time; the signed ``timestamp`` is real
time, as the callback door checks it against the real clock.

``FAKE_WECOM_SERVICE`` declares local-only HTTP routes (``/v1/dev/wecom/...``, 404 outside the
local stack) so that end-to-end tests, which run the stack in another process, can drive it;
``POST /v1/dev/wecom/callbacks`` and ``/relationships`` deliver the callback to the stack's own
``POST /v1/channels/wecom/{tenant_id}/callback`` in-process and answer what that route answered.
"""

from __future__ import annotations

import copy
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.wecom.gateways.client import TransientFailure, use_transport
from shared import clock
from shared.errors import Conflict, NotFound, Unprocessable
from shared.http import ServiceApi
from shared.manifest import Route, Service
from shared.params import Path, Query
from shared.settings import get_settings

TOKEN_SECONDS = 7200
WELCOME_CODE_SECONDS = 20
LOGIN_CODE_SECONDS = 300
TAKEOVER_SECONDS = 86400
TRANSFER_WINDOW_SECONDS = 90 * 86400
TRANSFERS_PER_WINDOW = 2
TRANSFER_BATCH = 100
RESULT_PAGE = 100
FOLLOW_PAGE = 500
WELCOME_ATTACHMENTS = 9
STATE_MAX_CHARS = 30
GROUPS_PAGE_MAX = 1000
MAX_RECORDED_CALLS = 20_000  # a long `make run` keeps the latest only
ACTIVE, DISABLED, NOT_ACTIVATED, DEPARTED = 1, 2, 4, 5

ERRMSG = {
    0: "ok",
    -1: "system busy",
    40001: "invalid credential",
    40003: "invalid userid",
    40013: "invalid corpid",
    40014: "invalid access_token",
    40029: "invalid code",
    40050: "chatid not found",
    40058: "invalid parameter",
    40128: "customer transferred too often",
    40129: "customer transfer in progress",
    41001: "access_token missing",
    41011: "missing agentid",
    41051: "externaluser has started chatting",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    45009: "api freq out of limit",
    45033: "api concurrent out of limit",
    48002: "api forbidden",
    60111: "userid not found",
    60123: "invalid party id",
    81013: "user & party & tag all invalid",
    84061: "not external contact",
    90500: "the owner of this chat is not resigned",
    90501: "chat is not external group chat",
    90502: "the owner of this chat is resigned",
    90504: "the owner of this chat is not changed",
}
APPS_FOR = {  # which known apps may call a path; other (learned) apps may call anything
    "externalcontact": {"contact", "agent"},
    "message": {"agent"},
    "auth": {"agent"},
    "department": {"directory", "agent"},
    "user": {"directory", "agent"},
}
HIDDEN_QUERY = ("access_token", "corpsecret")


def _qr_image(config_id: str) -> str:
    """The QR image of a contact way. WeCom answers a URL on its CDN (qpic.cn), which nothing
    local can load: the fake answers the image itself, a scannable PNG as a data URL, of a
    contact-me link shaped like WeCom's."""
    import base64
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(f"https://work.weixin.qq.com/ca/{config_id}", error="m").save(buffer, kind="png", scale=4, border=2)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _answer(errcode: int, **fields: Any) -> dict[str, Any]:
    return {"errcode": errcode, "errmsg": ERRMSG.get(errcode, "error"), **fields}


def _path(path: str) -> str:
    return path if path.startswith("/cgi-bin/") else f"/cgi-bin/{path.lstrip('/')}"


@dataclass
class _Corp:
    corp_id: str
    apps: dict[str, str] = field(default_factory=dict)  # secret -> app name
    strict: bool = False  # apps were registered: an unknown secret is refused
    departments: dict[int, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    follows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (userid, external_userid)
    contact_ways: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    transfers: list[dict[str, Any]] = field(default_factory=list)
    welcome_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    login_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    welcomes: list[dict[str, Any]] = field(default_factory=list)
    app_messages: list[dict[str, Any]] = field(default_factory=list)


Handler = Callable[[_Corp, str, dict[str, str], dict[str, Any]], dict[str, Any]]


class FakeWeCom:
    """WeCom's server side, in memory, for one process (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        # Where the fake learns a corp's real app secrets (app name -> secret; None: unknown corp).
        # ``install`` points it at the tenant settings the local stack stores; without it, an
        # unregistered corp accepts any secret and names its apps app1, app2...
        self.secret_source: Callable[[str], Mapping[str, str] | None] | None = None
        self._ids = itertools.count(1)
        self.reset()
        self._endpoints: dict[str, tuple[str, Handler]] = {
            "/cgi-bin/externalcontact/get": ("GET", self._get_external_contact),
            "/cgi-bin/externalcontact/list": ("GET", self._list_external_contacts),
            "/cgi-bin/externalcontact/send_welcome_msg": ("POST", self._send_welcome_msg),
            "/cgi-bin/externalcontact/add_contact_way": ("POST", self._add_contact_way),
            "/cgi-bin/externalcontact/update_contact_way": ("POST", self._update_contact_way),
            "/cgi-bin/externalcontact/transfer_customer": ("POST", self._transfer_in_service),
            "/cgi-bin/externalcontact/resigned/transfer_customer": ("POST", self._transfer_departed),
            "/cgi-bin/externalcontact/transfer_result": ("POST", self._result_in_service),
            "/cgi-bin/externalcontact/resigned/transfer_result": ("POST", self._result_departed),
            "/cgi-bin/externalcontact/groupchat/list": ("POST", self._list_groups),
            "/cgi-bin/externalcontact/groupchat/get": ("POST", self._get_group),
            "/cgi-bin/externalcontact/groupchat/transfer": ("POST", self._transfer_groups_departed),
            "/cgi-bin/externalcontact/groupchat/onjob_transfer": ("POST", self._transfer_groups_in_service),
            "/cgi-bin/message/send": ("POST", self._send_app_message),
            "/cgi-bin/department/list": ("GET", self._list_departments),
            "/cgi-bin/user/list": ("GET", self._list_users),
            "/cgi-bin/user/get": ("GET", self._get_user),
            "/cgi-bin/auth/getuserinfo": ("GET", self._get_user_info),
        }

    # Scripting ---------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything: corps, tokens, recorded calls, scripted faults."""
        with self._lock:
            self._corps: dict[str, _Corp] = {}
            self._tokens: dict[str, tuple[str, str, float]] = {}  # token -> (corp, app, expires at)
            self._issued: dict[tuple[str, str], str] = {}  # (corp, app) -> its current token
            self._calls: list[dict[str, Any]] = []
            self._faults: dict[str, list[tuple[int | None, int | None]]] = {}
            self._emitted: list[dict[str, Any]] = []

    def corp(self, corp_id: str) -> _Corp:
        with self._lock:
            return self._corps.setdefault(corp_id, _Corp(corp_id))

    def register_app(self, corp_id: str, app: str, secret: str) -> None:
        """The corp's ``app`` has ``secret``; from now on the corp refuses secrets it does not have."""
        with self._lock:
            corp = self.corp(corp_id)
            corp.apps = {s: a for s, a in corp.apps.items() if a != app}
            corp.apps[secret] = app
            corp.strict = True

    def fail_next(
        self, path: str, errcode: int | None = None, times: int = 1, *, http_status: int | None = None
    ) -> None:
        """The next ``times`` calls of ``path`` answer ``errcode`` (or fail with ``http_status``)."""
        if (errcode is None) == (http_status is None):
            raise ValueError("give exactly one of errcode and http_status")
        with self._lock:
            self._faults.setdefault(_path(path), []).extend([(errcode, http_status)] * times)

    def script_department(self, corp_id: str, department_id: int, name: str, parent_id: int = 1) -> dict[str, Any]:
        with self._lock:
            corp = self.corp(corp_id)
            department = {"id": department_id, "name": name, "parentid": 0 if department_id == 1 else parent_id}
            department["order"] = 100_000_000 - department_id
            corp.departments[department_id] = department
            return dict(department)

    def script_staff(
        self,
        corp_id: str,
        userid: str,
        name: str,
        department_ids: list[int] | None = None,
        status: int = ACTIVE,
        *,
        is_leader_in_dept: list[int] | None = None,
        position: str = "",
    ) -> dict[str, Any]:
        """A member (status 1 active, 2 disabled, 4 not activated, 5 departed); missing departments
        are created (department 1 is the root)."""
        departments = list(department_ids or [1])
        with self._lock:
            corp = self.corp(corp_id)
            for department_id in [1, *departments]:
                if department_id not in corp.departments:
                    self.script_department(
                        corp_id, department_id, "总部" if department_id == 1 else f"部门{department_id}"
                    )
            leaders = list(is_leader_in_dept or [0] * len(departments))
            if len(leaders) != len(departments):
                raise ValueError("is_leader_in_dept has one 0/1 per department")
            user = {
                "userid": userid,
                "name": name,
                "department": departments,
                "is_leader_in_dept": leaders,
                "main_department": departments[0],
                "position": position,
                "status": status,
            }
            corp.users[userid] = user
            return dict(user)

    def script_customer(
        self,
        corp_id: str,
        external_userid: str,
        name: str,
        unionid: str | None = None,
        *,
        avatar: str = "",
        gender: int = 0,
        customer_type: int = 1,
    ) -> dict[str, Any]:
        """A customer (type 1 WeChat user, 2 WeCom user); who follows them is set by ``customer_adds``."""
        with self._lock:
            customer: dict[str, Any] = {
                "external_userid": external_userid,
                "name": name,
                "type": customer_type,
                "avatar": avatar,
                "gender": gender,
            }
            if unionid:
                customer["unionid"] = unionid
            self.corp(corp_id).customers[external_userid] = customer
            return dict(customer)

    def script_group(
        self,
        corp_id: str,
        chat_id: str,
        name: str,
        owner: str,
        members: list[str] | None = None,
        *,
        admins: list[str] | None = None,
    ) -> dict[str, Any]:
        """A customer group owned by ``owner``; ``members`` are userids or external_userids (the
        fake tells them apart by whether the corp has such a member)."""
        with self._lock:
            corp = self.corp(corp_id)
            now = int(clock.now_epoch())
            group: dict[str, Any] = {
                "chat_id": chat_id,
                "name": name,
                "owner": owner,
                "create_time": now,
                "notice": "",
                "member_list": [],
                "admin_list": [{"userid": admin} for admin in admins or []],
                "status": 0,
            }
            corp.groups[chat_id] = group
            for member in dict.fromkeys([owner, *(members or [])]):
                group["member_list"].append(self._member(corp, member, now, owner))
            group["member_version"] = secrets.token_hex(8)
            return copy.deepcopy(group)

    def _member(self, corp: _Corp, member: str, now: int, invitor: str) -> dict[str, Any]:
        staff = member in corp.users
        entry: dict[str, Any] = {
            "userid": member,
            "type": 1 if staff else 2,
            "join_time": now,
            "join_scene": 1,
            "invitor": {"userid": invitor},
            "group_nickname": "",
            "name": corp.users[member]["name"] if staff else corp.customers.get(member, {}).get("name", member),
        }
        if not staff and corp.customers.get(member, {}).get("unionid"):
            entry["unionid"] = corp.customers[member]["unionid"]
        return entry

    def issue_login_code(self, corp_id: str, userid: str) -> str:
        """A WeCom web-login code for ``userid`` (what the QR sign-in redirects with): single use, 5 min."""
        with self._lock:
            corp = self.corp(corp_id)
            code = f"login-{secrets.token_urlsafe(12)}"
            corp.login_codes[code] = {"userid": userid, "expires_at": clock.now_epoch() + LOGIN_CODE_SECONDS}
            return code

    def issue_welcome_code(self, corp_id: str, userid: str, external_userid: str) -> str:
        """A WelcomeCode for an add (single use, 20 s of business time)."""
        code = f"welcome-{secrets.token_urlsafe(12)}"
        self._register_welcome_code(corp_id, code, userid, external_userid)
        return code

    def _register_welcome_code(self, corp_id: str, code: str, userid: str, external_userid: str) -> None:
        with self._lock:
            self.corp(corp_id).welcome_codes[code] = {
                "userid": userid,
                "external_userid": external_userid,
                "expires_at": clock.now_epoch() + WELCOME_CODE_SECONDS,
                "used": False,
            }

    # Relationship changes (each returns the callback fields WeCom would send) -----------------
    @staticmethod
    def _event_fields(corp_id: str, event: str, change_type: str, **fields: str | None) -> dict[str, str]:
        base = {
            "ToUserName": corp_id,
            "FromUserName": "sys",
            "CreateTime": str(int(clock.now_epoch())),
            "MsgType": "event",
            "Event": event,
            "ChangeType": change_type,
        }
        return base | {key: value for key, value in fields.items() if value is not None}

    def customer_adds(
        self,
        corp_id: str,
        userid: str,
        external_userid: str,
        *,
        state: str | None = None,
        welcome: bool = True,
        add_way: int | None = None,
        half: bool = False,
    ) -> dict[str, str]:
        """The customer adds ``userid`` (through a contact way when ``state`` is given): the
        relationship exists, and the add_external_contact (or add_half_external_contact) fields."""
        with self._lock:
            corp = self.corp(corp_id)
            if corp.users.get(userid, {}).get("status") != ACTIVE:
                raise ValueError(f"{userid} is not an active member of {corp_id}")
            if external_userid not in corp.customers:
                self.script_customer(corp_id, external_userid, f"客户{external_userid[-4:]}")
            corp.follows[(userid, external_userid)] = {
                "userid": userid,
                "remark": "",
                "description": "",
                "createtime": int(clock.now_epoch()),
                "tags": [],
                "state": state,
                "add_way": add_way if add_way is not None else (1 if state else 0),
                "oper_userid": external_userid,
            }
            code = self.issue_welcome_code(corp_id, userid, external_userid) if welcome else None
            change = "add_half_external_contact" if half else "add_external_contact"
            return self._event_fields(
                corp_id,
                "change_external_contact",
                change,
                UserID=userid,
                ExternalUserID=external_userid,
                State=state,
                WelcomeCode=code,
            )

    def customer_scans(
        self, corp_id: str, config_id: str, external_userid: str, userid: str | None = None
    ) -> dict[str, str]:
        """The customer scans a contact way's QR code and adds one of its members (the first, or ``userid``)."""
        with self._lock:
            way = self.corp(corp_id).contact_ways.get(config_id)
            if way is None:
                raise ValueError(f"no contact way {config_id} in {corp_id}")
            chosen = userid or way["user"][0]
            if chosen not in way["user"]:
                raise ValueError(f"{chosen} does not serve contact way {config_id}")
            return self.customer_adds(corp_id, chosen, external_userid, state=way.get("state") or None)

    def customer_deletes_staff(self, corp_id: str, userid: str, external_userid: str) -> dict[str, str]:
        """The customer removes ``userid`` (流失): del_follow_user."""
        with self._lock:
            self.corp(corp_id).follows.pop((userid, external_userid), None)
            return self._event_fields(
                corp_id, "change_external_contact", "del_follow_user", UserID=userid, ExternalUserID=external_userid
            )

    def staff_deletes_customer(self, corp_id: str, userid: str, external_userid: str) -> dict[str, str]:
        """``userid`` removes the customer: del_external_contact."""
        with self._lock:
            self.corp(corp_id).follows.pop((userid, external_userid), None)
            return self._event_fields(
                corp_id,
                "change_external_contact",
                "del_external_contact",
                UserID=userid,
                ExternalUserID=external_userid,
            )

    # ==== Customer group changes (the groups section: each returns the change_external_chat
    # fields WeCom would send; MemChangeList is given as its userids joined by commas) ==========
    def _group_fields(self, corp_id: str, chat_id: str, change_type: str, **fields: str | None) -> dict[str, str]:
        return self._event_fields(corp_id, "change_external_chat", change_type, ChatId=chat_id, **fields)

    def _scripted_group(self, corp_id: str, chat_id: str) -> dict[str, Any]:
        group = self.corp(corp_id).groups.get(chat_id)
        if group is None:
            raise ValueError(f"no group {chat_id} in {corp_id}")
        return group

    def group_created(self, corp_id: str, chat_id: str) -> dict[str, str]:
        """The create callback of a group scripted with ``script_group``."""
        with self._lock:
            self._scripted_group(corp_id, chat_id)
            return self._group_fields(corp_id, chat_id, "create")

    def group_members_change(
        self, corp_id: str, chat_id: str, members: list[str], *, joined: bool, scene: int | None = None
    ) -> dict[str, str]:
        """``members`` join (JoinScene ``scene``, default 3: by the group's QR code) or leave
        (QuitScene, default 0: left by themselves): add_member / del_member with the member diff."""
        with self._lock:
            corp = self.corp(corp_id)
            group = self._scripted_group(corp_id, chat_id)
            present = {member["userid"] for member in group["member_list"]}
            now = int(clock.now_epoch())
            if joined:
                changed = [member for member in dict.fromkeys(members) if member not in present]
                for member in changed:
                    entry = self._member(corp, member, now, group["owner"])
                    entry["join_scene"] = 3 if scene is None else scene
                    group["member_list"].append(entry)
            else:
                changed = [member for member in dict.fromkeys(members) if member in present]
                group["member_list"] = [m for m in group["member_list"] if m["userid"] not in changed]
            before, group["member_version"] = group["member_version"], secrets.token_hex(8)
            scenes = {"JoinScene": str(scene if scene is not None else 3), "QuitScene": "0"}
            if not joined:
                scenes = {"JoinScene": "0", "QuitScene": str(scene if scene is not None else 0)}
            return self._group_fields(
                corp_id,
                chat_id,
                "update",
                UpdateDetail="add_member" if joined else "del_member",
                **scenes,
                MemChangeCnt=str(len(changed)),
                MemChangeList=",".join(changed),
                LastMemVer=before,
                CurMemVer=group["member_version"],
            )

    def group_details_change(
        self, corp_id: str, chat_id: str, *, owner: str | None = None, name: str | None = None
    ) -> dict[str, str]:
        """A new owner (change_owner) or name (change_name): WeCom says which, not the new value."""
        with self._lock:
            group = self._scripted_group(corp_id, chat_id)
            if owner is not None:
                group["owner"] = owner
                if owner not in {member["userid"] for member in group["member_list"]}:
                    group["member_list"].append(self._member(self.corp(corp_id), owner, int(clock.now_epoch()), owner))
            if name is not None:
                group["name"] = name
            detail = "change_owner" if owner is not None else "change_name"
            return self._group_fields(corp_id, chat_id, "update", UpdateDetail=detail)

    def group_dismissed(self, corp_id: str, chat_id: str) -> dict[str, str]:
        """The owner dismisses the group: WeCom forgets it (groupchat/get answers 40050)."""
        with self._lock:
            self.corp(corp_id).groups.pop(chat_id, None)
            return self._group_fields(corp_id, chat_id, "dismiss")

    # ==== end of the customer group changes ======================================================

    # Reading what happened ---------------------------------------------------------------------
    def calls(self, corp_id: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """Recorded calls, oldest first (``path`` with or without ``/cgi-bin``)."""
        wanted = _path(path) if path else None
        with self._lock:
            return [
                copy.deepcopy(call)
                for call in self._calls
                if (corp_id is None or call["corp_id"] == corp_id) and (wanted is None or call["path"] == wanted)
            ]

    def welcomes(self, corp_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self.corp(corp_id).welcomes)

    def app_messages(self, corp_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self.corp(corp_id).app_messages)

    def follow_users(self, corp_id: str, external_userid: str) -> list[str]:
        """Who has the customer now (after any transfer that is due)."""
        with self._lock:
            corp = self.corp(corp_id)
            self._settle(corp)
            return sorted(userid for userid, external in corp.follows if external == external_userid)

    # The transport -----------------------------------------------------------------------------
    def send(self, method: str, path: str, query: Mapping[str, str], body: Mapping[str, Any] | None) -> dict[str, Any]:
        with self._lock:
            query = dict(query)
            payload = json.loads(json.dumps(body)) if body is not None else {}
            record: dict[str, Any] = {
                "method": method,
                "path": path,
                "corp_id": query.get("corpid"),
                "app": None,
                "query": {k: v for k, v in query.items() if k not in HIDDEN_QUERY},
                "body": copy.deepcopy(payload),
                "at": clock.now_rfc3339(),
            }
            self._calls.append(record)
            del self._calls[:-MAX_RECORDED_CALLS]
            if path == "/cgi-bin/gettoken":
                answer = self._gettoken(method, query, record)
            else:
                answer = self._serve(method, path, query, payload, record)
            record["errcode"] = answer.get("errcode", 0)
            return copy.deepcopy(answer)

    def _fault(self, path: str, record: dict[str, Any]) -> dict[str, Any] | None:
        pending = self._faults.get(path)
        if not pending:
            return None
        errcode, status = pending.pop(0)
        if status is not None:
            record["errcode"] = None
            record["http_status"] = status
            raise TransientFailure(f"WeCom answered HTTP {status} to {path}.", status)
        return _answer(int(errcode or 0))

    def _gettoken(self, method: str, query: dict[str, str], record: dict[str, Any]) -> dict[str, Any]:
        faulted = self._fault("/cgi-bin/gettoken", record)
        if faulted is not None:
            return faulted
        corp_id = query.get("corpid", "")
        refused, app = self._app_of_secret(method, corp_id, query.get("corpsecret", ""))
        if refused:
            return _answer(refused)
        record["app"] = app
        now = clock.now_epoch()
        current = self._issued.get((corp_id, app))
        if current is not None and self._tokens.get(current, ("", "", 0.0))[2] > now:
            remaining = int(self._tokens[current][2] - now)  # the same token, its remaining lifetime
            return _answer(0, access_token=current, expires_in=max(1, remaining))
        token = f"fake-token-{secrets.token_urlsafe(24)}"
        self._tokens[token] = (corp_id, app, now + TOKEN_SECONDS)
        self._issued[(corp_id, app)] = token
        return _answer(0, access_token=token, expires_in=TOKEN_SECONDS)

    def _app_of_secret(self, method: str, corp_id: str, secret: str) -> tuple[int, str]:
        """(errcode, app): which app of the corp ``secret`` belongs to, or why it is refused."""
        if method != "GET":
            return 43001, ""
        if not corp_id:
            return 40013, ""
        corp = self.corp(corp_id)
        if secret and secret not in corp.apps and self.secret_source is not None:
            known = self.secret_source(corp_id)  # what the corp's admin configured (a changed secret too)
            for app_name, app_secret in (known or {}).items():
                self.register_app(corp_id, app_name, app_secret)
        app = corp.apps.get(secret)
        if app is None and (corp.strict or not secret):
            return 40001, ""
        if app is None:
            app = corp.apps[secret] = f"app{len(corp.apps) + 1}"  # learned on first use
        return 0, app

    def _serve(
        self, method: str, path: str, query: dict[str, str], body: dict[str, Any], record: dict[str, Any]
    ) -> dict[str, Any]:
        endpoint = self._endpoints.get(path)
        if endpoint is None:
            raise LookupError(f"the fake WeCom does not implement {method} {path}")
        token = query.get("access_token")
        known = self._tokens.get(token or "")
        if known is not None:
            record["corp_id"], record["app"] = known[0], known[1]
        faulted = self._fault(path, record)
        if faulted is not None:
            return faulted
        expected, handler = endpoint
        refused = self._refusal(method, expected, path, token, known)
        if refused or known is None:
            return _answer(refused or 40014)
        corp_id, app, _ = known
        corp = self.corp(corp_id)
        self._settle(corp)
        return handler(corp, app, query, body)

    @staticmethod
    def _refusal(method: str, expected: str, path: str, token: str | None, known: tuple[str, str, float] | None) -> int:
        """Why WeCom refuses the call before reading it (0: it does not)."""
        if not token:
            return 41001
        if known is None:
            return 40014
        if known[2] <= clock.now_epoch():
            return 42001
        if method != expected:
            return 43001 if expected == "GET" else 43002
        allowed = APPS_FOR.get(path.split("/")[2])
        if allowed is not None and known[1] in {"contact", "agent", "directory"} and known[1] not in allowed:
            return 48002
        return 0

    # Endpoints ---------------------------------------------------------------------------------
    def _get_external_contact(
        self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]
    ) -> dict[str, Any]:
        external_userid = query.get("external_userid", "")
        follows = [dict(f) for (userid, external), f in sorted(corp.follows.items()) if external == external_userid]
        customer = corp.customers.get(external_userid)
        if customer is None or not follows:
            return _answer(84061, follow_user=[])
        start = int(query.get("cursor") or 0)
        page = follows[start : start + FOLLOW_PAGE]
        for entry in page:
            if entry.get("state") is None:
                entry.pop("state", None)
        more = start + FOLLOW_PAGE < len(follows)
        return _answer(
            0, external_contact=dict(customer), follow_user=page, next_cursor=str(start + FOLLOW_PAGE) if more else ""
        )

    def _list_external_contacts(
        self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]
    ) -> dict[str, Any]:
        userid = query.get("userid", "")
        if userid not in corp.users:
            return _answer(60111)
        found = sorted(external for staff, external in corp.follows if staff == userid)
        return _answer(0, external_userid=found) if found else _answer(84061, external_userid=[])

    def _send_welcome_msg(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        code = str(body.get("welcome_code") or "")
        issued = corp.welcome_codes.get(code)
        attachments = body.get("attachments") or []
        text = (body.get("text") or {}).get("content")
        if issued is None or (not text and not attachments) or len(attachments) > WELCOME_ATTACHMENTS:
            return _answer(40058)
        if issued["used"] or issued["expires_at"] <= clock.now_epoch():
            return _answer(41051)
        issued["used"] = True
        corp.welcomes.append(
            {
                "userid": issued["userid"],
                "external_userid": issued["external_userid"],
                "text": text,
                "attachments": attachments,
                "at": clock.now_rfc3339(),
            }
        )
        return _answer(0)

    def _active_users(self, corp: _Corp, users: Any) -> bool:
        return isinstance(users, list) and all(corp.users.get(str(u), {}).get("status") == ACTIVE for u in users)

    def _add_contact_way(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        users = body.get("user") or []
        state = body.get("state")
        if body.get("type") not in (1, 2) or body.get("scene") not in (1, 2):
            return _answer(40058)
        if (
            (body["type"] == 1 and len(users) != 1)
            or not users
            or (state is not None and len(str(state)) > STATE_MAX_CHARS)
        ):
            return _answer(40058)
        if not self._active_users(corp, users):
            return _answer(60111)
        config_id = f"cw-{next(self._ids):06d}-{secrets.token_hex(4)}"
        way = {
            "config_id": config_id,
            "type": body["type"],
            "scene": body["scene"],
            "state": state or "",
            "user": list(users),
            "remark": body.get("remark", ""),
            "skip_verify": body.get("skip_verify", True),
            "qr_code": _qr_image(config_id),
        }
        corp.contact_ways[config_id] = way
        return _answer(0, config_id=config_id, qr_code=way["qr_code"])

    def _update_contact_way(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        way = corp.contact_ways.get(str(body.get("config_id") or ""))
        if way is None:
            return _answer(40058)
        if "user" in body:
            if not body["user"] or (way["type"] == 1 and len(body["user"]) != 1):
                return _answer(40058)
            if not self._active_users(corp, body["user"]):
                return _answer(60111)
            way["user"] = list(body["user"])
        for name in ("remark", "skip_verify", "state"):
            if name in body:
                way[name] = body[name]
        return _answer(0)

    def _transfer(self, corp: _Corp, body: dict[str, Any], departed: bool) -> dict[str, Any]:
        handover, takeover = str(body.get("handover_userid") or ""), str(body.get("takeover_userid") or "")
        customers = body.get("external_userid")
        if not isinstance(customers, list) or not customers or len(customers) > TRANSFER_BATCH:
            return _answer(40058)
        if handover not in corp.users or takeover not in corp.users:
            return _answer(60111)
        if (corp.users[handover]["status"] == DEPARTED) != departed or corp.users[takeover]["status"] != ACTIVE:
            return _answer(40003)
        now = clock.now_epoch()
        outcomes = []
        for external in map(str, customers):
            history = [t for t in corp.transfers if t["external_userid"] == external]
            if (handover, external) not in corp.follows:
                code = 84061
            elif any(t["status"] == 2 for t in history):
                code = 40129
            elif (
                not departed
                and sum(1 for t in history if not t["departed"] and t["at"] > now - TRANSFER_WINDOW_SECONDS)
                >= TRANSFERS_PER_WINDOW
            ):
                code = 40128
            else:
                code = 0
                corp.transfers.append(
                    {
                        "handover": handover,
                        "takeover": takeover,
                        "external_userid": external,
                        "departed": departed,
                        "at": now,
                        "status": 2,
                        "takeover_time": 0,
                    }
                )
            outcomes.append({"external_userid": external, "errcode": code})
        return _answer(0, customer=outcomes)

    def _transfer_in_service(
        self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]
    ) -> dict[str, Any]:
        return self._transfer(corp, body, departed=False)

    def _transfer_departed(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        return self._transfer(corp, body, departed=True)

    def _settle(self, corp: _Corp) -> None:
        """Transfers 24 h old complete: the customer moves from the handover to the takeover."""
        now = clock.now_epoch()
        for transfer in corp.transfers:
            if transfer["status"] != 2 or transfer["at"] + TAKEOVER_SECONDS > now:
                continue
            transfer["status"] = 1
            transfer["takeover_time"] = int(transfer["at"] + TAKEOVER_SECONDS)
            previous = corp.follows.pop((transfer["handover"], transfer["external_userid"]), None)
            if previous is not None:
                corp.follows[(transfer["takeover"], transfer["external_userid"])] = {
                    **previous,
                    "userid": transfer["takeover"],
                    "createtime": transfer["takeover_time"],
                    "add_way": 202 if transfer["departed"] else 201,  # 离职继承 / 在职继承 (allocated)
                    "oper_userid": transfer["takeover"],
                }

    def _result(self, corp: _Corp, body: dict[str, Any], departed: bool) -> dict[str, Any]:
        handover, takeover = str(body.get("handover_userid") or ""), str(body.get("takeover_userid") or "")
        if not handover or not takeover:
            return _answer(40058)
        rows = [
            {"external_userid": t["external_userid"], "status": t["status"], "takeover_time": t["takeover_time"]}
            for t in corp.transfers
            if t["handover"] == handover and t["takeover"] == takeover and t["departed"] == departed
        ]
        start = int(body.get("cursor") or 0)
        more = start + RESULT_PAGE < len(rows)
        return _answer(
            0, customer=rows[start : start + RESULT_PAGE], next_cursor=str(start + RESULT_PAGE) if more else ""
        )

    def _result_in_service(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        return self._result(corp, body, departed=False)

    def _result_departed(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        return self._result(corp, body, departed=True)

    def _list_groups(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        limit = body.get("limit")
        if not isinstance(limit, int) or not 1 <= limit <= GROUPS_PAGE_MAX:
            return _answer(40058)
        chats = sorted(corp.groups)
        start = int(body.get("cursor") or 0)
        page = [{"chat_id": chat, "status": 0} for chat in chats[start : start + limit]]
        more = start + limit < len(chats)
        return _answer(0, group_chat_list=page, next_cursor=str(start + limit) if more else "")

    def _get_group(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        group = corp.groups.get(str(body.get("chat_id") or ""))
        if group is None:
            return _answer(40050)
        shown = {key: copy.deepcopy(value) for key, value in group.items() if key != "status"}
        if not body.get("need_name"):
            for member in shown["member_list"]:
                member.pop("name", None)
        return _answer(0, group_chat=shown)

    def _transfer_groups(self, corp: _Corp, body: dict[str, Any], departed: bool) -> dict[str, Any]:
        chats, new_owner = body.get("chat_id_list"), str(body.get("new_owner") or "")
        if not isinstance(chats, list) or not 1 <= len(chats) <= TRANSFER_BATCH:
            return _answer(40058)
        if new_owner not in corp.users:
            return _answer(60111)
        if corp.users[new_owner]["status"] != ACTIVE:
            return _answer(40003)
        failed = []
        for chat_id in dict.fromkeys(map(str, chats)):
            group = corp.groups.get(chat_id)
            owner_left = group is not None and corp.users.get(group["owner"], {}).get("status") == DEPARTED
            if group is None:
                code = 90501
            elif group["owner"] == new_owner:
                code = 90504
            elif departed and not owner_left:
                code = 90500
            elif not departed and owner_left:
                code = 90502
            else:
                code = 0
                group["owner"] = new_owner
                if new_owner not in {member["userid"] for member in group["member_list"]}:
                    group["member_list"].append(self._member(corp, new_owner, int(clock.now_epoch()), new_owner))
                    group["member_version"] = secrets.token_hex(8)
            if code:
                failed.append({"chat_id": chat_id, "errcode": code, "errmsg": ERRMSG[code]})
        return _answer(0, failed_chat_list=failed)

    def _transfer_groups_departed(
        self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]
    ) -> dict[str, Any]:
        return self._transfer_groups(corp, body, departed=True)

    def _transfer_groups_in_service(
        self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]
    ) -> dict[str, Any]:
        return self._transfer_groups(corp, body, departed=False)

    def _send_app_message(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(body.get("agentid"), int):
            return _answer(41011)
        users = [u for u in str(body.get("touser") or "").split("|") if u]
        invalid = [u for u in users if corp.users.get(u, {}).get("status") not in (ACTIVE, NOT_ACTIVATED)]
        if not users or len(invalid) == len(users):
            return _answer(81013, invaliduser="|".join(invalid))
        content = (body.get("text") or {}).get("content", "")
        corp.app_messages.append(
            {"to": [u for u in users if u not in invalid], "text": content, "at": clock.now_rfc3339()}
        )
        return _answer(0, invaliduser="|".join(invalid), msgid=f"msg-{next(self._ids)}")

    def _list_departments(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        root = query.get("id")
        departments = [dict(d) for _, d in sorted(corp.departments.items())]
        if root:
            wanted = {int(root)}
            for department in departments:  # parents come first: ids are created parent first
                if department["parentid"] in wanted:
                    wanted.add(department["id"])
            departments = [d for d in departments if d["id"] in wanted]
        leaders = {
            d: [
                u["userid"]
                for u in corp.users.values()
                if d in u["department"] and u["is_leader_in_dept"][u["department"].index(d)]
            ]
            for d in corp.departments
        }
        for department in departments:
            department["department_leader"] = leaders.get(department["id"], [])
        return _answer(0, department=departments)

    def _list_users(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        try:
            department_id = int(query.get("department_id", ""))
        except ValueError:
            return _answer(60123)
        if department_id not in corp.departments:
            return _answer(60123)
        users = [dict(u) for _, u in sorted(corp.users.items()) if department_id in u["department"]]
        return _answer(0, userlist=users)

    def _get_user(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        user = corp.users.get(query.get("userid", ""))
        return _answer(60111) if user is None else _answer(0, **dict(user))

    def _get_user_info(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        issued = corp.login_codes.pop(query.get("code", ""), None)  # single use
        if issued is None or issued["expires_at"] <= clock.now_epoch():
            return _answer(40029)
        return _answer(0, userid=issued["userid"])

    # Callbacks ---------------------------------------------------------------------------------
    def callback(
        self,
        tenant_id: str,
        corp_id: str,
        token: str,
        encoding_aes_key: str,
        fields: Mapping[str, str],
        *,
        timestamp: str | None = None,
        nonce: str | None = None,
    ) -> tuple[dict[str, str], str]:
        """The query (``msg_signature``, ``timestamp``, ``nonce``) and XML body of the callback
        WeCom would post for ``fields`` (``ToUserName``, ``FromUserName``, ``CreateTime`` and
        ``MsgType`` are filled in when absent). A ``WelcomeCode`` in the fields becomes usable."""
        from shared import wecom_crypto

        message = plaintext(corp_id, fields)
        body, encrypted = wecom_crypto.callback_body(encoding_aes_key, corp_id, message)
        signed_at = timestamp or str(int(time.time()))  # the door checks it against the real clock
        once = nonce or secrets.token_hex(8)
        query = {
            "msg_signature": wecom_crypto.signature(token, signed_at, once, encrypted),
            "timestamp": signed_at,
            "nonce": once,
        }
        code = fields.get("WelcomeCode")
        with self._lock:
            if code and code not in self.corp(corp_id).welcome_codes:
                self._register_welcome_code(corp_id, code, fields.get("UserID", ""), fields.get("ExternalUserID", ""))
            self._emitted.append(
                {"tenant_id": tenant_id, "corp_id": corp_id, "fields": dict(fields), "at": clock.now_rfc3339()}
            )
        return query, body


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def plaintext(corp_id: str, fields: Mapping[str, str]) -> str:
    """The callback's plaintext ``<xml>``: each field an element (CDATA text; digits bare, as
    WeCom writes ``CreateTime``)."""
    complete = {
        "ToUserName": corp_id,
        "FromUserName": "sys",
        "CreateTime": str(int(clock.now_epoch())),
        "MsgType": "event",
        **fields,
    }
    parts = []
    for name, value in complete.items():
        if not name.isidentifier() or not name.isascii():
            raise ValueError(f"{name!r} is not an XML element name")
        text = str(value)
        parts.append(f"<{name}>{text if text.isdigit() and name.endswith('Time') else _cdata(text)}</{name}>")
    return "<xml>" + "".join(parts) + "</xml>"


FAKE = FakeWeCom()


def configured_secrets(corp_id: str) -> Mapping[str, str] | None:
    """The app secrets a tenant of the local stack configured for ``corp_id`` (``PUT /v1/wecom/settings``)."""
    from services.wecom.dal.settings import credentials, owner_of_corp

    tenant_id = owner_of_corp(corp_id)
    found = credentials(tenant_id, corp_id, refresh=True) if tenant_id else None
    return dict(found.secrets) if found is not None else None


def install() -> FakeWeCom:
    """Route this process's WeCom requests to the fake (the local stack does, at start): it knows
    each corp's app secrets from the tenants' WeCom settings, so a wrong secret is refused (40001)
    and every call is recorded under its app's name."""
    FAKE.secret_source = configured_secrets
    use_transport(FAKE)
    return FAKE


# Local-only HTTP routes --------------------------------------------------------------------------
DEV = "/v1/dev/wecom"
FAKE_WECOM_SERVICE = Service(
    name="dev-wecom",
    api_handler="local.fake_wecom.handler",
    routes=(
        Route("GET", f"{DEV}/calls", "public", local_only=True),
        Route("POST", f"{DEV}/customers", "public", local_only=True),
        Route("POST", f"{DEV}/staff", "public", local_only=True),
        Route("POST", f"{DEV}/departments", "public", local_only=True),
        Route("POST", f"{DEV}/groups", "public", local_only=True),
        Route("POST", f"{DEV}/faults", "public", local_only=True),
        Route("POST", f"{DEV}/reset", "public", local_only=True),
        Route("POST", f"{DEV}/login-codes", "public", local_only=True),
        Route("POST", f"{DEV}/callbacks", "public", local_only=True),
        Route("POST", f"{DEV}/relationships", "public", local_only=True),
        Route("POST", f"{DEV}/group-changes", "public", local_only=True),  # the groups section
        Route("GET", f"{DEV}/mass-messages", "public", local_only=True),  # the mass messages section
        Route("POST", f"{DEV}/mass-messages/{{msgid}}/confirm", "public", local_only=True),
    ),
)
api = ServiceApi(FAKE_WECOM_SERVICE)

Text = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CustomerIn(_Body):
    corp_id: Text
    external_userid: Text
    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    unionid: Text | None = None
    avatar: Annotated[str, StringConstraints(max_length=512)] = ""
    gender: int = Field(default=0, ge=0, le=2)
    type: int = Field(default=1, ge=1, le=2)


class StaffIn(_Body):
    corp_id: Text
    userid: Text
    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    department_ids: list[int] = Field(default_factory=lambda: [1], min_length=1, max_length=20)
    status: Literal[1, 2, 4, 5] = 1
    is_leader_in_dept: list[Literal[0, 1]] | None = None
    position: Annotated[str, StringConstraints(max_length=64)] = ""


class DepartmentIn(_Body):
    corp_id: Text
    id: int = Field(ge=1)
    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    parentid: int = Field(default=1, ge=0)


class GroupIn(_Body):
    corp_id: Text
    chat_id: Text
    name: Annotated[str, StringConstraints(max_length=64)] = ""
    owner: Text
    members: list[Text] = Field(default_factory=list, max_length=2000)
    admins: list[Text] = Field(default_factory=list, max_length=3)


class FaultIn(_Body):
    path: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    errcode: int | None = None
    http_status: int | None = Field(default=None, ge=400, le=599)
    times: int = Field(default=1, ge=1, le=100)


class LoginCodeIn(_Body):
    corp_id: Text
    userid: Text


class CallbackIn(_Body):
    tenant_id: Text
    corp_id: Text | None = None
    fields: dict[
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")],  # an XML element name
        Annotated[str, StringConstraints(max_length=2048)],
    ] = Field(max_length=48)
    timestamp: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}$")] | None = None
    nonce: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class RelationshipIn(_Body):
    """A change of a friendship, as WeCom would report it: ``add`` (through a contact way when
    ``config_id`` is given, else directly; ``state`` optional), ``customer_deletes`` (流失) or
    ``staff_deletes``."""

    tenant_id: Text
    corp_id: Text | None = None
    action: Literal["add", "customer_deletes", "staff_deletes"]
    external_userid: Text
    userid: Text | None = None
    config_id: Text | None = None
    state: Annotated[str, StringConstraints(max_length=30)] | None = None
    welcome: bool = True


class Delivered(BaseModel):
    status: int = Field(description="What the stack's callback route answered.")
    body: str
    fields: dict[str, str] = Field(default_factory=dict)


def _local_only() -> None:
    if not get_settings().is_local:
        raise NotFound("No such route.")


def _unprocessable(error: ValueError, loc: str) -> Unprocessable:
    return Unprocessable(str(error), [{"loc": ["body", loc], "msg": str(error)}])


@api.route(f"GET {DEV}/calls", errors=(404,))
def read_calls(
    corp_id: Annotated[str | None, Query(max_length=128)] = None,
    path: Annotated[str | None, Query(max_length=128)] = None,
) -> dict[str, Any]:
    """Local stack only: the calls the fake WeCom received, oldest first."""
    _local_only()
    return {"calls": FAKE.calls(corp_id, path)}


@api.route(f"POST {DEV}/customers", errors=(404,))
def add_customer(body: CustomerIn) -> dict[str, Any]:
    """Local stack only: a WeCom customer (external contact)."""
    _local_only()
    return FAKE.script_customer(
        body.corp_id,
        body.external_userid,
        body.name,
        body.unionid,
        avatar=body.avatar,
        gender=body.gender,
        customer_type=body.type,
    )


@api.route(f"POST {DEV}/staff", errors=(404,))
def add_staff(body: StaffIn) -> dict[str, Any]:
    """Local stack only: a member of the corp's directory."""
    _local_only()
    try:
        return FAKE.script_staff(
            body.corp_id,
            body.userid,
            body.name,
            body.department_ids,
            body.status,
            is_leader_in_dept=list(body.is_leader_in_dept) if body.is_leader_in_dept is not None else None,
            position=body.position,
        )
    except ValueError as error:
        raise _unprocessable(error, "is_leader_in_dept") from None


@api.route(f"POST {DEV}/departments", errors=(404,))
def add_department(body: DepartmentIn) -> dict[str, Any]:
    """Local stack only: a department of the corp."""
    _local_only()
    return FAKE.script_department(body.corp_id, body.id, body.name, body.parentid)


@api.route(f"POST {DEV}/groups", errors=(404,))
def add_group(body: GroupIn) -> dict[str, Any]:
    """Local stack only: a customer group."""
    _local_only()
    return FAKE.script_group(body.corp_id, body.chat_id, body.name, body.owner, body.members, admins=body.admins)


@api.route(f"POST {DEV}/faults", errors=(404,))
def add_fault(body: FaultIn) -> dict[str, Any]:
    """Local stack only: the next calls of a path fail with an errcode or an HTTP status."""
    _local_only()
    try:
        FAKE.fail_next(body.path, body.errcode, body.times, http_status=body.http_status)
    except ValueError as error:
        raise _unprocessable(error, "errcode") from None
    return {"path": _path(body.path), "times": body.times}


@api.route(f"POST {DEV}/reset", errors=(404,))
def reset_fake() -> dict[str, Any]:
    """Local stack only: the fake WeCom forgets everything."""
    _local_only()
    FAKE.reset()
    return {"reset": True}


@api.route(f"POST {DEV}/login-codes", errors=(404,))
def login_code(body: LoginCodeIn) -> dict[str, Any]:
    """Local stack only: a WeCom web-login code for a member (what the QR sign-in redirects with)."""
    _local_only()
    return {"code": FAKE.issue_login_code(body.corp_id, body.userid)}


def _credentials(tenant_id: str, corp_id: str | None) -> Any:
    from services.wecom.dal.settings import credentials

    found = credentials(tenant_id, corp_id)
    if found is None:
        raise Unprocessable(
            "The tenant has no WeCom corp set up (PUT /v1/wecom/settings first).",
            [{"loc": ["body", "tenant_id"], "msg": "no WeCom corp set up"}],
        )
    return found


@cache
def _callback_gateway() -> Any:
    from local.gateway import LocalGateway
    from services.wecom.service import SERVICE

    return LocalGateway((SERVICE,))


def deliver(tenant_id: str, query: Mapping[str, str], body: str) -> tuple[int, str]:
    """Post a callback to the stack's own callback route, in-process; its status and body."""
    target = f"/v1/channels/wecom/{quote(tenant_id, safe='')}/callback?{urlencode(dict(query))}"
    answer = _callback_gateway().handle("POST", target, {"Content-Type": "text/xml"}, body.encode())
    return answer.status, answer.body.decode(errors="replace")


def _emit(
    tenant_id: str,
    corp_id: str | None,
    fields: Mapping[str, str],
    timestamp: str | None = None,
    nonce: str | None = None,
) -> Delivered:
    found = _credentials(tenant_id, corp_id)
    query, body = FAKE.callback(
        tenant_id, found.corp_id, found.token, found.encoding_aes_key, fields, timestamp=timestamp, nonce=nonce
    )
    status, text = deliver(tenant_id, query, body)
    return Delivered(status=status, body=text, fields=dict(fields))


@api.route(f"POST {DEV}/callbacks", errors=(404,))
def send_callback(body: CallbackIn) -> Delivered:
    """Local stack only: WeCom posts the tenant a signed, encrypted callback of these fields."""
    _local_only()
    return _emit(body.tenant_id, body.corp_id, body.fields, body.timestamp, body.nonce)


@api.route(f"POST {DEV}/relationships", errors=(404,))
def change_relationship(body: RelationshipIn) -> Delivered:
    """Local stack only: a customer adds or removes a staff member (or the reverse) in the fake
    WeCom, which then calls the tenant back as WeCom would."""
    _local_only()
    corp_id = _credentials(body.tenant_id, body.corp_id).corp_id
    try:
        if body.action == "add" and body.config_id:
            fields = FAKE.customer_scans(corp_id, body.config_id, body.external_userid, body.userid)
        elif not body.userid:
            raise ValueError("userid is required unless a contact way's config_id chooses the member")
        elif body.action == "add":
            fields = FAKE.customer_adds(
                corp_id, body.userid, body.external_userid, state=body.state, welcome=body.welcome
            )
        elif body.action == "customer_deletes":
            fields = FAKE.customer_deletes_staff(corp_id, body.userid, body.external_userid)
        else:
            fields = FAKE.staff_deletes_customer(corp_id, body.userid, body.external_userid)
    except ValueError as error:
        raise _unprocessable(error, "userid") from None
    return _emit(body.tenant_id, corp_id, fields)


# ==== Customer group changes (the groups section) ================================================
class GroupChangeIn(_Body):
    """A change of a scripted customer group, as WeCom would report it (change_external_chat)."""

    tenant_id: Text
    corp_id: Text | None = None
    chat_id: Text
    action: Literal["create", "join", "leave", "owner", "rename", "dismiss"]
    members: list[Text] = Field(default_factory=list, max_length=200)
    owner: Text | None = None
    name: Annotated[str, StringConstraints(max_length=64)] | None = None
    scene: int | None = Field(default=None, ge=0, le=10)


@api.route(f"POST {DEV}/group-changes", errors=(404,))
def change_group(body: GroupChangeIn) -> Delivered:
    """Local stack only: a customer group changes in the fake WeCom, which then calls the tenant
    back as WeCom would (create, add_member / del_member with the member diff, change_owner,
    change_name, dismiss)."""
    _local_only()
    corp_id = _credentials(body.tenant_id, body.corp_id).corp_id
    try:
        if body.action == "create":
            fields = FAKE.group_created(corp_id, body.chat_id)
        elif body.action in ("join", "leave"):
            joined = body.action == "join"
            fields = FAKE.group_members_change(corp_id, body.chat_id, body.members, joined=joined, scene=body.scene)
        elif body.action == "owner":
            if not body.owner:
                raise ValueError("owner is required to change the owner")
            fields = FAKE.group_details_change(corp_id, body.chat_id, owner=body.owner)
        elif body.action == "rename":
            fields = FAKE.group_details_change(corp_id, body.chat_id, name=body.name or "")
        else:
            fields = FAKE.group_dismissed(corp_id, body.chat_id)
    except ValueError as error:
        raise _unprocessable(error, "chat_id") from None
    return _emit(body.tenant_id, corp_id, fields)


# ==== end of the customer group changes ==========================================================


# ==== Mass messages (企业群发: the mass messages section) =========================================
# ``add_msg_template`` records a task for its sender (recipients, text, attachments, business time)
# and answers its msgid and fail_list: for ``single``, the external_userids who are not the
# sender's customers (the fake's relationships); for ``group``, the named chat ids the sender does
# not own (no chat_id_list: every group the sender owns). 40058 a bad body (no sender, chat_type
# neither single nor group, no recipient or more than 10,000 customers or 2,000 groups, neither
# text nor attachment, more than 9 attachments), 60111 a sender the corp does not know (neither a
# member nor anyone's staff in a relationship).
# A task waits (get_groupmsg_task status 0) until its sender confirms it, as they would in the
# WeCom app: ``POST /v1/dev/wecom/mass-messages/{msgid}/confirm`` (in process: ``MASS.confirm``);
# each recipient's result is then fixed at once (get_groupmsg_send_result): 2 when no longer the
# sender's customer (a group: no longer the sender's), 3 when the fake delivered another 群发 to
# them that business day (Asia/Shanghai: the strictest of WeCom's limits, one a day), else 1.
# WeCom documents no expiry and has no "expired" status: a task simply stays unsent (status 0).
# The fake refuses a confirmation 24 h (business time) after the task was made (409: the staff
# member's task is gone), as Siyu expires it then, and after cancel_groupmsg_send (停止企业群发).
# ``GET /v1/dev/wecom/mass-messages`` lists the tasks asked for, with their content.
MASS_CUSTOMERS_MAX = 10_000
MASS_GROUPS_MAX = 2_000
MASS_ATTACHMENTS_MAX = 9
MASS_PAGE_MAX = 1000
MASS_EXPIRE_SECONDS = 86400
SHANGHAI_SECONDS = 8 * 3600


class MassMessages:
    """The 群发 tasks of one ``FakeWeCom``, per corp; a corp the fake forgot (``reset``) has none."""

    def __init__(self, fake: FakeWeCom) -> None:
        self.fake = fake
        self._by_corp: dict[str, tuple[_Corp, dict[str, dict[str, Any]], dict[tuple[str, int], bool]]] = {}
        fake._endpoints.update(
            {
                "/cgi-bin/externalcontact/add_msg_template": ("POST", self._add),
                "/cgi-bin/externalcontact/get_groupmsg_task": ("POST", self._task),
                "/cgi-bin/externalcontact/get_groupmsg_send_result": ("POST", self._results),
                "/cgi-bin/externalcontact/cancel_groupmsg_send": ("POST", self._cancel),
            }
        )

    def _state(self, corp: _Corp) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, int], bool]]:
        """(tasks by msgid, {(recipient, day): True} of the 群发 delivered) of the corp."""
        held = self._by_corp.get(corp.corp_id)
        if held is None or held[0] is not corp:  # the fake was reset: a new corp object
            held = self._by_corp[corp.corp_id] = (corp, {}, {})
        return held[1], held[2]

    @staticmethod
    def _day(epoch: float) -> int:
        return int((epoch + SHANGHAI_SECONDS) // 86400)

    @staticmethod
    def _customers_of(corp: _Corp, sender: str) -> set[str]:
        return {external for userid, external in corp.follows if userid == sender}

    @staticmethod
    def _groups_of(corp: _Corp, sender: str) -> set[str]:
        return {chat for chat, group in corp.groups.items() if group.get("owner") == sender}

    def _add(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        chat_type, sender = body.get("chat_type", "single"), str(body.get("sender") or "")
        text = (body.get("text") or {}).get("content")
        attachments = body.get("attachments") or []
        single = chat_type == "single"
        named = body.get("external_userid") if single else body.get("chat_id_list")
        if chat_type not in ("single", "group") or not sender or (named is not None and not isinstance(named, list)):
            return _answer(40058)
        targets = [str(item) for item in dict.fromkeys(named or [])]
        if (single and not 0 < len(targets) <= MASS_CUSTOMERS_MAX) or (not single and len(targets) > MASS_GROUPS_MAX):
            return _answer(40058)
        if (not text and not attachments) or len(attachments) > MASS_ATTACHMENTS_MAX:
            return _answer(40058)
        if sender not in corp.users and not any(userid == sender for userid, _ in corp.follows):
            return _answer(60111)
        own = self._customers_of(corp, sender) if single else self._groups_of(corp, sender)
        if not single and named is None:
            targets = sorted(own)
        fail_list = [target for target in targets if target not in own]
        tasks, _ = self._state(corp)
        msgid = f"msg{next(self.fake._ids):06d}{secrets.token_hex(6)}"
        tasks[msgid] = {
            "msgid": msgid,
            "corp_id": corp.corp_id,
            "chat_type": chat_type,
            "sender": sender,
            "recipients": [target for target in targets if target in own],
            "fail_list": fail_list,
            "text": text,
            "attachments": copy.deepcopy(attachments),
            "created_at": clock.now_rfc3339(),
            "created_epoch": clock.now_epoch(),
            "status": "pending",  # pending, confirmed, cancelled
            "send_time": 0,
            "results": {},
        }
        return _answer(0, fail_list=fail_list, msgid=msgid)

    @staticmethod
    def _page(rows: list[dict[str, Any]], body: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
        limit = body.get("limit") or 500
        limit = limit if isinstance(limit, int) and 1 <= limit <= MASS_PAGE_MAX else 500
        start = int(body.get("cursor") or 0)
        more = start + limit < len(rows)
        return rows[start : start + limit], str(start + limit) if more else ""

    def _find(self, corp: _Corp, body: dict[str, Any]) -> dict[str, Any] | None:
        tasks, _ = self._state(corp)
        return tasks.get(str(body.get("msgid") or ""))

    def _task(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        task = self._find(corp, body)
        if task is None:
            return _answer(40058)
        sent = task["status"] == "confirmed"
        rows = [{"userid": task["sender"], "status": 2 if sent else 0, "send_time": task["send_time"]}]
        page, cursor = self._page(rows, body)
        return _answer(0, task_list=page, next_cursor=cursor)

    def _results(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        task = self._find(corp, body)
        if task is None or not body.get("userid"):
            return _answer(40058)
        field_name = "external_userid" if task["chat_type"] == "single" else "chat_id"
        rows = []
        if str(body["userid"]) == task["sender"]:
            for target in task["recipients"]:
                status = task["results"].get(target, 0)
                send_time = task["send_time"] if status == 1 else 0
                rows.append({field_name: target, "userid": task["sender"], "status": status, "send_time": send_time})
        page, cursor = self._page(rows, body)
        return _answer(0, send_list=page, next_cursor=cursor)

    def _cancel(self, corp: _Corp, app: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        task = self._find(corp, body)
        if task is None:
            return _answer(40058)
        if task["status"] == "pending":
            task["status"] = "cancelled"
        return _answer(0)

    # Scripting and the dev routes ----------------------------------------------------------------
    def confirm(self, msgid: str) -> dict[str, Any]:
        """The sender sends the task from the WeCom app: every recipient's result is fixed.
        LookupError: no such task; ValueError: it expired, was cancelled or was sent already."""
        with self.fake._lock:
            for corp, tasks, delivered in self._by_corp.values():
                task = tasks.get(msgid)
                if task is None or self.fake.corp(corp.corp_id) is not corp:
                    continue
                now = clock.now_epoch()
                if task["status"] != "pending":
                    raise ValueError(f"the task is {task['status']} already")
                if now >= task["created_epoch"] + MASS_EXPIRE_SECONDS:
                    raise ValueError("the task expired: it was not sent within 24 h")
                self.fake._settle(corp)
                single = task["chat_type"] == "single"
                own = self._customers_of(corp, task["sender"]) if single else self._groups_of(corp, task["sender"])
                today = self._day(now)
                for target in task["recipients"]:
                    if target not in own:
                        task["results"][target] = 2
                    elif single and delivered.get((target, today)):
                        task["results"][target] = 3
                    else:
                        task["results"][target] = 1
                        delivered[(target, today)] = True
                task["status"], task["send_time"] = "confirmed", int(now)
                return self._shown(task)
        raise LookupError(msgid)

    @staticmethod
    def _shown(task: dict[str, Any]) -> dict[str, Any]:
        shown = copy.deepcopy(task)
        shown.pop("created_epoch")
        return shown

    def listed(self, corp_id: str | None = None, sender: str | None = None) -> list[dict[str, Any]]:
        """The tasks asked for, oldest first."""
        with self.fake._lock:
            found = [
                self._shown(task)
                for corp, tasks, _ in self._by_corp.values()
                if self.fake.corp(corp.corp_id) is corp and corp_id in (None, corp.corp_id)
                for task in tasks.values()
                if sender in (None, task["sender"])
            ]
        return sorted(found, key=lambda task: (str(task["created_at"]), str(task["msgid"])))


MASS = MassMessages(FAKE)
MsgId = Annotated[str, Path(min_length=1, max_length=128)]


@api.route(f"GET {DEV}/mass-messages", errors=(404,))
def read_mass_messages(
    corp_id: Annotated[str | None, Query(max_length=128)] = None,
    sender: Annotated[str | None, Query(max_length=128)] = None,
) -> dict[str, Any]:
    """Local stack only: the 群发 tasks the fake WeCom was asked for, with their content and results."""
    _local_only()
    return {"mass_messages": MASS.listed(corp_id, sender)}


@api.route(f"POST {DEV}/mass-messages/{{msgid}}/confirm", errors=(404, 409))
def confirm_mass_message(msgid: MsgId) -> dict[str, Any]:
    """Local stack only: the sender confirms the 群发 task in the WeCom app, and it is sent."""
    _local_only()
    try:
        return MASS.confirm(msgid)
    except LookupError:
        raise NotFound("No such mass message task.") from None
    except ValueError as error:
        raise Conflict(str(error)) from None


# ==== end of the mass messages ===================================================================


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return api.handle(event, context)
