// Contract tests for the error classes (API.md section 5): a shared base, stable codes, names.
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  ChannelClosedError,
  DeadlockError,
  GorxError,
  GoroutineExit,
  HeartbeatTimeoutError,
  SupersededError,
  TimeoutError,
} from 'gorx';
import { expectNothingLeft } from '../helpers/leaks.js';

afterEach(() => expectNothingLeft());

describe('error classes', () => {
  const cases: [Error, string, string, (abstract new (...a: never[]) => Error)[]][] = [
    [new ChannelClosedError(), 'ERR_CHANNEL_CLOSED', 'ChannelClosedError', []],
    [new DeadlockError('x'), 'ERR_DEADLOCK', 'DeadlockError', []],
    [new TimeoutError(5), 'ERR_TIMEOUT', 'TimeoutError', []],
    [new GoroutineExit(), 'ERR_GOROUTINE_EXIT', 'GoroutineExit', []],
    [new SupersededError('k'), 'ERR_SUPERSEDED', 'SupersededError', [GoroutineExit]],
    [
      new HeartbeatTimeoutError(5),
      'ERR_HEARTBEAT_TIMEOUT',
      'HeartbeatTimeoutError',
      [GoroutineExit],
    ],
  ];

  it.each(cases)(
    '%s has its stable code, its name and the GorxError base',
    (e, code, name, bases) => {
      expect(e).toBeInstanceOf(Error);
      expect(e).toBeInstanceOf(GorxError);
      for (const b of bases) expect(e).toBeInstanceOf(b);
      expect((e as GorxError).code).toBe(code);
      expect(e.name).toBe(name);
      expect(String(e)).toMatch(new RegExp(`^${name}: `));
      expect(e.stack).toBeDefined();
    },
  );

  it('the classes are distinct: no error is mistaken for another kind', () => {
    expect(new ChannelClosedError()).not.toBeInstanceOf(TimeoutError);
    expect(new TimeoutError(1)).not.toBeInstanceOf(GoroutineExit);
    expect(new GoroutineExit()).not.toBeInstanceOf(SupersededError);
  });

  it('GoroutineExit carries the kill reason and names it in the message', () => {
    const cause = new Error('shutting down');
    expect(new GoroutineExit(cause).reason).toBe(cause);
    expect(new GoroutineExit(cause).message).toBe('goroutine killed: shutting down');
    expect(new GoroutineExit('bye').message).toBe('goroutine killed: bye');
    expect(new GoroutineExit().reason).toBeUndefined();
    expect(new SupersededError('report:42').reason).toBe('report:42');
  });

  it('a reason that cannot be turned into a string still gives a message', () => {
    const weird = Object.create(null) as object;
    expect(new GoroutineExit(weird).message).toMatch(/^goroutine killed: /);
  });

  it('TimeoutError and HeartbeatTimeoutError expose their limits', () => {
    expect(new TimeoutError(250).ms).toBe(250);
    expect(new TimeoutError(250).message).toBe('timed out after 250 ms');
    expect(new HeartbeatTimeoutError(5000).timeoutMs).toBe(5000);
  });

  it('DeadlockError keeps the message it is given', () => {
    expect(new DeadlockError('all goroutines are asleep - deadlock!').message).toMatch(
      /^all goroutines are asleep - deadlock!/,
    );
  });
});
