/** Messages of the kyc screens: `en` holds every key, `ar` may lack some (English is shown then). */
export const en = {
  "kyc.title": "Verification (KYC)",
} as const;

export const ar: Partial<Record<keyof typeof en, string>> = {
  "kyc.title": "التحقق من الهوية",
};
