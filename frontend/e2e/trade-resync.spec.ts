/**
 * The live book survives what the network does to it: a lost depth message is a gap
 * (the next diff's `pu` is not the last `u`), the page asks for a fresh snapshot and the
 * book is whole again; a dropped connection shows, comes back by itself, resubscribes
 * and resyncs. The Socket.IO WebSocket goes through Playwright's routeWebSocket, which
 * forwards every frame and lets the test drop one or cut the line.
 */
import type { WebSocketRoute } from "@playwright/test";
import { expect, test } from "./fixtures";
import { cents, fromCents, marketBook, fundedTrader, placeOrder, quantityWorth, quietBidPrice } from "./tradeSupport";

test("a lost depth message and a dropped connection: the book resyncs by itself", async ({ page, request }) => {
  const sockets: WebSocketRoute[] = [];
  const state = { dropNext: false, dropped: 0, offline: false };
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (state.offline) {
      void ws.close({ code: 1006, reason: "offline" });
      return;
    }
    sockets.push(ws);
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      const frame = typeof message === "string" ? message : "";
      if (state.dropNext && frame.startsWith('42["stream"') && frame.includes('"btcaed@depth@100ms"')) {
        state.dropNext = false;
        state.dropped += 1;
        return; // lost on the way
      }
      ws.send(message);
    });
  });
  // the polling fallback must not get through while "offline" either
  await page.route(/\/socket\.io\//, (route) => (state.offline ? route.abort() : route.continue()));

  await page.goto("/trade/BTC-AED");
  const book = page.locator('[data-book-live="true"]');
  await expect(book).toBeVisible();
  await expect(page.locator('[data-stream-status="connected"]')).toBeVisible();
  const maker = await fundedTrader(request, "resync-maker", "1000");
  const top = cents(quietBidPrice(await marketBook(request, "BTCAED"), "100000.00"));
  const bid = (offset: bigint) => fromCents(top - offset);
  const order = (price: string) =>
    placeOrder(request, maker.token, { symbol: "BTCAED", side: "BUY", type: "LIMIT", price, quantity: quantityWorth(25n, price) });
  const level = (price: string) => page.getByTestId("book-bids").locator(`[data-price="${price}"]`);

  // 1. one depth message lost: the next one does not continue the chain
  state.dropNext = true;
  await order(bid(0n));
  await expect.poll(() => state.dropped).toBe(1);
  await order(bid(1n));
  await expect(page.locator(".book")).not.toHaveAttribute("data-gaps", "0");
  await expect(book).toBeVisible(); // resynced from a fresh snapshot
  await expect(level(bid(0n))).toBeVisible(); // the change in the lost message is there
  await expect(level(bid(1n))).toBeVisible();

  // 2. the connection drops and stays down for a while
  state.offline = true;
  for (const ws of sockets.splice(0)) await ws.close({ code: 1006, reason: "cut" });
  await expect(page.locator('[data-stream-status="disconnected"]')).toBeVisible();
  await expect(page.getByText("Resynchronising the book…")).toBeVisible();
  await order(bid(2n)); // published while this page hears nothing
  state.offline = false;
  await expect(page.locator('[data-stream-status="connected"]')).toBeVisible({ timeout: 30_000 });
  await expect(book).toBeVisible();
  await expect(level(bid(2n))).toBeVisible();
  // and it is live again, not just a one-off snapshot
  await order(bid(3n));
  await expect(level(bid(3n))).toBeVisible();
});
