import { useI18n } from "../i18nContext";
import { useStreamStatus } from "../useStreams";
import "./market.css";

const TEXT = { connected: "stream.connected", connecting: "stream.connecting", disconnected: "stream.disconnected" } as const;

/** Whether live updates are flowing; announced to screen readers when it changes. */
export function StreamBadge() {
  const status = useStreamStatus();
  const { t } = useI18n();
  return (
    <span className={`stream-badge stream-badge--${status}`} role="status" data-stream-status={status}>
      <span aria-hidden="true" className="stream-badge__dot" />
      {t(TEXT[status])}
    </span>
  );
}
