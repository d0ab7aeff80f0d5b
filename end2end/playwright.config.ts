import { defineConfig } from '@playwright/test';

// The server under test is the one `cargo leptos build` just made, on its own database
// (E2E_DATABASE_URL, set by `make test`) and its own port.
const port = Number(process.env.E2E_PORT ?? 3100);
const databaseUrl = process.env.E2E_DATABASE_URL;
const mockPort = port + 90;
/** The WeCom mock's address; tests read what it received at `/_mock/requests`. */
const wecomMock = `http://127.0.0.1:${mockPort}`;
process.env.E2E_WECOM_MOCK = wecomMock;
if (!databaseUrl) {
  throw new Error('E2E_DATABASE_URL is not set: run the browser tests through `make test`.');
}

// The key that seals customer identity in the test database; the replicas' test starts its
// servers with the same environment, so every server opens what another sealed.
process.env.IDENTITY_KEYS ??= 'e2e1:YnJvd3NlciB0ZXN0cyBvbmx5LCBuZXZlciByZWFsISE=';

export default defineConfig({
  testDir: './tests',
  // Whole flows across several browser contexts: 17 to 31 s each on these 2-core machines.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [{
    // WeCom as the browser tests see it: every message the server pushes, recorded.
    command: `./target/debug/wecom-mock 127.0.0.1:${mockPort}`,
    cwd: '..',
    url: `${wecomMock}/_mock/requests`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'pipe',
  }, {
    command: './target/debug/server',
    cwd: '..',
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      DATABASE_URL: databaseUrl,
      IDENTITY_KEYS: process.env.IDENTITY_KEYS,
      DEMO_DATA: '1',
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_HASH_FILES: 'true',
      RUST_LOG: process.env.E2E_RUST_LOG ?? 'warn',
      // Emptied by `make test` before each run; tests read stored images from here.
      UPLOAD_DIR: 'target/e2e-uploads',
      WECOM_BASE_URL: wecomMock,
      // The demo's test environment points at the brokerage sandbox here.
      BROKERAGE_SANDBOX_ADDR: `127.0.0.1:${port + 91}`,
    },
  }],
});
