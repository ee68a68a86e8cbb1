import { describe, expect, it } from "vitest";
import { ApiError, fieldErrors, onField, problemMessage, splitProblem, toProblem } from "./problem";

const register422 = toProblem(422, {
  type: "https://docs.burency.dev/problems/password-too-common",
  title: "Validation failed",
  status: 422,
  detail: "password is invalid",
  code: "PASSWORD_TOO_COMMON",
  errors: [{ field: "password", message: "password is too common", code: "PASSWORD_TOO_COMMON" }],
});

describe("problem+json as sentences", () => {
  it("puts a field's error beside that field, in words", () => {
    expect(fieldErrors(register422)).toEqual({
      password: "This password is too common. Choose one that is harder to guess.",
    });
  });

  it("uses the last element of a dotted field path and the server's message when the code is unknown", () => {
    const p = toProblem(422, { status: 422, errors: [{ field: "body.amount", message: "must be positive", code: "X" }] });
    expect(fieldErrors(p)).toEqual({ amount: "Must be positive." });
  });

  it("keeps errors about fields the form does not have in the form's message", () => {
    const p = toProblem(422, {
      status: 422,
      code: "VALIDATION_FAILED",
      detail: "2 field(s) invalid",
      errors: [
        { field: "email", message: "bad", code: "INVALID_EMAIL" },
        { field: "referralCode", message: "unknown referral code", code: "Y" },
      ],
    });
    const split = splitProblem(p, ["email", "password"]);
    expect(split.fields).toEqual({ email: "Enter a valid e-mail address, like name@example.com." });
    expect(split.message).toBe("Unknown referral code.");
  });

  it("says what happened for known codes and statuses, never a bare number", () => {
    expect(problemMessage(toProblem(401, { status: 401, code: "INVALID_CREDENTIALS" }))).toBe(
      "The e-mail address or password is incorrect.",
    );
    expect(problemMessage({ status: 0 })).toMatch(/could not be reached/);
    expect(problemMessage(toProblem(502, "<html>bad gateway</html>"))).toMatch(/on our side/);
    expect(problemMessage(toProblem(409, { status: 409, detail: "deposit already decided" }))).toBe(
      "Deposit already decided.",
    );
  });

  it("attaches a TOTP problem to the code input", () => {
    const error = new ApiError(toProblem(403, { status: 403, code: "TOTP_INVALID" }));
    const moved = onField(error, "totpCode", "TOTP_") as ApiError;
    expect(fieldErrors(moved.problem)).toEqual({
      totpCode: "That code is not correct. Check your authenticator app and try again.",
    });
    const other = new ApiError(toProblem(401, { status: 401, code: "INVALID_CREDENTIALS" }));
    expect(onField(other, "totpCode", "TOTP_")).toBe(other);
  });
});
