/** Messages of the admin screens: `en` holds every key, `ar` may lack some (English is shown then). */
export const en = {
  "admin.title": "Administration",
} as const;

export const ar: Partial<Record<keyof typeof en, string>> = {
  "admin.title": "الإدارة",
};
