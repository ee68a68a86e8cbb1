import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type ChangeEvent } from "react";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi, useSession } from "../../../lib/auth/context";
import { FormMessage } from "../../../lib/ui/forms";
import { kycApi } from "../api/kyc";
import { uploadDocument } from "../api/upload";
import { isComplete, LEVEL_DOCUMENTS, percent, type Slot, type SlotSpec } from "../hooks/documents";

interface Uploaded {
  fileId: string | null;
  progress: number;
  preview: string | null;
  name: string;
  isImage: boolean;
  error: string | null;
}

/** Levels 2 and 3: each document uploaded on choice (preview, progress), then submitted for review. */
export function KycDocuments({ level }: { level: 2 | 3 }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [files, setFiles] = useState<Partial<Record<Slot, Uploaded>>>({});
  const ids = Object.fromEntries(
    Object.entries(files).flatMap(([slot, f]) => (f.fileId ? [[slot, f.fileId]] : [])),
  ) as Partial<Record<Slot, string>>;
  const submit = useMutation({
    mutationFn: () => kycApi.submitDocuments(api, level, ids),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["kyc"] }),
  });
  const uploading = Object.values(files).some((f) => !f.fileId && !f.error);
  return (
    <section className="card card--wide" aria-labelledby="docs-title">
      <h2 id="docs-title">{level === 2 ? "Identity documents (level 2)" : "Proof of address (level 3)"}</h2>
      <p className="muted">Files stay private: only our compliance team sees them, and every view is logged.</p>
      <div className="doc-grid">
        {LEVEL_DOCUMENTS[level].map((spec) => (
          <DocumentSlot
            key={spec.slot}
            spec={spec}
            value={files[spec.slot]}
            onChange={(u) => setFiles((f) => ({ ...f, [spec.slot]: u }))}
          />
        ))}
      </div>
      <FormMessage message={submit.error ? problemMessage(asProblem(submit.error)) : null} />
      <button
        type="button"
        className="button button--primary"
        disabled={!isComplete(level, ids) || uploading || submit.isPending}
        onClick={() => submit.mutate()}
      >
        Submit for review
      </button>
    </section>
  );
}

function DocumentSlot(props: { spec: SlotSpec; value: Uploaded | undefined; onChange: (u: Uploaded) => void }) {
  const { spec, value, onChange } = props;
  const session = useSession();
  const api = useApi();
  const inputId = `doc-${spec.slot}`;
  const preview = value?.preview;
  useEffect(() => () => {
    if (preview) URL.revokeObjectURL(preview);
  }, [preview]);

  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    // a replaced upload is never submitted: remove it rather than leave it stored
    if (value?.fileId) void kycApi.deleteFile(api, value.fileId).catch(() => undefined);
    const isImage = file.type.startsWith("image/");
    let state: Uploaded = {
      fileId: null,
      progress: 0,
      preview: isImage ? URL.createObjectURL(file) : null,
      name: file.name,
      isImage,
      error: null,
    };
    const update = (change: Partial<Uploaded>) => {
      state = { ...state, ...change };
      onChange(state);
    };
    update({});
    uploadDocument(session, spec.kind, file, (progress) => update({ progress }))
      .then((stored) => update({ fileId: stored.id, progress: 1 }))
      .catch((err: unknown) => update({ error: problemMessage(asProblem(err)) }));
  };

  return (
    <div className={value?.error ? "field field--invalid doc-slot" : "field doc-slot"} data-slot={spec.slot}>
      <label htmlFor={inputId}>{spec.label}</label>
      <input
        id={inputId}
        type="file"
        accept={spec.kind === "kyc_selfie" ? "image/jpeg,image/png" : "image/jpeg,image/png,application/pdf"}
        aria-describedby={`${inputId}-hint`}
        aria-invalid={value?.error ? true : undefined}
        onChange={onFile}
      />
      <p id={`${inputId}-hint`} className="field__hint">
        {spec.hint}
      </p>
      {value ? (
        <div className="doc-slot__file">
          {value.preview ? (
            <img src={value.preview} alt={`Preview: ${spec.label}`} className="doc-slot__preview" />
          ) : (
            <span className="doc-slot__pdf" aria-hidden="true">
              PDF
            </span>
          )}
          <span className="doc-slot__name">{value.name}</span>
          <progress
            max={1}
            value={value.progress}
            aria-label={`Upload of ${spec.label}`}
            aria-valuetext={percent(value.progress)}
          />
          <span className="muted" data-testid={`progress-${spec.slot}`}>
            {value.error ? "" : value.fileId ? "Uploaded" : percent(value.progress)}
          </span>
        </div>
      ) : null}
      {value?.error ? (
        <p className="field__error" data-field-error={spec.slot}>
          {value.error}
        </p>
      ) : null}
    </div>
  );
}
