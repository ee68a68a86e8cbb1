import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { PASSWORD, expect, signIn, test, verifiedUser } from "./fixtures";

/** WCAG 2.1 A/AA problems axe finds on the page, as "rule: target" lines. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`));
}

test("the public pages have no WCAG A/AA problems axe can find", async ({ page }) => {
  for (const path of ["/login", "/register", "/forgot-password", "/dev/mailbox"]) {
    await page.goto(path);
    await expect(page.locator("main h1")).toBeVisible();
    expect(await violations(page), path).toEqual([]);
  }
  // errors shown beside the fields stay accessible too
  await page.goto("/register");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.locator("[data-field-error]").first()).toBeVisible();
  expect(await violations(page)).toEqual([]);
});

test("the signed-in pages have no WCAG A/AA problems axe can find", async ({ page, request }) => {
  const email = await verifiedUser(request, "a11y");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  await expect(page.locator('tr[data-asset="AED"]')).toBeVisible();
  expect(await violations(page), "/wallet").toEqual([]);
  for (const path of ["/kyc", "/settings/sessions", "/settings/2fa", "/settings/api-keys"]) {
    await page.goto(path);
    await expect(page.locator("main h1")).toBeVisible();
    expect(await violations(page), path).toEqual([]);
  }
});

test("signing in works with the keyboard alone", async ({ page, request }) => {
  const email = await verifiedUser(request, "keyboard");
  await page.goto("/login");
  await page.keyboard.press("Tab"); // the skip link comes first
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.getByLabel("E-mail address").focus();
  await page.keyboard.type(email);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Password")).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/wallet$/);
  // the user menu opens and closes from the keyboard
  await page.getByRole("button", { name: new RegExp(email) }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("list", { name: "Account" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("list", { name: "Account" })).toHaveCount(0);
});

test("the dark theme keeps enough contrast", async ({ page, request }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/register");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.locator("[data-field-error]").first()).toBeVisible();
  expect(await violations(page), "/register").toEqual([]);
  const email = await verifiedUser(request, "dark");
  await signIn(page, email);
  await expect(page.locator('tr[data-asset="AED"]')).toBeVisible();
  expect(await violations(page), "/wallet").toEqual([]);
  await page.goto("/dev/mailbox");
  await expect(page.locator("main h1")).toBeVisible();
  expect(await violations(page), "/dev/mailbox").toEqual([]);
});
