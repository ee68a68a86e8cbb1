import { NavLink } from "react-router";
import { sectionsFor } from "../hooks/permissions";
import { useRoles } from "../hooks/useCan";

/** The console's sections, only those the signed-in user's roles may open. */
export function AdminNav() {
  const sections = sectionsFor(useRoles());
  return (
    <nav aria-label="Admin" className="subnav">
      {sections.map((s) => (
        <NavLink key={s.to} to={s.to}>
          {s.label}
        </NavLink>
      ))}
    </nav>
  );
}
