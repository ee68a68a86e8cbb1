/** Messages of the notifications screens: `en` holds every key, `ar` may lack some (English is shown then). */
export const en = {
  "notifications.mailbox": "Mailbox",
} as const;

export const ar: Partial<Record<keyof typeof en, string>> = {
  "notifications.mailbox": "صندوق البريد",
};
