import { expect, shot, signIn, test, verifiedUser } from "./fixtures";

test("KYC level 1: the profile form explains a wrong field, then the level is granted and withdrawals open", async ({
  page,
  request,
}) => {
  const email = await verifiedUser(request, "kyc");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.getByRole("link", { name: "Complete your profile (KYC level 1)" }).click();
  await expect(page).toHaveURL(/\/kyc$/);
  await expect(page.getByRole("list", { name: "Verification levels" }).getByText("done")).toHaveCount(1);

  await page.getByLabel("First name").fill("Omar");
  await page.getByLabel("Last name").fill("Saleh");
  await page.getByLabel("Date of birth").fill("2015-01-01"); // too young
  await page.getByLabel("Mobile phone").fill("+971501234567");
  await page.getByLabel("Address", { exact: true }).fill("12 Al Wasl Road");
  await page.getByLabel("City").fill("Dubai");
  await page.getByRole("button", { name: "Save and verify" }).click();
  await expect(page.locator('[data-field-error="dateOfBirth"]')).toBeVisible();

  await page.getByLabel("Date of birth").fill("1988-07-14");
  await page.getByRole("button", { name: "Save and verify" }).click();
  await expect(page.getByTestId("kyc-latest")).toContainText("approved");
  await expect(page.getByRole("list", { name: "Verification levels" }).getByText("done")).toHaveCount(2);
  await shot(page, "kyc");

  await page.goto("/wallet");
  await expect(async () => {
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect(page.getByTestId("withdraw-limits")).toContainText("KYC level 1", { timeout: 1000 });
  }).toPass();
});
