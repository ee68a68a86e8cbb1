"""The enum members the hot path compares against, as module constants.

In CPython 3.11 reading ``Side.BUY`` costs ~0.12 µs (the enum metaclass's attribute
lookup), more than building a small event; a module global costs ~0.02 µs. The
engine's modules import these instead of spelling ``Side.BUY`` on the hot path.
"""

from __future__ import annotations

from .model import EndReason, MarketStatus, OrderStatus, OrderType, Side, StpMode, TimeInForce

ENDREASON_ADMIN_CANCELED = EndReason.ADMIN_CANCELED
ENDREASON_IOC = EndReason.IOC
ENDREASON_NONE = EndReason.NONE
ENDREASON_NO_LIQUIDITY = EndReason.NO_LIQUIDITY
ENDREASON_SELF_TRADE = EndReason.SELF_TRADE
ENDREASON_USER_CANCELED = EndReason.USER_CANCELED
MARKETSTATUS_HALTED = MarketStatus.HALTED
MARKETSTATUS_TRADING = MarketStatus.TRADING
ORDERSTATUS_CANCELED = OrderStatus.CANCELED
ORDERSTATUS_EXPIRED = OrderStatus.EXPIRED
ORDERSTATUS_FILLED = OrderStatus.FILLED
ORDERSTATUS_NEW = OrderStatus.NEW
ORDERSTATUS_PARTIALLY_FILLED = OrderStatus.PARTIALLY_FILLED
ORDERTYPE_LIMIT = OrderType.LIMIT
ORDERTYPE_MARKET = OrderType.MARKET
ORDERTYPE_STOP_LIMIT = OrderType.STOP_LIMIT
ORDERTYPE_STOP_MARKET = OrderType.STOP_MARKET
SIDE_BUY = Side.BUY
STPMODE_EXPIRE_MAKER = StpMode.EXPIRE_MAKER
STPMODE_EXPIRE_TAKER = StpMode.EXPIRE_TAKER
STPMODE_NONE = StpMode.NONE
TIMEINFORCE_FOK = TimeInForce.FOK
TIMEINFORCE_GTC = TimeInForce.GTC
TIMEINFORCE_IOC = TimeInForce.IOC
