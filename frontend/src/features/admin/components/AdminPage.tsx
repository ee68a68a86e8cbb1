import type { ReactNode } from "react";
import { ProblemMessage } from "../../../lib/ui/forms";
import { AdminNav } from "./AdminNav";
import "./admin.css";

/** One console section: its title, the console's navigation, the first error to say. */
export function AdminPage({ id, title, errors, children }: { id: string; title: string; errors: unknown[]; children: ReactNode }) {
  const error = errors.find((e) => e !== null && e !== undefined);
  return (
    <section className="card card--wide admin" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{title}</h1>
      <AdminNav />
      <ProblemMessage error={error} />
      {children}
    </section>
  );
}
