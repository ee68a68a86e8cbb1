import { PASSWORD, expect, shot, signIn, test, totp, uniqueEmail, verifiedUser } from "./fixtures";

test("register, read the mail in the dev mailbox, verify, sign in and see the balances", async ({ page }) => {
  const email = uniqueEmail("newcomer");
  await page.goto("/register");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Repeat the password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  // the server's complaint, in words, beside the password field
  await expect(page.locator('[data-field-error="password"]')).toContainText("password");

  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat the password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Check your e-mail" })).toBeVisible();

  await page.getByRole("link", { name: "Open the dev mailbox" }).click();
  await expect(page.getByText("EMBEDDED MODE ONLY")).toBeVisible();
  await page.getByLabel("Filter by recipient or subject").fill(email);
  const mail = page.locator(`[data-mail-to="${email}"]`).filter({ hasText: /verify/i }).first();
  await expect(mail).toBeVisible();
  await expect(page.locator("[data-mail-to]").filter({ hasNotText: email })).toHaveCount(0);
  await shot(page, "mailbox");
  await mail.getByRole("link", { name: /verify-email/ }).click();
  await expect(page.getByText("Your e-mail address is verified.")).toBeVisible();

  await page.getByRole("link", { name: "Sign in" }).last().click();
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("e-mail address or password is incorrect");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page).toHaveURL(/\/wallet$/);
  await expect(page.getByRole("heading", { name: "Wallet" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Balances" })).toBeVisible();
  await expect(page.getByRole("button", { name: new RegExp(email) })).toBeVisible();
  await shot(page, "wallet");
});

test("enrol 2FA with the QR code, then sign in with a code", async ({ page, request }) => {
  const email = await verifiedUser(request, "twofa");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);

  await page.getByRole("button", { name: new RegExp(email) }).click();
  await page.getByRole("list", { name: "Account" }).getByRole("link", { name: "Two-factor authentication" }).click();
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  await expect(page.getByRole("img", { name: "QR code of your authenticator secret" })).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
  await shot(page, "2fa-enrol");
  await page.getByLabel("Code from the app").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByRole("heading", { name: "Two-factor authentication is on" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem")).toHaveCount(10);

  await page.getByRole("button", { name: new RegExp(email) }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, email);
  await expect(page.getByRole("heading", { name: "Two-factor authentication" })).toBeVisible();
  const code = page.getByLabel("Authentication code");
  // the code input takes the focus, so the user can type at once
  await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("totpCode");
  await code.fill(totp(secret, 0) === "000000" ? "111111" : "000000");
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page.locator('[data-field-error="totpCode"]')).toContainText("not correct");
  // the confirmation used this step's code; the next step's is within the allowed drift
  await code.fill(totp(secret, 1));
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page).toHaveURL(/\/wallet$/);
});

test("sessions and API keys: the secret is shown once, a key can be revoked", async ({ page, request }) => {
  const email = await verifiedUser(request, "keys");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/settings/sessions");
  await expect(page.getByText("this device")).toBeVisible();

  await page.goto("/settings/api-keys");
  await page.getByLabel("Label").fill("my bot");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByTestId("api-key-secret")).not.toBeEmpty();
  await expect(page.getByText("my bot")).toBeVisible();
  await shot(page, "api-keys");
  await page.getByRole("button", { name: "Revoke key my bot" }).click();
  await expect(page.getByText("No keys yet.")).toBeVisible();
});

test("a stored session survives a reload (silent refresh)", async ({ page, request }) => {
  const email = await verifiedUser(request, "reload");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Wallet" })).toBeVisible();
  await expect(page.getByRole("button", { name: new RegExp(email) })).toBeVisible();
});

test("forgotten password: the reset link from the mailbox sets a new one", async ({ page, request }) => {
  const email = await verifiedUser(request, "forgetful");
  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("E-mail address").fill(email);
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByText(`If an account exists for ${email}`)).toBeVisible();

  await page.getByRole("link", { name: "Open the dev mailbox" }).click();
  const mail = page.locator(`[data-mail-to="${email}"]`).filter({ has: page.getByRole("link", { name: /reset-password/ }) });
  await mail.first().getByRole("link", { name: /reset-password/ }).click();
  const fresh = "another long pass phrase";
  await page.getByLabel("New password", { exact: true }).fill(fresh);
  await page.getByLabel("Repeat the new password").fill(`${fresh}!`);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("The two passwords are not the same.")).toBeVisible();
  await page.getByLabel("Repeat the new password").fill(fresh);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("heading", { name: "Password changed" })).toBeVisible();

  await page.getByRole("link", { name: "Sign in with the new password" }).click();
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(fresh);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/wallet$/);
});

test("a user who has not verified yet is told so and can have the link sent again", async ({ page, request }) => {
  const email = uniqueEmail("unverified");
  expect((await request.post("/api/auth/v1/register", { data: { email, password: PASSWORD } })).status()).toBe(202);
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  await expect(page.getByText("Verify your e-mail address to deposit")).toBeVisible();
  await page.getByRole("button", { name: "Send the link again" }).click();
  await expect(page.getByRole("button", { name: "Sent again" })).toBeVisible();
  // a protected page remembers where the user was going
  await page.getByRole("button", { name: new RegExp(email) }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto("/settings/sessions");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings\/sessions$/);
});

test("a refresh token used elsewhere ends the session here, and the user is told why", async ({ page, request }) => {
  const email = await verifiedUser(request, "stolen");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  // someone copies the stored refresh token and uses it twice (rotating it away)
  const stolen = await page.evaluate(() => window.localStorage.getItem("burency.refreshToken"));
  const first = await request.post("/api/auth/v1/token/refresh", { data: { refreshToken: stolen } });
  expect(first.status()).toBe(200);
  const next = ((await first.json()) as { refreshToken: string }).refreshToken;
  expect((await request.post("/api/auth/v1/token/refresh", { data: { refreshToken: next } })).status()).toBe(200);
  // the app presents its (now old) token at the next start: reuse is detected
  await page.reload();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("alert")).toContainText("signed out everywhere");
  expect(await page.evaluate(() => window.localStorage.getItem("burency.refreshToken"))).toBeNull();
  // and the thief's tokens died with the session
  const thief = await request.post("/api/auth/v1/token/refresh", { data: { refreshToken: next } });
  expect(thief.status()).toBe(401);
});
