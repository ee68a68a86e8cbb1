/**
 * Starts `burency up` (embedded mode) on a free loopback port with a fresh data dir and
 * the built app, waits until it is ready, and returns the teardown that stops it: the
 * whole process group, SIGTERM then SIGKILL, so no process outlives the run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const FRONTEND = resolve(import.meta.dirname, "..");
const ROOT = resolve(FRONTEND, "..");

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`burency up exited (${child.exitCode}):\n${log()}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the platform was not ready within 90 s:\n${log()}`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.pid === undefined) {
      done();
      return;
    }
    const pid = child.pid;
    const kill = setTimeout(() => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, 15_000);
    child.once("exit", () => {
      clearTimeout(kill);
      done();
    });
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      clearTimeout(kill);
      done();
    }
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dist = join(FRONTEND, "dist");
  if (!existsSync(join(dist, "index.html"))) throw new Error("build the app first: npm run build");
  const burency = process.env.BURENCY_BIN ?? join(ROOT, ".venv", "bin", "burency");
  const dataDir = mkdtempSync(join(tmpdir(), "burency-e2e-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(burency, ["up"], {
    cwd: dataDir,
    detached: true, // its own process group: the teardown ends it and its children
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      BURENCY_MODE: "embedded",
      BURENCY_HOST: "127.0.0.1",
      BURENCY_PORT: String(port),
      BURENCY_DATA_DIR: join(dataDir, "var"),
      BURENCY_SPA_DIR: dist,
      BURENCY_LOG_LEVEL: "WARNING",
      // every test registers and signs in from the same loopback address
      BURENCY_RATE_LIMITS:
        "register=200/minute login=200/minute email_verification=200/minute default=5000/minute",
    },
  });
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const teardown = async () => {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => output);
  } catch (error) {
    await teardown();
    throw error;
  }
  const admin = /email:\s+(\S+)\s+password:\s+(\S+)/.exec(output);
  process.env.E2E_BASE_URL = url;
  process.env.E2E_ADMIN_EMAIL = admin?.[1] ?? "";
  process.env.E2E_ADMIN_PASSWORD = admin?.[2] ?? "";
  return teardown;
}
