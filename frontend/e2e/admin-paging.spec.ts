import { PASSWORD, admin, expect, signIn, test } from "./fixtures";

/**
 * The users list pages on with auth's own cursor: 23 accounts sharing a tag fill a first
 * page of 20 and a second of 3, with no account twice and none left out.
 */
test("admin users: the first page, then Load more, every account once", async ({ page, request }) => {
  const tag = `pg${Date.now().toString(36)}`;
  const emails = Array.from({ length: 23 }, (_, i) => `${tag}-${String(i).padStart(2, "0")}@example.com`);
  for (const email of emails) {
    const res = await request.post("/api/auth/v1/register", { data: { email, password: PASSWORD } });
    expect(res.status(), await res.text()).toBe(202);
  }

  await signIn(page, admin().email, admin().password);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/admin/users");
  await page.getByLabel("E-mail", { exact: true }).fill(tag);
  await page.getByRole("button", { name: "Search" }).click();
  const rows = page.getByRole("list", { name: "Users" }).locator("[data-user]");
  await expect(rows).toHaveCount(20);
  await expect(page.getByText("20 shown")).toBeVisible();

  await page.getByRole("button", { name: "Load more" }).click();
  await expect(rows).toHaveCount(23);
  await expect(page.getByText("All 23 shown.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
  const shown = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-user") ?? ""));
  expect(new Set(shown).size).toBe(shown.length);
  expect([...shown].sort()).toEqual([...emails].sort());
});
