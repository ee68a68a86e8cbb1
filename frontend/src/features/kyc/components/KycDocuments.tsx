import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type ChangeEvent } from "react";
import { useApi, useSession } from "../../../lib/auth/context";
import { useI18n } from "../../../lib/i18nContext";
import { ProblemMessage, useProblemText } from "../../../lib/ui/forms";
import { kycApi } from "../api/kyc";
import { uploadDocument } from "../api/upload";
import { isComplete, LEVEL_DOCUMENTS, percent, type Slot, type SlotSpec } from "../hooks/documents";

interface Uploaded {
  fileId: string | null;
  progress: number;
  preview: string | null;
  name: string;
  isImage: boolean;
  /** the failure itself (null: none), worded in the language shown */
  error: unknown;
}

/** Levels 2 and 3: each document uploaded on choice (preview, progress), then submitted for review. */
export function KycDocuments({ level }: { level: 2 | 3 }) {
  const api = useApi();
  const { t } = useI18n();
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
      <h2 id="docs-title">{level === 2 ? t("kyc.docsLevel2") : t("kyc.docsLevel3")}</h2>
      <p className="muted">{t("kyc.private")}</p>
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
      <ProblemMessage error={submit.error} />
      <button
        type="button"
        className="button button--primary"
        disabled={!isComplete(level, ids) || uploading || submit.isPending}
        onClick={() => submit.mutate()}
      >
        {t("kyc.submit")}
      </button>
    </section>
  );
}

function DocumentSlot(props: { spec: SlotSpec; value: Uploaded | undefined; onChange: (u: Uploaded) => void }) {
  const { spec, value, onChange } = props;
  const session = useSession();
  const api = useApi();
  const { t } = useI18n();
  const problemText = useProblemText();
  const label = t(`kyc.slot.${spec.slot}`);
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
      .catch((err: unknown) => update({ error: err ?? new Error("upload failed") }));
  };

  return (
    <div className={value?.error ? "field field--invalid doc-slot" : "field doc-slot"} data-slot={spec.slot}>
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        type="file"
        accept={spec.kind === "kyc_selfie" ? "image/jpeg,image/png" : "image/jpeg,image/png,application/pdf"}
        aria-describedby={`${inputId}-hint`}
        aria-invalid={value?.error ? true : undefined}
        onChange={onFile}
      />
      <p id={`${inputId}-hint`} className="field__hint">
        {t(`kyc.slot.${spec.slot}.hint`)}
      </p>
      {value ? (
        <div className="doc-slot__file">
          {value.preview ? (
            <img src={value.preview} alt={t("kyc.preview", { name: label })} className="doc-slot__preview" />
          ) : (
            <span className="doc-slot__pdf" aria-hidden="true">
              PDF
            </span>
          )}
          <span className="doc-slot__name">{value.name}</span>
          <progress
            max={1}
            value={value.progress}
            aria-label={t("kyc.uploadOf", { name: label })}
            aria-valuetext={percent(value.progress)}
          />
          <span className="muted" data-testid={`progress-${spec.slot}`}>
            {value.error ? "" : value.fileId ? t("kyc.uploaded") : percent(value.progress)}
          </span>
        </div>
      ) : null}
      {value?.error ? (
        <p className="field__error" data-field-error={spec.slot}>
          {problemText(value.error)}
        </p>
      ) : null}
    </div>
  );
}
