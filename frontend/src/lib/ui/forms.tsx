/** Accessible form pieces: a label for every input, errors tied to it, alerts announced. */
import { useCallback, useId, useState, type InputHTMLAttributes, type ReactNode } from "react";
import { asProblem, problemMessage, splitProblem, type Problem } from "../api/problem";
import { useI18n } from "../i18nContext";

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  name: string;
  error?: string | undefined;
  hint?: ReactNode;
}

export function Field({ label, name, error, hint, ...input }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ");
  return (
    <div className={error ? "field field--invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {hint ? (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field__error" data-field-error={name}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function FormMessage({ message, tone = "error" }: { message: string | null; tone?: "error" | "ok" }) {
  if (!message) return null;
  return (
    <p role={tone === "error" ? "alert" : "status"} className={`form-message form-message--${tone}`}>
      {message}
    </p>
  );
}

/**
 * `(error) => sentence` in the current language (null for no error): what every component
 * that shows a failed request uses, so a language switch re-words the message too.
 */
export function useProblemText(): (error: unknown) => string | null {
  const { language } = useI18n();
  return useCallback(
    (error: unknown) => (error === null || error === undefined ? null : problemMessage(asProblem(error), language)),
    [language],
  );
}

/** A failed request's sentence above a form (`role="alert"`), in the current language. */
export function ProblemMessage({ error }: { error: unknown }) {
  return <FormMessage message={useProblemText()(error)} />;
}

/**
 * Field errors and the form's message from a failed request, for a form with `fields`.
 * The problem is kept, not its words: they are made in the language shown now.
 */
export function useFormErrors(fields: readonly string[]) {
  const { language } = useI18n();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [own, setOwn] = useState<string | null>(null);
  const split = problem ? splitProblem(problem, fields, language) : null;
  return {
    fieldErrors: split?.fields ?? {},
    message: own ?? split?.message ?? null,
    clear() {
      setProblem(null);
      setOwn(null);
    },
    show(error: unknown) {
      setOwn(null);
      setProblem(asProblem(error));
    },
    /** a message of the form's own (not from the API), replacing the problem's */
    setMessage: setOwn,
  };
}

export function Card({ title, children, wide = false }: { title: string; children: ReactNode; wide?: boolean }) {
  return (
    <section className={wide ? "card card--wide" : "card"} aria-labelledby={`h-${title}`}>
      <h1 id={`h-${title}`}>{title}</h1>
      {children}
    </section>
  );
}
