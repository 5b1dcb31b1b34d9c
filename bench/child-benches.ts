/**
 * Benchmarks that own a whole process, so that peak RSS and heap are theirs alone: the daisy chain
 * (Rob Pike's: n loops, each `left <- 1 + <-right`) and n goroutines blocked on a channel.
 * The parent runs `node --expose-gc index.js --child <kind> <impl> <n>` and reads one JSON line.
 */
import { type Chan, chan, go } from 'gorx';
import csp from 'js-csp';
import { Chan as TsChan } from 'ts-chan';
import { Effect, Queue } from 'effect';
import { run, spawn, suspend } from 'effection';
import { now, settle, verify } from './harness.js';

function rss(): number {
  return process.memoryUsage().rss;
}

function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

type Daisy = (n: number) => Promise<number>;

/** Builds the gorx chain with `link(left, right)` starting each loop; returns the value at the end. */
async function gorxDaisy(
  n: number,
  link: (l: Chan<number>, r: Chan<number>) => void,
): Promise<number> {
  const leftmost = chan<number>();
  let left = leftmost;
  let right = leftmost;
  for (let i = 0; i < n; i++) {
    right = chan<number>();
    link(left, right);
    left = right;
  }
  void right.send(1);
  return leftmost.recv();
}

export const DAISY: Record<string, Daisy> = {
  'gorx idiomatic': (n) =>
    gorxDaisy(n, (l, r) => {
      void (async () => {
        await l.send(1 + (await r.recv()));
      })();
    }),
  'gorx fast-path': (n) =>
    gorxDaisy(n, (l, r) => {
      void (async () => {
        const x = r.tryRecv();
        const v = 1 + (x.ok ? x.value : await r.recv());
        if (!l.trySend(v)) await l.send(v);
      })();
    }),
  'gorx go(async)': (n) =>
    gorxDaisy(n, (l, r) => {
      go(async (ctx) => {
        await l.send(1 + (await r.recv(ctx)), ctx);
      });
    }),
  'gorx go(generator)': (n) =>
    gorxDaisy(n, (l, r) => {
      go(function* () {
        yield l.send(1 + ((yield r.recv()) as number));
      });
    }),
  'ts-chan': async (n) => {
    const leftmost = new TsChan<number>();
    let left = leftmost;
    let right = leftmost;
    for (let i = 0; i < n; i++) {
      right = new TsChan<number>();
      const [l, r] = [left, right];
      void (async () => {
        await l.send(1 + ((await r.recv()).value ?? 0));
      })();
      left = right;
    }
    void right.send(1);
    return (await leftmost.recv()).value ?? 0;
  },
  'js-csp': (n) =>
    new Promise((resolve) => {
      const leftmost = csp.chan();
      let left = leftmost;
      let right = leftmost;
      for (let i = 0; i < n; i++) {
        right = csp.chan();
        const [l, r] = [left, right];
        csp.go(function* () {
          yield csp.put(l, 1 + ((yield csp.take(r)) as number));
        });
        left = right;
      }
      csp.go(function* () {
        yield csp.put(right, 1);
      });
      csp.takeAsync(leftmost, (v) => resolve(v as number));
    }),
  // Effect 4.1's rendezvous queue (bounded(0)) never completes a chain of 1,000 links here (a lost
  // wake-up; 500 links work), so each link has a one-slot buffer.
  'Effect Queue': (n) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const leftmost = yield* Queue.bounded<number>(1);
        let left = leftmost;
        let right = leftmost;
        for (let i = 0; i < n; i++) {
          right = yield* Queue.bounded<number>(1);
          const [l, r] = [left, right];
          yield* Effect.forkChild(
            Effect.gen(function* () {
              yield* Queue.offer(l, 1 + (yield* Queue.take(r)));
            }),
          );
          left = right;
        }
        yield* Effect.forkChild(Queue.offer(right, 1));
        return yield* Queue.take(leftmost);
      }),
    ),
};

async function daisy(impl: string, n: number): Promise<object> {
  const fn = DAISY[impl];
  if (fn === undefined) throw new Error(`no daisy chain for ${impl}`);
  gc();
  const base = rss();
  const t0 = now();
  const v = await fn(n);
  const ms = (now() - t0) / 1e6;
  if (v !== n + 1) throw new Error(`daisy chain ${impl}: got ${v}, want ${n + 1}`);
  return { ms, bytesPerG: (peakRss() - base) / n };
}

type Blocker = (n: number) => Promise<void>;

/**
 * Every implementation's handles are kept alive, as a real program would keep them: Effect drops
 * (garbage-collects) a fiber that is blocked forever with nothing referencing it.
 */
const retain: unknown[] = [];

/** Incremented by every blocked task right before it blocks (checked before memory is read). */
let parked = 0;

/** Starts n goroutines (or peers' tasks) that block forever; resolves once all are blocked. */
export const BLOCKED: Record<string, Blocker> = {
  'gorx go(async), recv(ctx)': async (n) => {
    const ch = chan<number>();
    for (let i = 0; i < n; i++) {
      retain.push(
        go(async (ctx) => {
          parked++;
          await ch.recv(ctx);
        }),
      );
    }
  },
  // ctx.signal creates an AbortController per goroutine: this shows what it costs.
  'gorx go(async), ctx.signal': async (n) => {
    const ch = chan<number>();
    for (let i = 0; i < n; i++) {
      retain.push(
        go(async (ctx) => {
          parked++;
          await ch.recv({ signal: ctx.signal });
        }),
      );
    }
  },
  // Not killable at the receive (no binding at all).
  'gorx go(async), unbound': async (n) => {
    const ch = chan<number>();
    for (let i = 0; i < n; i++) {
      retain.push(
        go(async () => {
          parked++;
          await ch.recv();
        }),
      );
    }
  },
  'gorx go(generator)': async (n) => {
    const ch = chan<number>();
    for (let i = 0; i < n; i++) {
      retain.push(
        go(function* () {
          parked++;
          yield ch.recv();
        }),
      );
    }
  },
  'Effection spawn': (n) =>
    new Promise((resolve) => {
      void run(function* () {
        for (let i = 0; i < n; i++) {
          retain.push(
            yield* spawn(function* () {
              parked++;
              yield* suspend();
            }),
          );
        }
        resolve();
        yield* suspend();
      });
    }),
  'Effect fork': (n) =>
    new Promise((resolve) => {
      Effect.runFork(
        Effect.gen(function* () {
          const q = yield* Queue.bounded<number>(0);
          retain.push(q);
          const body = Effect.andThen(
            Effect.sync(() => {
              parked++;
            }),
            Queue.take(q),
          );
          for (let i = 0; i < n; i++) retain.push(yield* Effect.forkChild(body));
          yield* Effect.sync(resolve);
          yield* Effect.never;
        }),
      );
    }),
};

async function blocked(impl: string, n: number): Promise<object> {
  const fn = BLOCKED[impl];
  if (fn === undefined) throw new Error(`no blocked-goroutine bench for ${impl}`);
  gc();
  const before = process.memoryUsage();
  await fn(n);
  for (let turn = 0; parked < n; turn++) {
    verify(turn < 1000, `blocked ${impl}: ${parked} of ${n} blocked`);
    await settle();
  }
  await settle();
  await settle();
  // gorx knows a goroutine is blocked when its operation is tied to it (not the unbound variant,
  // which gorx sees as running: only the counter can tell there).
  if (!impl.endsWith('unbound')) {
    verify(
      retain.every(
        (x) => !(x instanceof Object && 'state' in x && 'kill' in x) || x.state === 'blocked',
      ),
      `blocked ${impl}: a gorx goroutine is not blocked`,
    );
  }
  gc();
  const after = process.memoryUsage();
  return {
    heapPerG: (after.heapUsed - before.heapUsed) / n,
    bytesPerG: (after.rss - before.rss) / n,
  };
}

/** Entry point of a child process: prints one JSON line and exits (blocked tasks stay blocked). */
export async function runChild(kind: string, impl: string, n: number): Promise<void> {
  const result = kind === 'daisy' ? await daisy(impl, n) : await blocked(impl, n);
  process.stdout.write(JSON.stringify({ kind, impl, n, ...result }) + '\n');
  process.exit(0);
}
