"""Message templates: one content shape per channel, with variables filled per recipient.

A template's texts may hold variables, ``{name}``, or with a fallback for a contact who lacks the
value, ``{name|朋友}``; a literal brace is written twice (``{{``, ``}}``). The variables are listed
once, in ``logic.templates.VARIABLES``, which checks them when a template is saved and fills them
(``render``). Which fields take variables: the WeCom text, link titles and
descriptions, mini-program card titles, and the values of a WeChat message's ``data``. URLs, app
ids, pages and media ids are sent as written.
"""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, WrapValidator, model_validator
from pydantic.config import JsonDict

from services.outreach.models import Channel
from shared.models import TEXT_PATTERN, Model, Name, StrictModel, name_pattern

MAX_ATTACHMENTS = 9  # WeCom's add_msg_template: at most nine attachments
MAX_TEXT = 4000

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=512, pattern=name_pattern())]
MessageText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT, pattern=TEXT_PATTERN)]
HttpsUrl = Annotated[str, StringConstraints(min_length=9, max_length=2048, pattern=r"^https://[^\s\x00-\x1f\x7f]+$")]
MediaId = Annotated[str, StringConstraints(min_length=1, max_length=512, pattern=r"^[A-Za-z0-9_.@=+/-]+$")]
AppId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
PagePath = Annotated[str, StringConstraints(min_length=1, max_length=512, pattern=r"^[A-Za-z0-9_./?=&%#:+-]+$")]
WeChatTemplateId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
DataKey = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
DataValue = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=name_pattern())]
Data = Annotated[
    dict[DataKey, DataValue],
    Field(min_length=1, max_length=20, description="The message's keywords: key → value text (variables allowed)."),
]


# WeCom customer and group messages (群发): the field names of shared/events/outreach.py's
# WeComMessageContent, so that a filled content converts to it with model_validate(model_dump()).
class WeComImage(StrictModel):
    media_id: MediaId | None = Field(default=None, description="A WeCom media id (uploaded image).")
    pic_url: HttpsUrl | None = Field(default=None, description="Or the image's https URL.")

    @model_validator(mode="after")
    def _one_source(self) -> "WeComImage":
        if (self.media_id is None) == (self.pic_url is None):
            raise ValueError("an image has exactly one of media_id and pic_url")
        return self


class WeComLink(StrictModel):
    title: Line
    url: HttpsUrl
    picurl: HttpsUrl | None = None
    desc: Line | None = None


class WeComMiniProgram(StrictModel):
    title: Line
    appid: AppId
    page: PagePath
    pic_media_id: MediaId | None = None


class WeComContent(StrictModel):
    """A WeCom customer (or customer group) message: a text and at most nine attachments in all,
    at least one of the two."""

    text: MessageText | None = None
    images: list[WeComImage] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    links: list[WeComLink] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    miniprograms: list[WeComMiniProgram] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)

    @model_validator(mode="after")
    def _something_within_limits(self) -> "WeComContent":
        attachments = len(self.images) + len(self.links) + len(self.miniprograms)
        if attachments > MAX_ATTACHMENTS:
            raise ValueError(f"at most {MAX_ATTACHMENTS} attachments in all (images, links, mini-programs)")
        if self.text is None and not attachments:
            raise ValueError("a WeCom message has a text or at least one attachment")
        return self


class WeChatMiniProgramLink(StrictModel):
    appid: AppId
    pagepath: PagePath


class WeChatTemplateContent(StrictModel):
    """An official account template message (模板消息): the template WeChat approved, its keywords."""

    app_id: AppId = Field(description="The official account's app id.")
    wechat_template_id: WeChatTemplateId
    data: Data
    url: HttpsUrl | None = Field(default=None, description="Where a tap on the message leads.")
    miniprogram: WeChatMiniProgramLink | None = Field(default=None, description="Or a mini-program page it opens.")


class WeChatSubscribeContent(StrictModel):
    """A mini-program subscribe message (订阅消息): reaches members who subscribed to the template."""

    app_id: AppId = Field(description="The mini-program's app id.")
    wechat_template_id: WeChatTemplateId
    data: Data
    page: PagePath | None = Field(default=None, description="The mini-program page a tap opens.")


CONTENT_MODELS: dict[str, type[BaseModel]] = {
    "wecom_customer": WeComContent,
    "wecom_group": WeComContent,
    "wechat_template": WeChatTemplateContent,
    "wechat_subscribe": WeChatSubscribeContent,
}


def _content_of_channel(value: Any, handler: Any, info: ValidationInfo) -> Any:
    """The content validated as its channel's shape (the ``channel`` field, validated before it):
    its errors are located under ``content`` itself, not under a union member's name."""
    model = CONTENT_MODELS.get(str(info.data.get("channel")))
    if model is None:
        raise ValueError("content is checked against a valid channel")
    if isinstance(value, model):
        return value
    if isinstance(value, BaseModel):
        value = value.model_dump()
    return model.model_validate(value, strict=True)


TemplateContent = Annotated[
    WeComContent | WeChatTemplateContent | WeChatSubscribeContent,
    WrapValidator(_content_of_channel),
    Field(description="The message, in the shape of the template's channel."),
]
TemplateName = Annotated[Name, StringConstraints(max_length=100)]


class Template(Model):
    tenant_id: str
    template_id: str
    name: str
    channel: Channel
    content: TemplateContent
    version: int = 1
    created_by: str
    created_at: str
    updated_at: str


CREATE_EXAMPLES: list[JsonDict] = [
    {
        "name": "积分到期提醒",
        "channel": "wecom_customer",
        "content": {
            "text": "{name|朋友}您好 您有 {points_expiring} 积分将于 {points_expiring_date} 到期。",
            "links": [{"title": "去兑换", "url": "https://shop.example.com/rewards"}],
        },
    },
    {
        "name": "生日礼",
        "channel": "wechat_subscribe",
        "content": {
            "app_id": "wx1234567890",
            "wechat_template_id": "SUB_birthday",
            "data": {"thing1": "{name} 生日快乐", "thing2": "到店领取生日礼"},
            "page": "pages/gift/index",
        },
    },
]


class TemplateCreate(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [*CREATE_EXAMPLES]})

    name: TemplateName
    channel: Channel
    content: TemplateContent


class TemplateChange(TemplateCreate):
    """The whole template again, with the version it was read at."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**CREATE_EXAMPLES[0], "version": 1}]})

    version: Annotated[int, Field(ge=1, le=1_000_000_000, description="The version read; a stale one is a 409.")]


class TemplateView(Model):
    template_id: str
    name: str
    channel: Channel
    content: TemplateContent
    variables: list[str] = Field(description="The variables the template uses, sorted.")
    version: int
    created_by: str
    created_at: str
    updated_at: str


class TemplateList(Model):
    items: list[TemplateView]
    next_cursor: str | None


ContactId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]
VariableName = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-z_]+$")]
SampleValue = Annotated[str, StringConstraints(max_length=200, pattern=name_pattern() + "|^$")]


class TemplatePreviewRequest(StrictModel):
    """Fill the template for a contact (from outreach's copy of its facts), with sample values, or
    both (samples win); with neither, each variable's example."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"sample": {"name": "王芳"}}, {"contact_id": "c_01"}]})

    contact_id: ContactId | None = None
    sample: Annotated[dict[VariableName, SampleValue], Field(max_length=20)] | None = Field(
        default=None, description="Values for some variables: variable → value."
    )


class TemplatePreview(Model):
    channel: Channel
    content: TemplateContent = Field(description="The content with every variable filled.")
    values: dict[str, str] = Field(description="The value each variable the template uses was filled with.")
