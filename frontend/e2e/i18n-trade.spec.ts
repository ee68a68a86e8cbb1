/**
 * The trade page, the markets and the wallet in Arabic: translated labels, `dir=rtl`, no
 * horizontal overflow, an order-form check said in Arabic beside its field, numbers in
 * Latin digits.
 */
import type { APIRequestContext, Page } from "@playwright/test";
import { apiToken, bearer, expect, shot, signIn, test, verifiedUser } from "./fixtures";

/** BTC/AED's price-band reference (bookTicker), null when there is none yet. */
async function referencePrice(request: APIRequestContext): Promise<string | null> {
  const res = await request.get("/api/trading/v1/ticker/bookTicker?symbol=BTCAED");
  const row = (await res.json()) as { referencePrice?: string | null };
  return row.referencePrice ?? null;
}

async function noHorizontalOverflow(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}

test("the trade page, markets and wallet in Arabic, right to left", async ({ page, request }) => {
  const email = await verifiedUser(request, "ar-trade");
  const token = await apiToken(request, email);
  const saved = await request.patch("/api/users/v1/profile", { headers: bearer(token), data: { language: "ar" } });
  expect(saved.status(), await saved.text()).toBe(200);
  await signIn(page, email);
  const html = page.locator("html");
  await expect(html).toHaveAttribute("dir", "rtl"); // the profile's language

  await page.goto("/trade/BTC-AED");
  await expect(html).toHaveAttribute("dir", "rtl");
  await expect(html).toHaveAttribute("lang", "ar");
  await expect(page.getByRole("heading", { name: "دفتر الأوامر" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "الصفقات الأخيرة" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "أرصدة التداول الفوري" })).toBeVisible();
  // the last price, or the reference price while the market has never traded
  await expect(page.locator(".trade__ticker dt").first()).toHaveText(/^(آخر سعر|السعر المرجعي \(لا صفقات بعد\))$/);
  await expect(page.getByRole("group", { name: "الفاصل الزمني للشموع" })).toBeVisible();
  await expect(page.getByRole("tab", { name: "شراء", exact: true })).toBeVisible();
  await expect(page.getByLabel("نوع الأمر")).toBeVisible();
  await expect(page.getByLabel("مدة سريان الأمر")).toBeVisible();
  await expect(page.getByRole("tab", { name: "سجل الأوامر" })).toBeVisible();
  await expect(page.getByRole("tab", { name: "سجل الصفقات" })).toBeVisible();
  await expect(page.locator('[data-stream-status="connected"]')).toHaveText("مباشر");
  await expect(page.locator('[data-book-live="true"]')).toBeVisible();

  // a check before sending, in Arabic beside its field
  await page.getByRole("button", { name: "شراء BTC" }).click();
  const price = page.getByLabel("السعر (AED)");
  await expect(price).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("أدخل السعر.")).toBeVisible();
  await price.fill("100000.005");
  await page.getByLabel("الكمية (BTC)").fill("0.001");
  await page.getByRole("button", { name: "شراء BTC" }).click();
  await expect(page.getByText("يجب أن يكون السعر من مضاعفات 0.01 AED.")).toBeVisible();

  // outside the price band (10 % around the reference price): refused here, nothing sent
  const reference = await referencePrice(request);
  if (reference) {
    const sent: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().includes("/api/trading/v1/orders")) sent.push(r.url());
    });
    await price.fill("1.00");
    await page.getByRole("button", { name: "شراء BTC" }).click();
    await expect(page.getByText(/^يجب أن يكون السعر بين [\d.]+ و[\d.]+ AED \(النطاق السعري للسوق\)\.$/)).toBeVisible();
    await expect(price).toHaveAttribute("aria-invalid", "true");
    expect(sent).toEqual([]);
  }

  // mirrored, and nothing wider than the window: the form sits at the left edge now
  await noHorizontalOverflow(page);
  const width = page.viewportSize()?.width ?? 1280;
  const form = await page.locator(".trade__form").boundingBox();
  expect((form?.x ?? width) + (form?.width ?? 0)).toBeLessThan(width / 2);
  // numbers keep Latin digits
  const body = await page.locator("main").innerText();
  expect(body).not.toMatch(/[\u0660-\u0669]/);
  await shot(page, "trade-rtl");

  await page.goto("/markets");
  await expect(page.getByRole("heading", { name: "الأسواق" })).toBeVisible();
  await expect(page.getByRole("columnheader", { name: "آخر سعر" })).toBeVisible();
  await expect(page.getByRole("button", { name: "إضافة BTC/AED إلى المفضلة" })).toBeVisible();
  await noHorizontalOverflow(page);

  await page.goto("/wallet");
  await expect(page.getByRole("heading", { name: "المحفظة", level: 1 })).toBeVisible();
  await expect(page.getByRole("region", { name: "إيداع درهم إماراتي" })).toBeVisible();
  await expect(page.getByRole("button", { name: "تصدير CSV" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "السجل" })).toBeVisible();
  await expect(page.getByTestId("withdraw-needs-2fa")).toContainText("فعّل المصادقة الثنائية");
  await noHorizontalOverflow(page);
  await shot(page, "wallet-rtl");

  // a phone in Arabic: still one column, nothing sideways
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/trade/BTC-AED");
  await expect(page.getByRole("tab", { name: "دفتر الأوامر" })).toBeVisible();
  await noHorizontalOverflow(page);
});
