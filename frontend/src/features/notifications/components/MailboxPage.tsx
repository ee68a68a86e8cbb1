import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
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
        <strong>EMBEDDED MODE ONLY — DEVELOPMENT MAILBOX.</strong> This platform sends no real e-mail: every message
        it would have sent is listed here. It exists only when Burency runs embedded (<code>make run</code>) and only
        for visitors on this machine. Never expose it.
      </div>
      <div className="card__head">
        <h1 id="mailbox-title">Mailbox</h1>
        <span className="muted">{mails.isFetching ? "checking…" : "refreshes every 2 s"}</span>
      </div>
      <div className="field">
        <label htmlFor="mailbox-filter">Filter by recipient or subject</label>
        <input id="mailbox-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      {problem ? (
        <p role="alert" className="form-message form-message--error">
          {problem.status === 404
            ? "There is no mailbox here: this platform does not run in embedded mode."
            : problemMessage(problem)}
        </p>
      ) : null}
      {mails.data && shown.length === 0 ? (
        <p className="muted">{needle ? "No e-mail matches." : "No e-mails yet."}</p>
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
              <span className="muted">to {mail.to ?? "unknown"}</span>
            </button>
            {mail.links.length ? (
              <ul className="mail__links" aria-label={`Links in “${mail.subject}”`}>
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
