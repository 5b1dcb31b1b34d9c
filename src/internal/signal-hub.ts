/**
 * One abort listener per AbortSignal, shared by everything gorx parks on it.
 *
 * EventTarget calls are slow in Node and every listener counts towards the MaxListeners warning, so
 * an operation given a signal does not register its own listener: it links itself into the
 * signal's hub (an intrusive list, O(1) in and out), and the hub's single listener, added the first
 * time anything parks on the signal and kept for the signal's lifetime, aborts whatever is linked
 * when the signal fires. The hub also marks a goroutine's own `ctx.signal` (`owner`), so an
 * operation finds out with one property lookup whether to bind to a goroutine or link itself.
 *
 * Invariants:
 * - a link is in at most one hub's list, and `hub` names it (null when not linked);
 * - a hub's listener is registered exactly once, when the first link is added;
 * - `fire` unlinks each link before calling it, so a link may unlink or relink freely.
 */

const kHub: unique symbol = Symbol('gorx.signalHub');

/** Something that reacts to a signal's abort (a parked op, a goroutine, a timeout). */
export abstract class AbortLink {
  hub: Hub | null = null;
  hprev: AbortLink | null = null;
  hnext: AbortLink | null = null;
  /** Called once when the signal it is linked to aborts; it has been unlinked already. */
  abstract onSignalAbort(reason: unknown): void;
}

/** The gorx state of one AbortSignal, kept on the signal itself (one property lookup). */
export class Hub {
  head: AbortLink | null = null;
  tail: AbortLink | null = null;
  /** The goroutine whose `ctx.signal` this is (its ops bind to it directly), or null. */
  owner: unknown = null;
  private listening = false;

  constructor(private readonly signal: AbortSignal) {}

  /** Appends `link`, adding the one listener on first use. Precondition: `link.hub === null`. */
  add(link: AbortLink): void {
    if (!this.listening) {
      this.listening = true;
      const signal = this.signal;
      signal.addEventListener('abort', () => this.fire(signal.reason), { once: true });
    }
    link.hub = this;
    link.hprev = this.tail;
    link.hnext = null;
    if (this.tail !== null) this.tail.hnext = link;
    else this.head = link;
    this.tail = link;
  }

  /** Aborts every link in FIFO order, including ones linked while it runs. */
  private fire(reason: unknown): void {
    let l: AbortLink | null;
    while ((l = this.head) !== null) {
      unlisten(l);
      l.onSignalAbort(reason);
    }
  }
}

/** The hub of `signal`, made on first use. */
export function hubOf(signal: AbortSignal): Hub {
  const s = signal as unknown as { [kHub]?: Hub };
  let hub = s[kHub];
  if (hub === undefined) {
    hub = new Hub(signal);
    s[kHub] = hub;
  }
  return hub;
}

/** Links `link` to `signal`'s hub. Precondition: `link.hub === null`; `signal` is not aborted. */
export function listen(signal: AbortSignal, link: AbortLink): void {
  hubOf(signal).add(link);
}

/** Unlinks `link` from its hub, if any. O(1). */
export function unlisten(link: AbortLink): void {
  const hub = link.hub;
  if (hub === null) return;
  if (link.hprev !== null) link.hprev.hnext = link.hnext;
  else hub.head = link.hnext;
  if (link.hnext !== null) link.hnext.hprev = link.hprev;
  else hub.tail = link.hprev;
  link.hub = link.hprev = link.hnext = null;
}

/** A link that calls a function (for `go`'s parent signal, `timeout`, `Group`). */
export class AbortCallback extends AbortLink {
  constructor(private readonly fn: (reason: unknown) => void) {
    super();
  }
  onSignalAbort(reason: unknown): void {
    this.fn(reason);
  }
}
