// Deadlock detection only shows when a process runs out of work, so each case runs a fixture
// script (test/fixtures/*.mjs) in a child process. The fixture is bundled by esbuild from the
// SOURCES first (test/helpers/bundle.ts), so `npm run test:unit` alone tests the code in the tree,
// never a stale or missing dist/.
import { afterEach, describe, expect, it } from '@jest/globals';
import { bundle, runScript, type Run } from '../helpers/bundle.js';
import { cleanUp } from './support.js';

const HEADLINE = 'all goroutines are asleep - deadlock!';

async function runFixture(name: string, ...args: string[]): Promise<Run> {
  return runScript(await bundle(`test/fixtures/${name}`), args);
}

/** The JSON lines a fixture printed. */
function lines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

afterEach(cleanUp);

describe('deadlock detection (child processes)', () => {
  it('reports every blocked goroutine and main-program op, then exits with code 1', async () => {
    const r = await runFixture('deadlock-report.mjs');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`DeadlockError: ${HEADLINE}`);
    expect(r.stderr).toMatch(/goroutine \d+ "worker" \[blocked, \d+ ms\]: recv on chan "jobs"/);
    expect(r.stderr).toMatch(
      /goroutine \d+ "reporter" \[blocked, \d+ ms\]: select \[send on chan "results", recv on chan "control"\]/,
    );
    expect(r.stderr).toMatch(
      /goroutine \d+ "waiter" \[blocked, \d+ ms\]: WaitGroup\.wait \(counter 1\)/,
    );
    expect(r.stderr).toContain('main program: blocked in recv on chan "done"');
    expect(r.stderr).toContain("code: 'ERR_DEADLOCK'");
  }, 20_000);

  it('crashes with the report when only an unobserved goroutine is blocked', async () => {
    const r = await runFixture('deadlock-goroutine-only.mjs');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('main program finished\n');
    expect(r.stderr).toContain(`${HEADLINE}\n\ngoroutine 1 "client" [blocked, `);
    expect(r.stderr).toContain(': recv on chan "replies"');
    expect(r.stderr).not.toContain('main program: blocked');
  }, 20_000);

  it('code that catches it sees a DeadlockError with code ERR_DEADLOCK, and a later deadlock is reported again', async () => {
    const r = await runFixture('deadlock-caught.mjs');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const observed = {
      isDeadlockError: true,
      isGorxError: true,
      code: 'ERR_DEADLOCK',
      firstLine: HEADLINE,
      listsItself: true,
    };
    expect(lines(r.stdout)).toEqual([
      { where: 'goroutine recv', ...observed },
      { where: 'goroutine send', ...observed },
      { where: 'main', result: 'recovered' },
      { where: 'main recv', code: 'ERR_DEADLOCK', mainLine: true },
    ]);
  }, 20_000);

  it('lists an async op not given ctx.signal under the main program, with a hint', async () => {
    const r = await runFixture('deadlock-untied.mjs');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/goroutine 1 "untied" \[running, \d+ ms\]: not in a gorx operation/);
    expect(r.stderr).toContain('main program: blocked in recv on chan "inbox"');
    expect(r.stderr).toContain('pass ctx.signal to operations inside goroutines');
  }, 20_000);

  it('a callback receiver alone (a fromChannel subscription) is no deadlock: the process exits 0', async () => {
    const r = await runFixture('callback-receivers.mjs');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('next to a blocked receive, callback receivers are listed as listening, not as blocked', async () => {
    const r = await runFixture('callback-receivers.mjs', 'blocked');
    expect(r.code).toBe(3);
    const [e] = lines(r.stdout);
    expect(e!.name).toBe('DeadlockError');
    const message = e!.message as string;
    expect(message).toContain('main program: blocked in recv on chan "replies"');
    expect(message).toContain('listening (not blocked): recvCallback on chan "events"');
    expect(message).toContain('listening (not blocked): selectCallback [recv on chan "alerts"]');
    expect(message).not.toContain('blocked in recvCallback');
  });

  it('does not fire while a timer can still complete the blocked operations', async () => {
    const r = await runFixture('no-deadlock.mjs');
    expect(r).toEqual({ code: 0, stdout: 'got tick\nidle goroutine killed\n', stderr: '' });
  }, 20_000);
});
