/** Messages of the notification screens: `en` holds every key, `ar` may lack some (English is shown then). */
export const en = {
  "notifications.mailbox": "Mailbox",
  "notifications.devBanner": "EMBEDDED MODE ONLY — DEVELOPMENT MAILBOX.",
  "notifications.devBannerText":
    "This platform sends no real e-mail: every message it would have sent is listed here. It exists only when Burency runs embedded (make run) and only for visitors on this machine. Never expose it.",
  "notifications.checking": "checking…",
  "notifications.refreshes": "refreshes every 2 s",
  "notifications.filter": "Filter by recipient or subject",
  "notifications.noMailbox": "There is no mailbox here: this platform does not run in embedded mode.",
  "notifications.noMatch": "No e-mail matches.",
  "notifications.noMail": "No e-mails yet.",
  "notifications.to": "to {to}",
  "notifications.unknownRecipient": "unknown",
  "notifications.links": "Links in “{subject}”",
} as const;

export const ar: Partial<Record<keyof typeof en, string>> = {
  "notifications.mailbox": "صندوق البريد",
  "notifications.devBanner": "للوضع المدمج فقط — صندوق بريد التطوير.",
  "notifications.devBannerText":
    "لا ترسل هذه المنصة أي بريد إلكتروني حقيقي: كل رسالة كانت سترسلها معروضة هنا. لا يوجد إلا عند تشغيل Burency في الوضع المدمج (make run) ولزوار هذا الجهاز فقط. لا تكشفه أبداً.",
  "notifications.checking": "جارٍ التحقق…",
  "notifications.refreshes": "يتحدّث كل ثانيتين",
  "notifications.filter": "التصفية حسب المستلم أو الموضوع",
  "notifications.noMailbox": "لا يوجد صندوق بريد هنا: هذه المنصة لا تعمل في الوضع المدمج.",
  "notifications.noMatch": "لا توجد رسالة مطابقة.",
  "notifications.noMail": "لا توجد رسائل بعد.",
  "notifications.to": "إلى {to}",
  "notifications.unknownRecipient": "غير معروف",
  "notifications.links": "الروابط في «{subject}»",
};
