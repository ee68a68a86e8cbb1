import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { useI18n } from "../../../lib/i18nContext";
import { Card, FormMessage } from "../../../lib/ui/forms";
import { feedApi, type Preference, type PreferenceIn } from "../api/feed";

type PreferencesOut = Awaited<ReturnType<typeof feedApi.preferences>>;

const CHANNELS = ["in_app", "email", "sms", "push"] as const;
type Channel = (typeof CHANNELS)[number];

/** What each event is, in words (the catalogue's names are for machines). */
const EVENT_NAMES: Record<string, string> = {
  "auth.welcome": "Welcome",
  "auth.new_login": "New sign-in",
  "auth.register_attempt": "Someone tried to register with your address",
  "auth.password_changed": "Password changed",
  "auth.session_revoked": "Session ended",
  "auth.2fa_enabled": "Two-factor authentication on",
  "auth.2fa_disabled": "Two-factor authentication off",
  "auth.api_key_created": "API key created",
  "auth.api_key_revoked": "API key revoked",
  "auth.verify_email": "E-mail verification",
  "auth.password_reset": "Password reset",
  "kyc.approved": "Verification approved",
  "kyc.rejected": "Verification rejected",
  "deposit.credited": "Deposit credited",
  "withdrawal.sent": "Withdrawal sent",
  "order.filled": "Order filled",
  "price.alert": "Price alert",
  "marketing.announcement": "Announcements",
};

const key = (event: string, channel: string) => `${event}|${channel}`;

/** The event × channel matrix; a change is saved at once, a required channel cannot be unticked. */
export function PreferencesPage() {
  const api = useApi();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const prefs = useQuery({ queryKey: ["notifications", "preferences"], queryFn: () => feedApi.preferences(api) });
  const save = useMutation({
    mutationFn: (item: PreferenceIn) => feedApi.savePreferences(api, [item]),
    onSuccess: (data) => {
      queryClient.setQueryData(["notifications", "preferences"], data);
      setSaved(true);
    },
    // the box follows the click at once; a refusal puts the server's state back
    onMutate: (item) => {
      setSaved(false);
      queryClient.setQueryData<PreferencesOut>(["notifications", "preferences"], (data) =>
        data
          ? { items: data.items.map((p) => (p.event === item.event && p.channel === item.channel ? { ...p, enabled: item.enabled } : p)) }
          : data,
      );
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: ["notifications", "preferences"] }),
  });
  const byKey = new Map<string, Preference>((prefs.data?.items ?? []).map((p) => [key(p.event, p.channel), p]));
  const events = [...new Set((prefs.data?.items ?? []).map((p) => p.event))];
  const error = save.error ?? prefs.error;
  return (
    <Card title={t("prefs.title")} wide>
      <p>{t("prefs.intro")}</p>
      <FormMessage message={error ? problemMessage(asProblem(error)) : null} />
      <FormMessage message={saved ? t("prefs.saved") : null} tone="ok" />
      {prefs.isPending ? <p role="status">{t("common.loading")}</p> : null}
      {events.length ? (
        <div className="table-wrap" tabIndex={0} role="group" aria-label={t("prefs.title")}>
          <table className="table prefs">
            <thead>
              <tr>
                <th scope="col">{t("prefs.event")}</th>
                {CHANNELS.map((c) => (
                  <th key={c} scope="col">
                    {t(`channel.${c}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event}>
                  <th scope="row">{EVENT_NAMES[event] ?? event}</th>
                  {CHANNELS.map((channel) => (
                    <td key={channel}>
                      <PreferenceBox pref={byKey.get(key(event, channel))} event={event} channel={channel} onChange={(item) => save.mutate(item)} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Card>
  );
}

function PreferenceBox(props: {
  pref: Preference | undefined;
  event: string;
  channel: Channel;
  onChange: (item: PreferenceIn) => void;
}) {
  const { t } = useI18n();
  const { pref, event, channel } = props;
  if (!pref) return <span className="muted" aria-hidden="true">—</span>;
  return (
    <input
      type="checkbox"
      checked={pref.enabled}
      disabled={pref.required}
      data-pref={key(event, channel)}
      aria-label={`${EVENT_NAMES[event] ?? event}: ${t(`channel.${channel}`)}`}
      onChange={(e) => props.onChange({ event: event as PreferenceIn["event"], channel, enabled: e.target.checked })}
    />
  );
}
