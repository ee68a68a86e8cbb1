/** Messages of the markets screens: `en` holds every key, `ar` may lack some (English is shown then). */
export const en = {
  "markets.title": "Markets",
} as const;

export const ar: Partial<Record<keyof typeof en, string>> = {
  "markets.title": "الأسواق",
};
