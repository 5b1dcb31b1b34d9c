// A goroutine's context is itself an options object: `ch.recv(ctx)` ties the operation to the
// goroutine like `{ signal: ctx.signal }`, without creating the AbortController behind ctx.signal.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  chan,
  go,
  goContext,
  GoroutineExit,
  range,
  recv,
  select,
  sleep,
  WaitGroup,
  type GoContext,
  type OpOptions,
} from 'gorx';
import { flush } from '../helpers/leaks.js';
import { cleanUp } from './support.js';
import { rejectionOf } from '../helpers/promise-state.js';

afterEach(cleanUp);

/** True when the goroutine never created the AbortController behind `ctx.signal`. */
function noController(g: unknown): boolean {
  const extras = (g as { extras: { controller: unknown } | null }).extras;
  return extras === null || extras.controller === null;
}

/** Starts a goroutine blocked in `op(ctx)`, kills it with 'stop'; returns it and what `op` threw. */
async function killedIn(
  op: (ctx: GoContext) => Promise<unknown>,
): Promise<{ g: ReturnType<typeof go>; seen: unknown }> {
  let seen: unknown;
  const g = go(async (ctx) => {
    try {
      await op(ctx);
    } catch (e) {
      seen = e;
      throw e;
    }
  });
  expect(g.state).toBe('blocked');
  await g.kill('stop');
  return { g, seen };
}

const blockingOps: [string, (ctx: GoContext) => Promise<unknown>][] = [
  ['recv', (ctx) => chan<number>(0, { name: 'a' }).recv(ctx)],
  ['send', (ctx) => chan<number>(0, { name: 'a' }).send(1, ctx)],
  ['select', (ctx) => select([recv(chan<number>())], ctx)],
  ['sleep', (ctx) => sleep(60_000, ctx)],
  [
    'range',
    async (ctx) => {
      for await (const v of range(chan<number>(), ctx)) void v;
    },
  ],
  [
    'WaitGroup.wait',
    (ctx) => {
      const wg = new WaitGroup();
      wg.add(1);
      return wg.wait(ctx);
    },
  ],
];

describe.each(blockingOps)('%s given ctx', (_name, op) => {
  it('is withdrawn by a kill and rejects with the exit, without creating ctx.signal', async () => {
    jest.useFakeTimers();
    const { g, seen } = await killedIn(op);
    expect(seen).toBeInstanceOf(GoroutineExit);
    expect((seen as GoroutineExit).reason).toBe('stop');
    expect(await rejectionOf(g.done)).toBe(seen);
    expect(noController(g)).toBe(true);
  });
});

describe('ctx as options', () => {
  it('type-checks as OpOptions (a GoContext has a signal)', () => {
    const g = go(async (ctx) => {
      const opts: OpOptions = ctx;
      return opts === ctx;
    });
    return expect(g.done).resolves.toBe(true);
  });

  it('makes an operation started after the kill reject at once with the same exit', async () => {
    const ch = chan<number>(1);
    ch.trySend(1);
    let late: unknown;
    const g = go(async (ctx) => {
      try {
        await sleep(60_000, ctx);
      } finally {
        late = await ch.recv(ctx).catch((e: unknown) => e);
      }
    });
    await g.kill();
    expect(late).toBeInstanceOf(GoroutineExit);
    expect(ch.length).toBe(1); // the rejected receive took nothing
    ch.close();
  });

  it('lets the code see a value handed over before the kill (nothing lost)', async () => {
    const ch = chan<number>();
    const got: number[] = [];
    const g = go(async (ctx) => {
      for (;;) got.push(await ch.recv(ctx));
    });
    ch.trySend(7); // handed to the parked receive synchronously
    const killed = g.kill();
    await killed;
    expect(got).toEqual([7]);
    await flush();
  });

  it('still works with ctx.signal, which is then created and aborted with the exit', async () => {
    let signal: AbortSignal | undefined;
    const g = go(async (ctx) => {
      signal = ctx.signal;
      await chan<number>().recv({ signal });
    });
    await g.kill();
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(GoroutineExit);
  });
});

/** A library's own context wrapping a goroutine's (as gorx/nest's WorkerContext does). */
class Wrapper {
  constructor(private readonly ctx: GoContext) {}
  get [goContext](): GoContext {
    return this.ctx;
  }
}

describe.each(blockingOps)('%s given a wrapper naming ctx through goContext', (_name, op) => {
  it('is bound to the goroutine like ctx itself: withdrawn by a kill, no ctx.signal created', async () => {
    jest.useFakeTimers();
    const { g, seen } = await killedIn((ctx) => op(new Wrapper(ctx) as unknown as GoContext));
    expect(seen).toBeInstanceOf(GoroutineExit);
    expect((seen as GoroutineExit).reason).toBe('stop');
    expect(noController(g)).toBe(true);
  });
});

describe('goContext', () => {
  it('refuses a value that is not a goroutine context of this copy, before the operation starts', async () => {
    const ch = chan<number>(1);
    for (const bad of [{}, null, 42, { signal: new AbortController().signal }]) {
      expect(() => ch.send(1, { [goContext]: bad } as never)).toThrow(TypeError);
      expect(() => ch.recv({ [goContext]: bad } as never)).toThrow(/options\[goContext\]/);
    }
    expect(ch.length).toBe(0); // nothing was sent
  });

  it('a GoContext names itself', async () => {
    const g = go(async (ctx) => (ctx as { [goContext]?: GoContext })[goContext] === ctx);
    await expect(g.done).resolves.toBe(true);
  });

  it('an operation given the wrapper after the kill rejects at once with the exit', async () => {
    let late: unknown;
    const g = go(async (ctx) => {
      try {
        await sleep(60_000, ctx);
      } finally {
        late = await chan<number>()
          .recv(new Wrapper(ctx))
          .catch((e: unknown) => e);
      }
    });
    await g.kill();
    expect(late).toBeInstanceOf(GoroutineExit);
  });
});
