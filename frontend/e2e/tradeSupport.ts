/**
 * API helpers for the trade specs: a user with AED in spot (deposit → the demo admin
 * approves → funding → spot, all through the public API), orders placed as another
 * user, and the book as REST sees it. Amounts stay decimal strings; the little price
 * arithmetic needed here is done on integer ticks.
 */
import type { APIRequestContext, Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { PASSWORD, admin, expect, verifiedUser } from "./fixtures";

export interface Trader {
  email: string;
  token: string;
}

export async function apiLogin(request: APIRequestContext, email: string, password = PASSWORD): Promise<string> {
  const res = await request.post("/api/auth/v1/login", { data: { email, password } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function spotBalance(request: APIRequestContext, token: string, asset: string): Promise<string> {
  const res = await request.get("/api/trading/v1/balances", { headers: bearer(token) });
  const body = (await res.json()) as { items: { asset: string; free: string }[] };
  return body.items.find((b) => b.asset === asset)?.free ?? "0";
}

/** A verified user with `amount` AED free in spot. */
export async function fundedTrader(request: APIRequestContext, prefix: string, amount: string): Promise<Trader> {
  const email = await verifiedUser(request, prefix);
  const token = await apiLogin(request, email);
  const deposit = await request.post("/api/banking/v1/deposits/fiat", {
    headers: bearer(token),
    data: { asset: "AED", amount },
  });
  expect(deposit.status(), await deposit.text()).toBeLessThan(300);
  const { id } = (await deposit.json()) as { id: string };
  const staff = await apiLogin(request, admin().email, admin().password);
  const approved = await request.post(`/api/banking/v1/admin/deposits/fiat/${id}/approve`, {
    headers: { ...bearer(staff), "Idempotency-Key": randomUUID() },
    data: { amount: null },
  });
  expect(approved.status(), await approved.text()).toBeLessThan(300);
  await expect
    .poll(async () => {
      const res = await request.get("/api/banking/v1/accounts", { headers: bearer(token) });
      const rows = (await res.json()) as { asset: string; available: string }[];
      return rows.find((r) => r.asset === "AED")?.available;
    })
    .toMatch(/^[1-9]/);
  const transfer = await request.post("/api/banking/v1/transfers/trading", {
    headers: { ...bearer(token), "Idempotency-Key": randomUUID() },
    data: { asset: "AED", amount },
  });
  expect(transfer.status(), await transfer.text()).toBeLessThan(300);
  await expect.poll(() => spotBalance(request, token, "AED")).toMatch(/^[1-9]/);
  return { email, token };
}

export async function placeOrder(
  request: APIRequestContext,
  token: string,
  order: Record<string, string>,
): Promise<{ orderId: number; status: string }> {
  const res = await request.post("/api/trading/v1/orders", { headers: bearer(token), data: order });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as { orderId: number; status: string };
}

export interface Depth {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
}

export async function depth(request: APIRequestContext, symbol: string): Promise<Depth> {
  const res = await request.get(`/api/trading/v1/depth?symbol=${symbol}&limit=20`);
  return (await res.json()) as Depth;
}

/** Prices with 2 decimals (AED markets' tick) as integer cents and back. */
export const cents = (price: string): bigint => {
  const [whole = "0", fraction = ""] = price.split(".");
  return BigInt(whole + fraction.padEnd(2, "0").slice(0, 2));
};
export const fromCents = (value: bigint): string => {
  const digits = value.toString().padStart(3, "0");
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
};

/** The BTC quantity (5 decimals, rounded up) worth at least `quote` AED at `price`. */
export function quantityWorth(quote: bigint, price: string): string {
  const units = (quote * 100n * 100_000n + cents(price) - 1n) / cents(price); // 1e-5 BTC
  const digits = units.toString().padStart(6, "0");
  return `${digits.slice(0, -5)}.${digits.slice(-5)}`;
}

/**
 * A bid price that will be the best bid and trade with nobody: the middle of the
 * spread when both sides have orders (the liquidity bot), below the best bid when only
 * bids, or `fallback` on an empty book (no reference price then, so any price goes).
 */
export function quietBidPrice(book: Depth, fallback: string): string {
  const bid = book.bids[0]?.[0];
  const ask = book.asks[0]?.[0];
  if (bid && ask) return fromCents((cents(bid) + cents(ask)) / 2n);
  if (ask) return fromCents((cents(ask) * 97n) / 100n);
  if (bid) return fromCents(cents(bid) + 1n);
  return fallback;
}

/**
 * A screenshot of the whole page without fullPage's artefact (the sticky top bar drawn
 * half-way down): the viewport grows to the page's height for the shot.
 */
export async function tallShot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 720 };
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: size.width, height: Math.min(2400, Math.max(size.height, height)) });
  await page.screenshot({ path: `e2e/screenshots/${name}.png` });
  await page.setViewportSize(size);
}

let botSeen: boolean | null = null;

/**
 * The book once the liquidity bot quotes in it. Embedded mode funds and starts the bot
 * just after start-up, so its first quotes may take a few seconds; a platform without it
 * (BURENCY_LIVE_MARKETS=false) is known after one wait of 20 s, then asked no more.
 */
export async function quotedBook(request: APIRequestContext, symbol: string): Promise<Depth | null> {
  if (botSeen === false) return null;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const book = await depth(request, symbol);
    if (book.asks.length && book.bids.length) {
      botSeen = true;
      return book;
    }
    if (Date.now() > deadline) {
      botSeen = false;
      return null;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The book to pick prices from: the bot's once it quotes, else whatever is there. */
export async function marketBook(request: APIRequestContext, symbol: string): Promise<Depth> {
  return (await quotedBook(request, symbol)) ?? (await depth(request, symbol));
}
