/** Shared helpers of the goroutine tests. */
import { jest } from '@jest/globals';
import { runInThisContext } from 'node:vm';
import { expectNothingLeft } from '../helpers/leaks.js';

/** Leak check, then back to real timers even when the check fails. */
export function cleanUp(): void {
  try {
    expectNothingLeft();
  } finally {
    jest.useRealTimers();
  }
}

/**
 * Collects `unhandledRejection` events until `stop()` is called. Jest gives each test file a copy
 * of `process` that Node never emits on, so listen on the host's: its main context still has it.
 * Jest also sees the event and fails the test unless the rejection is handled before it ends, so a
 * test that provokes one handles it, then awaits a `macrotask()` before `stop()`: Node reports the
 * late handling then, with a PromiseRejectionHandledWarning that is kept off stderr here.
 */
export function watchUnhandled(): { readonly reasons: unknown[]; stop(): void } {
  const host = runInThisContext('process') as NodeJS.Process;
  const reasons: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    reasons.push(reason);
  };
  const warningListeners = host.listeners('warning') as ((w: Error) => void)[];
  const onWarning = (w: Error): void => {
    if (w.name === 'PromiseRejectionHandledWarning') return;
    for (const l of warningListeners) l.call(host, w);
  };
  host.removeAllListeners('warning');
  host.on('warning', onWarning);
  host.on('unhandledRejection', onUnhandled);
  return {
    reasons,
    stop: () => {
      host.off('unhandledRejection', onUnhandled);
      host.off('warning', onWarning);
      for (const l of warningListeners) host.on('warning', l);
    },
  };
}
