"""The base of every pydantic model in the services, and the string types every request model's
names and texts are made of.

Models build their validator and schema when first used, not on import, so a function pays at
cold start only for the models its own requests and events touch.

``Name`` and ``Text`` are what a client may write where a person will read it: a name, subject,
title, tag or keyword (one line), or a description, message or comment (several). Both refuse
control characters (NUL included) and the bidirectional overrides and isolates (U+202A to U+202E,
U+2066 to U+2069) that make a name display as something else; both are stripped of surrounding
whitespace, and a ``Name`` that is nothing but whitespace is refused rather than stored as "".
Narrow their length where the field needs it: ``Annotated[Name, StringConstraints(max_length=64)]``.
Numbers need no type of their own: bodies are validated strictly (see ``shared.http``), and every
number in a request model carries both bounds (tests/unit/test_bad_input.py checks it).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

# C0 controls, DEL, C1 controls, bidirectional embeddings/overrides and isolates.
UNSAFE = r"\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
# The same, less tab, line feed and carriage return, which a text of several lines may hold.
UNSAFE_IN_TEXT = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"


def name_pattern(also_refused: str = "") -> str:
    """A one-line value with at least one visible character, refusing ``also_refused`` too (a
    regular expression character class body, e.g. ``"#/"`` for tags)."""
    refused = UNSAFE + also_refused
    return rf"^[^{refused}]*[^\s{refused}][^{refused}]*$"


NAME_PATTERN = name_pattern()
TEXT_PATTERN = rf"^[^{UNSAFE_IN_TEXT}]*$"

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NAME_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000, pattern=TEXT_PATTERN)]


def _known_zone(value: str) -> str:
    # zoneinfo (about 2.5 ms of a cold start) is imported when a zone is checked, not on import.
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a directory ("Asia")
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


# The product's home time zone: a tenant's business days and hours where it has set none (the
# points policy and case settings default to it; contacts and campaigns count their days in it).
HOME_ZONE = "Asia/Shanghai"

# An IANA zone name ("Asia/Shanghai"): checked to exist, after this shape keeps paths and odd bytes out.
ZoneName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$"),
    AfterValidator(_known_zone),
]


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)


class StrictModel(Model):
    """What a client sends: an unknown field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")
