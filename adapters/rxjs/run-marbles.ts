/**
 * `runMarbles`: RxJS marble tests in which gorx time and goroutines follow the virtual clock.
 *
 * `TestScheduler.run` runs virtual time synchronously, so it never sees what goroutines do in
 * promise callbacks. `runMarbles` installs what `run` installs (run mode, RxJS's time providers)
 * plus a gorx clock on the scheduler, then steps virtual time one scheduled action at a time and
 * lets promise callbacks and gorx's deferred work settle after each. Invariant: the scheduler's
 * frame only moves forward when nothing that can run without a timer is left to run (except real
 * I/O and real timers, which virtual time does not wait for).
 * @module
 */
import { setImmediate as realSetImmediate } from 'node:timers';
import { VirtualTimeScheduler, type Subscription } from 'rxjs';
// Types only: production code that imports gorx/rxjs does not load rxjs/testing (about 10 ms).
import type { RunHelpers, TestScheduler } from 'rxjs/testing';
import { animationFrameProvider } from 'rxjs/internal/scheduler/animationFrameProvider';
import { dateTimestampProvider } from 'rxjs/internal/scheduler/dateTimestampProvider';
import { immediateProvider } from 'rxjs/internal/scheduler/immediateProvider';
import { intervalProvider } from 'rxjs/internal/scheduler/intervalProvider';
import { performanceTimestampProvider } from 'rxjs/internal/scheduler/performanceTimestampProvider';
import { timeoutProvider } from 'rxjs/internal/scheduler/timeoutProvider';
import { installClock, type Clock } from 'gorx';

/**
 * What `runMarbles` passes to its callback: RxJS's `RunHelpers`, except that `flush` is
 * asynchronous (await it).
 *
 * @example
 * ```ts
 * import { runMarbles, switchGo, type MarbleHelpers } from 'gorx/rxjs';
 * import { TestScheduler } from 'rxjs/testing';
 *
 * const scheduler = new TestScheduler((actual, expected) => {
 *   if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error('marbles differ');
 * });
 * const body = async ({ cold, expectObservable, flush }: MarbleHelpers): Promise<void> => {
 *   expectObservable(cold('-a|').pipe(switchGo(async (v: string) => v.toUpperCase()))).toBe(
 *     '-A|',
 *     { A: 'A' },
 *   );
 *   await flush(); // runs virtual time now and checks the expectation above
 *   console.log('checked at frame', scheduler.now()); // 2
 * };
 * await runMarbles(scheduler, body);
 * ```
 */
export interface MarbleHelpers extends Omit<RunHelpers, 'flush'> {
  /**
   * Runs virtual time until nothing is scheduled (goroutines settle between steps), then checks
   * the expectations made so far, as `flush` does in `TestScheduler.run`.
   */
  flush(): Promise<void>;
}

/** What the runner uses of a TestScheduler beyond its typed surface (RxJS 7 internals). */
interface SchedulerInternals {
  runMode: boolean;
  createAnimator(): { delegate: unknown; animate: (marbles: string) => void };
  createDelegates(): { immediate: unknown; interval: unknown; timeout: unknown };
}

/** An action of a VirtualTimeScheduler, as its `flush` runs it. */
interface Action {
  delay: number;
  state?: unknown;
  execute(state: unknown, delay: number): unknown;
  unsubscribe(): void;
}

/**
 * The TestScheduler class of `scheduler` (the one whose static `frameTimeFactor` its methods
 * read), or null when it is not a TestScheduler of the rxjs that gorx/rxjs imports.
 */
function testSchedulerClass(scheduler: unknown): typeof TestScheduler | null {
  if (!(scheduler instanceof VirtualTimeScheduler)) return null;
  for (
    let c: unknown = scheduler.constructor;
    typeof c === 'function';
    c = Object.getPrototypeOf(c)
  ) {
    if (Object.hasOwn(c, 'parseMarbles') && Object.hasOwn(c, 'frameTimeFactor')) {
      return c as typeof TestScheduler;
    }
  }
  return null;
}

/** Set while a run is in progress: runs share RxJS's global time providers, so they cannot overlap. */
let running = false;

/** Turns of the event loop allowed for gorx's own deferred work to settle after one step. */
const MAX_SETTLE_TURNS = 1000;

const proc = (globalThis as { process?: { getActiveResourcesInfo?: () => string[] } }).process;

/** True when some `setImmediate` callback is still queued (Node; elsewhere assume none). */
function immediatePending(): boolean {
  return proc?.getActiveResourcesInfo?.().includes('Immediate') === true;
}

/** One real macrotask turn (setImmediate of node:timers, bound at load: fake timers do not stop it). */
function turn(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/**
 * Lets everything that needs no timer run: promise callbacks, and what gorx defers to a later
 * macrotask (deliveries held back by its starvation guard, `timeout`'s verdict), turn after turn
 * while callbacks are still queued.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < MAX_SETTLE_TURNS; i++) {
    await turn();
    if (!immediatePending()) return;
  }
}

/** A gorx clock on the scheduler's virtual time (its own actions, in scheduling order). */
function virtualClock(scheduler: TestScheduler): Clock {
  return {
    now: () => scheduler.now(),
    setTimeout: (fn, ms) => scheduler.schedule(fn, ms),
    clearTimeout: (id) => (id as Subscription).unsubscribe(),
    setInterval(fn, ms) {
      const handle = { next: null as Subscription | null };
      const tick = (): void => {
        handle.next = scheduler.schedule(tick, ms);
        fn();
      };
      handle.next = scheduler.schedule(tick, ms);
      return handle;
    },
    clearInterval: (id) => (id as { next: Subscription }).next.unsubscribe(),
  };
}

/**
 * Runs the scheduler's actions in order, one at a time, letting everything settle after each:
 * the virtual-time half of `TestScheduler.flush`, asynchronous. An action's error drops the
 * remaining actions and is thrown, as in `flush`.
 */
async function runVirtualTime(scheduler: TestScheduler): Promise<void> {
  const actions = scheduler.actions as unknown as Action[];
  for (;;) {
    const hot = scheduler.hotObservables;
    while (hot.length > 0) hot.shift()!.setup();
    await settle();
    const action = actions.shift();
    if (action === undefined) return;
    scheduler.frame = action.delay;
    const error = action.execute(action.state, action.delay);
    if (error) {
      for (let a = actions.shift(); a !== undefined; a = actions.shift()) a.unsubscribe();
      throw error;
    }
  }
}

/**
 * `TestScheduler.run` for code that uses gorx: marble tests of `switchGo`, `mergeGo` and anything
 * built on `sleep`, `after`, `ticker` or `timeout`. Inside the run, gorx time follows the
 * scheduler's virtual clock (one frame is one millisecond, as in `run`) and, between two steps of
 * virtual time, goroutines run until they wait for a timer or a channel again. `callback`
 * receives the helpers of `run` (`cold`, `hot`, `expectObservable`, `expectSubscriptions`,
 * `time`, `animate`, and an asynchronous `flush`); the expectations are checked when virtual time
 * has run out, and the returned promise rejects with the first one that fails (the error the
 * scheduler's assertion function throws). Everything `runMarbles` changes (RxJS's time providers,
 * `TestScheduler.frameTimeFactor`, the gorx clock) is restored when it settles, also when it fails.
 *
 * Only gorx and RxJS time is virtual: a `setTimeout` of your own, real I/O, or a promise that
 * settles on either does not hold virtual time back; a goroutine waiting on one simply sees time
 * move on. As in `run`, virtual time runs until nothing is scheduled: stop every ticker and end
 * endless sources (an unsubscription marble `!` does). If `callback` throws, the actions still
 * scheduled are dropped, and goroutines sleeping in virtual time stay blocked: end them (unsubscribe,
 * kill) before you throw. Runs cannot overlap: await one before starting the next.
 *
 * @param scheduler A `TestScheduler` of the `rxjs` that `gorx/rxjs` imports.
 * @param callback Builds the observables and expectations; may be async.
 * @returns What `callback` returned.
 * Rejects with a TypeError on a bad argument (before changing anything), and with an Error when
 * another run is in progress.
 *
 * @example
 * ```ts
 * import { sleep } from 'gorx';
 * import { runMarbles, switchGo } from 'gorx/rxjs';
 * import { TestScheduler } from 'rxjs/testing';
 * import { deepStrictEqual } from 'node:assert';
 *
 * const scheduler = new TestScheduler((actual, expected) => deepStrictEqual(actual, expected));
 * await runMarbles(scheduler, ({ cold, expectObservable }) => {
 *   const queries = cold('a-b-----c|');
 *   const results = queries.pipe(
 *     switchGo(function* (q: string, ctx) {
 *       yield sleep(3, ctx); // a newer query kills this one here
 *       return q.toUpperCase();
 *     }),
 *   );
 *   expectObservable(results).toBe('-----B-----(C|)', { B: 'B', C: 'C' });
 * });
 * console.log('marbles match'); // 'marbles match'
 * ```
 */
export async function runMarbles<T>(
  scheduler: TestScheduler,
  callback: (helpers: MarbleHelpers) => T | Promise<T>,
): Promise<T> {
  const TestSchedulerClass = testSchedulerClass(scheduler);
  if (TestSchedulerClass === null) {
    throw new TypeError(
      'runMarbles: scheduler must be a TestScheduler of the rxjs that gorx/rxjs imports ' +
        `(rxjs/testing), got ${scheduler === null ? 'null' : typeof scheduler}`,
    );
  }
  if (typeof callback !== 'function') {
    throw new TypeError(`runMarbles: callback must be a function, got ${typeof callback}`);
  }
  const s = scheduler as unknown as SchedulerInternals;
  if (running || s.runMode) {
    throw new Error(
      'runMarbles: a run (runMarbles or TestScheduler.run) is already in progress; runs share ' +
        "RxJS's time providers and cannot overlap",
    );
  }
  running = true;
  const prevFrameTimeFactor = TestSchedulerClass.frameTimeFactor;
  const prevMaxFrames = scheduler.maxFrames;
  let uninstall: (() => void) | null = null;
  try {
    // What TestScheduler.run installs (RxJS 7.8), then the gorx clock.
    TestSchedulerClass.frameTimeFactor = 1;
    scheduler.maxFrames = Infinity;
    s.runMode = true;
    const animator = s.createAnimator();
    const delegates = s.createDelegates();
    animationFrameProvider.delegate = animator.delegate as typeof animationFrameProvider.delegate;
    dateTimestampProvider.delegate = scheduler;
    immediateProvider.delegate = delegates.immediate as typeof immediateProvider.delegate;
    intervalProvider.delegate = delegates.interval as typeof intervalProvider.delegate;
    timeoutProvider.delegate = delegates.timeout as typeof timeoutProvider.delegate;
    performanceTimestampProvider.delegate = scheduler;
    uninstall = installClock(virtualClock(scheduler));

    // Steps of virtual time never interleave: a flush() the callback did not await is finished
    // before the final one starts.
    let stepping: Promise<void> = Promise.resolve();
    /** The callback threw: expectations are not checked (as in `TestScheduler.run`). */
    let failed = false;
    const flush = (): Promise<void> => {
      stepping = stepping.then(async () => {
        await runVirtualTime(scheduler);
        // Nothing left to run: checks the expectations that are complete.
        if (!failed) scheduler.flush();
      });
      return stepping;
    };
    const helpers: MarbleHelpers = {
      cold: scheduler.createColdObservable.bind(scheduler),
      hot: scheduler.createHotObservable.bind(scheduler),
      time: scheduler.createTime.bind(scheduler),
      expectObservable: scheduler.expectObservable.bind(scheduler),
      expectSubscriptions: scheduler.expectSubscriptions.bind(scheduler),
      animate: animator.animate,
      flush,
    };
    try {
      const result = await callback(helpers);
      await flush();
      return result;
    } catch (e) {
      // As in a failed flush: what is still scheduled never runs (see the doc above).
      failed = true;
      const actions = scheduler.actions as unknown as Action[];
      for (let a = actions.shift(); a !== undefined; a = actions.shift()) a.unsubscribe();
      // A flush() the callback started and did not await ends (quietly) before anything is
      // restored: the callback's error is what the test reports.
      await stepping.catch(() => {});
      throw e;
    }
  } finally {
    uninstall?.();
    TestSchedulerClass.frameTimeFactor = prevFrameTimeFactor;
    scheduler.maxFrames = prevMaxFrames;
    s.runMode = false;
    animationFrameProvider.delegate = undefined;
    dateTimestampProvider.delegate = undefined;
    immediateProvider.delegate = undefined;
    intervalProvider.delegate = undefined;
    timeoutProvider.delegate = undefined;
    performanceTimestampProvider.delegate = undefined;
    running = false;
  }
}
