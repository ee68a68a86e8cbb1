import { Navigate } from "react-router";
import { sectionsFor } from "../hooks/permissions";
import { useRoles } from "../hooks/useCan";

/** `/admin` opens the first section the user's roles allow. */
export function AdminHome() {
  const first = sectionsFor(useRoles())[0];
  if (!first) {
    return (
      <section className="card">
        <h1>Not allowed</h1>
        <p>The admin console is for staff.</p>
      </section>
    );
  }
  return <Navigate to={first.to} replace />;
}
