import type { Page } from "@playwright/test";
import { PASSWORD, admin, apiToken, bearer, expect, shot, signIn, test, verifiedUser } from "./fixtures";

async function openConsole(page: Page, section: string): Promise<void> {
  await signIn(page, admin().email, admin().password);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.getByRole("link", { name: "Admin", exact: true }).click();
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: section }).click();
}

test("an admin halts a market and resumes it; the change is in trading's audit log", async ({ page, request }) => {
  await openConsole(page, "Markets");
  const row = page.locator('[data-market="BTC/AED"]');
  await row.getByRole("button", { name: "Halt BTC/AED" }).click();
  await expect(row.getByTestId("market-status")).toHaveText("halted");
  const markets = async () => {
    const res = await request.get("/api/trading/v1/markets");
    const body = (await res.json()) as { items: { symbol: string; status: string }[] };
    return body.items.find((m) => m.symbol === "BTC/AED")?.status;
  };
  expect(await markets()).toBe("HALTED");
  await row.getByRole("button", { name: "Resume BTC/AED" }).click();
  await expect(row.getByTestId("market-status")).toHaveText("trading");
  expect(await markets()).toBe("TRADING");

  // fees are typed in %, sent as exact fractions; then put back as they were
  const fees = page.getByRole("form", { name: "Fees of BTC/AED" });
  const maker = fees.getByLabel("Maker %");
  const before = await maker.inputValue();
  await maker.fill("0.15");
  await fees.getByRole("button", { name: "Save fees" }).click();
  await expect(fees.getByRole("status")).toContainText("Saved");
  const makerFee = async () => {
    const res = await request.get("/api/trading/v1/markets");
    const body = (await res.json()) as { items: { symbol: string; makerFee: string }[] };
    return body.items.find((m) => m.symbol === "BTC/AED")?.makerFee;
  };
  expect(await makerFee()).toMatch(/^0\.00150*$/);
  await maker.fill(before);
  await fees.getByRole("button", { name: "Save fees" }).click();
  await expect.poll(makerFee).not.toMatch(/^0\.00150*$/);

  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Audit log" }).click();
  const trading = page.getByRole("table", { name: "Markets and bot (trading)" });
  await expect(trading.locator('tr[data-action="market.status"]').first()).toContainText("TRADING");
});

test("the liquidity bot is shown running with its quotes, beside the market-data sources", async ({ page }) => {
  await openConsole(page, "Market data & bot");
  await expect(page.getByRole("table", { name: "Market-data sources" }).locator('[data-source="BTC/AED"]')).toBeVisible();
  await expect(page.getByTestId("bot-state")).toHaveText("running", { timeout: 30_000 });
  const quotes = page.getByRole("table", { name: "Bot quotes BTC/AED" });
  // the bot quotes once funded (it can take a while on a loaded machine)
  await expect(quotes.locator("tr.bid").first()).toBeVisible({ timeout: 30_000 });
  await expect(quotes.locator("tr.ask").first()).toBeVisible();
  await shot(page, "admin");

  // tuned: the spread typed in % reaches the bot, then is put back
  const spread = page.getByLabel("Spread %");
  const before = await spread.inputValue();
  await spread.fill("0.3");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("Applied: every market requotes now.")).toBeVisible();
  await expect(page.getByTestId("bot")).toContainText("spread 0.3 %");
  await spread.fill(before);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("bot")).toContainText(`spread ${before} %`);
});

test("a user is found by e-mail and given the support role", async ({ page, request }) => {
  const email = await verifiedUser(request, "support");
  await openConsole(page, "Users");
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.locator(`[data-user="${email}"]`);
  await expect(row).toBeVisible();
  await expect(page.locator("[data-user]")).toHaveCount(1);
  await row.getByLabel(`Role for ${email}`).selectOption("support");
  await row.getByRole("button", { name: `Grant role to ${email}` }).click();
  await expect(row.locator('[data-role="support"]')).toBeVisible();

  // the new role is real: the user's next token carries it, and it opens the console's reads
  const token = await apiToken(request, email);
  const me = await request.get("/api/auth/v1/me", { headers: bearer(token) });
  expect(((await me.json()) as { roles: string[] }).roles).toContain("support");
  const users = await request.get("/api/auth/v1/admin/users?limit=1", { headers: bearer(token) });
  expect(users.status()).toBe(200);

  // disabled: they cannot sign in; enabled again: they can
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row.getByText("disabled", { exact: true })).toBeVisible();
  const refused = await request.post("/api/auth/v1/login", { data: { email, password: PASSWORD } });
  expect(refused.status()).toBe(403);
  expect(((await refused.json()) as { code: string }).code).toBe("ACCOUNT_DISABLED");
  await row.getByRole("button", { name: "Enable" }).click();
  await expect(row.getByText("disabled", { exact: true })).toHaveCount(0);
  await apiToken(request, email);
});

test("an announcement is sent and its delivery progress shown until done", async ({ page, request }) => {
  await verifiedUser(request, "reader");
  await openConsole(page, "Announcements");
  const title = `Maintenance ${Date.now()}`;
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Message").fill("Trading pauses for ten minutes tonight.");
  await page.getByRole("button", { name: "Send announcement" }).click();
  const id = await page.locator("[data-sent-announcement]").getAttribute("data-sent-announcement");
  const row = page.locator(`[data-announcement="${id ?? ""}"]`);
  await expect(row.getByTestId("announcement-status")).toHaveText("done", { timeout: 30_000 });
  const progress = await row.getByTestId("announcement-progress").innerText();
  const match = /(\d+) of (\d+) delivered/.exec(progress);
  expect(Number(match?.[2])).toBeGreaterThan(0);
  expect(match?.[1]).toBe(match?.[2]);
});
