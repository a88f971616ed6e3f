"""The chats API's customer calls (seed 001; CONTRACT §3): customer flags, custom data and
the end user. Field names are the seed's."""

import math
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from chatwidget.core.chat_customer import RESERVED
from chatwidget.schemas.common import Request, SafeString
from chatwidget.unstorable import UNSTORABLE_TEXT, bad_text

MAX_CALL_FIELDS = 100  # custom data fields one call may give
MAX_VALUE_CHARS = 2000
MAX_TOKEN_CHARS = 64 * 1024


class StrictBoolean(fields.Boolean):
    """A JSON true or false, nothing else (not 1, not "true")."""

    default_error_messages = {"invalid": "Not a boolean (true or false)."}

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> bool:
        if type(value) is not bool:
            raise self.make_error("invalid")
        return value


class CustomerFlagsSchema(Schema):
    """The customer flags of a chat; a flag never set is false."""

    verified_customer = fields.Boolean(required=True)
    bad_actor = fields.Boolean(required=True)
    repeat_customer = fields.Boolean(required=True)


class SetCustomerFlagsSchema(Request):
    """Set some customer flags; those not given keep their value."""

    verified_customer = StrictBoolean()
    bad_actor = StrictBoolean()
    repeat_customer = StrictBoolean()
    repeat_customers = StrictBoolean(metadata={"description": "The seed's spelling"})

    @post_load
    def _one_spelling(self, data: dict[str, bool], **kwargs: Any) -> dict[str, bool]:
        seed = data.pop("repeat_customers", None)
        if seed is not None and data.setdefault("repeat_customer", seed) != seed:
            raise ValidationError("Differs from repeat_customer.", "repeat_customers")
        return data


def _field_error(name: str, field: object) -> str | None:
    """What is wrong with one custom data field, or None."""
    if not isinstance(field, dict):
        return "Must be an object with a value and an optional label."
    label, value = field.get("label"), field.get("value", None)
    if label is not None and (not isinstance(label, str) or len(label) > 255 or bad_text(label)):
        return "label must be a string of at most 255 characters, storable."
    if name in RESERVED:
        return None if type(value) is bool else "value must be true or false."
    if isinstance(value, str):
        too_long = len(value) > MAX_VALUE_CHARS
        return "value is longer than %d characters." % MAX_VALUE_CHARS if too_long else None
    if type(value) is bool or type(value) is int:
        return None
    if type(value) is float and math.isfinite(value):
        return None
    return "value is required: a string, a number or a boolean."


class CustomFields(fields.Field[dict[str, dict[str, Any]]]):
    """{name: {"label": optional string, "value": string, number or boolean}}; the
    reserved_* fields take a boolean value. An error names each bad field."""

    def __init__(self, **kwargs: Any) -> None:
        value = {"oneOf": [{"type": t} for t in ("string", "number", "boolean")]}
        one = {
            "type": "object",
            "properties": {"label": {"type": "string", "maxLength": 255}, "value": value},
            "required": ["value"],
        }
        doc = {"type": "object", "additionalProperties": one, "maxProperties": MAX_CALL_FIELDS}
        kwargs["metadata"] = {**doc, **(kwargs.get("metadata") or {})}
        super().__init__(**kwargs)

    def _deserialize(
        self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> dict[str, dict[str, Any]]:
        if not isinstance(value, dict):
            raise ValidationError("Must be an object of fields.")
        if len(value) > MAX_CALL_FIELDS:
            raise ValidationError("At most %d fields in one call." % MAX_CALL_FIELDS)
        errors: dict[str, list[str]] = {}
        for name, field in value.items():
            if not name or len(name) > 255 or bad_text(name):
                errors[name] = ["A field name is 1 to 255 characters. " + UNSTORABLE_TEXT]
            elif (reason := _field_error(name, field)) is not None:
                errors[name] = [reason]
        if errors:
            raise ValidationError(errors)
        return value


class CustomDataSchema(Request):
    """Custom data for a chat: `data` as is (signed false), or `signed_data`, a JWT HS256
    with COMPANY_SECRET whose payload is {"custom_data": {…}, "exp", "iat"}."""

    signed = StrictBoolean(load_default=False)
    data = CustomFields(metadata={"description": "With signed false"})
    signed_data = SafeString(MAX_TOKEN_CHARS, metadata={"description": "With signed true"})

    @validates_schema
    def _one_form(self, data: dict[str, Any], **kwargs: Any) -> None:
        needed = "signed_data" if data["signed"] else "data"
        if needed not in data:
            signed = "true" if data["signed"] else "false"
            raise ValidationError("Required when signed is %s." % signed, needed)


class SignedCustomDataSchema(Request):
    """The payload of signed_data (its exp and iat are checked with its signature)."""

    custom_data = CustomFields(required=True)


def _email_or_empty(value: str) -> None:
    """An e-mail address, or "" (not given)."""
    if value:
        validate.Email()(value)


class SetEndUserSchema(Request):
    """The chat's end user: the integrator's id for them (required), and contact details."""

    identifier = SafeString(
        load_default=None, allow_none=True, metadata={"description": "Required, not empty"}
    )
    name = SafeString(200, load_default=None, allow_none=True)
    email = SafeString(load_default=None, allow_none=True, validate=_email_or_empty)
    phone = SafeString(64, load_default=None, allow_none=True)
