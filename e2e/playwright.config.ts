// Browser end-to-end tests: Playwright driving Debian's own chromium package.
//
// Playwright pins one browser build per release; 1.64.1 expects Chromium 156, which is what
// Debian 12 ships in bookworm-security. We never download Playwright's browsers
// (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 at `npm ci`), we launch /usr/bin/chromium instead. When Debian
// moves chromium to a new major, bump @playwright/test to the release whose
// node_modules/playwright-core/browsers.json names that major.
//
// Run: `bash scripts/test.sh` (everything), or from e2e/ after `cargo build --release --bin wuyu`:
// `npx playwright test`. global-setup.ts starts `wuyu demo` on a free port and stops it afterwards;
// set WUYU_E2E_BASE_URL=http://127.0.0.1:8080 to test an already running server instead.
// Other knobs: WUYU_BIN (binary to start), WUYU_E2E_STARTUP_TIMEOUT_S (default 120),
// WUYU_E2E_KEEP_TMP=1 (keep the data dir and server log), WUYU_E2E_CHROMIUM (browser binary).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  // One server, one browser: the 2-core CI machine is busy enough, and tests share the demo data.
  workers: 1,
  fullyParallel: false,
  reporter: 'list',
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The first story also pays the demo server's cold read models on a debug build; a loaded
  // 2-core machine took over 60 s for it once (exams, 2026-12-07).
  timeout: 120_000,
  // The first page after start-up may aggregate ~50,000 students; give assertions some slack.
  expect: { timeout: 15_000 },
  use: {
    // Set by global-setup.ts, which runs before the worker processes start and read this file.
    baseURL: process.env.WUYU_E2E_BASE_URL,
    browserName: 'chromium',
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.WUYU_E2E_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox', // CI runs as root, where Chromium's sandbox cannot start
        '--disable-gpu',
        '--disable-quic',
        // No first-run UI and no calls home: the CI machine has no Internet access.
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
