import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import type { MessageKey } from "../../../lib/i18n";
import { useI18n } from "../../../lib/i18nContext";
import { FormMessage, useProblemText } from "../../../lib/ui/forms";
import { usePaged } from "../../../lib/usePaged";
import { ANNOUNCEMENTS_PAGE, consoleApi } from "../api/admin";
import { progressOf } from "../hooks/announcements";
import { AdminPage } from "./AdminPage";
import { LoadMore } from "./LoadMore";

type Channel = "push" | "email" | "in_app";
const CHANNELS: Channel[] = ["in_app", "email", "push"];
const SEGMENTS: { value: string; label: MessageKey }[] = [
  { value: "all", label: "admin.ann.everyone" },
  { value: "kyc_level>=1", label: "admin.ann.kyc1" },
  { value: "kyc_level>=2", label: "admin.ann.kyc2" },
  { value: "kyc_level=0", label: "admin.ann.kyc0" },
];
const STATUSES = ["queued", "pending", "sending", "done"];

type Announcement = Awaited<ReturnType<typeof consoleApi.announcement>>;
type Listed = Awaited<ReturnType<typeof consoleApi.announcements>>["items"][number];

/** A mass announcement to a segment, and each announcement's delivery progress (polled). */
export function AdminAnnouncementsPage() {
  const api = useApi();
  const { t } = useI18n();
  const list = usePaged({
    queryKey: ["admin", "announcements", "list"],
    fetchPage: (cursor) => consoleApi.announcements(api, cursor),
    keyOf: (a) => a.id,
  });
  return (
    <AdminPage id="admin-announcements" title={t("admin.ann.title")} errors={[list.error]}>
      <AnnounceForm />
      <h2>{t("admin.ann.sent")}</h2>
      <ul className="list" aria-label={t("admin.ann.list")}>
        {list.rows.map((a) => (
          <AnnouncementRow key={a.id} listed={a} />
        ))}
        {!list.isPending && list.rows.length === 0 ? <li className="muted">{t("admin.ann.none")}</li> : null}
      </ul>
      <LoadMore list={list} count={list.rows.length} pageSize={ANNOUNCEMENTS_PAGE} />
    </AdminPage>
  );
}

/**
 * One announcement: the list's own progress when it carries it and the sending is done;
 * otherwise its detail, polled each second until it is done.
 */
function AnnouncementRow({ listed }: { listed: Listed }) {
  const api = useApi();
  const { t, language } = useI18n();
  const settled = listed.status === "done" && (listed.progress?.length ?? 0) > 0;
  const detail = useQuery({
    queryKey: ["admin", "announcements", listed.id],
    queryFn: () => consoleApi.announcement(api, listed.id),
    enabled: !settled,
    refetchInterval: (query) => (query.state.data?.status === "done" ? false : 1_000),
  });
  const a: Announcement | undefined = settled ? listed : detail.data;
  if (!a) return <li className="list__row muted">{t("common.loading")}</li>;
  const p = progressOf(a.progress);
  const title = typeof a.data?.title === "string" ? a.data.title : null;
  const channelNames = a.channels.map((c) => (CHANNELS.includes(c as Channel) ? t(`admin.ann.channel.${c as Channel}`) : c));
  return (
    <li className="list__row" data-announcement={a.id}>
      <div>
        {title ? (
          <>
            <strong dir="auto">{title}</strong>
            <br />
          </>
        ) : null}
        <span>{segmentName(t, a.segment)}</span> · {channelNames.join(language === "ar" ? "، " : ", ")} ·{" "}
        <span className={`badge${a.status === "done" ? " badge--approved" : ""}`} data-testid="announcement-status">
          {STATUSES.includes(a.status) ? t(`admin.ann.status.${a.status}` as MessageKey) : a.status}
        </span>
        <div className="muted">{formatTime(a.createdAt)}</div>
      </div>
      <div>
        <progress className="progress" max={Math.max(p.targets, 1)} value={p.finished} aria-label={t("admin.ann.progress", { id: a.id })} />
        <div className="muted" data-testid="announcement-progress">
          {t("admin.ann.progressText", { ...p })}
        </div>
      </div>
    </li>
  );
}

function segmentName(t: (key: MessageKey) => string, segment: string): string {
  const known = SEGMENTS.find((s) => s.value === segment);
  return known ? t(known.label) : segment;
}

function AnnounceForm() {
  const api = useApi();
  const { t } = useI18n();
  const problemText = useProblemText();
  const queryClient = useQueryClient();
  const [segment, setSegment] = useState("all");
  const [channels, setChannels] = useState<Channel[]>(["in_app"]);
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [invalid, setInvalid] = useState<MessageKey | null>(null);
  const send = useMutation({
    mutationFn: () => consoleApi.announce(api, { segment: segment.trim(), channels, title: title.trim(), body: body.trim() }),
    onSuccess: () => {
      setTitle("");
      setBody("");
      return queryClient.invalidateQueries({ queryKey: ["admin", "announcements"] });
    },
  });
  return (
    <form
      aria-label={t("admin.ann.new")}
      className="form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        const why = !title.trim() || !body.trim() ? "admin.ann.needText" : channels.length === 0 ? "admin.ann.needChannel" : null;
        setInvalid(why);
        if (!why) send.mutate();
      }}
    >
      <div className="field">
        <label htmlFor="ann-title">{t("admin.ann.titleField")}</label>
        <input id="ann-title" maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="ann-segment">{t("admin.ann.audience")}</label>
        <select id="ann-segment" value={segment} onChange={(e) => setSegment(e.target.value)}>
          {SEGMENTS.map((s) => (
            <option key={s.value} value={s.value}>
              {t(s.label)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="ann-body">{t("admin.ann.message")}</label>
        <input id="ann-body" maxLength={1000} value={body} onChange={(e) => setBody(e.target.value)} />
      </div>
      <fieldset className="field">
        <legend>{t("admin.ann.channels")}</legend>
        {CHANNELS.map((c) => (
          <label key={c} className="check">
            <input
              type="checkbox"
              checked={channels.includes(c)}
              onChange={(e) => setChannels((now) => (e.target.checked ? [...now, c] : now.filter((x) => x !== c)))}
            />
            {t(`admin.ann.channel.${c}`)}
          </label>
        ))}
      </fieldset>
      <FormMessage message={invalid ? t(invalid) : problemText(send.error)} />
      {send.data ? (
        <p role="status" className="form-message form-message--ok" data-sent-announcement={send.data.id}>
          {t("admin.ann.queued")}
        </p>
      ) : null}
      <button type="submit" className="button button--primary" disabled={send.isPending}>
        {t("admin.ann.send")}
      </button>
    </form>
  );
}
