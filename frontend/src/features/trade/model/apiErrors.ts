/**
 * The trading API's refusals as sentences beside the field they are about (codes from
 * docs/trading/api.md). Anything else falls back to the app's problem sentences.
 */
import { asProblem, problemMessage } from "../../../lib/api/problem";
import type { Field } from "./orderForm";

const BY_CODE: Record<string, { field: Field; text: string }> = {
  PRICE_NOT_ON_TICK: { field: "price", text: "The price is not on the market's price step." },
  QUANTITY_NOT_ON_LOT: { field: "quantity", text: "The amount is not on the market's amount step." },
  QUANTITY_TOO_SMALL: { field: "quantity", text: "The amount is below the market's minimum." },
  QUANTITY_TOO_LARGE: { field: "quantity", text: "The amount is above the market's maximum." },
  NOTIONAL_TOO_SMALL: { field: "quantity", text: "The order is worth less than the market's minimum." },
  AMOUNT_PRECISION_EXCEEDED: { field: "quoteOrderQty", text: "The amount has too many decimals." },
  ORDER_PRICE_OUT_OF_BAND: { field: "price", text: "The price is too far from the last traded price." },
  STOP_WOULD_TRIGGER_IMMEDIATELY: { field: "stopPrice", text: "The last price has already reached this stop price." },
  POST_ONLY_WOULD_TAKE: { field: "price", text: "A post-only order at this price would trade at once: it was not placed." },
  INSUFFICIENT_BALANCE: { field: "form", text: "You do not have enough free balance for this order." },
  FOK_NOT_FILLABLE: { field: "form", text: "Fill-or-kill: the book cannot fill the whole order now, so nothing was done." },
  NO_LIQUIDITY: { field: "form", text: "There is nobody on the other side of the book right now." },
  MARKET_HALTED: { field: "form", text: "This market is halted: no orders or cancels for now." },
  MARKET_CANCEL_ONLY: { field: "form", text: "This market takes cancellations only for now." },
  TOO_MANY_OPEN_ORDERS: { field: "form", text: "You have too many open orders in this market. Cancel some first." },
  EMAIL_NOT_VERIFIED: { field: "form", text: "Verify your e-mail address before trading." },
  ENGINE_BUSY: { field: "form", text: "The exchange is busy. Try again in a moment." },
  ORDER_NOT_FOUND: { field: "form", text: "That order is no longer open." },
};

const FIELD_NAMES: Record<string, Field> = {
  price: "price",
  stopPrice: "stopPrice",
  quantity: "quantity",
  quoteOrderQty: "quoteOrderQty",
};

/** Where an API error goes in the order form, and its sentence. */
export function orderError(error: unknown): { field: Field; text: string } {
  const problem = asProblem(error);
  const known = problem.code ? BY_CODE[problem.code] : undefined;
  const named = problem.errors?.find((e) => e.field)?.field?.split(".").pop();
  const field = named ? FIELD_NAMES[named] : undefined;
  if (known) return { field: field ?? known.field, text: known.text };
  const first = problem.errors?.[0];
  const text = first?.message ? `${first.message.charAt(0).toUpperCase()}${first.message.slice(1).replace(/\.?$/, ".")}` : problemMessage(problem);
  return { field: field ?? "form", text };
}
