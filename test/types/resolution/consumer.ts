// Type-resolution consumer (issue 15 item 3), compiled by scripts/check-types.mjs against the packed
// gorx under each moduleResolution (node10, node16, nodenext, bundler), as CommonJS and as ESM,
// with TypeScript 5.0, 5.4, 5.9 and 6.x. Not part of the repo's own type-check.
import { chan, recv, select, type Chan, type SignalOptions } from 'gorx';
import { fromAsyncIterable } from 'gorx/async-iterable';
import { LeaseLostError, type LeaseStore } from 'gorx/cluster';
import { GorxModule, type WorkerContext } from 'gorx/nest';
import { fromChannel, switchGo } from 'gorx/rxjs';
import { ThreadPool } from 'gorx/threads';

const ch: Chan<number> = chan<number>(1);
// @ts-expect-error a Chan<number> refuses a string: fails if gorx's types resolved to `any`
ch.trySend('x');
export const options: SignalOptions = { signal: new AbortController().signal };
export const picked = select([recv(ch)]).then((r) => (r.ok ? r.value.toFixed() : ''));
export const observable = fromChannel(ch);
export const fromIterable = fromAsyncIterable([1, 2, 3]);
export const module = GorxModule.forRoot({ shutdownGraceMs: 1_000 });
export const operator = switchGo((n: number) => Promise.resolve(String(n)));
export type Context = WorkerContext;
export type Store = LeaseStore;
export const leaseLost = LeaseLostError;
export const pool = (): ThreadPool => new ThreadPool({ size: 1 });
