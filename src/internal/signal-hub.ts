/**
 * One abort listener per AbortSignal, shared by everything gorx parks on it, and a plain field that
 * says whether the signal has aborted.
 *
 * EventTarget calls are slow in Node and every listener counts towards the MaxListeners warning, so
 * an operation given a signal does not register its own listener: it links itself into the
 * signal's hub (an intrusive list, O(1) in and out), and the hub's single listener, added when
 * the signal is watched and kept for the signal's lifetime, aborts whatever is linked when the
 * signal fires. The hub also marks a goroutine's own `ctx.signal` (`owner`), so an operation finds
 * out with one property lookup whether to bind to a goroutine or link itself.
 *
 * Reading `signal.aborted` (a getter with a brand check, on an object whose hidden class is its
 * own) costs more than the rest of an operation that completes at once, so a watched hub answers
 * it from a plain field, its `state`, which its listener sets to FIRED. That answer is exact only
 * when the hub's listener is the signal's first abort listener (state LIVE): Node's `abort()` sets
 * `aborted` and then calls the listeners in the order they were added, so code run by an earlier
 * listener would see `aborted` true and the state not yet FIRED. A hub that watches a signal that
 * already had listeners is WATCHED, not LIVE, and its operations read the getter until it has
 * fired. A signal is watched from its second operation (or its first park), so a signal made for
 * a single operation never gets a listener.
 *
 * Signals that Node keeps alive while they have an abort listener (`AbortSignal.timeout`, and
 * `AbortSignal.any` over live sources) are different: a listener kept for their lifetime would keep
 * them forever (a per-request `AbortSignal.any([shutdown, req.signal])` that never aborts). Their
 * hub is *held*: it registers its listener only while an operation is parked on the signal and
 * removes it when the last one leaves, and its operations always read the getter (such a signal
 * can also be marked aborted by its source before any of its own listeners run, on Node 23+). A
 * signal gorx cannot tell apart (no Node internals it recognises: a polyfill, another realm, a
 * future Node) is treated as held: slower, never kept.
 *
 * Invariants:
 * - a link is in at most one hub's list, and `hub` names it (null when not linked); the list is
 *   circular: a linked link's `hprev` and `hnext` are never null;
 * - a hub's listener is registered at most once at a time, by `register`; a plain hub never
 *   removes it, a held hub removes it when its list becomes empty (back to SEEN);
 * - a held hub is never LIVE;
 * - state LIVE or FIRED  =>  whenever code other than the listener runs, the state is FIRED
 *   exactly when `signal.aborted` is true;
 * - `fire` unlinks each link before calling it, so a link may unlink or relink freely.
 */
import { getEventListeners } from 'node:events';

const kHub: unique symbol = Symbol('gorx.signalHub');

/** Something that reacts to a signal's abort (a parked op, a goroutine, a timeout). */
export interface AbortLink {
  hub: Hub | null;
  hprev: AbortLink | null;
  hnext: AbortLink | null;
  /** Called once when the signal it is linked to aborts; it has been unlinked already. */
  onSignalAbort(reason: unknown): void;
}

/** Hub states, in order: each one implies the ones before it. */
/** No operation has checked the signal yet. */
const UNSEEN = 0;
/** An operation checked it once: it is watched from the second one (see `isAborted`). */
const SEEN = 1;
/** The listener is registered, but after other listeners: the getter must be read. */
const WATCHED = 2;
/** The listener is registered and is the signal's first: the signal has not aborted. */
export const LIVE = 3;
/** The signal has aborted and the listener has run (or the signal was aborted when watched). */
export const FIRED = 4;

/** The gorx state of one AbortSignal, kept on the signal itself (one property lookup). */
export class Hub {
  /**
   * The longest-linked link, or null. The list is circular (`head.hprev` is the newest link), so
   * linking into a non-empty list stores into links only: a hub soon lives in V8's old
   * generation, where every store of a newer object into it takes the write barrier's slow path.
   */
  head: AbortLink | null = null;
  /** The goroutine whose `ctx.signal` this is (its ops bind to it directly), or null. */
  owner: unknown = null;
  /**
   * UNSEEN, SEEN, WATCHED, LIVE or FIRED. From LIVE on, the state says exactly whether the signal
   * has aborted, whenever code other than the listener runs (see the top).
   */
  state: number = UNSEEN;

  /** Node keeps the signal alive while it has a listener (see the top); known once watched. */
  private held: boolean | undefined = undefined;
  /** The registered listener, while there is one. */
  private listener: (() => void) | null = null;

  constructor(private readonly signal: AbortSignal) {}

  /**
   * Watches the signal for good (a plain signal's second operation). A held signal is not: its
   * listener comes and goes with parked operations (`add`, `unlisten`). Precondition: the signal
   * has not aborted (`isAborted` just read it).
   */
  watch(): void {
    if (this.state < WATCHED && !this.isHeld()) this.register();
  }

  private isHeld(): boolean {
    return (this.held ??= heldWhileListened(this.signal));
  }

  /** Registers the one listener. Precondition: none is registered; the signal has not aborted. */
  private register(): void {
    const signal = this.signal;
    this.state = !this.isHeld() && isFirstListener(signal) ? LIVE : WATCHED;
    const listener = (): void => {
      // An 'abort' event dispatched by hand on a signal that has not aborted is not an abort.
      if (!signal.aborted) return;
      signal.removeEventListener('abort', listener);
      this.listener = null;
      this.state = FIRED;
      forget(this);
      this.fire(signal.reason);
    };
    this.listener = listener;
    signal.addEventListener('abort', listener);
  }

  /** The list became empty: a held hub lets go of the signal. */
  emptied(): void {
    if (this.held !== true) return;
    const listener = this.listener;
    if (listener === null) return;
    this.listener = null;
    this.state = SEEN;
    this.signal.removeEventListener('abort', listener);
  }

  /**
   * Appends `link`, watching the signal if not yet. Precondition: `link.hub === null`, and the
   * signal has not aborted.
   */
  add(link: AbortLink): void {
    if (this.state < WATCHED) this.register();
    link.hub = this;
    const first = this.head;
    if (first === null) {
      link.hprev = link.hnext = link;
      this.head = link;
      return;
    }
    const last = first.hprev!;
    link.hprev = last;
    link.hnext = first;
    last.hnext = link;
    first.hprev = link;
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

/**
 * True when `signal` has no abort listener yet, so one added now runs first. False when it has
 * one, or when Node cannot tell: an AbortSignal of another realm or a polyfill (duck-typed, see
 * validate.ts), which `getEventListeners` rejects.
 */
function isFirstListener(signal: AbortSignal): boolean {
  try {
    return getEventListeners(signal, 'abort').length === 0;
  } catch {
    return false;
  }
}

/**
 * True when Node keeps `signal` alive while it has an abort listener: a timeout signal, or a
 * composite one (`AbortSignal.any`). Read from Node's own markers on the signal (symbols named
 * `kTimeout` and `kComposite`); a signal without them (a polyfill, another realm, a Node that
 * renamed them) counts as held, which is safe.
 */
function heldWhileListened(signal: AbortSignal): boolean {
  let known = false;
  for (const sym of Object.getOwnPropertySymbols(signal)) {
    const name = sym.description;
    if (name !== 'kComposite' && name !== 'kTimeout') continue;
    if ((signal as unknown as Record<symbol, unknown>)[sym] === true) return true;
    if (name === 'kComposite') known = true;
  }
  return !known;
}

/** Hubs of signals that cannot take a property (frozen, sealed): rare, so looked up last. */
const sideHubs = new WeakMap<object, Hub>();

/**
 * The hub of `signal`, made on first use. Small enough for V8 to inline into every operation
 * without spending much of its inlining budget there: the lookup is out of line.
 */
export function hubOf(signal: AbortSignal): Hub {
  return signal === lastSignal ? lastHub! : lookUpHub(signal);
}

function lookUpHub(signal: AbortSignal): Hub {
  const s = signal as unknown as { [kHub]?: Hub };
  let hub = s[kHub] ?? sideHubs.get(signal);
  if (hub === undefined) {
    hub = new Hub(signal);
    if (Object.isExtensible(signal)) s[kHub] = hub;
    else sideHubs.set(signal, hub);
  }
  return hub;
}

/**
 * True when `signal` has aborted, read through the getter: for a signal whose hub (`hub`, from
 * `existingHub`, or none yet) is not exact. A signal not aborted is watched from its second check
 * on (a goroutine's own `ctx.signal` is not: its operations bind to the goroutine). Precondition:
 * `signal` is an AbortSignal.
 */
export function isAborted(signal: AbortSignal, hub: Hub | undefined): boolean {
  if (signal.aborted) return true;
  const h = hub ?? hubOf(signal);
  if (h.state === UNSEEN) h.state = SEEN;
  else if (h.owner === null) h.watch();
  return false;
}

/**
 * The hub of `signal`, or undefined when it has none yet. `signal` may be anything: only
 * AbortSignals get a hub, so a hub found also tells that `signal` is one (no `instanceof` needed).
 * An exact hub (state LIVE or FIRED) says whether the signal has aborted; so does the owner of a
 * goroutine's own `ctx.signal`.
 */
export function existingHub(signal: unknown): Hub | undefined {
  // Small, like `hubOf`.
  return signal === lastSignal ? lastHub! : findHub(signal);
}

function findHub(signal: unknown): Hub | undefined {
  if (typeof signal !== 'object' || signal === null) return undefined;
  let hub = (signal as { [kHub]?: Hub })[kHub];
  if (hub === undefined) {
    if (Object.isExtensible(signal)) return undefined;
    hub = sideHubs.get(signal);
  }
  if (hub !== undefined && hub.state >= LIVE && hub.owner === null) {
    lastSignal = signal;
    lastHub = hub;
  }
  return hub;
}

/**
 * The foreign signal whose exact hub was looked up last, and that hub: a loop of operations on one
 * signal looks nothing up on it. In Node every AbortSignal has a hidden class of its own, so a
 * property read on signals (`aborted`, or the hub's slot) is a megamorphic lookup, slower than the
 * rest of an operation that completes at once. Keeps that one signal reachable until another one
 * is looked up or it aborts.
 */
const NONE: unknown = {};
let lastSignal: unknown = NONE;
let lastHub: Hub | null = null;

function forget(hub: Hub): void {
  if (lastHub === hub) {
    lastSignal = NONE;
    lastHub = null;
  }
}

/** Links `link` to `signal`'s hub. Precondition: `link.hub === null`; `signal` is not aborted. */
export function listen(signal: AbortSignal, link: AbortLink): void {
  hubOf(signal).add(link);
}

/** Unlinks `link` from its hub, if any. O(1). */
export function unlisten(link: AbortLink): void {
  const hub = link.hub;
  if (hub === null) return;
  const next = link.hnext!;
  const prev = link.hprev!;
  link.hub = link.hprev = link.hnext = null;
  if (next === link) {
    hub.head = null;
    hub.emptied();
    return;
  }
  prev.hnext = next;
  next.hprev = prev;
  if (hub.head === link) hub.head = next;
}

/** A link that calls a function (for `go`'s parent signal, `timeout`, `Group`). */
export class AbortCallback implements AbortLink {
  hub: Hub | null = null;
  hprev: AbortLink | null = null;
  hnext: AbortLink | null = null;
  constructor(private readonly fn: (reason: unknown) => void) {}
  onSignalAbort(reason: unknown): void {
    this.fn(reason);
  }
}
