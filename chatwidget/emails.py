"""What counts as an e-mail address: marshmallow's rule, the one every schema's Email
field applies, for core too.

A neutral leaf below core and schemas: core checks the e-mail claim of an identity
token (no schema loads a token's claims), and an address it keeps must pass exactly
the rule an address sent through any API passes.
"""

from marshmallow import ValidationError, validate

_EMAIL = validate.Email()


def is_email(value: str) -> bool:
    """True when value is an e-mail address by marshmallow's Email rule."""
    try:
        _EMAIL(value)
    except ValidationError:
        return False
    return True
