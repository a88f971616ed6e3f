"""Wire formats of attachments and the media store's upload form and links."""

from flask_smorest.fields import Upload
from marshmallow import INCLUDE, Schema, fields, validate

from chatwidget.schemas.common import CaseInsensitiveSchema

_id = validate.Length(min=1, max=64)


class CustomerUploadSchema(CaseInsensitiveSchema):
    """A customer's file for a conversation, with the pair from init."""

    conversationId = fields.String(required=True, validate=_id)
    participantId = fields.String(required=True, validate=_id)
    file = Upload(required=True, metadata={"description": "The file; its bytes decide its type"})


class AgentUploadSchema(CaseInsensitiveSchema):
    """An agent's file for a conversation assigned to it."""

    conversationId = fields.String(required=True, validate=_id)
    file = Upload(required=True, metadata={"description": "The file; its bytes decide its type"})


class AttachmentSchema(Schema):
    """An attachment (seed 002's Attachment object): send its mediaId in a sendMessage."""

    mediaId = fields.String()
    type = fields.String(metadata={"description": "Media type, from the file's bytes"})
    name = fields.String()
    size = fields.Integer()
    contentUrl = fields.String(metadata={"description": "Signed link, expires"})
    thumbnailUrl = fields.String(metadata={"description": "Signed link to a JPEG (images)"})


class PolicyUploadSchema(CaseInsensitiveSchema):
    """An S3 POST-policy form as presigned (fields as given, then the file)."""

    class Meta:
        unknown = INCLUDE  # every field is checked against the policy's conditions

    key = fields.String(required=True)
    content_type = fields.String(data_key="Content-Type", attribute="Content-Type")
    policy = fields.String(required=True)
    algorithm = fields.String(data_key="x-amz-algorithm", attribute="x-amz-algorithm")
    signature = fields.String(
        required=True, data_key="x-amz-signature", attribute="x-amz-signature"
    )
    success_action_status = fields.String(validate=validate.OneOf(("200", "201", "204")))
    file = Upload(required=True)


class UploadedSchema(Schema):
    """Where the file was stored (success_action_status 200 or 201)."""

    key = fields.String()


class MediaLinkSchema(Schema):
    """The query of a signed media link."""

    expires = fields.String(metadata={"description": "Unix time the link expires"})
    type = fields.String(metadata={"description": "Content-Type to serve"})
    signature = fields.String()
