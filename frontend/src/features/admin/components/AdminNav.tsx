import { NavLink } from "react-router";

export function AdminNav() {
  return (
    <nav aria-label="Admin" className="subnav">
      <NavLink to="/admin/deposits">AED deposits</NavLink>
      <NavLink to="/admin/withdrawals">Withdrawals</NavLink>
    </nav>
  );
}
