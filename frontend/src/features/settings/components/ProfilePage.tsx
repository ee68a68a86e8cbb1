import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type ChangeEvent, type SubmitEvent } from "react";
import { useApi, useSession } from "../../../lib/auth/context";
import { LANGUAGES, parseLanguage, parseTheme, type Theme } from "../../../lib/i18n";
import { useI18n } from "../../../lib/i18nContext";
import { Field, FormMessage, ProblemMessage, useFormErrors } from "../../../lib/ui/forms";
import { profileApi, uploadAvatar, type Profile } from "../api/profile";
import "./settings.css";

const CURRENCIES = ["AED", "USD", "EUR", "GBP", "SAR"] as const;
const LANGUAGE_NAMES = { en: "English", ar: "العربية" } as const;
const THEMES: readonly Theme[] = ["light", "dark", "system"];
const THEME_KEYS = { light: "settings.themeLight", dark: "settings.themeDark", system: "settings.themeSystem" } as const;
const PROFILE_KEY = ["settings", "profile"] as const;

/** The browser's zones, with `current` first when the list lacks it (e.g. "UTC"). */
function timezones(current: string): string[] {
  let zones: string[];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    zones = ["Asia/Dubai", "Asia/Riyadh", "Europe/London"];
  }
  return zones.includes(current) ? zones : [current, ...zones];
}

/** Profile, avatar, language, time zone, display currency and theme. */
export function ProfilePage() {
  const api = useApi();
  const { t } = useI18n();
  const profile = useQuery({ queryKey: PROFILE_KEY, queryFn: () => profileApi.profile(api) });
  return (
    <div className="page">
      <section className="card card--wide" aria-labelledby="settings-title">
        <h1 id="settings-title">{t("settings.title")}</h1>
        <ProblemMessage error={profile.error} />
        {profile.isPending ? <p role="status">{t("common.loading")}</p> : null}
        {profile.data ? <AvatarPicker profile={profile.data} /> : null}
      </section>
      {profile.data ? <ProfileForm profile={profile.data} /> : null}
      <AppearanceForm />
    </div>
  );
}

function AvatarPicker({ profile }: { profile: Profile }) {
  const api = useApi();
  const session = useSession();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [preview, setPreview] = useState<string | null>(null);
  const current = useQuery({
    queryKey: ["settings", "avatar", profile.avatarFileId],
    queryFn: () => profileApi.file(api, profile.avatarFileId ?? ""),
    enabled: Boolean(profile.avatarFileId),
  });
  useEffect(() => () => {
    if (preview) URL.revokeObjectURL(preview);
  }, [preview]);
  const upload = useMutation({
    mutationFn: async (file: File) => {
      const stored = await uploadAvatar(session, file);
      return profileApi.save(api, { avatarFileId: stored.id });
    },
    onSuccess: (data) => queryClient.setQueryData(PROFILE_KEY, data),
  });
  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setPreview(URL.createObjectURL(file));
    upload.mutate(file);
  };
  const src = preview ?? current.data?.thumbnailUrl ?? current.data?.publicUrl ?? null;
  return (
    <div className="avatar-picker">
      {src ? (
        <img className="avatar-picker__img" src={src} alt={t("settings.avatar")} data-testid="avatar-preview" />
      ) : (
        <span className="avatar-picker__img avatar-picker__img--empty" aria-hidden="true">
          {profile.email.charAt(0).toUpperCase()}
        </span>
      )}
      <div className="field">
        <label htmlFor="avatar-file">{t("settings.avatar")}</label>
        <input id="avatar-file" type="file" accept="image/jpeg,image/png,image/webp" onChange={onFile} aria-describedby="avatar-hint" />
        <p id="avatar-hint" className="field__hint">
          {upload.isPending ? t("settings.avatarUploading") : t("settings.avatarHint")}
        </p>
      </div>
      <ProblemMessage error={upload.error} />
    </div>
  );
}

function ProfileForm({ profile }: { profile: Profile }) {
  const api = useApi();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const locked = profile.kycLevel >= 2; // the users service refuses name changes after level 2
  const [form, setForm] = useState({
    firstName: profile.firstName ?? "",
    lastName: profile.lastName ?? "",
    phone: profile.phone ?? "",
    timezone: profile.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    displayCurrency: profile.displayCurrency,
  });
  const errors = useFormErrors(["firstName", "lastName", "phone", "timezone", "displayCurrency"]);
  const save = useMutation({
    mutationFn: () =>
      profileApi.save(api, {
        ...(locked ? {} : { firstName: form.firstName || undefined, lastName: form.lastName || undefined }),
        phone: form.phone || undefined,
        timezone: form.timezone,
        displayCurrency: form.displayCurrency,
      }),
    onSuccess: (data) => queryClient.setQueryData(PROFILE_KEY, data),
    onError: (error) => errors.show(error),
  });
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [name]: e.target.value }));
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    errors.clear();
    save.mutate();
  };
  return (
    <section className="card card--wide" aria-labelledby="profile-title">
      <h2 id="profile-title">{t("settings.profile")}</h2>
      {locked ? <p className="muted">{t("settings.locked")}</p> : null}
      <form onSubmit={onSubmit} noValidate className="form-grid">
        <Field label={t("settings.firstName")} name="firstName" autoComplete="given-name" value={form.firstName} onChange={set("firstName")} disabled={locked} error={errors.fieldErrors.firstName} />
        <Field label={t("settings.lastName")} name="lastName" autoComplete="family-name" value={form.lastName} onChange={set("lastName")} disabled={locked} error={errors.fieldErrors.lastName} />
        <Field label={t("settings.phone")} name="phone" type="tel" autoComplete="tel" dir="ltr" value={form.phone} onChange={set("phone")} error={errors.fieldErrors.phone} />
        <div className="field">
          <label htmlFor="timezone">{t("settings.timezone")}</label>
          <select id="timezone" value={form.timezone} onChange={set("timezone")}>
            {timezones(form.timezone).map((z) => (
              <option key={z}>{z}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="currency">{t("settings.currency")}</label>
          <select id="currency" value={form.displayCurrency} onChange={set("displayCurrency")}>
            {CURRENCIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
        <FormMessage message={errors.message} />
        <FormMessage message={save.isSuccess ? t("settings.saved") : null} tone="ok" />
        <button type="submit" className="button button--primary" disabled={save.isPending}>
          {t("settings.save")}
        </button>
      </form>
    </section>
  );
}

/** Language and theme apply at once (and are saved to the account by the i18n provider). */
function AppearanceForm() {
  const { t, language, theme, setLanguage, setTheme } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const run = (change: Promise<void>) => {
    setError(null);
    change.catch((err: unknown) => setError(err));
  };
  return (
    <section className="card card--wide" aria-labelledby="appearance-title">
      <h2 id="appearance-title">{t("settings.preferences")}</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="language">{t("settings.language")}</label>
          <select
            id="language"
            value={language}
            onChange={(e) => {
              const next = parseLanguage(e.target.value);
              if (next) run(setLanguage(next));
            }}
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l} lang={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="field">
          <legend>{t("settings.theme")}</legend>
          {THEMES.map((th) => (
            <label key={th} className="check">
              <input
                type="radio"
                name="theme"
                value={th}
                checked={theme === th}
                onChange={(e) => {
                  const next = parseTheme(e.target.value);
                  if (next) run(setTheme(next));
                }}
              />
              {t(THEME_KEYS[th])}
            </label>
          ))}
        </fieldset>
      </div>
      <ProblemMessage error={error} />
    </section>
  );
}
