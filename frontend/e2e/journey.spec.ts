/**
 * The main flow as one user lives it, in the browser: register → verify from the
 * dev mailbox → sign in → AED deposit → the admin approves it (second browser context) →
 * funding → spot → a limit buy that fills against the liquidity bot → history and the
 * balance → 2FA on → AED withdrawal → the admin marks it paid. Only the KYC profile
 * (withdrawals need level 1; the KYC pages have their own spec) is set up through the API.
 */
import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "@playwright/test";
import { PASSWORD, admin, apiToken, bearer, expect, mailLink, shot, test, totp, uniqueEmail } from "./fixtures";
import { cents, fromCents, quantityWorth, quotedBook, tallShot } from "./tradeSupport";

async function adminConsole(browser: Browser, path: string, act: (page: Page) => Promise<void>): Promise<void> {
  const staff = await browser.newContext();
  try {
    const page = await staff.newPage();
    await page.goto("/login");
    await page.getByLabel("E-mail address").fill(admin().email);
    await page.getByLabel("Password").fill(admin().password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/wallet$/);
    await page.goto(path);
    await act(page);
  } finally {
    await staff.close();
  }
}

test("journey: register, deposit AED, trade BTC/AED against the bot, withdraw AED", async ({
  page,
  request,
  browser,
}) => {
  test.setTimeout(180_000);
  test.skip(!(await quotedBook(request, "BTCAED")), "no liquidity bot quoting in this platform (empty book)");

  // register and verify through the dev mailbox's link
  const email = uniqueEmail("journey");
  await page.goto("/register");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat the password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Check your e-mail" })).toBeVisible();
  const link = new URL(await mailLink(request, email, "/verify-email?"));
  await page.goto(`${link.pathname}${link.search}`);
  await expect(page.getByText("Your e-mail address is verified.")).toBeVisible();

  // sign in, ask for an AED deposit
  await page.getByRole("link", { name: "Sign in" }).last().click();
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/wallet$/);
  await page.getByRole("region", { name: "Deposit AED" }).getByLabel("Amount (AED)").fill("1000");
  await page.getByRole("button", { name: "Get bank details" }).click();
  const reference = (await page.getByTestId("deposit-reference").textContent()) ?? "";
  expect(reference).not.toBe("");

  await adminConsole(browser, "/admin", async (staff) => {
    const row = staff.locator(`[data-deposit-reference="${reference}"]`);
    await expect(row).toBeVisible();
    await staff.getByRole("button", { name: `Approve ${reference}` }).click();
    await expect(row).toHaveCount(0);
  });

  // the money arrives in funding; half of it goes to spot
  const aed = page.locator('tr[data-asset="AED"]');
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect(aed.locator('[data-col="funding-available"]')).toHaveText("1,000.00", { timeout: 1000 });
  }).toPass();
  await page.getByLabel("Amount", { exact: true }).fill("500");
  await page.getByRole("button", { name: "Transfer" }).click();
  await expect(page.getByText("Transfer requested")).toBeVisible();
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect(aed.locator('[data-col="spot-free"]')).toHaveText("500.00", { timeout: 1000 });
  }).toPass();
  await expect(aed.locator('[data-col="funding-available"]')).toHaveText("500.00");
  // AED needs no conversion: the display-currency total is the sum of both wallets
  await expect(page.getByTestId("wallet-total-all")).toContainText("1,000.00 AED");

  // a limit buy just above the bot's best ask fills
  await page.goto("/trade/BTC-AED");
  await expect(page.locator('[data-book-live="true"]')).toBeVisible();
  await expect(page.locator('tr[data-balance-asset="AED"] [data-col="free"]')).toHaveText("500.00");
  const best = page.getByTestId("book-asks").locator("[data-price]").last();
  const ask = (await best.getAttribute("data-price")) ?? "";
  const price = fromCents((cents(ask) * 1005n) / 1000n);
  await page.getByLabel("Price (AED)", { exact: true }).fill(price);
  await page.getByLabel("Amount (BTC)", { exact: true }).fill(quantityWorth(50n, price));
  await page.getByRole("button", { name: "Buy BTC" }).click();
  await expect(page.getByText(/Order \d+ placed: (filled|partially filled)\./)).toBeVisible();
  await page.getByRole("tab", { name: "Trade history" }).click();
  await expect(page.getByTestId("orders-trades").locator("tr[data-trade-id]").first()).toBeVisible();
  await page.getByRole("tab", { name: "Order history" }).click();
  await expect(
    page.getByTestId("orders-history").locator('tr[data-status="FILLED"], tr[data-status="PARTIALLY_FILLED"]').first(),
  ).toBeVisible();
  await expect(page.locator('tr[data-balance-asset="BTC"] [data-col="free"]')).not.toHaveText("0.00000000");
  await expect(page.locator('tr[data-balance-asset="AED"] [data-col="free"]')).not.toHaveText("500.00");
  await tallShot(page, "journey-filled");

  // withdrawals need KYC level 1 (profile through the API) and 2FA (enabled in the app)
  const token = await apiToken(request, email);
  const profile = await request.patch("/api/users/v1/profile", {
    headers: bearer(token),
    data: {
      firstName: "Rania",
      lastName: "Saeed",
      dateOfBirth: "1991-06-12",
      country: "AE",
      phone: "+971501112233",
      address: { line1: "2 Al Wasl Road", city: "Dubai", country: "AE" },
    },
  });
  expect(profile.status(), await profile.text()).toBe(200);
  const kyc = await request.post("/api/users/v1/kyc/submissions", { headers: bearer(token), data: { level: 1 } });
  expect(kyc.status(), await kyc.text()).toBeLessThan(300);

  // back in the wallet, the BTC bought is valued at the BTC/AED market price
  await page.goto("/wallet");
  await expect(page.locator('tr[data-asset="BTC"] [data-col="value"]')).toHaveText(/^\d[\d,]*\.\d{2}$/);
  await expect(page.getByTestId("wallet-total-prices")).toContainText("1 BTC = ");
  // 1,000 AED less the trade's fee and the spread paid on 50 AED of BTC
  await expect(page.getByTestId("wallet-total-all")).toContainText(/≈ 99\d\.\d{2} AED/);
  await shot(page, "journey-wallet-totals");
  const axe = await new AxeBuilder({ page }).include('[data-testid="wallet-totals"]')
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);
  const form = page.getByRole("region", { name: "Withdraw", exact: true });
  await form.getByRole("link", { name: "Enable 2FA" }).click();
  await expect(page).toHaveURL(/\/settings\/2fa$/);
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
  await page.getByLabel("Code from the app").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByRole("heading", { name: "Two-factor authentication is on" })).toBeVisible();

  await page.getByRole("link", { name: "Wallet" }).click();
  await expect(form.getByTestId("withdraw-limits")).toContainText("KYC level 1");
  await form.getByLabel("Amount (AED)").fill("100");
  await form.getByLabel("IBAN").fill("AE07 0331 2345 6789 0123 456");
  await form.getByLabel("Beneficiary name").fill("Rania Saeed");
  // the confirmation spent this step's code; the next step's is within the allowed drift
  await form.getByLabel("2FA code").fill(totp(secret, 1));
  await form.getByRole("button", { name: "Withdraw" }).click();
  await expect(form.getByRole("status")).toContainText("Withdrawal of 100.00 AED requested");
  const mine = page.getByRole("list", { name: "Withdrawals" }).getByRole("listitem").first();
  await expect(mine).toContainText("queued");

  await adminConsole(browser, "/admin/withdrawals", async (staff) => {
    const row = staff
      .getByRole("list", { name: "Bank transfers to make" })
      .getByRole("listitem")
      .filter({ hasText: "Rania Saeed" });
    await row.getByLabel("Bank reference").fill("FT26336JRN001");
    await row.getByRole("button", { name: "Mark paid" }).click();
    await expect(row).toHaveCount(0);
  });

  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect(mine).toContainText("completed", { timeout: 1000 });
  }).toPass();
  await expect(aed.locator('[data-col="funding-available"]')).not.toHaveText("500.00");
  await shot(page, "journey-wallet");

  // a display currency no market reaches: nothing is priced, and the wallet says so
  const currency = await request.patch("/api/users/v1/profile", { headers: bearer(token), data: { displayCurrency: "USD" } });
  expect(currency.status(), await currency.text()).toBe(200);
  await page.reload();
  await expect(page.getByRole("columnheader", { name: "Value (≈ USD)" })).toBeVisible();
  await expect(page.locator('tr[data-asset="BTC"] [data-col="value"]')).toHaveText("—");
  await expect(page.getByTestId("wallet-total-all")).toContainText("≈ 0.00 USD");
  await expect(page.getByTestId("wallet-total-unpriced")).toContainText("no market price in USD: AED, BTC");
});
