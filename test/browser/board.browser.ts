// The worker board of the sample service in headless Chromium: live updates over server-sent
// events (a worker hangs and is restarted while the page is open), the restart button, the guard
// and the CSRF token, and escaping of a worker name that looks like markup. Every wait is for a
// condition on the page, bounded; nothing sleeps.
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { chan } from 'gorx';
import { WorkerRegistry } from 'gorx/nest';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AppModule } from '../../samples/nest-service/app.module.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../../samples/nest-service/sample.config.js';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import { CaptureLogger } from '../nest/nest-helpers.js';

// The page.evaluate callbacks run in the browser; this file is type-checked without the DOM lib.
interface DomElement {
  readonly textContent: string | null;
  readonly children: ArrayLike<DomElement>;
  getAttribute(name: string): string | null;
}
declare const document: {
  querySelectorAll(selector: string): Iterable<DomElement>;
  getElementById(id: string): DomElement | null;
};

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const XSS = '<img src=x onerror=alert(1)>';
const credentials = { username: 'admin', password: 'gorx' };
const WAIT = { timeout: 20_000 };

let app: INestApplication;
let base: string;
let browser: Browser;
let admin: BrowserContext;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  const config: SampleConfig = { tickMs: 200, sceneStepMs: 50, jobMs: 100 };
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(SAMPLE_CONFIG)
    .useValue(config)
    .compile();
  app = moduleRef.createNestApplication({ logger: new CaptureLogger() });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const idle = chan<never>(0, { name: 'idle' });
  app.get(WorkerRegistry).spawn(XSS, (ctx) => idle.recv(ctx), { restart: 'temporary' });

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  admin = await browser.newContext({
    httpCredentials: { ...credentials, send: 'always' },
    viewport: { width: 1400, height: 1000 },
  });
  page = await admin.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await flush();
  expectNothingLeft();
});

/** The text of a cell of a worker's row (0: name, 1: state, 2: attempt, 3: restarts). */
function cell(name: string, column: number): Promise<string> {
  return page.evaluate(
    ([n, c]) => {
      for (const row of document.querySelectorAll('#workers tbody tr')) {
        if (row.getAttribute('data-worker') === n) return row.children[c]!.textContent ?? '';
      }
      return '';
    },
    [name, column] as const,
  );
}

async function waitForCell(name: string, column: number, expected: string): Promise<void> {
  await page.waitForFunction(
    ([n, c, e]) =>
      [...document.querySelectorAll('#workers tbody tr')].some(
        (row) => row.getAttribute('data-worker') === n && row.children[c]!.textContent === e,
      ),
    [name, column, expected] as const,
    WAIT,
  );
}

describe('the worker board in Chromium', () => {
  it('loads the sample service board, lists every worker and goes live', async () => {
    const res = await page.goto(`${base}/gorx`);
    expect(res?.status()).toBe(200);
    await page.waitForFunction(
      () => document.getElementById('conn')?.textContent === 'live',
      undefined,
      WAIT,
    );
    for (const name of ['ticker', 'flaky', 'jobs', 'report']) {
      expect(await cell(name, 1)).toMatch(/running|scheduled/);
    }
    expect(await page.locator('#goroutines tbody tr').count()).toBeGreaterThan(0);
  });

  it('shows the worker named like markup as text: no element is created, no script runs', async () => {
    expect(await cell(XSS, 0)).toBe(XSS);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('sees a worker hang and restart live: state, restarts, event stream and timeline update without a reload', async () => {
    expect(await cell('flaky', 3)).toBe('0');
    const hang = await fetch(`${base}/flaky/hang`, { method: 'POST' });
    expect(hang.status).toBe(202);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#events li')].some((li) =>
          li.textContent?.includes('heartbeat-missed flaky #1'),
        ),
      undefined,
      WAIT,
    );
    await waitForCell('flaky', 3, '1'); // restarts
    await waitForCell('flaky', 2, '2'); // attempt
    await waitForCell('flaky', 1, 'running');
    // The table and the timeline are drawn from different updates: wait for the lane's markers.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#timeline .lane[data-worker="flaky"] .m-restarted')].length >
          0 &&
        [...document.querySelectorAll('#timeline .lane[data-worker="flaky"] .m-heartbeat-missed')]
          .length > 0,
      undefined,
      WAIT,
    );
    const lane = page.locator('#timeline .lane[data-worker="flaky"]');
    expect(await lane.locator('.m-heartbeat-missed').count()).toBe(1);
    expect(await lane.locator('.m-restarted').count()).toBe(1);
    expect(await lane.locator('.m-beat').count()).toBeGreaterThan(0);
    expect(await cell('flaky', 6)).toContain('HeartbeatTimeoutError');
  });

  it('restarts a worker with its button', async () => {
    const attempt = Number(await cell('ticker', 2));
    await page.locator('#workers tr[data-worker="ticker"] button[data-action="restart"]').click();
    await page.waitForFunction(
      () => document.getElementById('action-result')?.textContent === 'restart ticker: done',
      undefined,
      WAIT,
    );
    await waitForCell('ticker', 2, String(attempt + 1));
    await waitForCell('ticker', 1, 'running');
    await page.screenshot({
      path: process.env.BOARD_SCREENSHOT ?? 'dist-aux/board.png',
      fullPage: true,
    });
  });

  it('refuses to act for a request without the credentials, or without the CSRF token', async () => {
    const before = Number(await cell('ticker', 2));
    const anonymous = await browser.newContext();
    try {
      const look = await anonymous.request.get(`${base}/gorx`);
      expect(look.status()).toBe(401);
      expect(look.headers()['www-authenticate']).toContain('Basic');
      const post = await anonymous.request.post(`${base}/gorx/workers/ticker/restart`);
      expect(post.status()).toBe(401);
    } finally {
      await anonymous.close();
    }
    // With the credentials but not from the page (no token): refused too.
    const forged = await admin.request.post(`${base}/gorx/workers/ticker/restart`);
    expect(forged.status()).toBe(403);
    expect(await forged.json()).toMatchObject({
      message: 'board action refused: CSRF token missing',
    });
    // A forged header from the page's own origin without the matching token.
    const fromPage = await page.evaluate(async () => {
      const res = await fetch('/gorx/workers/ticker/restart', {
        method: 'POST',
        headers: { 'x-gorx-csrf': 'f'.repeat(64) },
      });
      return res.status;
    });
    expect(fromPage).toBe(403);
    expect(Number(await cell('ticker', 2))).toBe(before);
    expect(app.get(WorkerRegistry).get('ticker')?.attempt).toBe(before);
    // The page ran without a script error from start to end.
    expect(pageErrors).toEqual([]);
  });
});
