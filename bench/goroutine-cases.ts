/**
 * Goroutine lifecycle costs (issue 3): spawn + completion, and kill of a blocked goroutine, for
 * gorx's async and generator goroutines, Effection's spawn/halt and Effect's fork/interrupt.
 */
import { type Goroutine, chan, go } from 'gorx';
import { Effect, Fiber, Queue } from 'effect';
import { all, run, sleep, spawn, suspend, type Task } from 'effection';
import { type Case, now, settle } from './harness.js';

async function spawnAsync(n: number): Promise<number> {
  const gs: Goroutine<void>[] = new Array(n);
  const t0 = now();
  for (let i = 0; i < n; i++) gs[i] = go(async () => {});
  await Promise.all(gs.map((g) => g.done));
  return (now() - t0) / n;
}

async function spawnGenerator(n: number): Promise<number> {
  const gs: Goroutine<void>[] = new Array(n);
  const t0 = now();
  for (let i = 0; i < n; i++) gs[i] = go(function* () {});
  await Promise.all(gs.map((g) => g.done));
  return (now() - t0) / n;
}

function spawnEffection(n: number): Promise<number> {
  return run(function* () {
    const tasks: Task<void>[] = new Array(n);
    const t0 = now();
    for (let i = 0; i < n; i++) tasks[i] = yield* spawn(function* () {});
    for (const t of tasks) yield* t;
    return (now() - t0) / n;
  });
}

function spawnEffect(n: number): Promise<number> {
  return Effect.runPromise(
    Effect.gen(function* () {
      const fibers: Fiber.Fiber<void>[] = new Array(n);
      const t0 = now();
      for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(Effect.void);
      yield* Fiber.joinAll(fibers);
      return (now() - t0) / n;
    }),
  );
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
  await settle();
  const t0 = now();
  await Promise.all(gs.map((g) => g.kill()));
  return (now() - t0) / n;
}

async function killGenerator(n: number): Promise<number> {
  const ch = chan<number>();
  const gs: Goroutine<void>[] = new Array(n);
  for (let i = 0; i < n; i++) {
    gs[i] = go(function* () {
      yield ch.recv();
    });
  }
  await settle();
  const t0 = now();
  await Promise.all(gs.map((g) => g.kill()));
  return (now() - t0) / n;
}

function killEffection(n: number): Promise<number> {
  return run(function* () {
    const tasks: Task<void>[] = new Array(n);
    for (let i = 0; i < n; i++) tasks[i] = yield* spawn(() => suspend());
    yield* sleep(0); // every child reaches suspend() before the timer starts
    const t0 = now();
    yield* all(tasks.map((t) => t.halt()));
    return (now() - t0) / n;
  });
}

function killEffect(n: number): Promise<number> {
  return Effect.runPromise(
    Effect.gen(function* () {
      const q = yield* Queue.bounded<number>(0);
      const fibers: Fiber.Fiber<number>[] = new Array(n);
      for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(Queue.take(q));
      yield* Effect.yieldNow;
      const t0 = now();
      yield* Fiber.interruptAll(fibers);
      return (now() - t0) / n;
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
