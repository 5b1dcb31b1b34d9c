// A goroutine runs in the AsyncLocalStorage context of the code that started it (request context
// and tracing depend on it), across every await and yield.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { chan, go, sleep } from 'gorx';
import { cleanUp } from './support.js';

afterEach(cleanUp);

const store = new AsyncLocalStorage<string>();

describe('AsyncLocalStorage propagation', () => {
  it('an async goroutine sees its starter store across awaits on channels and timers', async () => {
    jest.useFakeTimers();
    const ch = chan<number>(0, { name: 'in' });
    const seen: (string | undefined)[] = [];
    const g = store.run('request-1', () =>
      go(async (ctx) => {
        seen.push(store.getStore());
        await ch.recv({ signal: ctx.signal });
        seen.push(store.getStore());
        await sleep(10, { signal: ctx.signal });
        seen.push(store.getStore());
      }),
    );
    // Resumed by code running in another store.
    await store.run('other', () => ch.send(1));
    await jest.advanceTimersByTimeAsync(10);
    await g.done;
    expect(seen).toEqual(['request-1', 'request-1', 'request-1']);
  });

  it('a generator goroutine sees its starter store across yields, whoever completes them', async () => {
    jest.useFakeTimers();
    const ch = chan<number>(0, { name: 'in' });
    const seen: (string | undefined)[] = [];
    const g = store.run('request-2', () =>
      go(function* () {
        seen.push(store.getStore());
        yield ch.recv();
        seen.push(store.getStore());
        yield sleep(10);
        seen.push(store.getStore());
        yield Promise.resolve();
        seen.push(store.getStore());
      }),
    );
    store.run('other', () => ch.trySend(1));
    await jest.advanceTimersByTimeAsync(10);
    await g.done;
    expect(seen).toEqual(['request-2', 'request-2', 'request-2', 'request-2']);
  });

  it('a child started with ctx.go inherits the store active where it is started', async () => {
    const seen: (string | undefined)[] = [];
    const parent = store.run('parent', () =>
      go(async (ctx) => {
        await Promise.resolve();
        const inherited = ctx.go(async () => {
          await Promise.resolve();
          seen.push(store.getStore());
        });
        const nested = store.run('inner', () =>
          ctx.go(function* () {
            yield Promise.resolve();
            seen.push(store.getStore());
          }),
        );
        await Promise.all([inherited.done, nested.done]);
      }),
    );
    await parent.done;
    expect(seen).toEqual(['parent', 'inner']);
  });

  it('goroutines from different stores keep their own while trading values on one channel', async () => {
    const ch = chan<string>(0, { name: 'ping' });
    const seen: string[] = [];
    const a = store.run('A', () =>
      go(function* () {
        for (let i = 0; i < 3; i++) {
          yield ch.send(`from ${store.getStore()}`);
          seen.push(`A sent, in ${store.getStore()}`);
        }
      }),
    );
    const b = store.run('B', () =>
      go(async () => {
        for (let i = 0; i < 3; i++) seen.push(`${await ch.recv()} received in ${store.getStore()}`);
      }),
    );
    await Promise.all([a.done, b.done]);
    expect(seen.filter((s) => s.startsWith('A sent'))).toEqual(Array(3).fill('A sent, in A'));
    expect(seen.filter((s) => s.startsWith('from'))).toEqual(Array(3).fill('from A received in B'));
  });

  it("a killed generator's finally runs in its own store, not the killer's", async () => {
    const seen: (string | undefined)[] = [];
    const parent = store.run('request-1', () =>
      go(function* (ctx) {
        ctx.go(function* () {
          try {
            yield new Promise(() => {});
          } finally {
            seen.push(`child: ${store.getStore()}`);
          }
        });
        try {
          yield new Promise(() => {});
        } finally {
          seen.push(`parent: ${store.getStore()}`);
        }
      }),
    );
    await store.run('killer', () => parent.kill());
    expect(seen).toEqual(['child: request-1', 'parent: request-1']);
  });
});
