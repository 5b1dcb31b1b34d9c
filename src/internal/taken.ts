/**
 * Put-back: the one home of "a value taken for a killed goroutine is never lost".
 *
 * Every receive (or select with a receive case) started synchronously by a generator goroutine's
 * code gets a `Taken` record, attached to the promise the receive returned and kept in the
 * goroutine's `TakenSet`. When the receive takes a value the record is filled (channel, value, and
 * the value's place in its channel's order). When the generator next resumes, its code has had
 * the chance to see every value filled before: those records are dropped. If instead it is killed
 * first, a filled record still held goes back to the head of its channel, in the order the values
 * were first taken, when the value was on its way to the generator only: through the promise it
 * yielded, or through a combinator (`Promise.all`, `race`, ...) over the receive's promise. A
 * value some other code already holds (an async helper that `await`ed the receive, a `.then`
 * callback) is that code's and is not put back, so nothing is duplicated.
 *
 * How the way of a value is known: a tracked promise gets its own `then`. `await` never calls
 * `then` on a native promise; combinators always do, with built-in resolver functions, which are
 * anonymous (`name === ''`); a `.then(fn)` by user code passes a user function, a bound function
 * (`name` starts with "bound ") or a named built-in (`console.log`): those see the value.
 *
 * Invariants:
 * - a record is filled at most once, at the moment its receive took the value;
 * - a record is in exactly one `TakenSet` from creation until the generator resumes after it was
 *   settled, or the goroutine ends;
 * - `putBack` empties the set and hands every value back in ascending `seq` order.
 */

/** A channel that can take a value back (Channel implements it). */
export interface TakenFrom {
  /** Sequence of the value last handed out from the put-back region, 0 for a fresh value. */
  backSeq: number;
  unrecv(value: unknown, seq: number): void;
}

const kTaken: unique symbol = Symbol('gorx.taken');
const promiseThen = Promise.prototype.then;
const fnToString = Function.prototype.toString;

let nextSeq = 1;

/** What one receive started by a generator goroutine took. */
export class Taken {
  ch: TakenFrom | null = null;
  value: unknown = undefined;
  /** Order in which values were first taken (over all channels; only compared per channel). */
  seq = 0;
  /** Settled without a value (closed, aborted, withdrawn): nothing to put back. */
  empty = false;
  /** The value flows only to the generator (yielded, or through a combinator). */
  viaYield = false;
  /** Code other than the generator's resumption sees the value (a `.then` callback). */
  seenElsewhere = false;
}

/** Records a receive's value. Precondition: `rec` is unfilled; `ch` just handed out `value`. */
export function fill(rec: Taken, ch: TakenFrom, value: unknown): void {
  rec.ch = ch;
  rec.value = value;
  rec.seq = ch.backSeq !== 0 ? ch.backSeq : nextSeq++;
}

/** The record of a tracked promise, or undefined. */
export function recordOf(p: unknown): Taken | undefined {
  return (p as { [kTaken]?: Taken } | null)?.[kTaken];
}

function trackedThen(
  this: Promise<unknown> & { [kTaken]: Taken },
  onFulfilled?: ((v: unknown) => unknown) | null,
  onRejected?: ((e: unknown) => unknown) | null,
): Promise<unknown> {
  const rec = this[kTaken];
  if (typeof onFulfilled === 'function' && !isBuiltinResolver(onFulfilled)) {
    rec.seenElsewhere = true;
  } else {
    rec.viaYield = true;
  }
  return promiseThen.call(this, onFulfilled, onRejected);
}

/**
 * True for the resolver functions the engine passes to `then` (a combinator's element resolver, a
 * promise's resolve function): built-in and anonymous. Bound functions are built-in too but are
 * named "bound ...", like `console.log` is named "log": user code that sees the value.
 */
function isBuiltinResolver(fn: (v: unknown) => unknown): boolean {
  return fn.name === '' && fnToString.call(fn).endsWith('[native code] }');
}

/** `then` without the tracking (the goroutine driver's own reaction to a yielded promise). */
export function thenUntracked<T>(
  p: PromiseLike<T>,
  onFulfilled: (v: T) => void,
  onRejected: (e: unknown) => void,
): void {
  promiseThen.call(Promise.resolve(p), onFulfilled as (v: unknown) => void, onRejected);
}

/** The records of one generator goroutine (its `taken`). */
export class TakenSet {
  private recs: Taken[] | null = null;

  /** Tracks the receive that returned `p`; `ch`/`value` when it took a value at once. */
  track(p: Promise<unknown>, ch: TakenFrom | null, value: unknown): Taken {
    const rec = new Taken();
    if (ch !== null) fill(rec, ch, value);
    const t = p as Promise<unknown> & { [kTaken]?: Taken };
    t[kTaken] = rec;
    t.then = trackedThen as typeof t.then;
    (this.recs ??= []).push(rec);
    return rec;
  }

  /** The generator yields `p`: a value `p` carries is on its way to the generator only. */
  yielded(p: unknown): void {
    const rec = recordOf(p);
    if (rec !== undefined) rec.viaYield = true;
  }

  /** The generator resumes: its code has had every value filled so far; drop those records. */
  resumed(): void {
    const recs = this.recs;
    if (recs === null || recs.length === 0) return;
    let k = 0;
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i]!;
      if (r.ch === null && !r.empty) recs[k++] = r;
    }
    recs.length = k;
  }

  /** The generator was killed: hands back every value on its way to it, oldest first. */
  putBack(): void {
    const recs = this.recs;
    this.recs = null;
    if (recs === null) return;
    const back = recs.filter((r) => r.ch !== null && r.viaYield && !r.seenElsewhere);
    back.sort((a, b) => a.seq - b.seq);
    for (const r of back) {
      const ch = r.ch!;
      r.ch = null;
      ch.unrecv(r.value, r.seq);
    }
  }

  clear(): void {
    this.recs = null;
  }
}
