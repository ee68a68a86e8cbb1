import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { Field, FormMessage, ProblemMessage, useFormErrors } from "../../../lib/ui/forms";
import { kycApi, type ProfileInput } from "../api/kyc";
import { nextDocumentLevel } from "../hooks/documents";
import { KycDocuments } from "./KycDocuments";
import "./kyc.css";

/** The ladder; each level's name and what it unlocks are `kyc.level<n>.title` / `.unlocks`. */
const LEVELS = [0, 1, 2, 3] as const;

type Profile = Awaited<ReturnType<typeof kycApi.profile>>;

function initial(profile: Profile | undefined): ProfileInput {
  return {
    firstName: profile?.firstName ?? "",
    lastName: profile?.lastName ?? "",
    dateOfBirth: profile?.dateOfBirth ?? "",
    country: profile?.country ?? "AE",
    phone: profile?.phone ?? "",
    address: {
      line1: profile?.address?.line1 ?? "",
      line2: profile?.address?.line2 ?? null,
      city: profile?.address?.city ?? "",
      postalCode: profile?.address?.postalCode ?? null,
      country: profile?.address?.country ?? profile?.country ?? "AE",
    },
  };
}

/** The KYC ladder, the user's level and latest decision, the level-1 profile form and the level 2/3 documents. */
export function KycPage() {
  const api = useApi();
  const { t } = useI18n();
  const profile = useQuery({ queryKey: ["kyc", "profile"], queryFn: () => kycApi.profile(api) });
  const kyc = useQuery({ queryKey: ["kyc", "status"], queryFn: () => kycApi.kyc(api) });
  const level = kyc.data?.level ?? profile.data?.kycLevel ?? 0;
  // the users service lists submissions oldest first
  const latest = kyc.data?.submissions.at(-1);
  const next = kyc.data ? nextDocumentLevel(level, latest?.status === "PENDING") : null;
  return (
    <div className="page">
      <section className="card card--wide" aria-labelledby="kyc-title">
        <h1 id="kyc-title">{t("kyc.title")}</h1>
        <ProblemMessage error={kyc.error} />
        <ol className="ladder" aria-label={t("kyc.levels")}>
          {LEVELS.map((l) => (
            <li key={l} className={l <= level ? "ladder__step ladder__step--done" : "ladder__step"}>
              <strong>{t("kyc.levelTitle", { level: l, title: t(`kyc.level${l}.title`) })}</strong>
              <span className="muted">{t(`kyc.level${l}.unlocks`)}</span>
              {l <= level ? <span className="badge badge--approved">{t("kyc.done")}</span> : null}
            </li>
          ))}
        </ol>
        {latest ? (
          <p data-testid="kyc-latest">
            {t("kyc.latest", {
              level: latest.level,
              status: t(`kyc.status.${latest.status}`),
              time: formatTime(latest.submittedAt),
            })}
            {latest.reason ? ` — ${latest.reason}` : ""}
          </p>
        ) : null}
        {latest?.status === "PENDING" ? (
          <p className="form-message form-message--ok" role="status" data-testid="kyc-pending">
            {t("kyc.pending", { level: latest.level })}
          </p>
        ) : null}
        {latest?.status === "REJECTED" ? (
          <p className="form-message form-message--error" data-testid="kyc-rejected">
            {t("kyc.rejected", { level: latest.level, reason: latest.reason ?? t("kyc.noReason") })}
          </p>
        ) : null}
      </section>
      {level < 1 && profile.data ? <ProfileForm profile={profile.data} /> : null}
      {next ? <KycDocuments key={next} level={next} /> : null}
    </div>
  );
}

function ProfileForm({ profile }: { profile: Profile }) {
  const api = useApi();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<ProfileInput>(() => initial(profile));
  const errors = useFormErrors(["firstName", "lastName", "dateOfBirth", "country", "phone", "line1", "city", "postalCode"]);
  const submit = useMutation({
    mutationFn: async () => {
      await kycApi.saveProfile(api, {
        ...form,
        address: { ...form.address, country: form.country, line2: form.address.line2 || null, postalCode: form.address.postalCode || null },
      });
      return kycApi.submit(api, 1);
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["kyc"] }),
    onError: (error) => errors.show(error),
  });
  const set = (key: keyof Omit<ProfileInput, "address">) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const setAddress = (key: keyof ProfileInput["address"]) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, address: { ...f.address, [key]: e.target.value } }));
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    errors.clear();
    submit.mutate();
  };
  return (
    <section className="card card--wide" aria-labelledby="profile-title">
      <h2 id="profile-title">{t("kyc.profileTitle")}</h2>
      <p className="muted">{t("kyc.profileIntro")}</p>
      <form onSubmit={onSubmit} noValidate className="form-grid">
        <Field label={t("kyc.firstName")} name="firstName" dir="auto" autoComplete="given-name" value={form.firstName} onChange={set("firstName")} error={errors.fieldErrors.firstName} />
        <Field label={t("kyc.lastName")} name="lastName" dir="auto" autoComplete="family-name" value={form.lastName} onChange={set("lastName")} error={errors.fieldErrors.lastName} />
        <Field label={t("kyc.dateOfBirth")} name="dateOfBirth" dir="ltr" type="date" autoComplete="bday" value={form.dateOfBirth} onChange={set("dateOfBirth")} error={errors.fieldErrors.dateOfBirth} />
        <Field label={t("kyc.country")} name="country" dir="ltr" autoComplete="country" maxLength={2} value={form.country} onChange={set("country")} error={errors.fieldErrors.country} />
        <Field label={t("kyc.phone")} name="phone" dir="ltr" type="tel" autoComplete="tel" placeholder="+971501234567" value={form.phone} onChange={set("phone")} error={errors.fieldErrors.phone} />
        <Field label={t("kyc.line1")} name="line1" dir="auto" autoComplete="address-line1" value={form.address.line1} onChange={setAddress("line1")} error={errors.fieldErrors.line1} />
        <Field label={t("kyc.line2")} name="line2" dir="auto" autoComplete="address-line2" value={form.address.line2 ?? ""} onChange={setAddress("line2")} />
        <Field label={t("kyc.city")} name="city" dir="auto" autoComplete="address-level2" value={form.address.city} onChange={setAddress("city")} error={errors.fieldErrors.city} />
        <Field label={t("kyc.postalCode")} name="postalCode" dir="ltr" autoComplete="postal-code" value={form.address.postalCode ?? ""} onChange={setAddress("postalCode")} error={errors.fieldErrors.postalCode} />
        <FormMessage message={errors.message} />
        <button type="submit" className="button button--primary" disabled={submit.isPending}>
          {t("kyc.saveAndVerify")}
        </button>
      </form>
    </section>
  );
}
