"""E-mail address validation (no DNS: deliverability is checked by sending) and the
canonical form that identifies an account.

Why a canonical form: an address is an account's identity, so two spellings that a
person reads as the same address must be one account, or none. ``ALICE@example.com``
typed in full-width letters (U+FF21...), ``alice@example.com`` with a Cyrillic ``a``
(U+0430) and ``alice`` followed by a combining accent (U+0301) each created a separate
account next to ``alice@example.com`` once.
:func:`canonical_email` closes that class:

1. NFKC folds compatibility characters (full-width letters, ligatures, mathematical
   letters, the full-width at sign U+FF20) into their ordinary form.
2. The local part must then be ASCII (most exchanges allow nothing else): Cyrillic or
   Greek look-alikes, combining marks and invisible characters cannot survive step 1
   as ASCII, so they are refused with ``EMAIL_NOT_ALLOWED`` instead of being guessed at.
   A confusables table (Unicode TR39 skeletons) is not needed for a local part that
   can only be ASCII; distinct ASCII addresses (``jon1`` and ``jonl``) are distinct
   mailboxes of distinct people and stay distinct.
3. The domain is IDNA-encoded (UTS 46 mapping, IDNA 2008) and kept in its ASCII
   (A-label, ``xn--``) form, lower case, so every stored address is ASCII: a look-alike
   domain cannot hide in any view, it reads ``xn--...``. A label that mixes Latin
   with Cyrillic, Greek or Armenian letters (``paypal`` with a Cyrillic ``a``) is refused.
4. The account key is the whole address in lower case: the platform has always
   treated the local part case-insensitively.

:func:`email_lookup_key` is what a sign-in or a reset looks an account up by.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import email_validator

from ._base import InvalidValue, require_str

__all__ = ["CanonicalEmail", "canonical_email", "email_lookup_key", "validate_email"]

_LOOKALIKE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "COPTIC", "CHEROKEE"})
"""Scripts whose letters pass for Latin ones: a domain label may use only one of them."""


@dataclass(frozen=True)
class CanonicalEmail:
    """``address`` is stored and shown (local part as typed after NFKC, ASCII domain);
    ``key`` identifies the account (``address`` in lower case)."""

    address: str
    key: str


def _validated(text: str) -> email_validator.ValidatedEmail:
    try:
        # strict: also enforce RFC 5321's 64-octet limit on the local part, which
        # mail servers apply and the library only checks on request.
        return email_validator.validate_email(text, check_deliverability=False, strict=True)
    except email_validator.EmailNotValidError as exc:
        raise InvalidValue("INVALID_EMAIL", f"invalid email address: {exc}") from None


def validate_email(value: str) -> str:
    """Return the normalized address (domain lowercased/IDNA-normalized, local part
    as given, surrounding whitespace removed) or raise ``INVALID_EMAIL``."""
    return _validated(require_str(value, "email").strip()).normalized


def _not_allowed(detail: str) -> InvalidValue:
    return InvalidValue("EMAIL_NOT_ALLOWED", detail)


def _script(char: str) -> str | None:
    if not unicodedata.category(char).startswith("L"):
        return None
    return unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]


def _check_domain_scripts(unicode_domain: str) -> None:
    for label in unicode_domain.split("."):
        scripts = {_script(ch) for ch in label} & _LOOKALIKE_SCRIPTS
        if len(scripts) > 1:
            raise _not_allowed(
                "the domain mixes Latin letters with look-alike letters of another script"
            )


def canonical_email(value: str) -> CanonicalEmail:
    """The canonical address and account key of ``value`` (see the module docstring).

    Raises ``InvalidValue`` with ``INVALID_EMAIL`` (not an address) or
    ``EMAIL_NOT_ALLOWED`` (an address we do not accept as an identity: non-ASCII local
    part after NFKC, or a mixed-script domain label).
    """
    text = unicodedata.normalize("NFKC", require_str(value, "email").strip())
    result = _validated(text)
    local = result.local_part
    if not local.isascii():
        raise _not_allowed(
            "use an address whose part before the @ has only ASCII letters, digits and "
            "punctuation (no accents, other alphabets or invisible characters)"
        )
    _check_domain_scripts(result.domain)
    address = f"{local}@{result.ascii_domain.lower()}"
    return CanonicalEmail(address=address, key=address.lower())


def email_lookup_key(value: str) -> str:
    """The key to find an account by: canonical when ``value`` is acceptable, else the
    address as given in case-folded form (which only a pre-canonical account can hold)."""
    try:
        return canonical_email(value).key
    except (InvalidValue, TypeError):
        return value.strip().casefold() if isinstance(value, str) else ""
