// Starts `wuyu demo` (a synthetic district, ~50,000 students) on a free port before the tests and
// stops it afterwards. The base URL reaches the tests through WUYU_E2E_BASE_URL: worker processes
// start after this function returns, inherit the environment and read it in playwright.config.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Password of the demo users; tests/login.spec.ts signs in with it.
const DEMO_PASSWORD = 'demo-pass-123';
// Generating the demo district happens before the server listens; slow machines may raise this.
const STARTUP_TIMEOUT_MS = 1000 * Number(process.env.WUYU_E2E_STARTUP_TIMEOUT_S ?? 120);

export default async function globalSetup(): Promise<(() => Promise<void>) | void> {
  if (process.env.WUYU_E2E_BASE_URL) {
    return; // testing a server someone else started
  }

  // WUYU_BIN lets a debug build (or a stand-in) be tested; the default is what scripts/test.sh builds.
  const bin = process.env.WUYU_BIN ?? path.resolve(__dirname, '..', 'target', 'release', 'wuyu');
  if (!existsSync(bin)) {
    throw new Error(`${bin} not found: run \`cargo build --release --bin wuyu --locked\` first`);
  }

  const tmp = mkdtempSync(path.join(tmpdir(), 'wuyu-e2e-'));
  const dataDir = path.join(tmp, 'data');
  mkdirSync(dataDir);
  const logFile = path.join(tmp, 'server.log');
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;

  // Server output goes to a file rather than interleaving with the test report; it is printed
  // when the server fails to start or dies during the run.
  const log = openSync(logFile, 'w');
  const server = spawn(
    bin,
    ['demo', '--data-dir', dataDir, '--port', String(port), '--password', DEMO_PASSWORD],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log);
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    server.on('exit', (code, signal) => {
      exit = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
    server.on('error', (err) => {
      exit = String(err);
      resolve();
    });
  });
  const logTail = () => readFileSync(logFile, 'utf8').split('\n').slice(-60).join('\n');

  const cleanup = async () => {
    await stop(server, exited);
    if (!process.env.WUYU_E2E_KEEP_TMP) rmSync(tmp, { recursive: true, force: true });
  };

  console.log(`starting ${bin} demo on ${baseURL} (data ${dataDir}, log ${logFile})`);
  const started = Date.now();
  try {
    await waitForOk(`${baseURL}/login`, () => exit);
  } catch (err) {
    console.error(`wuyu server log tail:\n${logTail()}`);
    await cleanup();
    throw err;
  }
  console.log(`wuyu server ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  process.env.WUYU_E2E_BASE_URL = baseURL;
  // Returned function = global teardown.
  return async () => {
    if (exit !== undefined) {
      console.error(`wuyu server stopped during the tests (${exit}); log tail:\n${logTail()}`);
    }
    await cleanup();
  };
}

// Asks the kernel for an unused port. Another process could take it before the server binds it;
// on a CI machine that is unlikely enough, and the start-up check below would report it.
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

// Polls `url` until it answers 200, failing early if the server process has exited.
async function waitForOk(url: string, exitStatus: () => string | undefined): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const status = exitStatus();
    if (status !== undefined) throw new Error(`wuyu server exited before it was ready (${status})`);
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (err) {
      last = String(err); // connection refused while the demo data is generated
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer 200 within ${STARTUP_TIMEOUT_MS / 1000} s (last: ${last})`);
}

// SIGTERM first so the server can shut down cleanly; SIGKILL if it has not exited after 10 s.
async function stop(server: ChildProcess, exited: Promise<void>): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  server.kill('SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    server.kill('SIGKILL');
    await exited;
  }
}
