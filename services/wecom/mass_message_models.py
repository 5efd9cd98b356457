"""WeCom 群发 tasks (企业群发): one per outreach dispatch (a staff member's share of a broadcast),
made with add_msg_template and followed until WeCom's results stop changing."""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from shared.models import Model

MassState = Literal["ready", "calling", "created", "failed"]
"""ready: not asked of WeCom yet, or asked and WeCom did not answer (a retry asks again); calling:
add_msg_template is being called (the claim); created: WeCom made the task (msgid); failed: WeCom
refused it, or it could not be asked (the reason)."""
TaskStatus = Literal["pending", "confirmed", "expired"]
Recipient = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_@.-]+$")]
"""An external_userid (chat_type single) or a customer group's chat id (group)."""


class MassMessage(Model):
    """``T#{t}#WMASS#{dispatch_id}`` / ``MASS``."""

    tenant_id: str
    dispatch_id: str
    broadcast_id: str
    corp_id: str
    staff_id: str
    chat_type: Literal["single", "group"]
    recipients: int = Field(default=0, description="Recipients asked for (0: every group the sender owns).")
    state: MassState = "ready"
    attempts: int = Field(default=0, description="Calls of add_msg_template started.")
    claimed_at: str | None = Field(default=None, description="When the current call started (business time).")
    msgid: str | None = None
    rejected: int = Field(default=0, description="WeCom's fail_list: recipients it would not take.")
    reason: str | None = None
    created_at: str | None = Field(default=None, description="When WeCom made the task (business time).")
    task_status: TaskStatus | None = None
    confirmed_at: str | None = Field(default=None, description="When the staff member sent it (WeCom's send_time).")
    delivered: int = 0
    failed: int = 0
    unsent: int = 0
    final: bool = False
    polls: int = Field(default=0, description="Polls recorded: the version a poll's write is conditioned on.")
    polled_at: str | None = None
    updated_at: str | None = None
