"""Message templates: their variables checked when saved, filled per recipient when sent.

Syntax (in the fields ``template_models`` names): ``{variable}``, ``{variable|fallback}`` (the
fallback stands in when the contact lacks the value), ``{{`` and ``}}`` for literal braces. An
unknown variable or a lone brace is a 422 naming the field. A variable without a value and
without a fallback is filled with nothing ("").

A template deleted while a scheduled broadcast uses it changes nothing for that broadcast: a
broadcast keeps a copy of the template's content from the moment it is created.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from services.outreach.dal import templates as dal
from services.outreach.dal.table import table
from services.outreach.models import Channel, ContactFacts
from services.outreach.template_models import (
    MAX_TEXT,
    Template,
    TemplateChange,
    TemplateCreate,
    TemplateList,
    TemplatePreview,
    TemplatePreviewRequest,
    TemplateView,
    WeChatSubscribeContent,
    WeChatTemplateContent,
    WeComContent,
)
from shared import idempotency, ids
from shared.clock import now_rfc3339, utc_now
from shared.dynamo import Prepare
from shared.errors import ConcurrentUpdate, NotFound, Unprocessable
from shared.models import HOME_ZONE

Content = WeComContent | WeChatTemplateContent | WeChatSubscribeContent
Part = str | tuple[str, str | None]  # literal text, or (variable, fallback)
Location = tuple[str, ...]

VARIABLES: dict[str, tuple[str, str]] = {
    "name": ("The contact's name.", "王芳"),
    "points_balance": ("The contact's points balance, an integer.", "1280"),
    "points_expiring": ("Points that expire soon, an integer (0 when none).", "300"),
    "points_expiring_date": ("When those points expire: YYYY-MM-DD in the tenant's time zone.", "2026-12-31"),
    "owner_name": ("The name of the staff member who owns the contact (the sender).", "张三"),
    "lifecycle_stage": ("The contact's lifecycle stage (new, active, dormant…).", "active"),
}
"""Every variable a template may use: its description and the example a preview shows."""

PER_RECIPIENT_VARIABLES: frozenset[str] = frozenset(VARIABLES) - {"owner_name"}
"""The variables whose value differs between the customers of one staff member: a WeCom 群发
carries one text for all of a sender's customers, so its template may not use them."""

SYNTAX = (
    "Texts may hold variables: {variable}, or {variable|fallback} for a contact who lacks the value; "
    "{{ and }} are literal braces. The variables: "
    + " ".join(f"{{{name}}}: {description}" for name, (description, _) in VARIABLES.items())
)
"""The variables and their syntax, as the API's documentation states them."""

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
LINE_MAX = 512  # WeCom's titles and descriptions (shared/events/outreach.py ShortText)
DATA_MAX = 200


class TemplateSyntaxError(ValueError):
    pass


def parse(text: str) -> list[Part]:
    """A templated text as literal parts and (variable, fallback) parts."""
    parts: list[Part] = []
    position = 0
    for found in _TOKEN.finditer(text):
        parts.append(text[position : found.start()])
        token = found.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
        elif found.group(1) is not None:
            name, bar, fallback = found.group(1).partition("|")
            if name not in VARIABLES:
                known = ", ".join("{" + known + "}" for known in VARIABLES)
                raise TemplateSyntaxError(f"unknown variable {{{name}}}; the variables are {known}")
            parts.append((name, fallback if bar else None))
        else:
            raise TemplateSyntaxError(f"a lone {token!r} at {found.start()}: write {token * 2} for a literal brace")
        position = found.end()
    parts.append(text[position:])
    return [part for part in parts if part != ""]


def _texts(content: Content) -> Iterator[tuple[Location, str]]:
    """Every field of ``content`` that takes variables, with where it is."""
    if isinstance(content, WeComContent):
        if content.text is not None:
            yield ("text",), content.text
        for number, link in enumerate(content.links):
            yield ("links", str(number), "title"), link.title
            if link.desc is not None:
                yield ("links", str(number), "desc"), link.desc
        for number, card in enumerate(content.miniprograms):
            yield ("miniprograms", str(number), "title"), card.title
    else:
        for key, value in content.data.items():
            yield ("data", key), value


def check(content: Content, where: Location = ("body", "content")) -> set[str]:
    """The variables ``content`` uses; a 422 naming each field with an unknown variable or a lone
    brace."""
    used: set[str] = set()
    errors: list[dict[str, Any]] = []
    for location, text in _texts(content):
        try:
            used |= {part[0] for part in parse(text) if isinstance(part, tuple)}
        except TemplateSyntaxError as error:
            errors.append({"loc": [*where, *location], "msg": str(error)})
    if errors:
        raise Unprocessable("The template uses unknown variables or lone braces.", errors)
    return used


def variables_used(template: Template) -> set[str]:
    """The variables a (saved, so valid) template uses."""
    return check(template.content)


# Filling -------------------------------------------------------------------------------------


def values_for(
    facts: ContactFacts | None, owner_name: str | None, now: datetime, time_zone: str = HOME_ZONE
) -> dict[str, str | None]:
    """Each variable's value for a contact (None: the contact lacks it). Numbers are integers;
    points whose expiry notice has passed count as none expiring."""
    from zoneinfo import ZoneInfo  # on first use, not at the API function's cold start

    if facts is None:
        return dict.fromkeys(VARIABLES) | {"owner_name": owner_name}
    expires = _moment(facts.points_expiring_at)
    expiring = expires is not None and expires > now and facts.points_expiring > 0
    return {
        "name": facts.name,
        "points_balance": None if facts.points_balance is None else str(int(facts.points_balance)),
        "points_expiring": str(int(facts.points_expiring)) if expiring else "0",
        "points_expiring_date": expires.astimezone(ZoneInfo(time_zone)).date().isoformat()
        if expiring and expires is not None
        else None,
        "owner_name": owner_name,
        "lifecycle_stage": facts.lifecycle_stage,
    }


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def fill_text(text: str, values: dict[str, str | None], most: int) -> str:
    """``text`` with its variables filled (at most ``most`` characters: a long name cannot make a
    message the channel refuses)."""
    filled = "".join(part if isinstance(part, str) else (values.get(part[0]) or part[1] or "") for part in parse(text))
    return filled[:most]


def fill(content: Content, values: dict[str, str | None]) -> Content:
    """``content`` with every variable filled from ``values``."""

    def text(most: int) -> Callable[[str], str]:
        return lambda value: fill_text(value, values, most)

    if isinstance(content, WeComContent):
        line = text(LINE_MAX)
        return content.model_copy(
            update={
                "text": None if content.text is None else text(MAX_TEXT)(content.text),
                "links": [
                    link.model_copy(
                        update={"title": line(link.title), "desc": None if link.desc is None else line(link.desc)}
                    )
                    for link in content.links
                ],
                "miniprograms": [card.model_copy(update={"title": line(card.title)}) for card in content.miniprograms],
            }
        )
    return content.model_copy(update={"data": {key: text(DATA_MAX)(value) for key, value in content.data.items()}})


def render(
    template: Template, facts: ContactFacts, owner_name: str | None, now: datetime, time_zone: str = HOME_ZONE
) -> Content:
    """The template's content for one contact, every variable filled (pure: the caller reads the
    facts, the owner's name and the tenant's time zone). A filled WeCom content converts to the
    event's ``WeComMessageContent`` with ``model_validate(content.model_dump())``."""
    return fill(template.content, values_for(facts, owner_name, now, time_zone))


# API -----------------------------------------------------------------------------------------


def view(template: Template) -> TemplateView:
    return TemplateView(
        **template.model_dump(exclude={"tenant_id", "content"}),
        content=template.content,
        variables=sorted(variables_used(template)),
    )


def get(tenant_id: str, template_id: str) -> Template:
    template = dal.get(tenant_id, template_id)
    if template is None:
        raise NotFound("No such template.")
    return template


def create(tenant_id: str, staff_id: str, request: TemplateCreate, key: str | None) -> TemplateView:
    check(request.content)
    now = now_rfc3339()
    template = Template(
        tenant_id=tenant_id,
        template_id=ids.new_id("tpl_"),
        name=request.name,
        channel=request.channel,
        content=request.content,
        created_by=staff_id,
        created_at=now,
        updated_at=now,
    )
    answer = view(template)

    def write(claim: Callable[[TemplateView], Prepare]) -> TemplateView:
        dal.create(template, claim(answer))
        return answer

    return idempotency.once_per_key(
        table=table(),
        tenant_id=tenant_id,
        scope="templates.create",
        key=key,
        request=request,
        answer_type=TemplateView,
        write=write,
    )


def listing(tenant_id: str, channel: Channel | None, limit: int, cursor: str | None) -> TemplateList:
    found, next_cursor = dal.page(tenant_id, channel, limit, cursor)
    return TemplateList(items=[view(template) for template in found], next_cursor=next_cursor)


def change(tenant_id: str, template_id: str, request: TemplateChange) -> TemplateView:
    """The template replaced, on the version read (a stale one is a 409)."""
    check(request.content)
    current = get(tenant_id, template_id)
    if request.version != current.version:
        raise ConcurrentUpdate(f"The template is at version {current.version}; read it again.")
    changed = current.model_copy(
        update={
            "name": request.name,
            "channel": request.channel,
            "content": request.content,
            "version": current.version + 1,
            "updated_at": now_rfc3339(),
        }
    )
    dal.replace(changed, current.version)
    return view(changed)


def delete(tenant_id: str, template_id: str) -> None:
    """Broadcasts already made keep their copy of the content."""
    dal.delete(tenant_id, template_id)


def preview(tenant_id: str, template_id: str, request: TemplatePreviewRequest) -> TemplatePreview:
    """The template filled for a contact (outreach's copy of its facts; 404 if outreach knows no
    such contact), with sample values (which win), or with each variable's example."""
    template = get(tenant_id, template_id)
    sample = request.sample or {}
    unknown = [name for name in sample if name not in VARIABLES]
    if unknown:
        raise Unprocessable(
            "The sample names unknown variables.",
            [{"loc": ["body", "sample", name], "msg": f"unknown variable {{{name}}}"} for name in unknown],
        )
    if request.contact_id is None:
        values: dict[str, str | None] = {name: example for name, (_, example) in VARIABLES.items()}
    else:
        values = _contact_values(tenant_id, request.contact_id)
    values |= sample
    used = variables_used(template)
    return TemplatePreview(
        channel=template.channel,
        content=fill(template.content, values),
        values={name: values.get(name) or "" for name in sorted(used)},
    )


def _contact_values(tenant_id: str, contact_id: str) -> dict[str, str | None]:
    from services.outreach.dal import facts as facts_dal
    from services.outreach.logic import settings

    facts = facts_dal.get(tenant_id, contact_id)
    if facts is None or facts.status != "active":
        raise NotFound("Outreach knows no such contact.")
    owner = facts.owner
    owner_name = facts_dal.staff_names(tenant_id, [owner]).get(owner) if owner else None
    return values_for(facts, owner_name or owner, utc_now(), settings.get(tenant_id).time_zone)
