import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import { Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { kycApi, type ProfileInput } from "../api/kyc";
import { nextDocumentLevel } from "../hooks/documents";
import { KycDocuments } from "./KycDocuments";
import "./kyc.css";

const LEVELS = [
  { level: 0, title: "E-mail verified", unlocks: "Deposits and trading" },
  { level: 1, title: "Profile complete", unlocks: "Withdrawals (e.g. 20,000 AED a day)" },
  { level: 2, title: "Identity document and selfie", unlocks: "Higher limits (200,000 AED a day)" },
  { level: 3, title: "Proof of address", unlocks: "The highest limits (1,000,000 AED a day)" },
] as const;

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
  const profile = useQuery({ queryKey: ["kyc", "profile"], queryFn: () => kycApi.profile(api) });
  const kyc = useQuery({ queryKey: ["kyc", "status"], queryFn: () => kycApi.kyc(api) });
  const level = kyc.data?.level ?? profile.data?.kycLevel ?? 0;
  // the users service lists submissions oldest first
  const latest = kyc.data?.submissions.at(-1);
  const next = kyc.data ? nextDocumentLevel(level, latest?.status === "PENDING") : null;
  return (
    <div className="page">
      <section className="card card--wide" aria-labelledby="kyc-title">
        <h1 id="kyc-title">Verification</h1>
        <FormMessage message={kyc.error ? problemMessage(asProblem(kyc.error)) : null} />
        <ol className="ladder" aria-label="Verification levels">
          {LEVELS.map((l) => (
            <li key={l.level} className={l.level <= level ? "ladder__step ladder__step--done" : "ladder__step"}>
              <strong>
                Level {l.level}: {l.title}
              </strong>
              <span className="muted">{l.unlocks}</span>
              {l.level <= level ? <span className="badge badge--approved">done</span> : null}
            </li>
          ))}
        </ol>
        {latest ? (
          <p data-testid="kyc-latest">
            Latest request: level {latest.level}, <strong>{latest.status.toLowerCase()}</strong> (
            {formatTime(latest.submittedAt)}){latest.reason ? ` — ${latest.reason}` : ""}
          </p>
        ) : null}
        {latest?.status === "PENDING" ? (
          <p className="form-message form-message--ok" role="status" data-testid="kyc-pending">
            Your level {latest.level} documents are being reviewed. We will notify you of the decision.
          </p>
        ) : null}
        {latest?.status === "REJECTED" ? (
          <p className="form-message form-message--error" data-testid="kyc-rejected">
            Your level {latest.level} request was rejected: {latest.reason ?? "no reason given"}. Upload new documents
            below to try again.
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
      <h2 id="profile-title">Complete your profile (level 1)</h2>
      <p className="muted">Approved at once; your name and date of birth must match your identity document.</p>
      <form onSubmit={onSubmit} noValidate className="form-grid">
        <Field label="First name" name="firstName" autoComplete="given-name" value={form.firstName} onChange={set("firstName")} error={errors.fieldErrors.firstName} />
        <Field label="Last name" name="lastName" autoComplete="family-name" value={form.lastName} onChange={set("lastName")} error={errors.fieldErrors.lastName} />
        <Field label="Date of birth" name="dateOfBirth" type="date" autoComplete="bday" value={form.dateOfBirth} onChange={set("dateOfBirth")} error={errors.fieldErrors.dateOfBirth} />
        <Field label="Country (2 letters)" name="country" autoComplete="country" maxLength={2} value={form.country} onChange={set("country")} error={errors.fieldErrors.country} />
        <Field label="Mobile phone" name="phone" type="tel" autoComplete="tel" placeholder="+971501234567" value={form.phone} onChange={set("phone")} error={errors.fieldErrors.phone} />
        <Field label="Address" name="line1" autoComplete="address-line1" value={form.address.line1} onChange={setAddress("line1")} error={errors.fieldErrors.line1} />
        <Field label="Address, line 2 (optional)" name="line2" autoComplete="address-line2" value={form.address.line2 ?? ""} onChange={setAddress("line2")} />
        <Field label="City" name="city" autoComplete="address-level2" value={form.address.city} onChange={setAddress("city")} error={errors.fieldErrors.city} />
        <Field label="Postal code (optional)" name="postalCode" autoComplete="postal-code" value={form.address.postalCode ?? ""} onChange={setAddress("postalCode")} error={errors.fieldErrors.postalCode} />
        <FormMessage message={errors.message} />
        <button type="submit" className="button button--primary" disabled={submit.isPending}>
          Save and verify
        </button>
      </form>
    </section>
  );
}
