/** An announcement's progress over its channels: what is finished out of every target. */
export interface ChannelProgress {
  channel: string;
  targets: number;
  queued: number;
  sent: number;
  failed: number;
  skipped: number;
}

export interface Progress {
  targets: number;
  sent: number;
  failed: number;
  skipped: number;
  /** sent, failed or skipped: nothing more will happen to these */
  finished: number;
}

export function progressOf(channels: readonly ChannelProgress[] | undefined): Progress {
  const total = { targets: 0, sent: 0, failed: 0, skipped: 0, finished: 0 };
  for (const c of channels ?? []) {
    total.targets += c.targets;
    total.sent += c.sent;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
  total.finished = total.sent + total.failed + total.skipped;
  return total;
}
