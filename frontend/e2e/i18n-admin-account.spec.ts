import { PASSWORD, expect, shot, test, verifiedUser } from "./fixtures";

/** The account pages a user reaches from the menu, in Arabic (signed in from an ar-AE browser, then switched). */
test("sessions, 2FA, API keys and KYC in Arabic, right to left, nothing overflowing", async ({ browser, request }) => {
  const email = await verifiedUser(request, "araccount");
  const context = await browser.newContext({ locale: "ar-AE" });
  const page = await context.newPage();
  try {
    await page.goto("/login");
    await page.getByLabel("البريد الإلكتروني").fill(email);
    await page.getByLabel("كلمة المرور").fill(PASSWORD);
    await page.getByRole("button", { name: "تسجيل الدخول" }).click();
    await expect(page).toHaveURL(/\/wallet$/);
    // a new account's profile says English, which wins over the browser once signed in
    await page.getByLabel("Language").selectOption("ar");
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");

    const pages: [string, string, string][] = [
      ["/settings/sessions", "الجلسات", "هذا الجهاز"],
      ["/settings/2fa", "المصادقة الثنائية", "إعداد المصادقة الثنائية"],
      ["/settings/api-keys", "مفاتيح API", "لا توجد مفاتيح بعد."],
      ["/kyc", "التحقق من الهوية", "أكمل ملفك الشخصي (المستوى 1)"],
    ];
    for (const [path, heading, text] of pages) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
      await expect(page.getByText(text).first()).toBeVisible();
      const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      expect(scroll, path).toBeLessThanOrEqual(client);
    }
    await expect(page.getByRole("list", { name: "مستويات التحقق" }).getByText("مكتمل")).toHaveCount(1);
    // a field refused by the users service, said in Arabic beside it
    await page.getByLabel("الاسم الأول").fill("Omar");
    await page.getByLabel("اسم العائلة").fill("Saleh");
    await page.getByLabel("تاريخ الميلاد").fill("2015-01-01");
    await page.getByLabel("رقم الجوال").fill("+971501234567");
    await page.getByLabel("العنوان", { exact: true }).fill("12 Al Wasl Road");
    await page.getByLabel("المدينة").fill("Dubai");
    await page.getByRole("button", { name: "حفظ وتحقق" }).click();
    await expect(page.locator('[data-field-error="dateOfBirth"]')).toHaveText("أدخل تاريخ ميلادك الحقيقي: يجب ألا يقل عمرك عن 18 عاماً.");
    await shot(page, "kyc-ar");
  } finally {
    await context.close();
  }
});
