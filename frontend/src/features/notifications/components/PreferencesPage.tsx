import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../../lib/auth/context";
import { CATALOGUES, type MessageKey } from "../../../lib/i18n";
import { useI18n } from "../../../lib/i18nContext";
import { Card, FormMessage, ProblemMessage } from "../../../lib/ui/forms";
import { feedApi, type Preference, type PreferenceIn } from "../api/feed";

type PreferencesOut = Awaited<ReturnType<typeof feedApi.preferences>>;

const CHANNELS = ["in_app", "email", "sms", "push"] as const;
type Channel = (typeof CHANNELS)[number];

/** The event's name in words (the catalogue's `event.<type>`), else its machine name. */
function eventName(t: (key: MessageKey) => string, event: string): string {
  const key = `event.${event}`;
  return key in CATALOGUES.en ? t(key as MessageKey) : event;
}

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
      <ProblemMessage error={error} />
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
                  <th scope="row">{eventName(t, event)}</th>
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
      aria-label={`${eventName(t, event)}: ${t(`channel.${channel}`)}`}
      onChange={(e) => props.onChange({ event: event as PreferenceIn["event"], channel, enabled: e.target.checked })}
    />
  );
}
