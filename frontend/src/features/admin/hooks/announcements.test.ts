import { describe, expect, it } from "vitest";
import { progressOf } from "./announcements";

describe("announcement progress", () => {
  it("sums every channel; finished counts sent, failed and skipped", () => {
    const p = progressOf([
      { channel: "in_app", targets: 10, queued: 2, sent: 7, failed: 0, skipped: 1 },
      { channel: "email", targets: 10, queued: 0, sent: 8, failed: 1, skipped: 1 },
    ]);
    expect(p).toEqual({ targets: 20, sent: 15, failed: 1, skipped: 2, finished: 18 });
  });

  it("is all zeros before the segment is materialised", () => {
    expect(progressOf(undefined)).toEqual({ targets: 0, sent: 0, failed: 0, skipped: 0, finished: 0 });
    expect(progressOf([])).toEqual({ targets: 0, sent: 0, failed: 0, skipped: 0, finished: 0 });
  });
});
