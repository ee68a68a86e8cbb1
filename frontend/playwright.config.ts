import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests in Debian's Chromium (`/usr/bin/chromium`, headless), against an
 * embedded platform that e2e/global-setup.ts starts on a free port with a fresh data
 * directory and stops afterwards. The built app (dist/) is what the gateway serves.
 */
export default defineConfig({
  testDir: "e2e",
  // PW_OUTPUT_DIR: a run of its own where two runs share the tree (each clears its dir)
  outputDir: process.env.PW_OUTPUT_DIR ?? "test-results",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    headless: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
