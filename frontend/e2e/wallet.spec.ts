import { readFile } from "node:fs/promises";
import { admin, apiToken, bearer, expect, shot, signIn, test, verifiedUser } from "./fixtures";

test("AED deposit: the user gets bank details, an admin approves it, the user moves it to spot", async ({
  page,
  request,
  browser,
}) => {
  const email = await verifiedUser(request, "depositor");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);

  const depositForm = page.getByRole("region", { name: "Deposit AED" });
  await depositForm.getByLabel("Amount (AED)").fill("1000.005");
  await page.getByRole("button", { name: "Get bank details" }).click();
  await expect(depositForm.getByText("at most 2 decimals")).toBeVisible();
  await depositForm.getByLabel("Amount (AED)").fill("1000");
  await page.getByRole("button", { name: "Get bank details" }).click();
  const reference = (await page.getByTestId("deposit-reference").textContent()) ?? "";
  expect(reference).not.toBe("");
  await expect(page.getByTestId("deposit-instructions")).toContainText("IBAN");

  // the admin, in a second browser context
  const staff = await browser.newContext();
  const adminPage = await staff.newPage();
  await signIn(adminPage, admin().email, admin().password);
  await expect(adminPage).toHaveURL(/\/wallet$/);
  await adminPage.getByRole("link", { name: "Admin" }).click();
  const row = adminPage.locator(`[data-deposit-reference="${reference}"]`);
  await expect(row).toBeVisible();
  await shot(adminPage, "admin-deposits");
  await adminPage.getByRole("button", { name: `Approve ${reference}` }).click();
  await expect(row).toHaveCount(0);
  await staff.close();

  const aed = page.locator('tr[data-asset="AED"]');
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect(aed.locator('[data-col="funding-available"]')).toHaveText("1,000.00", { timeout: 1000 });
  }).toPass();

  await page.getByLabel("Amount", { exact: true }).fill("250");
  await page.getByRole("button", { name: "Transfer" }).click();
  await expect(page.getByText("Transfer requested")).toBeVisible();
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect(aed.locator('[data-col="spot-free"]')).toHaveText("250.00", { timeout: 1000 });
  }).toPass();
  await expect(aed.locator('[data-col="funding-available"]')).toHaveText("750.00");
  await expect(page.getByRole("list", { name: "Spot transfers" })).toContainText("250.00 AED");
  await shot(page, "wallet-funded");

  // the statement, as the server exports it
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const csv = await readFile(await (await download).path(), "utf8");
  expect(csv).toContain("deposit.fiat");
  expect(csv).toContain("1000");
});

test("mobile viewport: the sign-in page and the wallet fit a phone", async ({ browser, request }) => {
  const email = await verifiedUser(request, "mobile");
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await phone.newPage();
  await page.goto("/login");
  await shot(page, "mobile-login");
  await signIn(page, email);
  await expect(page.getByRole("heading", { name: "Wallet" })).toBeVisible();
  await expect(page.locator('tr[data-asset="AED"]')).toBeVisible();
  await expect(page.getByTestId("withdraw-limits")).toContainText("Complete your profile (KYC level 1) to withdraw");
  // nothing wider than the phone: wide tables scroll inside their own box
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, "mobile-wallet");
  await phone.close();
});

test("crypto deposit: the address with its QR code, confirmations counted, then credited", async ({ page, request }) => {
  const email = await verifiedUser(request, "hodler");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  const panel = page.getByRole("region", { name: "Deposit crypto" });
  await panel.getByLabel("Asset and network").selectOption({ label: "BTC on BTC" });
  await expect(panel.getByRole("img", { name: "QR code of your BTC deposit address" })).toBeVisible();
  const address = (await panel.getByTestId("deposit-address").textContent()) ?? "";
  expect(address).not.toBe("");

  // the simulated chain (staff-only dev endpoints): someone pays the address, blocks follow
  const staff = bearer(await apiToken(request, admin().email, admin().password));
  const chain = async (path: string, data: object) => {
    const res = await request.post(`/api/banking/v1/dev/chain/${path}`, { headers: staff, data });
    expect(res.ok(), await res.text()).toBe(true);
  };
  await chain("BTC/send", { address, amount: "0.015" });
  await chain("BTC/mine", { blocks: 1 });
  await chain("scan", {});
  const deposits = panel.getByRole("list", { name: "Crypto deposits" });
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect(deposits).toContainText("1/2 confirmations", { timeout: 1000 });
  }).toPass();
  await expect(deposits).toContainText("0.015 BTC");
  await shot(page, "wallet-crypto-deposit");
  await chain("BTC/mine", { blocks: 1 });
  await chain("scan", {});
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect(deposits).toContainText("credited", { timeout: 1000 });
  }).toPass();
  await expect(page.locator('tr[data-asset="BTC"] [data-col="funding-available"]')).toHaveText("0.015");
});
