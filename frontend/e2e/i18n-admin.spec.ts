import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { PASSWORD, admin, apiToken, bearer, expect, shot, test, totp, verifiedUser } from "./fixtures";

/** The page is no wider than the window (nothing pushed off-screen in right-to-left). */
async function noHorizontalOverflow(page: Page): Promise<void> {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  expect(scroll).toBeLessThanOrEqual(client);
}

test.describe("the admin console in Arabic", () => {
  test.afterEach(async ({ request }) => {
    // the switch saved Arabic to the demo admin's profile: other specs sign in as them in English
    const token = await apiToken(request, admin().email, admin().password);
    const res = await request.patch("/api/users/v1/profile", { headers: bearer(token), data: { language: "en" } });
    expect(res.status(), await res.text()).toBe(200);
  });

  test("headings, navigation and tables in Arabic, right to left, nothing overflowing", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("E-mail address").fill(admin().email);
    await page.getByLabel("Password").fill(admin().password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/wallet$/);
    await page.getByLabel("Language").selectOption("ar");
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await expect(page.locator("html")).toHaveAttribute("lang", "ar");

    await page.getByRole("link", { name: "الإدارة", exact: true }).click();
    const nav = page.getByRole("navigation", { name: "لوحة الإدارة" });
    await expect(nav.getByRole("link")).toHaveText([
      "إيداعات الدرهم",
      "عمليات السحب",
      "مراجعة التحقق (KYC)",
      "المستخدمون",
      "الأسواق",
      "بيانات السوق والروبوت",
      "الإعلانات",
      "سجل التدقيق",
    ]);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("إيداعات الدرهم بانتظار الموافقة");
    await noHorizontalOverflow(page);

    const sections: [string, string, string][] = [
      ["المستخدمون", "المستخدمون", "[data-user]"],
      ["الأسواق", "الأسواق", "[data-market]"],
      ["بيانات السوق والروبوت", "بيانات السوق وروبوت السيولة", "[data-source]"],
      ["الإعلانات", "الإعلانات", "form"],
      ["سجل التدقيق", "سجل التدقيق", "table"],
      ["مراجعة التحقق (KYC)", "مراجعة التحقق (KYC)", "main h1"],
      ["عمليات السحب", "عمليات السحب", "main h2"],
    ];
    for (const [link, heading, ready] of sections) {
      await nav.getByRole("link", { name: link, exact: true }).click();
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
      await expect(page.locator(ready).first()).toBeVisible();
      await expect(page.getByRole("status").filter({ hasText: "جارٍ التحميل" })).toHaveCount(0);
      await noHorizontalOverflow(page);
    }
    // a table's headers and a market's state in Arabic too
    await nav.getByRole("link", { name: "سجل التدقيق", exact: true }).click();
    await expect(page.getByRole("table", { name: "الأسواق والروبوت (التداول)" }).getByRole("columnheader").first()).toHaveText("الوقت");
    await nav.getByRole("link", { name: "الأسواق", exact: true }).click();
    await expect(page.locator('[data-market="BTC/AED"]').getByTestId("market-status")).toHaveText(/تداول|متوقف|إلغاء فقط/);
    await nav.getByRole("link", { name: "المستخدمون", exact: true }).click();
    await expect(page.getByRole("button", { name: "بحث" })).toBeVisible();
    await expect(page.locator("[data-user]").first()).toBeVisible();
    await shot(page, "admin-ar");
    const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(axe.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`))).toEqual([]);
  });
});

test("API errors in Arabic beside their field: a weak password, a wrong password, a wrong 2FA code", async ({ browser, request }) => {
  const context = await browser.newContext({ locale: "ar-AE" });
  const page = await context.newPage();
  try {
    await page.goto("/register");
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await page.getByLabel("البريد الإلكتروني").fill(`weak-${Date.now().toString(36)}@example.com`);
    await page.getByLabel("كلمة المرور", { exact: true }).fill("password1");
    await page.getByLabel("أعد كتابة كلمة المرور").fill("password1");
    await page.getByRole("button", { name: "إنشاء الحساب" }).click();
    await expect(page.locator('[data-field-error="password"]')).toHaveText(/كلمة المرور/);

    // a user with 2FA on (through the API), signing in in Arabic
    const email = await verifiedUser(request, "ar2fa");
    const token = await apiToken(request, email);
    const enrol = await request.post("/api/auth/v1/2fa/enroll", { headers: bearer(token) });
    const { secret } = (await enrol.json()) as { secret: string };
    const confirmed = await request.post("/api/auth/v1/2fa/confirm", { headers: bearer(token), data: { code: totp(secret) } });
    expect(confirmed.status(), await confirmed.text()).toBe(200);

    await page.goto("/login");
    await page.getByLabel("البريد الإلكتروني").fill(email);
    await page.getByLabel("كلمة المرور").fill("not the password at all");
    await page.getByRole("button", { name: "تسجيل الدخول" }).click();
    await expect(page.getByRole("alert")).toHaveText("البريد الإلكتروني أو كلمة المرور غير صحيحة.");

    await page.getByLabel("كلمة المرور").fill(PASSWORD);
    await page.getByRole("button", { name: "تسجيل الدخول" }).click();
    const code = page.getByLabel("رمز المصادقة");
    await code.fill(totp(secret, 0) === "000000" ? "111111" : "000000");
    await page.getByRole("button", { name: "تحقق وسجّل الدخول" }).click();
    await expect(page.locator('[data-field-error="totpCode"]')).toHaveText("الرمز غير صحيح. تحقّق من تطبيق المصادقة وحاول مرة أخرى.");
    await expect(code).toHaveAttribute("aria-invalid", "true");
  } finally {
    await context.close();
  }
});
