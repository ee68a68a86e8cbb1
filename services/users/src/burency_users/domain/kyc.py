"""KYC levels and which documents each level needs.

0: every profile starts here; 1: profile complete (approved automatically);
2: identity document front + back and a selfie; 3: proof of address. Submitting any
level needs a verified e-mail address (the route declares ``require_verified_email``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

__all__ = [
    "DOCUMENT_KINDS",
    "LEVEL_DOCUMENTS",
    "MAX_LEVEL",
    "SubmissionStatus",
    "check_level_order",
]

MAX_LEVEL: Final = 3


class SubmissionStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


# Field of the submission (wire name) -> the file kind the files service must report.
DOCUMENT_KINDS: Final[dict[str, str]] = {
    "documentFront": "kyc_document",
    "documentBack": "kyc_document",
    "selfie": "kyc_selfie",
    "proofOfAddress": "proof_of_address",
}

LEVEL_DOCUMENTS: Final[dict[int, tuple[str, ...]]] = {
    1: (),
    2: ("documentFront", "documentBack", "selfie"),
    3: ("proofOfAddress",),
}


def check_level_order(current: int, requested: int) -> str | None:
    """Why ``requested`` cannot be submitted at ``current`` level, or None when it can."""
    if requested <= current:
        return "reached"
    if requested - 1 > current:
        return "previous"
    return None
