import { Navigate } from "react-router";
import { useI18n } from "../../../lib/i18nContext";
import { useSections } from "../hooks/useCan";

/** `/admin` opens the first section the user's permissions allow. */
export function AdminHome() {
  const { t } = useI18n();
  const first = useSections()[0];
  if (!first) {
    return (
      <section className="card">
        <h1>{t("admin.notAllowed")}</h1>
        <p>{t("admin.staffOnly")}</p>
      </section>
    );
  }
  return <Navigate to={first.to} replace />;
}
