"""Profile rules: what a valid value is, and when a profile is complete (KYC level 1).

Pure functions over plain values; the HTTP schemas call them as pydantic validators so
invalid input is a field-level 422 before any use case runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "COUNTRIES",
    "CURRENCIES",
    "DEFAULT_CURRENCY",
    "FILE_ID_PATTERN",
    "LANGUAGES",
    "REQUIRED_FOR_LEVEL_1",
    "age_on",
    "locked_fields",
    "missing_for_level_1",
    "validate_birth_date",
    "validate_country",
    "validate_timezone",
]

# a file id of the files service (an avatar): what the users service accepts and forwards
FILE_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

# ISO 3166-1 alpha-2, officially assigned codes.
_ALPHA2 = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN
    BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL
    GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM
    JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP
    NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD
    SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRIES: frozenset[str] = frozenset(_ALPHA2.split())
CURRENCIES: frozenset[str] = frozenset({"AED", "USD", "EUR", "GBP", "SAR", "BTC", "USDT"})
DEFAULT_CURRENCY = "AED"
LANGUAGES: tuple[str, ...] = ("en", "ar")
_EARLIEST_BIRTH = date(1900, 1, 1)

# Profile column -> its name on the wire, for the fields KYC level 1 requires.
REQUIRED_FOR_LEVEL_1: dict[str, str] = {
    "first_name": "firstName",
    "last_name": "lastName",
    "date_of_birth": "dateOfBirth",
    "country": "country",
    "phone": "phone",
    "address_line1": "address.line1",
    "address_city": "address.city",
    "address_country": "address.country",
}


def validate_country(value: str) -> str:
    """An upper-case ISO 3166-1 alpha-2 code."""
    code = value.strip().upper()
    if code not in COUNTRIES:
        raise ValueError("country must be an ISO 3166-1 alpha-2 code")
    return code


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(value: str) -> str:
    """An IANA time zone name known to ``zoneinfo`` (``Asia/Dubai``)."""
    if value not in _zones():
        raise ValueError("timezone must be an IANA time zone name")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("timezone must be an IANA time zone name") from None
    return value


def age_on(birth: date, today: date) -> int:
    """Whole years between ``birth`` and ``today`` (29 February birthdays count on 1 March)."""
    years = today.year - birth.year
    if (today.month, today.day) < (birth.month, birth.day):
        years -= 1
    return years


def validate_birth_date(birth: date, *, today: date, minimum_age: int) -> date:
    """Not in the future, not before 1900, and at least ``minimum_age`` years ago."""
    if birth > today:
        raise ValueError("date of birth cannot be in the future")
    if birth < _EARLIEST_BIRTH:
        raise ValueError("date of birth is not plausible")
    if age_on(birth, today) < minimum_age:
        raise ValueError(f"you must be at least {minimum_age} years old")
    return birth


def missing_for_level_1(profile: Mapping[str, object]) -> list[str]:
    """The wire names of the profile fields still empty that KYC level 1 requires."""
    return [wire for name, wire in REQUIRED_FOR_LEVEL_1.items() if profile.get(name) in (None, "")]


_IDENTITY_FIELDS = frozenset({"first_name", "last_name", "date_of_birth"})
_ADDRESS_FIELDS = frozenset(
    {
        "country",
        "address_line1",
        "address_line2",
        "address_city",
        "address_postal_code",
        "address_country",
    }
)


def locked_fields(kyc_level: int) -> frozenset[str]:
    """Profile columns the user may no longer change themselves at ``kyc_level``.

    Level 2 verified the name and date of birth against an identity document, level 3
    the address against a proof of address; letting the user edit them afterwards
    would make the verification meaningless. Staff can still correct them (audited).
    """
    locked: frozenset[str] = frozenset()
    if kyc_level >= 2:
        locked |= _IDENTITY_FIELDS
    if kyc_level >= 3:
        locked |= _ADDRESS_FIELDS
    return locked
