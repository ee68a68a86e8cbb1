import { expect, shot, signIn, test } from "./fixtures";
import { depth, fundedTrader, marketBook, quotedBook, tallShot, placeOrder, quantityWorth, quietBidPrice, spotBalance, cents, fromCents } from "./tradeSupport";

const BTCAED = "BTCAED";

test("markets: every market with its 24h ticker, search and favourites; a trade moves the ticker live", async ({
  page,
  request,
}) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Markets" })).toBeVisible();
  const row = page.locator(`tr[data-symbol="${BTCAED}"]`);
  await expect(row).toBeVisible();
  await expect(page.locator("tr[data-symbol]")).toHaveCount(5);
  await expect(page.locator('[data-stream-status="connected"]')).toBeVisible();

  await page.getByLabel("Search markets").fill("eth");
  await expect(page.locator("tr[data-symbol]")).toHaveCount(2);
  await page.getByLabel("Search markets").fill("");
  await page.getByRole("button", { name: "Add BTC/AED to favourites" }).click();
  await page.getByRole("button", { name: "Favourites", exact: true }).click();
  await expect(page.locator("tr[data-symbol]")).toHaveCount(1);
  await page.reload();
  await page.getByRole("button", { name: "Favourites", exact: true }).click();
  await expect(page.locator("tr[data-symbol]")).toHaveCount(1); // kept in this browser
  await page.getByRole("button", { name: "All", exact: true }).click();

  // with the liquidity bot quoting, buying its best ask makes a trade: the row follows
  const ask = (await quotedBook(request, BTCAED))?.asks[0]?.[0];
  if (ask) {
    const buyer = await fundedTrader(request, "ticker-mover", "1000");
    await placeOrder(request, buyer.token, {
      symbol: BTCAED,
      side: "BUY",
      type: "LIMIT",
      timeInForce: "IOC",
      price: ask,
      quantity: quantityWorth(20n, ask),
    });
    const last = await (await request.get(`/api/trading/v1/ticker/24hr?symbol=${BTCAED}`)).json() as { lastPrice: string };
    await expect(row.locator('[data-col="last"]')).toHaveText(last.lastPrice.replace(/\B(?=(\d{3})+(?!\d))/g, ","));
  }
  await shot(page, "markets");
  await row.getByRole("link", { name: "BTC/AED" }).click();
  await expect(page).toHaveURL(/\/trade\/BTC-AED$/);
  await expect(page.getByRole("heading", { name: "BTC/AED" })).toBeVisible();
});

test("trade page: the order book shows another user's order without a reload", async ({ page, request }) => {
  await page.goto("/trade/BTC-AED");
  const bookPanel = page.locator('[data-book-live="true"]');
  await expect(bookPanel).toBeVisible();
  const maker = await fundedTrader(request, "book-maker", "1000");
  const price = quietBidPrice(await marketBook(request, BTCAED), "100000.00");
  const quantity = quantityWorth(30n, price);
  await placeOrder(request, maker.token, { symbol: BTCAED, side: "BUY", type: "LIMIT", price, quantity });
  const level = page.getByTestId("book-bids").locator(`[data-price="${price}"]`);
  await expect(level).toBeVisible();
  await expect(level).toContainText(quantity);
  // a click on the level puts its price into the order form
  await level.click();
  await expect(page.getByLabel("Price (AED)", { exact: true })).toHaveValue(price);
  await tallShot(page, "trade-book");
  // grouped by 10 AED: bids rounded down to a multiple of 10, our order inside its group
  await page.getByLabel("Group prices by").selectOption("10");
  const grouped = page.getByTestId("book-bids").locator("[data-price]");
  await expect(grouped.first()).toHaveAttribute("data-price", /0\.00$/);
  const group = fromCents((cents(price) / 1000n) * 1000n);
  await expect(page.getByTestId("book-bids").locator(`[data-price="${group}"]`)).toBeVisible();
});

test("a signed-in user places a limit buy, sees it in open orders and cancels it", async ({ page, request }) => {
  const trader = await fundedTrader(request, "limit-trader", "1000");
  await signIn(page, trader.email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/trade/BTC-AED");
  await expect(page.locator('tr[data-balance-asset="AED"] [data-col="free"]')).toHaveText("1,000.00");

  // checked before sending: a price off the 0.01 tick
  const quiet = quietBidPrice(await marketBook(request, BTCAED), "100000.00");
  const price = fromCents((cents(quiet) * 96n) / 100n); // within the 10 % band, far from trading
  await page.getByLabel("Price (AED)", { exact: true }).fill(`${price}5`);
  await page.getByLabel("Amount (BTC)", { exact: true }).fill("0.0001");
  await page.getByRole("button", { name: "Buy BTC" }).click();
  await expect(page.locator('[data-field-error="price"]')).toHaveText("The price must be a multiple of 0.01 AED.");
  // too much for the balance
  await page.getByLabel("Price (AED)", { exact: true }).fill(price);
  await page.getByLabel("Amount (BTC)", { exact: true }).fill("1");
  await page.getByRole("button", { name: "Buy BTC" }).click();
  await expect(page.getByRole("alert")).toContainText("Not enough AED");

  // a quarter of the free AED, fee included, down to the lot
  await page.getByLabel(/Share of free balance/).fill("25");
  await expect(page.getByLabel("Amount (BTC)", { exact: true })).toHaveValue(/^0\.\d{5}$/);
  const quarter = await page.getByLabel("Amount (BTC)", { exact: true }).inputValue();
  expect(cents(price) * BigInt(quarter.replace(".", ""))).toBeLessThanOrEqual(25_000n * 100_000n);

  const quantity = quantityWorth(50n, price);
  await page.getByLabel("Amount (BTC)", { exact: true }).fill(quantity);
  await expect(page.getByTestId("order-total")).toContainText("AED");
  await page.getByRole("button", { name: "Buy BTC" }).click();
  await expect(page.getByText(/Order \d+ placed: new\./)).toBeVisible();
  const open = page.getByTestId("orders-open").locator('tr[data-status="NEW"]');
  await expect(open).toHaveCount(1);
  const orderId = await open.getAttribute("data-order-id");
  // the AED it locks shows in the pair's balances (pushed over the socket)
  await expect(page.locator('tr[data-balance-asset="AED"] [data-col="locked"]')).not.toHaveText("0.00");
  await tallShot(page, "trade-desktop");

  await page.getByRole("button", { name: `Cancel order ${orderId}` }).click();
  await expect(page.getByTestId("orders-open")).toContainText("No open orders.");
  await expect(page.locator('tr[data-balance-asset="AED"] [data-col="free"]')).toHaveText("1,000.00");
  await page.getByRole("tab", { name: "Order history" }).click();
  await expect(page.getByTestId("orders-history").locator(`tr[data-order-id="${orderId}"]`)).toHaveAttribute(
    "data-status",
    "CANCELED",
  );

  // two more, placed elsewhere (the API): they appear through the private stream; cancel all
  for (const offset of [0n, 1n]) {
    const p = fromCents(cents(price) - offset);
    await placeOrder(request, trader.token, { symbol: BTCAED, side: "BUY", type: "LIMIT", price: p, quantity: quantityWorth(20n, p) });
  }
  await page.getByRole("tab", { name: /Open orders/ }).click();
  await expect(page.getByTestId("orders-open").locator('tr[data-status="NEW"]')).toHaveCount(2);
  await page.getByRole("button", { name: "Cancel all" }).click();
  await expect(page.getByTestId("orders-open")).toContainText("No open orders.");
  await expect(page.locator('tr[data-balance-asset="AED"] [data-col="free"]')).toHaveText("1,000.00");
});

test("a limit buy that crosses the liquidity bot's best ask fills and shows in trade history", async ({
  page,
  request,
}) => {
  test.skip(!(await quotedBook(request, BTCAED)), "no liquidity bot quoting in this platform (empty book)");
  const trader = await fundedTrader(request, "crosser", "1000");
  await signIn(page, trader.email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/trade/BTC-AED");
  await expect(page.locator('[data-book-live="true"]')).toBeVisible();
  // click-to-fill the best ask, a little above it so a requote cannot leave us resting
  const best = page.getByTestId("book-asks").locator("[data-price]").last();
  const ask = (await best.getAttribute("data-price")) ?? "";
  await best.click();
  await expect(page.getByLabel("Price (AED)", { exact: true })).toHaveValue(ask);
  // post-only at the ask would take: the engine refuses, the sentence sits by the price
  await page.getByLabel("Amount (BTC)", { exact: true }).fill(quantityWorth(20n, ask));
  await page.getByLabel("Post-only").check();
  await page.getByRole("button", { name: "Buy BTC" }).click();
  await expect(page.locator('[data-field-error="price"]')).toHaveText(
    "A post-only order at this price would trade at once: it was not placed.",
  );
  await page.getByLabel("Post-only").uncheck();
  const price = fromCents((cents(ask) * 1005n) / 1000n);
  await page.getByLabel("Price (AED)", { exact: true }).fill(price);
  await page.getByLabel("Time in force").selectOption("IOC");
  await page.getByLabel("Amount (BTC)", { exact: true }).fill(quantityWorth(20n, price));
  await page.getByRole("button", { name: "Buy BTC" }).click();
  await expect(page.getByText(/Order \d+ placed: (filled|partially filled)\./)).toBeVisible();
  await page.getByRole("tab", { name: "Trade history" }).click();
  await expect(page.getByTestId("orders-trades").locator("tr[data-trade-id]").first()).toBeVisible();
  await expect(page.locator('tr[data-balance-asset="BTC"] [data-col="free"]')).not.toHaveText("0.00000000");
  await expect(page.locator('tr[data-balance-asset="AED"] [data-col="free"]')).not.toHaveText("1,000.00");
  expect(await spotBalance(request, trader.token, "BTC")).toMatch(/^0\.0*[1-9]/);

  // a market buy by total: 15 AED, fees included
  await page.getByLabel("Order type").selectOption("MARKET");
  await page.getByLabel("By total (AED)").check();
  await page.getByLabel("Total (AED)", { exact: true }).fill("15");
  await page.getByRole("button", { name: "Buy BTC" }).click();
  await expect(page.getByText(/Order \d+ placed: (filled|expired|partially filled)\./)).toBeVisible();
  await expect(page.getByTestId("orders-trades").locator("tr[data-trade-id]")).toHaveCount(2);
  await tallShot(page, "trade-filled");

  // a stop-limit buy 2 % above the last price waits, untriggered, among the open orders
  const last = ((await (await request.get(`/api/trading/v1/ticker/24hr?symbol=${BTCAED}`)).json()) as { lastPrice: string })
    .lastPrice;
  const stop = fromCents((cents(last) * 102n) / 100n);
  await page.getByLabel("Order type").selectOption("STOP_LIMIT");
  await page.getByLabel("Stop price (AED)").fill(stop);
  await page.getByLabel("Price (AED)", { exact: true }).fill(stop);
  await page.getByLabel("Amount (BTC)", { exact: true }).fill(quantityWorth(20n, stop));
  await page.getByRole("button", { name: "Buy BTC" }).click();
  await expect(page.getByText(/Order \d+ placed: new\./)).toBeVisible();
  await page.getByRole("tab", { name: /Open orders/ }).click();
  await expect(page.getByTestId("orders-open").locator("tr[data-order-id]")).toContainText("Stop-limit");
  await page.getByRole("button", { name: "Cancel all" }).click();
  await expect(page.getByTestId("orders-open")).toContainText("No open orders.");
});

test("mobile viewport: the trade page fits a phone and switches between chart, book and trades", async ({ browser }) => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await phone.newPage();
  await page.goto("/trade/BTC-AED");
  await expect(page.getByRole("heading", { name: "BTC/AED" })).toBeVisible();
  await expect(page.getByTestId("chart")).toBeVisible();
  await expect(page.getByTestId("book-bids")).toBeHidden();
  await page.getByRole("tab", { name: "Order book" }).click();
  await expect(page.locator('[data-book-live="true"]')).toBeVisible();
  await expect(page.getByTestId("chart")).toBeHidden();
  await expect(page.getByRole("button", { name: "Sign in to trade" }).or(page.getByRole("link", { name: "Sign in to trade" }))).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, "trade-mobile");
  await phone.close();
});

test("an order filled by someone else leaves open orders and shows in trade history without a reload", async ({
  page,
  request,
}) => {
  test.skip(!(await quotedBook(request, BTCAED)), "no liquidity bot quoting in this platform (empty book)");
  const trader = await fundedTrader(request, "resting", "1000");
  await signIn(page, trader.email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/trade/BTC-AED");
  await expect(page.locator('[data-book-live="true"]')).toBeVisible();
  const price = quietBidPrice(await marketBook(request, BTCAED), "100000.00");
  const quantity = quantityWorth(25n, price);
  await page.getByLabel("Price (AED)", { exact: true }).fill(price);
  await page.getByLabel("Amount (BTC)", { exact: true }).fill(quantity);
  await page.getByRole("button", { name: "Buy BTC" }).click();
  await expect(page.getByTestId("orders-open").locator('tr[data-status="NEW"]')).toHaveCount(1);

  // someone else buys BTC from the bot, then sells it into our bid
  const seller = await fundedTrader(request, "seller", "1000");
  const ask = (await depth(request, BTCAED)).asks[0]?.[0] ?? price;
  const buyAt = fromCents((cents(ask) * 1005n) / 1000n);
  await placeOrder(request, seller.token, {
    symbol: BTCAED, side: "BUY", type: "LIMIT", timeInForce: "IOC", price: buyAt, quantity: quantityWorth(60n, buyAt),
  });
  await placeOrder(request, seller.token, {
    symbol: BTCAED, side: "SELL", type: "LIMIT", timeInForce: "IOC", price, quantity,
  });

  // the private stream (executionReport, outboundAccountPosition) refreshes the lists
  await expect(page.getByTestId("orders-open")).toContainText("No open orders.");
  await expect(page.locator('tr[data-balance-asset="BTC"] [data-col="free"]')).toHaveText(quantity.padEnd(10, "0"));
  await page.getByRole("tab", { name: "Trade history" }).click();
  await expect(page.getByTestId("orders-trades").locator("tr[data-trade-id]")).toHaveCount(1);
  await expect(page.getByTestId("orders-trades")).toContainText("Maker");
});
