import { useStreamStatus } from "../useStreams";
import "./market.css";

const TEXT = { connected: "Live", connecting: "Connecting…", disconnected: "Disconnected: reconnecting…" } as const;

/** Whether live updates are flowing; announced to screen readers when it changes. */
export function StreamBadge() {
  const status = useStreamStatus();
  return (
    <span className={`stream-badge stream-badge--${status}`} role="status" data-stream-status={status}>
      <span aria-hidden="true" className="stream-badge__dot" />
      {TEXT[status]}
    </span>
  );
}
