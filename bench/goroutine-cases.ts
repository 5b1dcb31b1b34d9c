/**
 * Goroutine lifecycle costs (issue 3): spawn + completion, and kill of a blocked goroutine, for
 * gorx's async and generator goroutines, Effection's spawn/halt and Effect's fork/interrupt.
 *
 * Every implementation is checked alike: spawned bodies all ran (a counter) and all ended; before
 * a kill is timed, every goroutine/fiber/task is parked in its blocking operation (gorx: state
 * `blocked`; peers: a counter set right before the block, and the scheduler given turns until all
 * got there), and after it every one ended killed/interrupted/halted.
 */
import { type Goroutine, chan, go } from 'gorx';
import { Effect, Exit, Fiber, Queue } from 'effect';
import { all, run, sleep, spawn, suspend, type Task } from 'effection';
import { type Case, now, settle, verify } from './harness.js';

/** How many scheduler turns a setup may take to park everything before the run fails. */
const MAX_TURNS = 1000;

async function spawnAsync(n: number): Promise<number> {
  const gs: Goroutine<void>[] = new Array(n);
  let ran = 0;
  const t0 = now();
  for (let i = 0; i < n; i++) {
    gs[i] = go(async () => {
      ran++;
    });
  }
  await Promise.all(gs.map((g) => g.done));
  const ns = now() - t0;
  verify(ran === n && gs.every((g) => g.state === 'returned'), `gorx spawn: ${ran} of ${n} ran`);
  return ns / n;
}

async function spawnGenerator(n: number): Promise<number> {
  const gs: Goroutine<void>[] = new Array(n);
  let ran = 0;
  const t0 = now();
  for (let i = 0; i < n; i++) {
    // eslint-disable-next-line require-yield -- the benchmark: a body that returns at once
    gs[i] = go(function* () {
      ran++;
    });
  }
  await Promise.all(gs.map((g) => g.done));
  const ns = now() - t0;
  verify(ran === n && gs.every((g) => g.state === 'returned'), `gorx spawn: ${ran} of ${n} ran`);
  return ns / n;
}

function spawnEffection(n: number): Promise<number> {
  return run(function* () {
    const tasks: Task<void>[] = new Array(n);
    let ran = 0;
    const t0 = now();
    for (let i = 0; i < n; i++) {
      // eslint-disable-next-line require-yield -- the benchmark: a body that returns at once
      tasks[i] = yield* spawn(function* () {
        ran++;
      });
    }
    for (const t of tasks) yield* t;
    const ns = now() - t0;
    verify(ran === n, `Effection spawn: ${ran} of ${n} ran`);
    return ns / n;
  });
}

function spawnEffect(n: number): Promise<number> {
  return Effect.runPromise(
    Effect.gen(function* () {
      const fibers: Fiber.Fiber<void>[] = new Array(n);
      let ran = 0;
      const body = Effect.sync(() => {
        ran++;
      });
      const t0 = now();
      for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(body);
      yield* Fiber.joinAll(fibers);
      const ns = now() - t0;
      verify(ran === n, `Effect fork: ${ran} of ${n} ran`);
      return ns / n;
    }),
  );
}

/** Gives the event loop turns until every gorx goroutine is blocked (bounded). */
async function allBlocked(gs: readonly Goroutine<void>[], what: string): Promise<void> {
  for (let turn = 0; !gs.every((g) => g.state === 'blocked'); turn++) {
    verify(turn < MAX_TURNS, `${what}: not every goroutine blocked before the kill`);
    await settle();
  }
}

/** n goroutines blocked receiving on a channel nobody sends on; the timed part kills them all. */
async function killAsync(n: number): Promise<number> {
  const ch = chan<number>();
  const gs: Goroutine<void>[] = new Array(n);
  for (let i = 0; i < n; i++) {
    gs[i] = go(async (ctx) => {
      await ch.recv(ctx);
    });
  }
  await allBlocked(gs, 'gorx kill (async)');
  const t0 = now();
  await Promise.all(gs.map((g) => g.kill()));
  const ns = now() - t0;
  verify(
    gs.every((g) => g.state === 'killed'),
    'gorx kill (async): not every goroutine ended killed',
  );
  return ns / n;
}

async function killGenerator(n: number): Promise<number> {
  const ch = chan<number>();
  const gs: Goroutine<void>[] = new Array(n);
  for (let i = 0; i < n; i++) {
    gs[i] = go(function* () {
      yield ch.recv();
    });
  }
  await allBlocked(gs, 'gorx kill (generator)');
  const t0 = now();
  await Promise.all(gs.map((g) => g.kill()));
  const ns = now() - t0;
  verify(
    gs.every((g) => g.state === 'killed'),
    'gorx kill (generator): not every goroutine ended killed',
  );
  return ns / n;
}

function killEffection(n: number): Promise<number> {
  return run(function* () {
    const tasks: Task<void>[] = new Array(n);
    let parked = 0;
    let ended = 0;
    for (let i = 0; i < n; i++) {
      tasks[i] = yield* spawn(function* () {
        parked++;
        try {
          yield* suspend();
        } finally {
          ended++;
        }
      });
    }
    for (let turn = 0; parked < n; turn++) {
      verify(turn < MAX_TURNS, `Effection kill: ${parked} of ${n} suspended before the kill`);
      yield* sleep(0);
    }
    const t0 = now();
    yield* all(tasks.map((t) => t.halt()));
    const ns = now() - t0;
    verify(ended === n, `Effection kill: ${ended} of ${n} halted`);
    return ns / n;
  });
}

function killEffect(n: number): Promise<number> {
  return Effect.runPromise(
    Effect.gen(function* () {
      const q = yield* Queue.bounded<number>(0);
      const fibers: Fiber.Fiber<number>[] = new Array(n);
      let parked = 0;
      const body = Effect.andThen(
        Effect.sync(() => {
          parked++;
        }),
        Queue.take(q),
      );
      for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(body);
      for (let turn = 0; parked < n; turn++) {
        verify(turn < MAX_TURNS, `Effect kill: ${parked} of ${n} parked before the kill`);
        yield* Effect.yieldNow;
      }
      const t0 = now();
      yield* Fiber.interruptAll(fibers);
      const ns = now() - t0;
      verify(
        fibers.every((f) => {
          const exit = f.pollUnsafe();
          return exit !== undefined && Exit.hasInterrupts(exit);
        }),
        'Effect kill: not every fiber ended interrupted',
      );
      return ns / n;
    }),
  );
}

export function goroutineCases(): Case[] {
  return [
    { bench: 'spawn', impl: 'gorx go(async)', run: spawnAsync },
    { bench: 'spawn', impl: 'gorx go(generator)', run: spawnGenerator },
    { bench: 'spawn', impl: 'Effection spawn', run: spawnEffection },
    { bench: 'spawn', impl: 'Effect fork', run: spawnEffect },
    { bench: 'kill', impl: 'gorx go(async)', run: killAsync },
    { bench: 'kill', impl: 'gorx go(generator)', run: killGenerator },
    { bench: 'kill', impl: 'Effection spawn', run: killEffection },
    { bench: 'kill', impl: 'Effect fork', run: killEffect },
  ];
}
