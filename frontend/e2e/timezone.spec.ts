/**
 * The time zone saved in the profile is the one every displayed time uses: an order's
 * time on the trade page moves when the zone is changed in settings.
 */
import type { Page } from "@playwright/test";
import { expect, signIn, test } from "./fixtures";
import { fundedTrader, marketBook, placeOrder, quantityWorth, quietBidPrice } from "./tradeSupport";

test.use({ timezoneId: "UTC", locale: "en-US" });

/** `hh:mm` (12-hour, as en-US shows it) of `ms` in `zone`. */
function clock(ms: number, zone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: zone, hour: "numeric", minute: "2-digit" })
    .format(new Date(ms))
    .replace(/\s*[AP]M$/, "");
}

async function saveZone(page: Page, zone: string): Promise<void> {
  await page.goto("/settings/profile");
  await page.getByLabel("Time zone").selectOption(zone);
  await page.getByRole("button", { name: "Save" }).first().click();
  await expect(page.getByText("Saved.").first()).toBeVisible();
}

test("an order's time follows the time zone chosen in settings", async ({ page, request }) => {
  const trader = await fundedTrader(request, "zone", "200");
  const price = quietBidPrice(await marketBook(request, "BTCAED"), "100000.00");
  const order = await placeOrder(request, trader.token, {
    symbol: "BTCAED",
    side: "BUY",
    type: "LIMIT",
    price,
    quantity: quantityWorth(30n, price),
  });
  const listed = await request.get("/api/trading/v1/open-orders?symbol=BTCAED", {
    headers: { authorization: `Bearer ${trader.token}` },
  });
  const time = ((await listed.json()) as { items: { orderId: number; time: number }[] }).items.find(
    (o) => o.orderId === order.orderId,
  )?.time;
  expect(time).toBeTruthy();
  const at = time ?? 0;

  await signIn(page, trader.email);
  await expect(page).toHaveURL(/\/wallet$/);
  const cell = page.locator(`[data-testid="orders-open"] tr[data-order-id="${order.orderId}"] [data-col="time"]`);

  await saveZone(page, "Asia/Dubai");
  await page.goto("/trade/BTC-AED");
  await expect(cell).toContainText(clock(at, "Asia/Dubai"));
  await expect(page.getByTestId("chart").locator("[data-time-zone]")).toHaveAttribute("data-time-zone", "Asia/Dubai");
  const dubai = await cell.innerText();

  await saveZone(page, "America/New_York");
  await page.goto("/trade/BTC-AED");
  await expect(cell).toContainText(clock(at, "America/New_York"));
  expect(await cell.innerText()).not.toBe(dubai);
  await expect(page.getByTestId("chart").locator("[data-time-zone]")).toHaveAttribute(
    "data-time-zone",
    "America/New_York",
  );
});
