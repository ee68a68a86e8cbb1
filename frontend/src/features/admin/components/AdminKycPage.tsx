import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import type { MessageKey } from "../../../lib/i18n";
import { useI18n } from "../../../lib/i18nContext";
import { ProblemMessage } from "../../../lib/ui/forms";
import { usePaged } from "../../../lib/usePaged";
import { consoleApi } from "../api/admin";
import { useEmails } from "../hooks/useEmails";
import { AdminPage } from "./AdminPage";
import { LoadMore } from "./LoadMore";

/** Catalogue keys of the documents' names (the fields of a submission). */
const FIELD_NAMES: Record<string, MessageKey> = {
  documentFront: "admin.kyc.field.documentFront",
  documentBack: "admin.kyc.field.documentBack",
  selfie: "admin.kyc.field.selfie",
  proofOfAddress: "admin.kyc.field.proofOfAddress",
};

type Link = Awaited<ReturnType<typeof consoleApi.kycSubmission>>["links"][number];

/** The KYC review queue (oldest first); one submission open with its documents. */
export function AdminKycPage() {
  const api = useApi();
  const { t } = useI18n();
  const [openId, setOpenId] = useState<string | null>(null);
  const queue = usePaged({
    queryKey: ["admin", "kyc", "queue"],
    fetchPage: (cursor) => consoleApi.kycQueue(api, cursor),
    keyOf: (s) => s.id,
  });
  const emails = useEmails(queue.rows.map((s) => s.userId));
  return (
    <AdminPage id="admin-kyc" title={t("admin.kyc.title")} errors={[queue.error]}>
      {queue.isPending ? <p role="status">{t("common.loading")}</p> : null}
      <ul className="list" aria-label={t("admin.kyc.queue")}>
        {queue.rows.map((s) => (
          <li key={s.id} className="list__row" data-submission={s.id} data-user-id={s.userId}>
            <div>
              <strong>{t("admin.kyc.level", { level: s.level })}</strong> · {t("admin.user", { user: emails(s.userId) })}
              <div className="muted">{t("admin.kyc.submitted", { time: formatTime(s.submittedAt) })}</div>
            </div>
            <button type="button" className="button" onClick={() => setOpenId(s.id)} aria-expanded={openId === s.id}>
              {t("admin.kyc.review")}
            </button>
          </li>
        ))}
        {!queue.isPending && queue.rows.length === 0 ? <li className="muted">{t("admin.kyc.nothing")}</li> : null}
      </ul>
      <LoadMore list={queue} count={queue.rows.length} />
      {openId ? <Review key={openId} id={openId} onDone={() => setOpenId(null)} /> : null}
    </AdminPage>
  );
}

function Review({ id, onDone }: { id: string; onDone: () => void }) {
  const api = useApi();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const [tooShort, setTooShort] = useState(false);
  const detail = useQuery({ queryKey: ["admin", "kyc", id], queryFn: () => consoleApi.kycSubmission(api, id), staleTime: 0 });
  const emails = useEmails(detail.data ? [detail.data.userId] : []);
  const decided = () => {
    onDone();
    return queryClient.invalidateQueries({ queryKey: ["admin", "kyc"] });
  };
  const approve = useMutation({ mutationFn: () => consoleApi.kycApprove(api, id), onSuccess: decided });
  const reject = useMutation({ mutationFn: () => consoleApi.kycReject(api, id, reason.trim()), onSuccess: decided });
  const error = detail.error ?? approve.error ?? reject.error;
  const name = (field: string) => {
    const key = FIELD_NAMES[field];
    return key ? t(key) : field;
  };
  return (
    <ReviewPanel error={error}>
      <h2>{t("admin.kyc.submission", { id })}</h2>
      {detail.data ? (
        <>
          <p className="muted">
            {t("admin.kyc.level", { level: detail.data.level })} · {t("admin.user", { user: emails(detail.data.userId) })} ·{" "}
            {t(`kyc.status.${detail.data.status}`)}
          </p>
          <div className="doc-grid">
            {detail.data.links.map((l: Link) => (
              <figure key={l.field} className="doc">
                <figcaption>
                  {name(l.field)}
                  {l.originalName ? <span className="muted"> · {t("admin.kyc.original", { name: l.originalName })}</span> : null}
                </figcaption>
                {l.url ? (
                  <DocumentPreview url={l.url} name={name(l.field)} contentType={l.contentType ?? null} />
                ) : (
                  <p className="muted">{t("admin.kyc.fileGone")}</p>
                )}
              </figure>
            ))}
            {detail.data.links.length === 0 ? <p className="muted">{t("admin.kyc.noDocuments")}</p> : null}
          </div>
        </>
      ) : (
        <p role="status">{t("common.loading")}</p>
      )}
      <div className="actions">
        <button type="button" className="button button--primary" disabled={approve.isPending} onClick={() => approve.mutate()}>
          {t("admin.approve")}
        </button>
      </div>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          if (reason.trim().length < 3) {
            setTooShort(true);
            return;
          }
          reject.mutate();
        }}
      >
        <label htmlFor="kyc-reason">{t("admin.kyc.reason")}</label>
        <input
          id="kyc-reason"
          className="input-inline"
          value={reason}
          aria-invalid={tooShort || undefined}
          aria-describedby={tooShort ? "kyc-reason-error" : undefined}
          onChange={(e) => {
            setReason(e.target.value);
            setTooShort(false);
          }}
        />
        <button type="submit" className="button button--danger" disabled={reject.isPending}>
          {t("admin.reject")}
        </button>
        {tooShort ? (
          <p id="kyc-reason-error" className="field__error">
            {t("admin.kyc.reasonTooShort")}
          </p>
        ) : null}
      </form>
    </ReviewPanel>
  );
}

/** The open submission, with the first error of loading or deciding it. */
function ReviewPanel({ error, children }: { error: unknown; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="review" role="region" aria-label={t("admin.kyc.region")}>
      <ProblemMessage error={error} />
      {children}
    </div>
  );
}

/**
 * An image is shown inline; anything else (a PDF) is opened in a new tab. The type comes
 * from the files service when the link carries it; otherwise an image that fails to load
 * is taken for a PDF.
 */
function DocumentPreview({ url, name, contentType }: { url: string; name: string; contentType: string | null }) {
  const { t } = useI18n();
  const [failed, setFailed] = useState(false);
  const known = contentType !== null;
  const image = known ? contentType.startsWith("image/") : !failed;
  return (
    <>
      {image ? (
        <img src={url} alt={name} className="doc__image" onError={() => setFailed(true)} />
      ) : (
        <p className="muted">{known ? t("admin.kyc.pdf") : t("admin.kyc.notImage")}</p>
      )}
      <a href={url} target="_blank" rel="noreferrer">
        {t("admin.kyc.openNewTab")}
      </a>
    </>
  );
}
