import { apiToken, bearer, expect, shot, signIn, test, verifiedUser } from "./fixtures";
import { png } from "./imageFiles";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";

test("Arabic: the shell switches to right-to-left at once, and the choice follows the user to another browser", async ({
  page,
  browser,
  request,
  baseURL,
}) => {
  const email = await verifiedUser(request, "rtl");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  await expect(page.locator("html")).toHaveAttribute("dir", "ltr");

  await page.getByLabel("Language").selectOption("ar");
  const html = page.locator("html");
  await expect(html).toHaveAttribute("dir", "rtl");
  await expect(html).toHaveAttribute("lang", "ar");
  const nav = page.getByRole("navigation", { name: "الرئيسية" });
  await expect(nav.getByRole("link", { name: "الأسواق" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "المحفظة" })).toBeVisible();

  // mirrored: the brand sits at the right edge, the account menu at the left
  const width = page.viewportSize()?.width ?? 1280;
  const brand = await page.getByRole("link", { name: "Burency home" }).boundingBox();
  expect(brand?.x ?? 0).toBeGreaterThan(width / 2);
  await page.getByRole("button", { name: email }).click();
  const menu = page.getByRole("list", { name: "الحساب" });
  await expect(menu.getByRole("link", { name: "الملف الشخصي والإعدادات" })).toBeVisible();
  const menuBox = await menu.boundingBox();
  expect((menuBox?.x ?? width) + (menuBox?.width ?? 0)).toBeLessThan(width / 2);
  await menu.getByRole("link", { name: "الملف الشخصي والإعدادات" }).click();
  await expect(page.getByRole("heading", { name: "الملف الشخصي والإعدادات" })).toBeVisible();
  await shot(page, "rtl");
  await page.goto("/settings/notifications");
  await expect(page.getByRole("heading", { name: "تفضيلات الإشعارات" })).toBeVisible();
  await expect(page.getByRole("checkbox", { name: "إيداع مبلغ: البريد الإلكتروني" })).toBeChecked();

  // saved in the users service: a fresh browser signs in and gets Arabic from the profile
  const token = await apiToken(request, email);
  await expect
    .poll(async () => ((await (await request.get("/api/users/v1/profile", { headers: bearer(token) })).json()) as { language: string }).language)
    .toBe("ar");
  const other = await browser.newContext({ baseURL, locale: "en-US" });
  const second = await other.newPage();
  await signIn(second, email);
  await expect(second.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(second.getByRole("link", { name: "المحفظة" })).toBeVisible();

  // and back: English, left-to-right
  await second.getByLabel("اللغة").selectOption("en");
  await expect(second.locator("html")).toHaveAttribute("dir", "ltr");
  await expect(second.getByRole("link", { name: "Wallet" })).toBeVisible();
  await other.close();
});

test("a visitor's browser language picks Arabic before sign-in: the sign-in form and the password reset are Arabic", async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ baseURL, locale: "ar-AE" });
  const page = await context.newPage();
  await page.goto("/login");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.getByRole("link", { name: "إنشاء حساب" })).toBeVisible();
  await expect(page.getByLabel("البريد الإلكتروني")).toBeVisible();
  await expect(page.getByRole("button", { name: "تسجيل الدخول" })).toBeVisible();
  await page.getByRole("link", { name: "نسيت كلمة المرور؟" }).click();
  await expect(page.getByRole("heading", { name: "إعادة تعيين كلمة المرور" })).toBeVisible();
  await expect(page.getByLabel("البريد الإلكتروني")).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await context.close();
});

test("settings: the dark theme applies at once, is saved to the account and survives a reload; the profile saves", async ({
  page,
  request,
}) => {
  const email = await verifiedUser(request, "theme");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/settings/profile");
  await page.getByLabel("Light").check();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  const light = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

  await page.getByLabel("Dark").check();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect.poll(() => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe("rgb(15, 17, 21)");
  expect(light).not.toBe("rgb(15, 17, 21)");

  const token = await apiToken(request, email);
  await expect
    .poll(async () => ((await (await request.get("/api/users/v1/settings", { headers: bearer(token) })).json()) as { theme?: string }).theme)
    .toBe("dark");
  await page.evaluate(() => window.localStorage.removeItem("burency.theme")); // the account's choice, not this browser's
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");

  await page.getByLabel("Time zone").selectOption("Asia/Dubai");
  await page.getByLabel("Display currency").selectOption("USD");
  await page.getByLabel("Mobile phone").fill("12");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator('[data-field-error="phone"]')).toBeVisible();
  await page.getByLabel("Mobile phone").fill("+971501234567");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  const profile = (await (await request.get("/api/users/v1/profile", { headers: bearer(token) })).json()) as {
    timezone: string;
    displayCurrency: string;
  };
  expect(profile.timezone).toBe("Asia/Dubai");
  expect(profile.displayCurrency).toBe("USD");
});

test("avatar: the chosen picture is previewed, uploaded and kept on the profile", async ({ page, request }) => {
  const email = await verifiedUser(request, "avatar");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/settings/profile");
  await page.getByLabel("Profile picture").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: png(64, 64, [19, 70, 194]) });
  await expect(page.getByTestId("avatar-preview")).toBeVisible();
  const token = await apiToken(request, email);
  await expect
    .poll(async () => ((await (await request.get("/api/users/v1/profile", { headers: bearer(token) })).json()) as { avatarFileId: string | null }).avatarFileId)
    .toBeTruthy();
  await page.reload();
  await expect(page.getByTestId("avatar-preview")).toHaveAttribute("src", /\/api\/files\//);
});

test("accessibility: axe finds no WCAG 2.1 A/AA problem on the settings, preferences and KYC pages and the open bell, light and dark, English and Arabic", async ({
  page,
  request,
}) => {
  const email = await verifiedUser(request, "a11y-settings");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  const violations = async (): Promise<string[]> => {
    const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`));
  };
  for (const theme of ["Light", "Dark"]) {
    await page.goto("/settings/profile");
    // a new page load reads the account's choice: let the save land before leaving
    const themeSaved = savedTo(page, "/api/users/v1/settings");
    await page.getByLabel(theme).check();
    await themeSaved;
    for (const path of ["/settings/profile", "/settings/notifications", "/kyc"]) {
      await page.goto(path);
      await expect(page.locator("main h1")).toBeVisible();
      await expect(page.getByRole("status")).toHaveCount(0);
      expect(await violations(), `${path} ${theme}`).toEqual([]);
    }
    await page.getByRole("button", { name: /^Notifications/ }).click();
    await expect(page.getByRole("region", { name: "Notifications" }).getByRole("listitem").first()).toBeVisible();
    expect(await violations(), `bell ${theme}`).toEqual([]);
    await page.keyboard.press("Escape");
  }
  const languageSaved = savedTo(page, "/api/users/v1/profile");
  await page.getByLabel("Language").selectOption("ar");
  await languageSaved;
  await page.goto("/settings/profile");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.locator("main h1")).toBeVisible();
  expect(await violations(), "/settings/profile ar").toEqual([]);
});

/** The answer to the next PATCH of ``path`` (a saved choice), once it succeeded. */
function savedTo(page: Page, path: string): Promise<unknown> {
  return page.waitForResponse(
    (response) => response.request().method() === "PATCH" && new URL(response.url()).pathname === path && response.ok(),
  );
}
