/**
 * A tiny typed message catalogue: `en` is the reference (every key), `ar` may lack keys,
 * which then fall back to English. `{name}` placeholders are filled by `translate`.
 * Pure: no React, no DOM access except `applyDocumentLanguage(doc, …)`, given the document.
 */

import * as account from "./messages/account";
import * as admin from "./messages/admin";
import * as kyc from "./messages/kyc";
import * as markets from "./messages/markets";
import * as notifications from "./messages/notifications";
import * as trade from "./messages/trade";
import * as wallet from "./messages/wallet";

export type Language = "en" | "ar";
export const LANGUAGES: readonly Language[] = ["en", "ar"];

const core = {
  "nav.markets": "Markets",
  "nav.wallet": "Wallet",
  "nav.admin": "Admin",
  "nav.signIn": "Sign in",
  "nav.register": "Register",
  "nav.skip": "Skip to content",
  "routeError.notFoundTitle": "Page not found",
  "routeError.failedTitle": "Something went wrong",
  "routeError.newVersion": "A new version of Burency is available.",
  "routeError.nothingHere": "There is nothing at this address.",
  "routeError.tryAgain": "This page could not be shown. Please try again.",
  "routeError.reload": "Reload",
  "routeError.start": "Go to the start page",
  "nav.main": "Main",
  "nav.language": "Language",
  "menu.account": "Account",
  "menu.kyc": "Verification (KYC)",
  "menu.profile": "Profile and settings",
  "menu.notifications": "Notification preferences",
  "menu.sessions": "Sessions",
  "menu.2fa": "Two-factor authentication",
  "menu.apiKeys": "API keys",
  "menu.signOut": "Sign out",
  "bell.label": "Notifications",
  "bell.unread": "{count} unread",
  "bell.empty": "No notifications yet.",
  "bell.markAll": "Mark all read",
  "bell.markRead": "Mark read",
  "bell.preferences": "Preferences",
  "auth.email": "E-mail address",
  "auth.password": "Password",
  "auth.signInTitle": "Sign in",
  "auth.signInButton": "Sign in",
  "auth.signingIn": "Signing in…",
  "auth.twoFactorTitle": "Two-factor authentication",
  "auth.codePrompt": "Enter the 6-digit code from your authenticator app, or a recovery code.",
  "auth.code": "Authentication code",
  "auth.verifyAndSignIn": "Verify and sign in",
  "auth.back": "Back",
  "auth.forgot": "Forgot your password?",
  "auth.newHere": "New here?",
  "auth.createAccountLink": "Create an account",
  "auth.registerTitle": "Create your account",
  "auth.passwordHint": "At least 10 characters; avoid common passwords.",
  "auth.repeatPassword": "Repeat the password",
  "auth.mismatch": "The two passwords are not the same.",
  "auth.creating": "Creating…",
  "auth.createAccount": "Create account",
  "auth.alreadyRegistered": "Already registered?",
  "auth.checkEmailTitle": "Check your e-mail",
  "auth.checkEmail": "We sent a link to {email}. Open it to verify your address, then sign in.",
  "auth.goToSignIn": "Go to sign in",
  "settings.title": "Profile and settings",
  "settings.profile": "Profile",
  "settings.firstName": "First name",
  "settings.lastName": "Last name",
  "settings.phone": "Mobile phone",
  "settings.avatar": "Profile picture",
  "settings.avatarHint": "JPEG, PNG or WebP, up to 5 MB.",
  "settings.avatarUploading": "Uploading…",
  "settings.preferences": "Preferences",
  "settings.language": "Language",
  "settings.timezone": "Time zone",
  "settings.currency": "Display currency",
  "settings.theme": "Theme",
  "settings.themeLight": "Light",
  "settings.themeDark": "Dark",
  "settings.themeSystem": "As the device",
  "settings.save": "Save",
  "settings.saved": "Saved.",
  "settings.locked": "Verified identity: your name can no longer be changed here.",
  "prefs.title": "Notification preferences",
  "prefs.intro": "Choose where each kind of message reaches you. Security e-mails cannot be switched off.",
  "prefs.event": "Event",
  "prefs.saved": "Preferences saved.",
  "channel.in_app": "In the app",
  "channel.email": "E-mail",
  "channel.sms": "SMS",
  "channel.push": "Push",
  "common.loading": "Loading…",
  "event.auth.welcome": "Welcome",
  "event.auth.new_login": "New sign-in",
  "event.auth.register_attempt": "Someone tried to register with your address",
  "event.auth.password_changed": "Password changed",
  "event.auth.session_revoked": "Session ended",
  "event.auth.2fa_enabled": "Two-factor authentication on",
  "event.auth.2fa_disabled": "Two-factor authentication off",
  "event.auth.api_key_created": "API key created",
  "event.auth.api_key_revoked": "API key revoked",
  "event.auth.verify_email": "E-mail verification",
  "event.auth.password_reset": "Password reset",
  "event.kyc.approved": "Verification approved",
  "event.kyc.rejected": "Verification rejected",
  "event.deposit.credited": "Deposit credited",
  "event.withdrawal.sent": "Withdrawal sent",
  "event.order.filled": "Order filled",
  "event.price.alert": "Price alert",
  "event.marketing.announcement": "Announcements",
} as const;

/**
 * The whole English catalogue: the shell's keys above plus each area's own file under
 * `messages/` (one file per feature, so areas are translated without touching each other).
 */
const en = {
  ...core,
  ...account.en,
  ...admin.en,
  ...kyc.en,
  ...markets.en,
  ...notifications.en,
  ...trade.en,
  ...wallet.en,
} as const;

export type MessageKey = keyof typeof en;
export type Catalogue = Partial<Record<MessageKey, string>>;

const coreAr: Catalogue = {
  "nav.markets": "الأسواق",
  "nav.wallet": "المحفظة",
  "nav.admin": "الإدارة",
  "nav.signIn": "تسجيل الدخول",
  "nav.register": "إنشاء حساب",
  "nav.skip": "انتقل إلى المحتوى",
  "routeError.notFoundTitle": "الصفحة غير موجودة",
  "routeError.failedTitle": "حدث خطأ ما",
  "routeError.newVersion": "يتوفر إصدار جديد من Burency.",
  "routeError.nothingHere": "لا يوجد شيء على هذا العنوان.",
  "routeError.tryAgain": "تعذر عرض هذه الصفحة. يرجى المحاولة مرة أخرى.",
  "routeError.reload": "إعادة التحميل",
  "routeError.start": "الذهاب إلى صفحة البداية",
  "nav.main": "الرئيسية",
  "nav.language": "اللغة",
  "menu.account": "الحساب",
  "menu.kyc": "التحقق من الهوية",
  "menu.profile": "الملف الشخصي والإعدادات",
  "menu.notifications": "تفضيلات الإشعارات",
  "menu.sessions": "الجلسات",
  "menu.2fa": "المصادقة الثنائية",
  "menu.apiKeys": "مفاتيح API",
  "menu.signOut": "تسجيل الخروج",
  "bell.label": "الإشعارات",
  "bell.unread": "{count} غير مقروءة",
  "bell.empty": "لا توجد إشعارات بعد.",
  "bell.markAll": "تعليم الكل كمقروء",
  "bell.markRead": "تعليم كمقروء",
  "bell.preferences": "التفضيلات",
  "auth.email": "البريد الإلكتروني",
  "auth.password": "كلمة المرور",
  "auth.signInTitle": "تسجيل الدخول",
  "auth.signInButton": "تسجيل الدخول",
  "auth.signingIn": "جارٍ تسجيل الدخول…",
  "auth.twoFactorTitle": "المصادقة الثنائية",
  "auth.codePrompt": "أدخل الرمز المكوّن من 6 أرقام من تطبيق المصادقة، أو رمز استرداد.",
  "auth.code": "رمز المصادقة",
  "auth.verifyAndSignIn": "تحقق وسجّل الدخول",
  "auth.back": "رجوع",
  "auth.forgot": "نسيت كلمة المرور؟",
  "auth.newHere": "جديد هنا؟",
  "auth.createAccountLink": "أنشئ حساباً",
  "auth.registerTitle": "أنشئ حسابك",
  "auth.passwordHint": "10 أحرف على الأقل؛ تجنّب كلمات المرور الشائعة.",
  "auth.repeatPassword": "أعد كتابة كلمة المرور",
  "auth.mismatch": "كلمتا المرور غير متطابقتين.",
  "auth.creating": "جارٍ الإنشاء…",
  "auth.createAccount": "إنشاء الحساب",
  "auth.alreadyRegistered": "لديك حساب؟",
  "auth.checkEmailTitle": "تحقق من بريدك الإلكتروني",
  "auth.checkEmail": "أرسلنا رابطاً إلى {email}. افتحه لتأكيد عنوانك، ثم سجّل الدخول.",
  "auth.goToSignIn": "الذهاب إلى تسجيل الدخول",
  "settings.title": "الملف الشخصي والإعدادات",
  "settings.profile": "الملف الشخصي",
  "settings.firstName": "الاسم الأول",
  "settings.lastName": "اسم العائلة",
  "settings.phone": "رقم الجوال",
  "settings.avatar": "الصورة الشخصية",
  "settings.avatarHint": "JPEG أو PNG أو WebP، حتى 5 ميغابايت.",
  "settings.avatarUploading": "جارٍ الرفع…",
  "settings.preferences": "التفضيلات",
  "settings.language": "اللغة",
  "settings.timezone": "المنطقة الزمنية",
  "settings.currency": "عملة العرض",
  "settings.theme": "المظهر",
  "settings.themeLight": "فاتح",
  "settings.themeDark": "داكن",
  "settings.themeSystem": "حسب الجهاز",
  "settings.save": "حفظ",
  "settings.saved": "تم الحفظ.",
  "settings.locked": "تم التحقق من هويتك: لم يعد بالإمكان تغيير اسمك هنا.",
  "prefs.title": "تفضيلات الإشعارات",
  "prefs.intro": "اختر أين تصلك كل رسالة. لا يمكن إيقاف رسائل الأمان عبر البريد الإلكتروني.",
  "prefs.event": "الحدث",
  "prefs.saved": "تم حفظ التفضيلات.",
  "channel.in_app": "داخل التطبيق",
  "channel.email": "البريد الإلكتروني",
  "channel.sms": "رسالة نصية",
  "channel.push": "إشعار فوري",
  "common.loading": "جارٍ التحميل…",
  "event.auth.welcome": "الترحيب",
  "event.auth.new_login": "تسجيل دخول جديد",
  "event.auth.register_attempt": "محاولة تسجيل بعنوانك",
  "event.auth.password_changed": "تغيير كلمة المرور",
  "event.auth.session_revoked": "إنهاء جلسة",
  "event.auth.2fa_enabled": "تفعيل المصادقة الثنائية",
  "event.auth.2fa_disabled": "إيقاف المصادقة الثنائية",
  "event.auth.api_key_created": "إنشاء مفتاح API",
  "event.auth.api_key_revoked": "إلغاء مفتاح API",
  "event.auth.verify_email": "تأكيد البريد الإلكتروني",
  "event.auth.password_reset": "إعادة تعيين كلمة المرور",
  "event.kyc.approved": "قبول التحقق",
  "event.kyc.rejected": "رفض التحقق",
  "event.deposit.credited": "إيداع مبلغ",
  "event.withdrawal.sent": "إرسال سحب",
  "event.order.filled": "تنفيذ أمر",
  "event.price.alert": "تنبيه سعر",
  "event.marketing.announcement": "الإعلانات",
};

const ar: Catalogue = {
  ...coreAr,
  ...account.ar,
  ...admin.ar,
  ...kyc.ar,
  ...markets.ar,
  ...notifications.ar,
  ...trade.ar,
  ...wallet.ar,
};

export const CATALOGUES: Record<Language, Catalogue> = { en, ar };

/** The message for `key` in `language`, English when that language lacks it. */
export function translate(
  language: Language,
  key: MessageKey,
  params: Record<string, string | number> = {},
  catalogues: Record<Language, Catalogue> = CATALOGUES,
): string {
  const text = catalogues[language][key] ?? catalogues.en[key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** `ar`/`ar-AE` → "ar", `en-GB` → "en", anything else (or nothing) → null. */
export function parseLanguage(value: unknown): Language | null {
  if (typeof value !== "string") return null;
  const base = value.trim().toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.find((l) => l === base) ?? null;
}

/** The first supported language of the browser's list, else English. */
export function browserLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const language = parseLanguage(tag);
    if (language) return language;
  }
  return "en";
}

export function direction(language: Language): "rtl" | "ltr" {
  return language === "ar" ? "rtl" : "ltr";
}

/** Sets `lang` and `dir` on `<html>` (the CSS uses logical properties, so it mirrors). */
export function applyDocumentLanguage(doc: Document, language: Language): void {
  doc.documentElement.lang = language;
  doc.documentElement.dir = direction(language);
}

export type Theme = "light" | "dark" | "system";

export function parseTheme(value: unknown): Theme | null {
  return value === "light" || value === "dark" || value === "system" ? value : null;
}

/** `data-theme` on `<html>`: light and dark override the device's `prefers-color-scheme`. */
export function applyDocumentTheme(doc: Document, theme: Theme): void {
  if (theme === "system") delete doc.documentElement.dataset.theme;
  else doc.documentElement.dataset.theme = theme;
}
