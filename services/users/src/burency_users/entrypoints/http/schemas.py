"""Request and response bodies of the user API (camelCase on the wire via ``ApiModel``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from burency_common.api import ApiModel
from burency_common.validators import validate_phone
from burency_common.web.openapi import ProblemDocument as Problem
from burency_common.web.openapi import problem_responses as problems
from burency_users.domain.profile import (
    CURRENCIES,
    FILE_ID_PATTERN,
    validate_country,
    validate_timezone,
)

__all__ = [
    "AddressIn",
    "AddressOut",
    "ClosureIn",
    "ClosureOut",
    "FileId",
    "Problem",
    "ProfileOut",
    "ProfilePatchIn",
    "problems",
]


def _text(value: str) -> str:
    """Trimmed, non-empty, no control characters (names and addresses end up on documents)."""
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _currency(value: str) -> str:
    if value not in CURRENCIES:
        raise ValueError("display currency must be one of " + ", ".join(sorted(CURRENCIES)))
    return value


Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_text)]
Line = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_text)]
PostalCode = Annotated[str, Field(min_length=1, max_length=20), AfterValidator(_text)]
Country = Annotated[
    str, Field(min_length=2, max_length=2, examples=["AE"]), AfterValidator(validate_country)
]
Phone = Annotated[
    str,
    Field(min_length=8, max_length=16, examples=["+971501234567"]),
    AfterValidator(validate_phone),
]
Timezone = Annotated[
    str,
    Field(min_length=1, max_length=64, examples=["Asia/Dubai"]),
    AfterValidator(validate_timezone),
]
Currency = Annotated[
    str, Field(min_length=3, max_length=8, examples=["AED"]), AfterValidator(_currency)
]
FileId = Annotated[str, Field(pattern=FILE_ID_PATTERN)]


class AddressIn(ApiModel):
    line1: Line
    line2: Line | None = None
    city: Name
    postal_code: PostalCode | None = Field(
        default=None, description="optional: many countries (the UAE among them) have none"
    )
    country: Country


class AddressOut(ApiModel):
    line1: str | None
    line2: str | None
    city: str | None
    postal_code: str | None
    country: str | None


class ProfilePatchIn(ApiModel):
    """Only the fields present are changed; ``null`` clears an optional field."""

    first_name: Name | None = None
    last_name: Name | None = None
    date_of_birth: date | None = Field(default=None, description="at least 18 years ago")
    country: Country | None = None
    phone: Phone | None = None
    address: AddressIn | None = None
    avatar_file_id: FileId | None = Field(default=None, description="an `avatar` file you own")
    language: Literal["en", "ar"] | None = None
    timezone: Timezone | None = None
    display_currency: Currency | None = None

    def to_changes(self) -> dict[str, Any]:
        """Column values for the fields the client sent (language/currency cannot be cleared)."""
        changes: dict[str, Any] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if name == "address":
                address = value if isinstance(value, AddressIn) else None
                changes.update(
                    address_line1=address.line1 if address else None,
                    address_line2=address.line2 if address else None,
                    address_city=address.city if address else None,
                    address_postal_code=address.postal_code if address else None,
                    address_country=address.country if address else None,
                )
            elif value is not None or name not in ("language", "display_currency"):
                changes[name] = value
        return changes


class ClosureIn(ApiModel):
    reason: str | None = Field(default=None, max_length=500)


class ClosureOut(ApiModel):
    status: Literal["REQUESTED"] = "REQUESTED"
    requested_at: str
    reason: str | None


class ProfileOut(ApiModel):
    user_id: str
    email: str
    first_name: str | None
    last_name: str | None
    date_of_birth: date | None
    country: str | None
    phone: str | None
    address: AddressOut | None
    avatar_file_id: str | None
    language: str
    timezone: str | None
    display_currency: str
    kyc_level: int
    closure: ClosureOut | None
    created_at: str
    updated_at: str
