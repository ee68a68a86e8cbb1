import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import { FormMessage } from "../../../lib/ui/forms";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { consoleApi } from "../api/admin";
import { progressOf } from "../hooks/announcements";
import { AdminPage } from "./AdminPage";

type Channel = "push" | "email" | "in_app";
const CHANNELS: { id: Channel; label: string }[] = [
  { id: "in_app", label: "In-app" },
  { id: "email", label: "E-mail" },
  { id: "push", label: "Push" },
];

/** A mass announcement to a segment, and each announcement's delivery progress (polled). */
export function AdminAnnouncementsPage() {
  const api = useApi();
  const list = useQuery({
    queryKey: ["admin", "announcements"],
    queryFn: () => consoleApi.announcements(api),
  });
  return (
    <AdminPage id="admin-announcements" title="Announcements" errors={[list.error]}>
      <AnnounceForm />
      <h2>Sent</h2>
      <ul className="list" aria-label="Announcements">
        {list.data?.items.map((a) => (
          <AnnouncementRow key={a.id} id={a.id} />
        ))}
        {list.data?.items.length === 0 ? <li className="muted">No announcement yet.</li> : null}
      </ul>
    </AdminPage>
  );
}

/** One announcement, its progress polled each second until it is done. */
function AnnouncementRow({ id }: { id: string }) {
  const api = useApi();
  const detail = useQuery({
    queryKey: ["admin", "announcements", id],
    queryFn: () => consoleApi.announcement(api, id),
    refetchInterval: (query) => (query.state.data?.status === "done" ? false : 1_000),
  });
  const a = detail.data;
  if (!a) return <li className="list__row muted">Loading…</li>;
  const p = progressOf(a.progress);
  return (
    <li className="list__row" data-announcement={a.id}>
      <div>
        <strong>{a.segment}</strong> · {a.channels.join(", ")} ·{" "}
        <span className={`badge${a.status === "done" ? " badge--approved" : ""}`} data-testid="announcement-status">
          {a.status}
        </span>
        <div className="muted">{formatTime(a.createdAt)}</div>
      </div>
      <div>
        <progress className="progress" max={Math.max(p.targets, 1)} value={p.finished} aria-label={`Progress of ${a.id}`} />
        <div className="muted" data-testid="announcement-progress">
          {p.finished} of {p.targets} delivered or skipped · sent {p.sent} · failed {p.failed} · skipped {p.skipped}
        </div>
      </div>
    </li>
  );
}

function AnnounceForm() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [segment, setSegment] = useState("all");
  const [channels, setChannels] = useState<Channel[]>(["in_app"]);
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
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
      aria-label="New announcement"
      className="form-grid"
      onSubmit={(e) => {
        e.preventDefault();
        const why = !title.trim() || !body.trim() ? "Write a title and a message." : channels.length === 0 ? "Choose a channel." : null;
        setInvalid(why);
        if (!why) send.mutate();
      }}
    >
      <div className="field">
        <label htmlFor="ann-title">Title</label>
        <input id="ann-title" maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="ann-segment">Audience</label>
        <select id="ann-segment" value={segment} onChange={(e) => setSegment(e.target.value)}>
          <option value="all">Everyone</option>
          <option value="kyc_level>=1">KYC level 1 and up</option>
          <option value="kyc_level>=2">KYC level 2 and up</option>
          <option value="kyc_level=0">Not verified (KYC level 0)</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="ann-body">Message</label>
        <input id="ann-body" maxLength={1000} value={body} onChange={(e) => setBody(e.target.value)} />
      </div>
      <fieldset className="field">
        <legend>Channels</legend>
        {CHANNELS.map((c) => (
          <label key={c.id} className="check">
            <input
              type="checkbox"
              checked={channels.includes(c.id)}
              onChange={(e) => setChannels((now) => (e.target.checked ? [...now, c.id] : now.filter((x) => x !== c.id)))}
            />
            {c.label}
          </label>
        ))}
      </fieldset>
      <FormMessage message={invalid ?? (send.error ? problemMessage(asProblem(send.error)) : null)} />
      {send.data ? (
        <p role="status" className="form-message form-message--ok" data-sent-announcement={send.data.id}>
          Announcement queued: its progress is below.
        </p>
      ) : null}
      <button type="submit" className="button button--primary" disabled={send.isPending}>
        Send announcement
      </button>
    </form>
  );
}
