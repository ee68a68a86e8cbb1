/**
 * RFC 9457 problem+json answers turned into what a person reads: one sentence for the
 * form and one per field (`errors[].field`), from the stable `code` where we know it, in
 * the reader's language (`problemSentences.ts` holds the English and Arabic tables).
 * Pure: the component that shows a problem passes the current language
 * (`useProblemText()` in `lib/ui/forms.tsx` does).
 */
import type { Language } from "../i18n";
import { AR, EN, FALLBACK, type ProblemCode } from "./problemSentences";

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

const TABLES: Record<Language, Record<ProblemCode, string>> = { en: EN, ar: AR };

function isKnown(code: string): code is ProblemCode {
  return Object.hasOwn(EN, code);
}

/**
 * The sentence for a stable code in `language`, or undefined for a code we do not know.
 * `{n}` takes the first number of the server's own words (`serverText`), when it has one.
 */
export function codeSentence(code: string | undefined, language: Language = "en", serverText?: string): string | undefined {
  if (!code || !isKnown(code)) return undefined;
  const text = TABLES[language][code];
  if (!text.includes("{n}")) return text;
  const n = serverText?.match(/-?\d+(?:\.\d+)?/)?.[0];
  return n === undefined ? FALLBACK[language].invalid : text.replaceAll("{n}", n);
}

/** One human sentence per field the server complained about, keyed by field name. */
export function fieldErrors(problem: Problem, language: Language = "en"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of problem.errors ?? []) {
    if (!item.field) continue;
    const name = fieldName(item.field);
    if (name in out) continue;
    const known = codeSentence(item.code, language, item.message);
    out[name] = known ?? (item.message ? sentence(item.message) : FALLBACK[language].invalid);
  }
  return out;
}

/**
 * Catch-all codes a service raises with its own specific words ("deposit already
 * decided"): in English those words say more than our generic sentence, so they win.
 */
const GENERIC_CODES: ReadonlySet<string> = new Set(["BAD_REQUEST", "NOT_FOUND", "CONFLICT"]);

/** The sentence for the whole form: what went wrong, in words, not a status code. */
export function problemMessage(problem: Problem, language: Language = "en"): string {
  const words = FALLBACK[language];
  if (language === "en" && problem.detail && problem.code && GENERIC_CODES.has(problem.code)) return sentence(problem.detail);
  const known = codeSentence(problem.code, language, problem.detail);
  if (known) return known;
  if (problem.status === 0) return words.network;
  if (problem.status >= 500) return words.server;
  if (problem.status === 429) return TABLES[language].RATE_LIMITED;
  if (problem.status === 401) return words.signIn;
  if (problem.status === 403) return TABLES[language].PERMISSION_DENIED;
  if (problem.detail) return sentence(problem.detail);
  return problem.title ? sentence(problem.title) : words.failed;
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
  language: Language = "en",
): { fields: Record<string, string>; message: string | null } {
  const all = fieldErrors(problem, language);
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const [name, text] of Object.entries(all)) {
    if (formFields.includes(name)) fields[name] = text;
    else rest.push(text);
  }
  const hasFields = Object.keys(fields).length > 0;
  const base = hasFields && problem.code && problem.errors?.length ? null : problemMessage(problem, language);
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
