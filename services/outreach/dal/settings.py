"""The tenant's outreach settings (caps, quiet hours, time zone) in the outreach table.

Partition (pk):
- T#{t}#OUTREACH   sk SETTINGS: the settings (absent: the defaults, ``OutreachSettings()``);
                   ``version`` grows with every change, each conditional on the version read.
"""

from __future__ import annotations

from services.outreach.dal.table import table, tenant_pk
from services.outreach.models import OutreachSettings
from shared.dynamo import Transaction, get_item
from shared.errors import ConcurrentUpdate

SK = "SETTINGS"


def get(tenant_id: str) -> OutreachSettings:
    """One read; the defaults when the tenant never set any."""
    item = get_item(table(), {"pk": tenant_pk(tenant_id), "sk": SK})
    if item is None:
        return OutreachSettings()
    # None is not stored (shared.dynamo drops it): stored settings without quiet hours have none.
    fields = {"quiet_hours": None} | {name: item[name] for name in OutreachSettings.model_fields if name in item}
    return OutreachSettings.model_validate(fields)


def save(tenant_id: str, settings: OutreachSettings, expected_version: int) -> None:
    """Write ``settings`` if the stored ones are still at ``expected_version`` (0: none stored)."""
    item = {"pk": tenant_pk(tenant_id), "sk": SK, "kind": "outreach_settings", **settings.model_dump(mode="json")}
    moved = ConcurrentUpdate("The outreach settings changed meanwhile; read them again.")
    tx = Transaction(table())
    if expected_version:
        tx.put(item, condition="version = :v", values={":v": expected_version}, on_fail=moved)
    else:
        tx.put(item, condition="attribute_not_exists(pk)", on_fail=moved)
    tx.commit()
