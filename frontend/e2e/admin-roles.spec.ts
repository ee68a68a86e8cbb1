import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { admin, apiToken, bearer, expect, signIn, test, verifiedUser } from "./fixtures";

async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`));
}

test("support staff see only what their role may do, and cannot change markets", async ({ page, request }) => {
  const email = await verifiedUser(request, "supportstaff");
  const staff = await apiToken(request, admin().email, admin().password);
  const found = await request.get(`/api/auth/v1/admin/users?email=${encodeURIComponent(email)}`, { headers: bearer(staff) });
  const [user] = ((await found.json()) as { items: { id: string }[] }).items;
  const granted = await request.post(`/api/auth/v1/admin/users/${user?.id ?? ""}/roles`, {
    headers: bearer(staff),
    data: { role: "support" },
  });
  expect(granted.status(), await granted.text()).toBe(200);

  await signIn(page, email);
  await page.getByRole("link", { name: "Admin", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  const nav = page.getByRole("navigation", { name: "Admin" });
  await expect(nav.getByRole("link")).toHaveText(["Users", "Markets", "Market data & bot", "Audit log"]);
  // reads, but no role, disable or market buttons
  await expect(page.locator("[data-user]").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Disable" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Grant role/ })).toHaveCount(0);
  await nav.getByRole("link", { name: "Markets" }).click();
  await expect(page.locator('[data-market="BTC/AED"]')).toBeVisible();
  await expect(page.getByText("Read only: changing markets needs the admin role.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Halt BTC/AED" })).toHaveCount(0);
});

test("the admin console's pages have no WCAG A/AA problems axe can find", async ({ page }) => {
  await signIn(page, admin().email, admin().password);
  await expect(page).toHaveURL(/\/wallet$/);
  const ready: Record<string, string> = {
    "/admin/users": "[data-user]",
    "/admin/kyc": "main h1",
    "/admin/markets": "[data-market]",
    "/admin/market-data": "[data-source]",
    "/admin/announcements": "main h1",
    "/admin/audit": "main h1",
  };
  for (const [path, selector] of Object.entries(ready)) {
    await page.goto(path);
    await expect(page.locator(selector).first()).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: "Loading" })).toHaveCount(0);
    expect(await violations(page), path).toEqual([]);
  }
});
