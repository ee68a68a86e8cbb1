"""Input validators. Each returns the normalized value or raises :class:`InvalidValue`
(a ``ValueError`` with a stable ``code``); a non-``str`` input is a ``TypeError``.

Importing this package loads no data: the password blocklist is read on first use
and ``phonenumbers`` is imported on the first phone validation.
"""

from ._base import InvalidValue
from .crypto_address import (
    SUPPORTED_NETWORKS,
    to_checksum_address,
    validate_btc_address,
    validate_crypto_address,
    validate_eth_address,
    validate_tron_address,
)
from .email_address import CanonicalEmail, canonical_email, email_lookup_key, validate_email
from .iban import validate_iban
from .password import validate_password
from .phone import validate_phone
from .symbols import (
    MarketSymbol,
    parse_market_symbol,
    validate_asset_symbol,
    validate_market_symbol,
)

__all__ = [
    "SUPPORTED_NETWORKS",
    "CanonicalEmail",
    "InvalidValue",
    "MarketSymbol",
    "canonical_email",
    "email_lookup_key",
    "parse_market_symbol",
    "to_checksum_address",
    "validate_asset_symbol",
    "validate_btc_address",
    "validate_crypto_address",
    "validate_email",
    "validate_eth_address",
    "validate_iban",
    "validate_market_symbol",
    "validate_password",
    "validate_phone",
    "validate_tron_address",
]
