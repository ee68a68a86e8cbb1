import { Link } from "react-router";
import { useI18n } from "../../../lib/i18nContext";
import { useMailboxAvailable } from "../hooks/useMailboxAvailable";

/** Shown only where the embedded-mode mailbox exists. */
export function MailboxLink() {
  const { t } = useI18n();
  if (!useMailboxAvailable()) return null;
  return (
    <p className="dev-note">
      <strong>{t("account.mailbox.embedded")}</strong> {t("account.mailbox.noMail")}{" "}
      <Link to="/dev/mailbox">{t("account.mailbox.open")}</Link> {t("account.mailbox.toRead")}
    </p>
  );
}
