import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";
import { createHmac } from "node:crypto";

export const PASSWORD = "a perfectly long pass phrase";

export const test = base.extend({
  // the platform's address is known only once global-setup has started it
  baseURL: async ({}, use) => {
    const url = process.env.E2E_BASE_URL;
    if (!url) throw new Error("E2E_BASE_URL is unset: run through playwright.config.ts");
    await use(url);
  },
});
export { expect };

let counter = 0;
export function uniqueEmail(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.com`;
}

export function admin(): { email: string; password: string } {
  const email = process.env.E2E_ADMIN_EMAIL;
  const password = process.env.E2E_ADMIN_PASSWORD;
  if (!email || !password) throw new Error("the demo admin was not printed by burency up");
  return { email, password };
}

/** The newest link containing `path` in `email`'s mails (embedded mode's mailbox API). */
export async function mailLink(request: APIRequestContext, email: string, path: string): Promise<string> {
  let found: string | undefined;
  await expect
    .poll(async () => {
      const res = await request.get("/api/notifications/v1/dev/mailbox");
      const body = (await res.json()) as { items: { to: string | null; links: string[] }[] };
      found = body.items.filter((m) => m.to === email).flatMap((m) => m.links).find((l) => l.includes(path));
      return found;
    })
    .toBeTruthy();
  return found ?? "";
}

/** A registered, verified user, made through the API (for tests about later steps). */
export async function verifiedUser(request: APIRequestContext, prefix: string): Promise<string> {
  const email = uniqueEmail(prefix);
  const res = await request.post("/api/auth/v1/register", { data: { email, password: PASSWORD } });
  expect(res.status()).toBe(202);
  const link = await mailLink(request, email, "/verify-email?");
  const token = new URL(link).searchParams.get("token");
  const verified = await request.post("/api/auth/v1/email-verification", { data: { token } });
  expect(verified.status()).toBe(200);
  return email;
}

export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret, `stepOffset` steps from now. */
export function totp(secret: string, stepOffset = 0, now = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/=+$/, "").toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) continue;
    bits += value.toString(2).padStart(5, "0");
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Math.floor(now / 1000 / 30) + stepOffset;
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const hmac = createHmac("sha1", Buffer.from(bytes)).update(message).digest();
  const offset = (hmac[hmac.length - 1] ?? 0) & 0x0f;
  const code = (hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, "0");
}

export async function shot(page: Page, name: string): Promise<void> {
  // from the top: a full-page capture of a scrolled page draws the sticky bar mid-page
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });
}

/** An access token for `email`, through the API. */
export async function apiToken(request: APIRequestContext, email: string, password = PASSWORD): Promise<string> {
  const res = await request.post("/api/auth/v1/login", { data: { email, password } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
