import { apiToken, bearer, expect, signIn, test, totp, verifiedUser } from "./fixtures";

test("a user without 2FA is led to enable it before the withdrawal form is offered", async ({ page, request }) => {
  const email = await verifiedUser(request, "no2fa");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  const panel = page.getByRole("region", { name: "Withdraw", exact: true });
  await expect(panel.getByTestId("withdraw-needs-2fa")).toContainText("enable two-factor authentication");
  // no form to fill in: no amount, no 2FA code, no Withdraw button
  await expect(panel.getByLabel("2FA code")).toHaveCount(0);
  await expect(panel.getByRole("button", { name: "Withdraw" })).toHaveCount(0);

  await panel.getByRole("link", { name: "Enable 2FA" }).click();
  await expect(page).toHaveURL(/\/settings\/2fa$/);

  // 2FA turned on (through the API: the set-up page has its own spec), back to the wallet
  const token = await apiToken(request, email);
  const enrol = await request.post("/api/auth/v1/2fa/enroll", { headers: bearer(token) });
  const { secret } = (await enrol.json()) as { secret: string };
  const confirmed = await request.post("/api/auth/v1/2fa/confirm", { headers: bearer(token), data: { code: totp(secret) } });
  expect(confirmed.status(), await confirmed.text()).toBe(200);
  await page.getByRole("link", { name: "Wallet" }).click();
  await expect(panel.getByLabel("2FA code")).toBeVisible();
  await expect(panel.getByTestId("withdraw-needs-2fa")).toHaveCount(0);
});
