/**
 * The entry script of every gorx worker thread. It waits for runs on its parentPort; each run
 * imports the thread module (once per thread, ESM caching), bridges the channels in the
 * arguments, runs the export as a goroutine and reports its outcome. A thread runs one goroutine
 * at a time and is reused by pools.
 * @module
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { go, type GoContext } from 'gorx';
import { isDescriptor, mapArgs } from './internal/args.js';
import { encodeError } from './internal/error-codec.js';
import * as P from './internal/protocol.js';
import { bridgedChannel } from './internal/bridged-chan.js';
import { RingWriter } from './internal/send-ring.js';
import { ThreadBridge } from './internal/thread-bridge.js';

if (parentPort === null) throw new Error('gorx/threads: worker.js must run in a worker thread');

let port: MessagePort;
let syncPort: MessagePort;
let shared: Int32Array;
/** The current run's bridge (a thread runs one goroutine at a time). */
let current: ThreadBridge | null = null;
/** Thread modules by URL: a pooled thread imports each once. */
const modules = new Map<string, Record<string, unknown>>();

parentPort.once('message', (m: P.InitMessage) => {
  port = m.port;
  syncPort = m.syncPort;
  shared = new Int32Array(m.shared);
  port.on('message', (batch: unknown[] | P.RunMessage) => {
    if (Array.isArray(batch)) current?.receive(batch);
    else if (batch?.type === 'run') void run(batch);
  });
});

async function load(url: string): Promise<Record<string, unknown>> {
  let mod = modules.get(url);
  if (mod === undefined) {
    mod = (await import(url)) as Record<string, unknown>;
    modules.set(url, mod);
  }
  return mod;
}

async function run(m: P.RunMessage): Promise<void> {
  const words = P.runWords(m.decided);
  const bridge = new ThreadBridge(
    m.runId,
    port,
    syncPort,
    shared,
    words.decided,
    words.topUps,
    m.ring === null ? null : new RingWriter(m.ring),
  );
  current = bridge;
  let flushDetails: () => void = () => {};
  const finish = (outcome: number, value: unknown): void => {
    flushDetails();
    try {
      bridge.post([P.DONE, outcome, value]);
      bridge.flush();
    } catch (e) {
      // The result could not be cloned: report that instead.
      bridge.post([P.DONE, P.FAILED, encodeError(e)]);
      bridge.flush();
    }
    bridge.end();
    if (current === bridge) current = null;
  };
  let killedBeforeStart: unknown = undefined;
  let killed = false;
  bridge.onKill = (reason) => {
    killed = true;
    killedBeforeStart = reason;
  };
  let fn: unknown;
  try {
    fn = (await load(m.module))[m.exportName];
  } catch (e) {
    finish(P.LOAD_FAILED, encodeError(e));
    return;
  }
  if (typeof fn !== 'function') {
    const e = new TypeError(
      `gorx/threads: ${m.module} has no exported function ${JSON.stringify(m.exportName)}`,
    );
    finish(P.FAILED, encodeError(e));
    return;
  }
  const args = mapArgs(m.args, (v) =>
    isDescriptor(v) ? bridgedChannel(bridge, v as P.ChannelDescriptor) : undefined,
  ) as unknown[];
  let details: unknown = undefined;
  let detailsPosted = true;
  const postDetails = (): void => {
    detailsPosted = true;
    if (!bridge.ended) bridge.post([P.HEARTBEAT_DETAILS, details]);
  };
  flushDetails = () => {
    if (!detailsPosted) postDetails();
  };
  const heartbeat = (d?: unknown): void => {
    Atomics.add(shared, P.HEARTBEATS, 1);
    if (d !== undefined) {
      details = d;
      if (detailsPosted) {
        detailsPosted = false;
        setImmediate(postDetails);
      }
    }
  };
  const g = go(
    (ctx: GoContext) => {
      // The ThreadContext is the goroutine's own context (so `ch.recv(ctx)` binds), plus heartbeat.
      (ctx as GoContext & { heartbeat: typeof heartbeat }).heartbeat = heartbeat;
      return (fn as (ctx: GoContext, ...a: unknown[]) => ReturnType<Parameters<typeof go>[0]>)(
        ctx,
        ...args,
      );
    },
    { name: m.name },
  );
  bridge.onKill = (reason) => {
    bridge.cancelAll(reason);
    void g.kill(reason);
  };
  if (killed) bridge.onKill(killedBeforeStart);
  g.done.then(
    (v) => finish(P.OK, v),
    (e: unknown) => finish(P.FAILED, encodeError(e)),
  );
}
