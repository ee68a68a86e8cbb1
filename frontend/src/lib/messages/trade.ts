/** Messages of the trade screens: `en` holds every key, `ar` may lack some (English is shown then). */
export const en = {
  "trade.openOrders": "Open orders",
} as const;

export const ar: Partial<Record<keyof typeof en, string>> = {
  "trade.openOrders": "الأوامر المفتوحة",
};
