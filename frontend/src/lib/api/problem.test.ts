import { describe, expect, it } from "vitest";
import { ApiError, codeSentence, fieldErrors, onField, problemMessage, splitProblem, toProblem } from "./problem";
import { AR, EN, FALLBACK } from "./problemSentences";

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

describe("problem sentences in the reader's language", () => {
  it("every English code has an Arabic sentence, in Arabic, with the same placeholders", () => {
    const names = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join();
    for (const [code, en] of Object.entries(EN)) {
      const ar = (AR as Record<string, string | undefined>)[code];
      expect(ar, code).toBeTruthy();
      expect(ar, code).toMatch(/[\u0600-\u06FF]/);
      expect(names(ar ?? ""), code).toBe(names(en));
    }
    expect(Object.keys(AR).sort()).toEqual(Object.keys(EN).sort());
  });

  it("says a known code in Arabic, beside its field and for the form", () => {
    expect(problemMessage(toProblem(401, { status: 401, code: "INVALID_CREDENTIALS" }), "ar")).toBe(
      "البريد الإلكتروني أو كلمة المرور غير صحيحة.",
    );
    expect(fieldErrors(register422, "ar")).toEqual({ password: AR.PASSWORD_TOO_COMMON });
    const totp = onField(new ApiError(toProblem(403, { status: 403, code: "TOTP_INVALID" })), "code", "TOTP_") as ApiError;
    expect(splitProblem(totp.problem, ["code"], "ar").fields).toEqual({ code: AR.TOTP_INVALID });
  });

  it("falls back to the server's detail for an unknown code, and to plain sentences by status", () => {
    expect(problemMessage(toProblem(422, { status: 422, code: "SOMETHING_NEW", detail: "a new rule" }), "ar")).toBe("A new rule.");
    expect(problemMessage({ status: 0 }, "ar")).toBe(FALLBACK.ar.network);
    expect(problemMessage(toProblem(503, null), "ar")).toBe(FALLBACK.ar.server);
    expect(problemMessage(toProblem(403, { status: 403, code: "NEVER_SEEN" }), "ar")).toBe(AR.PERMISSION_DENIED);
  });

  it("keeps the limit the server names (pydantic's string_too_short), else a plain sentence", () => {
    const p = toProblem(422, {
      status: 422,
      code: "VALIDATION_FAILED",
      errors: [
        { field: "reason", message: "String should have at least 3 characters", code: "STRING_TOO_SHORT" },
        { field: "label", message: "too short", code: "STRING_TOO_SHORT" },
      ],
    });
    expect(fieldErrors(p)).toEqual({ reason: "Use at least 3 characters.", label: FALLBACK.en.invalid });
    expect(fieldErrors(p, "ar").reason).toBe("استخدم 3 أحرف على الأقل.");
  });

  it("a catch-all code keeps the service's own words in English", () => {
    const p = toProblem(409, { status: 409, code: "CONFLICT", detail: "deposit already decided" });
    expect(problemMessage(p)).toBe("Deposit already decided.");
    expect(problemMessage(p, "ar")).toBe(AR.CONFLICT);
    expect(codeSentence("NOT_A_CODE", "ar")).toBeUndefined();
  });
});
