import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { asProblem } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { useI18n } from "../../../lib/i18nContext";
import { useProblemText } from "../../../lib/ui/forms";
import { mailboxApi } from "../api/mailbox";

/** Links in Burency's e-mails point at this app; open them here, in the same tab. */
function appPath(link: string): string | null {
  try {
    const url = new URL(link);
    return url.origin === window.location.origin ? url.pathname + url.search : null;
  } catch {
    return null;
  }
}

/**
 * `/dev/mailbox`: the e-mails an embedded platform "sent" (nothing leaves the machine),
 * like a developer's local mail catcher. Only in embedded mode, only on loopback.
 */
export function MailboxPage() {
  const api = useApi();
  const { t } = useI18n();
  const problemText = useProblemText();
  const [openId, setOpenId] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const mails = useQuery({
    queryKey: ["dev-mailbox"],
    queryFn: () => mailboxApi.list(api),
    refetchInterval: 2000,
    retry: false,
  });
  const problem = mails.error ? asProblem(mails.error) : null;
  const needle = filter.trim().toLowerCase();
  const shown = (mails.data?.items ?? []).filter(
    (m) => !needle || `${m.to ?? ""} ${m.subject}`.toLowerCase().includes(needle),
  );
  return (
    <section className="card card--wide mailbox" aria-labelledby="mailbox-title">
      <div className="dev-banner" role="note">
        <strong>{t("notifications.devBanner")}</strong> {t("notifications.devBannerText")}
      </div>
      <div className="card__head">
        <h1 id="mailbox-title">{t("notifications.mailbox")}</h1>
        <span className="muted">{mails.isFetching ? t("notifications.checking") : t("notifications.refreshes")}</span>
      </div>
      <div className="field">
        <label htmlFor="mailbox-filter">{t("notifications.filter")}</label>
        <input id="mailbox-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      {problem ? (
        <p role="alert" className="form-message form-message--error">
          {problem.status === 404 ? t("notifications.noMailbox") : problemText(mails.error)}
        </p>
      ) : null}
      {mails.data && shown.length === 0 ? (
        <p className="muted">{needle ? t("notifications.noMatch") : t("notifications.noMail")}</p>
      ) : null}
      <ul className="list">
        {shown.map((mail) => (
          <li key={mail.id} className="mail" data-mail-to={mail.to ?? ""}>
            <button
              type="button"
              className="mail__head"
              aria-expanded={openId === mail.id}
              onClick={() => setOpenId(openId === mail.id ? null : mail.id)}
            >
              <span className="mail__subject">{mail.subject}</span>
              <span className="muted">{t("notifications.to", { to: mail.to ?? t("notifications.unknownRecipient") })}</span>
            </button>
            {mail.links.length ? (
              <ul className="mail__links" aria-label={t("notifications.links", { subject: mail.subject })}>
                {mail.links.map((link) => {
                  const path = appPath(link);
                  return (
                    <li key={link}>
                      {path ? <Link to={path}>{link}</Link> : <a href={link}>{link}</a>}
                    </li>
                  );
                })}
              </ul>
            ) : null}
            {openId === mail.id ? <pre className="mail__body">{mail.text}</pre> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
