/**
 * RFC 9457 problem+json answers turned into what a person reads: one sentence for the
 * form and one per field (`errors[].field`), from the stable `code` where we know it.
 */

export interface FieldProblem {
  field?: string;
  message?: string;
  code?: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: FieldProblem[] | null;
  requestId?: string | null;
}

/** Sentences for the codes a user meets; anything else falls back to the server's words. */
const SENTENCES: Record<string, string> = {
  INVALID_CREDENTIALS: "The e-mail address or password is incorrect.",
  INVALID_EMAIL: "Enter a valid e-mail address, like name@example.com.",
  EMAIL_NOT_ALLOWED: "This e-mail address cannot be used. Please use another one.",
  PASSWORD_TOO_SHORT: "The password is too short: use at least 10 characters.",
  PASSWORD_TOO_LONG: "The password is too long.",
  PASSWORD_TOO_COMMON: "This password is too common. Choose one that is harder to guess.",
  PASSWORD_CONTAINS_USER_INFO: "The password must not contain your e-mail address.",
  TOTP_REQUIRED: "Enter the 6-digit code from your authenticator app.",
  TOTP_INVALID: "That code is not correct. Check your authenticator app and try again.",
  TOTP_REUSED: "That code was already used. Wait for the next one.",
  TOTP_ALREADY_ENABLED: "Two-factor authentication is already on.",
  TOTP_NOT_ENROLLED: "Start the set-up again: no authenticator was being enrolled.",
  TOTP_NOT_ENABLED: "Two-factor authentication is not on.",
  ACCOUNT_DISABLED: "This account is disabled. Contact support.",
  LOGIN_THROTTLED: "Too many attempts. Wait a few minutes and try again.",
  RATE_LIMITED: "Too many requests. Wait a moment and try again.",
  INVALID_TOKEN: "This link is not valid. Request a new one.",
  TOKEN_ALREADY_USED: "This link was already used.",
  ONE_TIME_TOKEN_EXPIRED: "This link has expired. Request a new one.",
  INVALID_PASSWORD: "The password is incorrect.",
  EMAIL_NOT_VERIFIED: "Verify your e-mail address first: open the link we sent you.",
  INSUFFICIENT_FUNDS: "You do not have enough available balance for this.",
  INSUFFICIENT_BALANCE: "You do not have enough available balance for this.",
  SESSION_NOT_FOUND: "That session has already ended.",
  REFRESH_TOKEN_REUSED:
    "You were signed out everywhere: your session was used from two places at once.",
  REFRESH_TOKEN_REVOKED: "Your session was ended. Please sign in again.",
  REFRESH_TOKEN_EXPIRED: "Your session expired. Please sign in again.",
  REFRESH_TOKEN_INVALID: "Your session is no longer valid. Please sign in again.",
  PERMISSION_DENIED: "You are not allowed to do this.",
  NOT_LOOPBACK: "The mailbox answers only on this machine (loopback).",
  MISSING: "This field is required.",
};

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = "ApiError";
    this.problem = problem;
  }

  get code(): string | undefined {
    return this.problem.code;
  }

  get status(): number {
    return this.problem.status;
  }
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** Reads whatever an error answer's body was into a Problem (never throws). */
export function toProblem(status: number, body: unknown): Problem {
  if (body !== null && typeof body === "object") {
    const raw = body as Record<string, unknown>;
    const errors = Array.isArray(raw.errors) ? (raw.errors as FieldProblem[]) : null;
    return {
      status: typeof raw.status === "number" ? raw.status : status,
      type: typeof raw.type === "string" ? raw.type : undefined,
      title: typeof raw.title === "string" ? raw.title : undefined,
      detail: typeof raw.detail === "string" ? raw.detail : undefined,
      code: typeof raw.code === "string" ? raw.code : undefined,
      errors,
      requestId: typeof raw.requestId === "string" ? raw.requestId : null,
    };
  }
  return { status, title: status >= 500 ? "Server error" : "Request failed" };
}

/** The last path element of a field name (`body.email` → `email`). */
function fieldName(field: string): string {
  const parts = field.split(".");
  return parts[parts.length - 1] ?? field;
}

/** One human sentence per field the server complained about, keyed by field name. */
export function fieldErrors(problem: Problem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of problem.errors ?? []) {
    if (!item.field) continue;
    const name = fieldName(item.field);
    if (name in out) continue;
    const known = item.code ? SENTENCES[item.code] : undefined;
    out[name] = known ?? sentence(item.message ?? "This value is not valid");
  }
  return out;
}

/** The sentence for the whole form: what went wrong, in words, not a status code. */
export function problemMessage(problem: Problem): string {
  const known = problem.code ? SENTENCES[problem.code] : undefined;
  if (known) return known;
  if (problem.status === 0) return "The server could not be reached. Check your connection.";
  if (problem.status >= 500) return "Something went wrong on our side. Please try again.";
  if (problem.status === 429) return SENTENCES.RATE_LIMITED ?? "Too many requests.";
  if (problem.status === 401) return "Please sign in again.";
  if (problem.status === 403) return SENTENCES.PERMISSION_DENIED ?? "Not allowed.";
  if (problem.detail) return sentence(problem.detail);
  return sentence(problem.title ?? "The request failed");
}

/** Any thrown value as a Problem (network failures become status 0). */
export function asProblem(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return { status: 0, detail: error instanceof Error ? error.message : String(error) };
}

/**
 * Which of the problem's field errors a form can show beside its own inputs; the rest
 * (fields the form does not have) join the form-level message so none is lost.
 */
export function splitProblem(
  problem: Problem,
  formFields: readonly string[],
): { fields: Record<string, string>; message: string | null } {
  const all = fieldErrors(problem);
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const [name, text] of Object.entries(all)) {
    if (formFields.includes(name)) fields[name] = text;
    else rest.push(text);
  }
  const hasFields = Object.keys(fields).length > 0;
  const base = hasFields && problem.code && problem.errors?.length ? null : problemMessage(problem);
  const message = [base, ...rest].filter((x): x is string => Boolean(x)).join(" ");
  return { fields, message: message || null };
}

/**
 * A problem without field errors whose code starts with `prefix` (TOTP_*) is about one
 * input the server does not name: attach it to `field` so it shows beside that input.
 */
export function onField(error: unknown, field: string, prefix: string): unknown {
  if (error instanceof ApiError && error.code?.startsWith(prefix) && !error.problem.errors?.length) {
    return new ApiError({ ...error.problem, errors: [{ field, code: error.code }] });
  }
  return error;
}
