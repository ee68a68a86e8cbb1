import type { APIRequestContext, Page } from "@playwright/test";
import { PASSWORD, admin, apiToken, bearer, expect, shot, test, totp, verifiedUser } from "./fixtures";

/** A verified user at KYC level 1 with 2FA on and 1,000 AED, set up through the API. */
async function readyToWithdraw(request: APIRequestContext, prefix: string) {
  const email = await verifiedUser(request, prefix);
  const token = await apiToken(request, email);
  const profile = await request.patch("/api/users/v1/profile", {
    headers: bearer(token),
    data: {
      firstName: "Mona",
      lastName: "Haddad",
      dateOfBirth: "1990-04-02",
      country: "AE",
      phone: "+971501234567",
      address: { line1: "1 Sheikh Zayed Road", city: "Dubai", country: "AE" },
    },
  });
  expect(profile.status(), await profile.text()).toBe(200);
  const kyc = await request.post("/api/users/v1/kyc/submissions", { headers: bearer(token), data: { level: 1 } });
  expect(kyc.status(), await kyc.text()).toBeLessThan(300);
  const enrol = await request.post("/api/auth/v1/2fa/enroll", { headers: bearer(token) });
  const { secret } = (await enrol.json()) as { secret: string };
  const confirmed = await request.post("/api/auth/v1/2fa/confirm", { headers: bearer(token), data: { code: totp(secret) } });
  const { recoveryCodes } = (await confirmed.json()) as { recoveryCodes: string[] };
  const deposit = await request.post("/api/banking/v1/deposits/fiat", { headers: bearer(token), data: { amount: "1000" } });
  const { id: depositId } = (await deposit.json()) as { id: string };
  const staff = await apiToken(request, admin().email, admin().password);
  const approved = await request.post(`/api/banking/v1/admin/deposits/fiat/${depositId}/approve`, {
    headers: { ...bearer(staff), "Idempotency-Key": `e2e-${depositId}` },
    data: {},
  });
  expect(approved.status(), await approved.text()).toBe(200);
  await expect
    .poll(async () => {
      const res = await request.get("/api/banking/v1/withdrawals/limits", { headers: bearer(token) });
      const limits = (await res.json()) as { asset: string; daily: string }[];
      return limits.find((l) => l.asset === "AED")?.daily;
    })
    .not.toBe("0");

  return { email, token, staff, secret, recoveryCodes };
}

async function signInWithRecoveryCode(page: Page, email: string, code: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByLabel("Authentication code").fill(code);
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page).toHaveURL(/\/wallet$/);
}

test("AED withdrawal with 2FA: limits shown, staff mark the bank transfer paid, the balance drops", async ({
  page,
  request,
  browser,
}) => {
  const { email, secret, recoveryCodes } = await readyToWithdraw(request, "withdrawer");
  // the user signs in with a recovery code (this step's TOTP code is spent) ...
  await signInWithRecoveryCode(page, email, recoveryCodes[0] ?? "");
  await expect(page.getByTestId("withdraw-limits")).toContainText("KYC level 1");

  // ... and withdraws; a wrong code is explained beside its input
  const form = page.getByRole("region", { name: "Withdraw", exact: true });
  await form.getByLabel("Amount (AED)").fill("100");
  await form.getByLabel("IBAN").fill("AE07 0331 2345 6789 0123 456");
  await form.getByLabel("Beneficiary name").fill("Mona Haddad");
  await form.getByLabel("2FA code").fill(totp(secret) === "000000" ? "111111" : "000000");
  await form.getByRole("button", { name: "Withdraw" }).click();
  await expect(form.locator('[data-field-error="totpCode"]')).toContainText("not correct");
  await form.getByLabel("2FA code").fill(totp(secret, 1));
  await form.getByRole("button", { name: "Withdraw" }).click();
  await expect(form.getByRole("status")).toContainText("Withdrawal of 100.00 AED requested");
  const mine = page.getByRole("list", { name: "Withdrawals" }).getByRole("listitem").first();
  await expect(mine).toContainText("queued");

  // staff pay it by bank and mark it paid
  const context = await browser.newContext();
  const adminPage = await context.newPage();
  await adminPage.goto("/login");
  await adminPage.getByLabel("E-mail address").fill(admin().email);
  await adminPage.getByLabel("Password").fill(admin().password);
  await adminPage.getByRole("button", { name: "Sign in" }).click();
  await expect(adminPage).toHaveURL(/\/wallet$/);
  await adminPage.goto("/admin/withdrawals");
  const row = adminPage.getByRole("list", { name: "Bank transfers to make" }).getByRole("listitem").filter({ hasText: "Mona Haddad" });
  await row.getByLabel("Bank reference").fill("FT26336ABC123");
  await shot(adminPage, "admin-withdrawals");
  await row.getByRole("button", { name: "Mark paid" }).click();
  await expect(row).toHaveCount(0);
  await context.close();

  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect(mine).toContainText("completed", { timeout: 1000 });
  }).toPass();
  await expect(mine).toContainText("FT26336ABC123");
  await expect(page.locator('tr[data-asset="AED"] [data-col="funding-available"]')).toHaveText("895.00");
});

test("crypto withdrawal: BTC to an address, broadcast by the chain worker, completed after confirmations", async ({
  page,
  request,
}) => {
  const { email, token, staff, secret, recoveryCodes } = await readyToWithdraw(request, "btc-out");
  const chain = async (path: string, data: object) => {
    const res = await request.post(`/api/banking/v1/dev/chain/${path}`, { headers: bearer(staff), data });
    expect(res.ok(), await res.text()).toBe(true);
    return res;
  };
  // 0.02 BTC arrives on the user's deposit address (two confirmations credit it)
  const mine = await request.get("/api/banking/v1/deposits/crypto/address?asset=BTC&network=BTC", { headers: bearer(token) });
  await chain("BTC/send", { address: ((await mine.json()) as { address: string }).address, amount: "0.02" });
  await chain("BTC/mine", { blocks: 2 });
  await chain("scan", {});
  // somewhere to send it: the staff member's own deposit address
  const theirs = await request.get("/api/banking/v1/deposits/crypto/address?asset=BTC&network=BTC", { headers: bearer(staff) });
  const destination = ((await theirs.json()) as { address: string }).address;

  await signInWithRecoveryCode(page, email, recoveryCodes[0] ?? "");
  await expect(page.locator('tr[data-asset="BTC"] [data-col="funding-available"]')).toHaveText("0.02");
  const form = page.getByRole("region", { name: "Withdraw", exact: true });
  await form.getByLabel("A crypto address").check();
  await form.getByLabel("Asset and network").selectOption({ label: "BTC on BTC" });
  await expect(form.getByTestId("withdraw-limits")).toContainText("BTC");
  await form.getByLabel("Amount (BTC)").fill("0.01");
  await form.getByLabel("BTC address").fill(destination);
  await form.getByLabel("2FA code").fill(totp(secret, 1));
  await form.getByRole("button", { name: "Withdraw" }).click();
  await expect(form.getByRole("status")).toContainText("Withdrawal of 0.01 BTC requested");
  await shot(page, "wallet-crypto-withdrawal");

  // the chain worker broadcasts it; blocks confirm it
  await chain("scan", {});
  await chain("BTC/mine", { blocks: 3 });
  await chain("scan", {});
  const mineList = page.getByRole("list", { name: "Withdrawals" }).getByRole("listitem").first();
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect(mineList).toContainText("completed", { timeout: 1000 });
  }).toPass();
  await expect(mineList).toContainText(destination);
});
