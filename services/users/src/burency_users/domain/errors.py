"""The user service's client-visible errors, each with a stable code."""

from __future__ import annotations

from burency_common.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    ValidationFailed,
)

__all__ = [
    "CannotReviewSelf",
    "FilesUnavailable",
    "InvalidAvatar",
    "InvalidKycDocument",
    "KycAlreadyDecided",
    "KycLevelAlreadyReached",
    "KycPreviousLevelRequired",
    "KycSubmissionNotFound",
    "KycSubmissionPending",
    "ProfileFieldsLocked",
    "ProfileIncomplete",
    "ProfileNotFound",
    "SettingsTooLarge",
]


class ProfileNotFound(NotFound):
    default_code = "PROFILE_NOT_FOUND"
    title = "Profile not found"


class KycSubmissionNotFound(NotFound):
    default_code = "KYC_SUBMISSION_NOT_FOUND"
    title = "KYC submission not found"


class InvalidAvatar(ValidationFailed):
    default_code = "INVALID_AVATAR"
    title = "Invalid avatar"


class InvalidKycDocument(ValidationFailed):
    default_code = "INVALID_KYC_DOCUMENT"
    title = "Invalid KYC document"


class ProfileIncomplete(ValidationFailed):
    default_code = "PROFILE_INCOMPLETE"
    title = "Profile incomplete"


class KycSubmissionPending(Conflict):
    default_code = "KYC_SUBMISSION_PENDING"
    title = "A KYC submission is already pending"


class KycPreviousLevelRequired(Conflict):
    default_code = "KYC_PREVIOUS_LEVEL_REQUIRED"
    title = "The previous KYC level is required"


class KycLevelAlreadyReached(Conflict):
    default_code = "KYC_LEVEL_ALREADY_REACHED"
    title = "KYC level already reached"


class KycAlreadyDecided(Conflict):
    default_code = "KYC_ALREADY_DECIDED"
    title = "KYC submission already decided"


class CannotReviewSelf(Conflict):
    default_code = "CANNOT_REVIEW_SELF"
    title = "Reviewers cannot decide their own submission"


class ProfileFieldsLocked(Conflict):
    default_code = "PROFILE_FIELDS_LOCKED"
    title = "Verified profile fields cannot be changed"


class SettingsTooLarge(PayloadTooLarge):
    default_code = "SETTINGS_TOO_LARGE"
    title = "Settings too large"


class FilesUnavailable(ServiceUnavailable):
    default_code = "FILES_UNAVAILABLE"
    title = "Files service unavailable"
