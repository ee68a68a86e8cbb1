/**
 * History paging: the trade page's order history and the wallet's spot transfers show
 * their first page, and "Load more" brings the next with the API's own cursor, with no
 * row twice and none missing at the boundary.
 */
import { randomUUID } from "node:crypto";
import { bearer, expect, signIn, test } from "./fixtures";
import { cents, fromCents, fundedTrader, marketBook, placeOrder, quantityWorth, quietBidPrice, quotedBook } from "./tradeSupport";

const PAGE = 20; // HISTORY_PAGE and WALLET_PAGE in the app

test("order history pages on with Load more: every order once, newest first", async ({ page, request }) => {
  const trader = await fundedTrader(request, "history", "1000");
  const price = quietBidPrice(await marketBook(request, "BTCAED"), "100000.00");
  const quantity = quantityWorth(30n, price);
  const placed: number[] = [];
  for (let i = 0; i < PAGE + 5; i++) {
    placed.push((await placeOrder(request, trader.token, { symbol: "BTCAED", side: "BUY", type: "LIMIT", price, quantity })).orderId);
  }
  const cancelled = await request.delete("/api/trading/v1/open-orders?symbol=BTCAED", { headers: bearer(trader.token) });
  expect(cancelled.status(), await cancelled.text()).toBe(200);
  const newestFirst = [...placed].sort((a, b) => b - a);

  await signIn(page, trader.email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/trade/BTC-AED");
  await page.getByRole("tab", { name: "Order history" }).click();
  const panel = page.getByTestId("orders-history");
  const rows = panel.locator("tr[data-order-id]");
  await expect(rows).toHaveCount(PAGE);
  const more = panel.getByRole("button", { name: /Load more/ });
  await expect(more).toBeVisible();
  await more.click();
  await expect(rows).toHaveCount(PAGE + 5);
  await expect(more).toBeHidden(); // the API said there is no next page
  const shown = (await rows.evaluateAll((els) => els.map((el) => Number(el.getAttribute("data-order-id")))));
  expect(shown).toEqual(newestFirst);
  await expect(panel.locator('tr[data-status="CANCELED"]')).toHaveCount(PAGE + 5);
});

test("trade history pages on with Load more: every fill once, as the API lists them", async ({ page, request }) => {
  const book = await quotedBook(request, "BTCAED");
  test.skip(!book, "needs the liquidity bot's quotes to fill against");
  const trader = await fundedTrader(request, "history-fills", "800");
  /** every fill, newest first, read page by page with the API's cursor */
  const allFills = async (): Promise<string[]> => {
    const keys: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/trading/v1/my-trades?symbol=BTCAED&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await request.get(query, { headers: bearer(trader.token) });
      const body = (await res.json()) as { items: { id: number; orderId: number }[]; nextCursor?: string | null };
      keys.push(...body.items.map((f) => `${f.id}-${f.orderId}`));
      cursor = body.nextCursor ?? null;
    } while (cursor);
    return keys;
  };
  // IOC buys through the best ask (a requote may leave one unfilled: buy until > a page)
  for (let i = 0; i < 2 * PAGE && (i < PAGE + 1 || (await allFills()).length <= PAGE); i++) {
    const ask = (await quotedBook(request, "BTCAED"))?.asks[0]?.[0] ?? "0";
    const price = fromCents((cents(ask) * 101n) / 100n); // inside the 10 % band
    await placeOrder(request, trader.token, {
      symbol: "BTCAED",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "IOC",
      price,
      quantity: quantityWorth(12n, price),
    });
  }
  const fills = await allFills();
  expect(fills.length).toBeGreaterThan(PAGE);

  await signIn(page, trader.email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/trade/BTC-AED");
  await page.getByRole("tab", { name: "Trade history" }).click();
  const panel = page.getByTestId("orders-trades");
  const rows = panel.locator("tr[data-trade-id]");
  await expect(rows).toHaveCount(PAGE);
  while (await panel.getByRole("button", { name: /Load more/ }).isVisible()) {
    await panel.getByRole("button", { name: /Load more/ }).click();
    await expect(panel.getByRole("button", { name: /Load more|Loading/ }).or(rows.nth(fills.length - 1))).toBeVisible();
  }
  await expect(rows).toHaveCount(fills.length);
  const shown = await rows.evaluateAll((els) => els.map((el) => `${el.getAttribute("data-trade-id")}-${el.getAttribute("data-order-id")}`));
  expect(shown).toEqual(fills);
});

test("the wallet's spot transfers page on with Load more", async ({ page, request }) => {
  const trader = await fundedTrader(request, "history-wallet", "100"); // one transfer to spot already
  for (let i = 0; i < PAGE; i++) {
    const res = await request.post("/api/trading/v1/transfers/funding", {
      headers: { ...bearer(trader.token), "Idempotency-Key": randomUUID() },
      data: { asset: "AED", amount: "1" },
    });
    expect(res.status(), await res.text()).toBeLessThan(300);
  }
  await expect
    .poll(async () => {
      const res = await request.get("/api/trading/v1/transfers?limit=100", { headers: bearer(trader.token) });
      return ((await res.json()) as { items: unknown[] }).items.length;
    })
    .toBe(PAGE + 1);

  await signIn(page, trader.email);
  await expect(page).toHaveURL(/\/wallet$/);
  const list = page.getByRole("list", { name: "Spot transfers" });
  const items = list.locator("li[data-transfer-id]");
  await expect(items).toHaveCount(PAGE);
  await page.getByRole("button", { name: "Load more: Spot transfers" }).click();
  await expect(items).toHaveCount(PAGE + 1);
  const ids = await items.evaluateAll((els) => els.map((el) => el.getAttribute("data-transfer-id")));
  expect(new Set(ids).size).toBe(PAGE + 1);
  await expect(page.getByRole("button", { name: "Load more: Spot transfers" })).toBeHidden();
});
