import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import { FormMessage } from "../../../lib/ui/forms";
import { consoleApi } from "../api/admin";
import { AdminPage } from "./AdminPage";

const FIELD_NAMES: Record<string, string> = {
  documentFront: "Identity document (front)",
  documentBack: "Identity document (back)",
  selfie: "Selfie",
  proofOfAddress: "Proof of address",
};

/** The KYC review queue (oldest first); one submission open with its documents. */
export function AdminKycPage() {
  const api = useApi();
  const [openId, setOpenId] = useState<string | null>(null);
  const queue = useQuery({ queryKey: ["admin", "kyc"], queryFn: () => consoleApi.kycQueue(api) });
  return (
    <AdminPage id="admin-kyc" title="KYC review" errors={[queue.error]}>
      {queue.isPending ? <p role="status">Loading…</p> : null}
      <ul className="list" aria-label="Waiting for review">
        {queue.data?.items.map((s) => (
          <li key={s.id} className="list__row" data-submission={s.id}>
            <div>
              <strong>Level {s.level}</strong> · user <code>{s.userId}</code>
              <div className="muted">submitted {formatTime(s.submittedAt)}</div>
            </div>
            <button type="button" className="button" onClick={() => setOpenId(s.id)} aria-expanded={openId === s.id}>
              Review
            </button>
          </li>
        ))}
        {queue.data?.items.length === 0 ? <li className="muted">Nothing to review.</li> : null}
      </ul>
      {openId ? <Review key={openId} id={openId} onDone={() => setOpenId(null)} /> : null}
    </AdminPage>
  );
}

function Review({ id, onDone }: { id: string; onDone: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const [tooShort, setTooShort] = useState(false);
  const detail = useQuery({ queryKey: ["admin", "kyc", id], queryFn: () => consoleApi.kycSubmission(api, id), staleTime: 0 });
  const decided = () => {
    onDone();
    return queryClient.invalidateQueries({ queryKey: ["admin", "kyc"] });
  };
  const approve = useMutation({ mutationFn: () => consoleApi.kycApprove(api, id), onSuccess: decided });
  const reject = useMutation({ mutationFn: () => consoleApi.kycReject(api, id, reason.trim()), onSuccess: decided });
  const error = detail.error ?? approve.error ?? reject.error;
  return (
    <ReviewPanel error={error}>
      <h2>Submission {id}</h2>
      {detail.data ? (
        <>
          <p className="muted">
            Level {detail.data.level} · user <code>{detail.data.userId}</code> · {detail.data.status.toLowerCase()}
          </p>
          <div className="doc-grid">
            {detail.data.links.map((l) => (
              <figure key={l.field} className="doc">
                <figcaption>{FIELD_NAMES[l.field] ?? l.field}</figcaption>
                {l.url ? (
                  <DocumentPreview url={l.url} name={FIELD_NAMES[l.field] ?? l.field} />
                ) : (
                  <p className="muted">The file no longer exists.</p>
                )}
              </figure>
            ))}
            {detail.data.links.length === 0 ? <p className="muted">No documents (a profile-only level).</p> : null}
          </div>
        </>
      ) : (
        <p role="status">Loading…</p>
      )}
      <div className="actions">
        <button type="button" className="button button--primary" disabled={approve.isPending} onClick={() => approve.mutate()}>
          Approve
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
        <label htmlFor="kyc-reason">Reason to reject</label>
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
          Reject
        </button>
        {tooShort ? (
          <p id="kyc-reason-error" className="field__error">
            Say why in at least 3 characters: the user reads it.
          </p>
        ) : null}
      </form>
    </ReviewPanel>
  );
}

/** The open submission, with the first error of loading or deciding it. */
function ReviewPanel({ error, children }: { error: unknown; children: ReactNode }) {
  return (
    <div className="review" role="region" aria-label="Review">
      <FormMessage message={error ? problemMessage(asProblem(error)) : null} />
      {children}
    </div>
  );
}

/** An image is shown inline; anything else (a PDF) is opened in a new tab. */
function DocumentPreview({ url, name }: { url: string; name: string }) {
  const [notImage, setNotImage] = useState(false);
  return (
    <>
      {notImage ? (
        <p className="muted">Not an image (a PDF?): open it to read it.</p>
      ) : (
        <img src={url} alt={name} className="doc__image" onError={() => setNotImage(true)} />
      )}
      <a href={url} target="_blank" rel="noreferrer">
        Open in a new tab
      </a>
    </>
  );
}
