/**
 * The trading API's refusals as sentences beside the field they are about (codes from
 * docs/trading/api.md). Anything else falls back to the app's problem sentences.
 */
import { asProblem, fieldErrors, problemMessage } from "../../../lib/api/problem";
import { translate, type Language } from "../../../lib/i18n";
import type { Field, Translate } from "./orderForm";

/** Each known code's field; its sentence is the catalogue's `trade.error.<CODE>`. */
const BY_CODE = {
  PRICE_NOT_ON_TICK: "price",
  QUANTITY_NOT_ON_LOT: "quantity",
  QUANTITY_TOO_SMALL: "quantity",
  QUANTITY_TOO_LARGE: "quantity",
  NOTIONAL_TOO_SMALL: "quantity",
  AMOUNT_PRECISION_EXCEEDED: "quoteOrderQty",
  ORDER_PRICE_OUT_OF_BAND: "price",
  STOP_WOULD_TRIGGER_IMMEDIATELY: "stopPrice",
  POST_ONLY_WOULD_TAKE: "price",
  INSUFFICIENT_BALANCE: "form",
  FOK_NOT_FILLABLE: "form",
  NO_LIQUIDITY: "form",
  MARKET_HALTED: "form",
  MARKET_CANCEL_ONLY: "form",
  TOO_MANY_OPEN_ORDERS: "form",
  EMAIL_NOT_VERIFIED: "form",
  ENGINE_BUSY: "form",
  ORDER_NOT_FOUND: "form",
} as const satisfies Record<string, Field>;

type KnownCode = keyof typeof BY_CODE;

function isKnown(code: string): code is KnownCode {
  return Object.hasOwn(BY_CODE, code);
}

const FIELD_NAMES: Record<string, Field> = {
  price: "price",
  stopPrice: "stopPrice",
  quantity: "quantity",
  quoteOrderQty: "quoteOrderQty",
};

/** Where an API error goes in the order form, and its sentence. */
export function orderError(
  error: unknown,
  t: Translate = (key, params) => translate("en", key, params),
  language: Language = "en",
): { field: Field; text: string } {
  const problem = asProblem(error);
  const named = problem.errors?.find((e) => e.field)?.field?.split(".").pop();
  const field = named ? FIELD_NAMES[named] : undefined;
  if (problem.code && isKnown(problem.code)) {
    return { field: field ?? BY_CODE[problem.code], text: t(`trade.error.${problem.code}`) };
  }
  // a field's own complaint (validation codes in the app's language), else the problem's sentence
  const byField = named ? fieldErrors(problem, language)[named] : undefined;
  const text = byField ?? problemMessage(problem, language);
  return { field: field ?? "form", text };
}
