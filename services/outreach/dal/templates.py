"""Message templates in the outreach table.

Partition (pk):
- T#{t}#TEMPLATE#{template_id}   the template (sk TEMPLATE; gsi1 T#{t}#TEMPLATES / {created_at}#{id}:
                                 the tenant's templates, newest first). ``version`` grows with every
                                 change, and every change is conditional on the version read.
"""

from __future__ import annotations

from typing import Any

from services.outreach.dal.table import table
from services.outreach.template_models import Template
from shared.dynamo import Filter, Prepare, Transaction, get_item, query_page
from shared.errors import ConcurrentUpdate, NotFound

SK = "TEMPLATE"


def _key(tenant_id: str, template_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#TEMPLATE#{template_id}", "sk": SK}


def _listing(tenant_id: str) -> str:
    return f"T#{tenant_id}#TEMPLATES"


def _item(template: Template) -> dict[str, Any]:
    return {
        **_key(template.tenant_id, template.template_id),
        "kind": "template",
        **template.model_dump(mode="json", exclude_none=True),
        "gsi1pk": _listing(template.tenant_id),
        "gsi1sk": f"{template.created_at}#{template.template_id}",
    }


def _template(item: dict[str, Any]) -> Template:
    return Template.model_validate({name: item[name] for name in Template.model_fields if name in item})


def create(template: Template, prepare: Prepare | None = None) -> None:
    tx = Transaction(table())
    if prepare is not None:
        prepare(tx)
    tx.create(_item(template))
    tx.commit()


def get(tenant_id: str, template_id: str) -> Template | None:
    item = get_item(table(), _key(tenant_id, template_id))
    return None if item is None else _template(item)


def replace(template: Template, expected_version: int) -> None:
    """Write ``template`` over the stored one if that is still at ``expected_version``."""
    Transaction(table()).put(
        _item(template),
        condition="version = :v",
        values={":v": expected_version},
        on_fail=ConcurrentUpdate("The template changed meanwhile (or was deleted); read it again."),
    ).commit()


def delete(tenant_id: str, template_id: str) -> None:
    Transaction(table()).delete(
        _key(tenant_id, template_id),
        condition="attribute_exists(pk)",
        on_fail=NotFound("No such template."),
    ).commit()


def page(tenant_id: str, channel: str | None, limit: int, cursor: str | None) -> tuple[list[Template], str | None]:
    """The tenant's templates, newest first; of one channel only when ``channel`` is given (a
    filter: a page may then hold fewer than ``limit`` while ``next_cursor`` says there is more)."""
    found = query_page(
        table(),
        index="gsi1",
        partition_attr="gsi1pk",
        partition_value=_listing(tenant_id),
        limit=limit,
        cursor=cursor,
        newest_first=True,
        filter=None if channel is None else Filter("#c = :c", {"#c": "channel"}, {":c": channel}),
    )
    return [_template(item) for item in found.items], found.next_cursor
