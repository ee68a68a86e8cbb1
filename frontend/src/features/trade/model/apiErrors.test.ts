import { describe, expect, it } from "vitest";
import { ApiError } from "../../../lib/api/problem";
import { translate } from "../../../lib/i18n";
import { orderError } from "./apiErrors";

describe("orderError", () => {
  it("puts a known refusal beside its field, in words", () => {
    const error = new ApiError({ status: 409, code: "POST_ONLY_WOULD_TAKE", detail: "post-only order would take" });
    expect(orderError(error)).toEqual({
      field: "price",
      text: "A post-only order at this price would trade at once: it was not placed.",
    });
  });

  it("follows the field the server names", () => {
    const error = new ApiError({
      status: 422,
      code: "PRICE_NOT_ON_TICK",
      errors: [{ field: "body.stopPrice", code: "PRICE_NOT_ON_TICK", message: "not on tick" }],
    });
    expect(orderError(error).field).toBe("stopPrice");
  });

  it("falls back to the server's message for an unknown code, and to the form", () => {
    const error = new ApiError({ status: 422, code: "SOMETHING_NEW", errors: [{ field: "body.quantity", message: "too odd" }] });
    expect(orderError(error)).toEqual({ field: "quantity", text: "Too odd." });
    expect(orderError(new ApiError({ status: 503, code: "ENGINE_BUSY" }))).toEqual({
      field: "form",
      text: "The exchange is busy. Try again in a moment.",
    });
    expect(orderError(new Error("offline")).field).toBe("form");
  });

  it("speaks the user's language", () => {
    const ar = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) => translate("ar", key, params);
    const band = new ApiError({ status: 422, code: "ORDER_PRICE_OUT_OF_BAND", detail: "price out of band" });
    expect(orderError(band, ar, "ar")).toEqual({ field: "price", text: "السعر بعيد جداً عن آخر سعر تداول." });
    const offline = orderError(new Error("offline"), ar, "ar");
    expect(offline.field).toBe("form");
    expect(offline.text).toMatch(/[\u0600-\u06FF]/);
  });
});
