/** Messages of the wallet screens: `en` holds every key, `ar` may lack some (English is shown then). */
export const en = {
  "wallet.title": "Wallet",
} as const;

export const ar: Partial<Record<keyof typeof en, string>> = {
  "wallet.title": "المحفظة",
};
