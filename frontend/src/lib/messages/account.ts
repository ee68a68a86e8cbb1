/** Messages of the account screens: `en` holds every key, `ar` may lack some (English is shown then). */
export const en = {
  "account.sessions": "Sessions",
} as const;

export const ar: Partial<Record<keyof typeof en, string>> = {
  "account.sessions": "الجلسات",
};
