/**
 * One worker thread and the run it is executing. Owns the `Worker` object: creation, the events
 * that end it (exit, uncaught error, out of memory) and terminate.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
  type ResourceLimits,
} from 'node:worker_threads';
import * as P from './protocol.js';
import { ThreadExitError } from '../errors.js';

/**
 * The thread entry script. Next to this file once built (dist/threads/worker.js); when gorx runs
 * from its TypeScript sources (its own test suite), the built script in dist/ is used.
 */
const WORKER_URL: URL = (() => {
  const built = new URL('../worker.js', import.meta.url);
  return existsSync(fileURLToPath(built))
    ? built
    : new URL('../../dist/threads/worker.js', import.meta.url);
})();

let live = 0;

/** Worker threads started by gorx that have not exited yet (for tests and diagnostics). */
export function liveThreads(): number {
  return live;
}

export interface RunEnd {
  /** Called once when the thread dies under the run (crash, exit or terminate). */
  (error: ThreadExitError | null): void;
}

export class ThreadHandle {
  readonly worker: Worker;
  /** The thread's ports and shared memory, created once and used by each run in turn. */
  readonly port: MessagePort;
  readonly syncPort: MessagePort;
  readonly shared = new Int32Array(new SharedArrayBuffer(P.SHARED_BYTES));
  /** Receives the current run's batches. */
  onBatch: ((batch: unknown[]) => void) | null = null;
  /** The current run's reaction to the thread's death; null when idle. */
  onDeath: RunEnd | null = null;
  dead = false;
  terminating = false;
  readonly exited: Promise<void>;
  private deathError: ThreadExitError | null = null;

  constructor(resourceLimits: ResourceLimits | undefined, name: string) {
    this.worker = new Worker(WORKER_URL, {
      resourceLimits,
      name,
      stdout: false,
      stderr: false,
    });
    live++;
    const ports = new MessageChannel();
    const sync = new MessageChannel();
    this.port = ports.port1;
    this.syncPort = sync.port1;
    this.port.on('message', (batch: unknown[]) => this.onBatch?.(batch));
    // Listened for from the start: the thread's exit may close them before we close our side.
    const portsClosed = Promise.all(
      [this.port, this.syncPort].map((p) => new Promise<void>((r) => p.once('close', () => r()))),
    );
    const init: P.InitMessage = {
      type: 'init',
      port: ports.port2,
      syncPort: sync.port2,
      shared: this.shared.buffer as SharedArrayBuffer,
    };
    this.worker.postMessage(init, [ports.port2, sync.port2]);
    this.worker.on('error', (e: Error) => {
      const oom = (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.deathError = new ThreadExitError(
        oom ? 'thread ran out of memory' : `thread crashed: ${e.message}`,
        { cause: e },
      );
    });
    this.exited = new Promise<void>((resolve) => {
      this.worker.once('exit', (code: number) => {
        live--;
        this.dead = true;
        const err = this.terminating
          ? null
          : (this.deathError ??
            new ThreadExitError(`thread exited with code ${code}`, { exitCode: code }));
        // What the thread posted before it died is applied first: a send it saw complete on
        // credit was accepted and must be delivered (closing the port could drop it).
        for (let m = receiveMessageOnPort(this.port); m !== undefined;) {
          this.onBatch?.(m.message as unknown[]);
          m = receiveMessageOnPort(this.port);
        }
        // Exited means no handle left: wait for both ports to have closed.
        this.port.close();
        this.syncPort.close();
        void portsClosed.then(() => {
          const cb = this.onDeath;
          this.onDeath = null;
          cb?.(err);
          resolve();
        });
      });
    });
  }

  /** Ends the thread (its finally blocks do not run). Resolves when it has exited. */
  terminate(): Promise<void> {
    if (!this.dead && !this.terminating) {
      this.terminating = true;
      void this.worker.terminate();
    }
    return this.exited;
  }

  ref(): void {
    this.worker.ref();
    this.port.ref();
  }

  unref(): void {
    this.worker.unref();
    this.port.unref();
  }
}
