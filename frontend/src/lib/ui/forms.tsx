/** Accessible form pieces: a label for every input, errors tied to it, alerts announced. */
import { useId, useState, type InputHTMLAttributes, type ReactNode } from "react";
import { asProblem, splitProblem } from "../api/problem";

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

/** Field errors and the form's message from a failed request, for a form with `fields`. */
export function useFormErrors(fields: readonly string[]) {
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  return {
    fieldErrors,
    message,
    clear() {
      setFieldErrors({});
      setMessage(null);
    },
    show(error: unknown) {
      const split = splitProblem(asProblem(error), fields);
      setFieldErrors(split.fields);
      setMessage(split.message);
    },
    setMessage,
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
