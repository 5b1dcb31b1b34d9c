// The worker board over real HTTP, on Express and on Fastify: the guard on every route, CSRF on
// actions, escaping of user-supplied text, the live event stream, and a clean shutdown with a
// board still open.
import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { chan } from 'gorx';
import { GorxModule, WorkerRegistry, type GorxBoardOptions } from 'gorx/nest';
import { BOARD_CLIENT_SCRIPT } from '../../nest-module/board/board.client.js';
import { expectNothingLeft, flush } from '../helpers/leaks.js';
import { CaptureLogger } from './nest-helpers.js';

const XSS = '<img src=x onerror=alert(1)>';
const AUTH = { 'x-board-auth': 'letmein' };
const allowWithHeader = (req: unknown): boolean =>
  (req as { headers: Record<string, string | undefined> }).headers['x-board-auth'] === 'letmein';

let app: INestApplication | null = null;
let base = '';

afterEach(async () => {
  if (app !== null) await app.close();
  app = null;
  await flush();
  expectNothingLeft();
});

async function boot(board: GorxBoardOptions, platform: 'express' | 'fastify' = 'express') {
  const moduleRef = await Test.createTestingModule({
    imports: [GorxModule.forRoot({ board })],
  }).compile();
  const logger = new CaptureLogger();
  app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger })
      : moduleRef.createNestApplication({ logger });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const registry = app.get(WorkerRegistry);
  const idle = chan<never>(0, { name: 'idle' });
  for (const name of ['mailer', XSS]) {
    registry.spawn(name, (ctx) => idle.recv(ctx), { restart: 'temporary' });
  }
  return registry;
}

/** The page, with the CSRF cookie it set and the token it embeds. */
async function openPage(headers: Record<string, string> = AUTH) {
  const res = await fetch(`${base}/gorx`, { headers });
  const body = await res.text();
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const data = /<script type="application\/json" id="gorx-data">(.*?)<\/script>/s.exec(body);
  const json =
    data === null ? null : (JSON.parse(data[1]!) as { csrf: string | null; base: string });
  return { res, body, cookie, json };
}

/**
 * Reads server-sent events until `step` (called with the text so far, after each chunk) returns
 * true, or the server ends the stream.
 */
async function readEvents(step: (text: string) => boolean): Promise<string> {
  const abort = new AbortController();
  const res = await fetch(`${base}/gorx/events`, { headers: AUTH, signal: abort.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
      if (step(text)) break;
    }
  } finally {
    abort.abort();
    await reader.cancel().catch(() => {});
  }
  return text;
}

/** The complete messages of a server-sent event stream (`data` parsed as JSON). */
function parseSse(text: string): { event: string; data: unknown }[] {
  return text
    .split('\n\n')
    .slice(0, -1)
    .map((block) => {
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        const colon = line.indexOf(': ');
        if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
      }
      return {
        event: fields.get('event') ?? 'message',
        data: JSON.parse(fields.get('data') ?? 'null'),
      };
    });
}

for (const platform of ['express', 'fastify'] as const) {
  describe(`board on ${platform}`, () => {
    it('serves one self-contained page with every worker, escaping user-supplied text, under a nonce CSP', async () => {
      await boot({ guard: allowWithHeader }, platform);
      const { res, body, json } = await openPage();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
      expect(csp).toContain("default-src 'none'");
      // The worker named like markup shows as text, never as an element.
      expect(body).not.toContain('<img');
      expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(body).toContain('\\u003cimg src=x onerror=alert(1)>'); // in the JSON data block
      expect(body).toContain('mailer');
      // Self-contained: nothing loaded from elsewhere, every script carries the nonce.
      expect(body).not.toMatch(/<script[^>]+src=|<link /);
      const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
      expect(body.match(/<script nonce="([^"]+)"/g)).toEqual([`<script nonce="${nonce}"`]);
      // Read-only board: no token, no buttons.
      expect(json).toMatchObject({ csrf: null, base: '/gorx' });
    });

    it('refuses every board route to a request the guard does not allow (403)', async () => {
      await boot({ guard: allowWithHeader, actions: true }, platform);
      for (const [method, path] of [
        ['GET', '/gorx'],
        ['GET', '/gorx/state'],
        ['GET', '/gorx/events'],
        ['POST', '/gorx/workers/mailer/stop'],
      ] as const) {
        const res = await fetch(`${base}${path}`, { method });
        expect([method, path, res.status]).toEqual([method, path, 403]);
        await res.body?.cancel();
      }
      expect(app!.get(WorkerRegistry).get('mailer')?.state).toBe('running');
    });

    it('streams a snapshot at once and lifecycle events as they happen (server-sent events)', async () => {
      const registry = await boot({ guard: allowWithHeader }, platform);
      let stopping = false;
      const text = await readEvents((text) => {
        // Once the stream is flowing, make something happen.
        if (!stopping && text.includes('event: snapshot')) {
          stopping = true;
          void registry.stop('mailer');
        }
        return text.includes('event: events');
      });
      const messages = parseSse(text);
      const snapshot = messages.find((m) => m.event === 'snapshot')!;
      const data = snapshot.data as { workers: { name: string }[] };
      expect(data.workers.map((w) => w.name)).toEqual(['mailer', XSS]);
      const events = messages.find((m) => m.event === 'events')!;
      expect(events.data).toEqual([
        expect.objectContaining({ type: 'stopped', worker: 'mailer', attempt: 1 }),
      ]);
    });

    it('acts only with the CSRF token of its own cookie, from the same origin', async () => {
      const registry = await boot({ guard: allowWithHeader, actions: true }, platform);
      const { cookie, json } = await openPage();
      expect(cookie).toMatch(/^gorx_board_csrf=[0-9a-f]{32}$/);
      const token = json!.csrf!;
      const post = (name: string, action: string, headers: Record<string, string>) =>
        fetch(`${base}/gorx/workers/${encodeURIComponent(name)}/${action}`, {
          method: 'POST',
          headers: { ...AUTH, ...headers },
        });
      const refused = [
        await post('mailer', 'stop', {}), // no token, no cookie
        await post('mailer', 'stop', { cookie }), // cookie without token
        await post('mailer', 'stop', {
          cookie,
          'x-gorx-csrf': token.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
        }),
        await post('mailer', 'stop', {
          cookie: 'gorx_board_csrf=' + '0'.repeat(32),
          'x-gorx-csrf': token,
        }),
        await post('mailer', 'stop', {
          cookie,
          'x-gorx-csrf': token,
          origin: 'https://evil.example',
        }),
        await post('mailer', 'stop', {
          cookie,
          'x-gorx-csrf': token,
          'sec-fetch-site': 'cross-site',
        }),
      ];
      const bodies = await Promise.all(
        refused.map(async (r) => [r.status, ((await r.json()) as { message: string }).message]),
      );
      expect(bodies).toEqual([
        [403, 'board action refused: CSRF token missing'],
        [403, 'board action refused: CSRF token missing'],
        [403, 'board action refused: CSRF token invalid'],
        [403, 'board action refused: CSRF token invalid'],
        [403, 'board action refused: Origin does not match Host'],
        [403, 'board action refused: cross-site request (cross-site)'],
      ]);
      expect(registry.get('mailer')?.state).toBe('running');

      const ok = { cookie, 'x-gorx-csrf': token, origin: base, 'sec-fetch-site': 'same-origin' };
      const restarted = await post(XSS, 'restart', ok);
      expect(restarted.status).toBe(200);
      expect(await restarted.json()).toMatchObject({
        worker: XSS,
        action: 'restart',
        status: { attempt: 2, state: 'running' },
      });
      const stopped = await post('mailer', 'stop', ok);
      expect(await stopped.json()).toMatchObject({ action: 'stop', status: { state: 'stopped' } });
      const missing = await post('nobody', 'start', ok);
      expect(missing.status).toBe(404);
      const unknown = await post('mailer', 'explode', ok);
      expect(unknown.status).toBe(404);
      const removed = await post('mailer', 'remove', ok);
      expect(await removed.json()).toMatchObject({ action: 'remove', status: null });
      expect(registry.list().map((w) => w.name)).toEqual([XSS]);
    });

    it('has no action route unless actions: true', async () => {
      const registry = await boot({ guard: allowWithHeader }, platform);
      const res = await fetch(`${base}/gorx/workers/mailer/stop`, {
        method: 'POST',
        headers: AUTH,
      });
      expect(res.status).toBe(404);
      await res.body?.cancel();
      expect(registry.get('mailer')?.state).toBe('running');
    });

    it('closes with a board still open: its event stream ends at shutdown', async () => {
      await boot({ guard: allowWithHeader }, platform);
      let closing: Promise<void> | null = null;
      // Reads until the server ends the stream; closes the app once the stream is flowing.
      const text = await readEvents((text) => {
        if (closing === null && text.includes('event: snapshot')) closing = app!.close();
        return false;
      });
      await closing;
      app = null;
      expect(text).toContain('event: snapshot');
    });
  });
}

@Injectable()
class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined> }>();
    if (req.headers.authorization !== 'Bearer t0ken')
      throw new UnauthorizedException('token required');
    return true;
  }
}

describe('board page script', () => {
  it('is valid JavaScript (its behaviour is checked in a real browser: npm run test:browser)', () => {
    expect(() => new Function(BOARD_CLIENT_SCRIPT)).not.toThrow();
  });
});

describe('board options', () => {
  it('a Nest guard class guards the board (401 from the guard)', async () => {
    await boot({ path: '/ops/workers/', guard: TokenGuard });
    expect((await fetch(`${base}/ops/workers`)).status).toBe(401);
    const res = await fetch(`${base}/ops/workers/`, { headers: { authorization: 'Bearer t0ken' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('"base":"/ops/workers"');
  });

  it('a snapshot lists at most 500 workers and says how many there are', async () => {
    const registry = await boot({});
    const idle = chan<never>(0, { name: 'many' });
    for (let i = 0; i < 600; i++)
      registry.spawn(`w${i}`, (ctx) => idle.recv(ctx), { restart: 'temporary' });
    const state = (await (await fetch(`${base}/gorx/state`)).json()) as {
      workers: { name: string }[];
      workerCount: number;
    };
    expect(state.workerCount).toBe(602);
    expect(state.workers.length).toBe(500);
    expect(state.workers[0]!.name).toBe('mailer');
    const page = await (await fetch(`${base}/gorx`)).text();
    expect(page).toMatch(/id="worker-count"\s*>\s*500 of 602\s*</);
  });

  it('actions without a guard, and malformed options, are refused when the module is declared', () => {
    expect(() => GorxModule.forRoot({ board: { actions: true } })).toThrow(
      expect.objectContaining({ code: 'ERR_BOARD_GUARD_REQUIRED' }),
    );
    for (const board of [{ path: 'gorx' }, { path: '/a b' }, { guard: 'yes' }, { actions: 1 }]) {
      expect(() => GorxModule.forRoot({ board: board as never })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTIONS' }),
      );
    }
  });
});
