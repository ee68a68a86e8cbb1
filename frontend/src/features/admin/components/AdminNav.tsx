import { NavLink } from "react-router";
import { useI18n } from "../../../lib/i18nContext";
import { useSections } from "../hooks/useCan";

/** The console's sections, only those the signed-in user's permissions open. */
export function AdminNav() {
  const { t } = useI18n();
  const sections = useSections();
  return (
    <nav aria-label={t("admin.nav")} className="subnav">
      {sections.map((s) => (
        <NavLink key={s.to} to={s.to}>
          {t(s.label)}
        </NavLink>
      ))}
    </nav>
  );
}
