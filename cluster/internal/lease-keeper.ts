/**
 * The holder side of a lease: renews it, and declares it lost at this process's own deadline.
 *
 * Timing (ttl = the lease's time to live; "sent" = monotonic time a successful acquire or renew
 * was SENT, which is before the server stamped its expiry):
 * - renewal every ttl/3 after the last successful send; a failed renewal is retried every ttl/10;
 * - local deadline = sent + ttl * DEADLINE_FRACTION, i.e. a margin of 20% of the ttl before the
 *   earliest moment the server can consider the lease expired (sent + ttl <= stamp + ttl).
 *   The margin absorbs timer lateness and clock-rate drift; a process that is paused or stalled
 *   past it cannot act on time at all, and then only the fence protects.
 *
 * Invariants:
 * - `state` goes held -> lost | released, once; afterwards no timer is armed;
 * - `signal` is aborted exactly when `state` leaves held (reason: a LeaseLostError);
 * - at most one renewal is in flight; a check asked for meanwhile runs right after it.
 */
import { LeaseLostError } from '../errors.js';
import type { LeaseScope, LeaseStore } from '../lease-store.js';

export const RENEW_FRACTION = 1 / 3;
export const DEADLINE_FRACTION = 0.8;
const RETRY_FRACTION = 0.1;

const noop = (): void => {};

export class LeaseKeeper {
  private readonly controller = new AbortController();
  private state: 'held' | 'lost' | 'released' = 'held';
  private deadline: number;
  private renewTimer: ReturnType<typeof setTimeout> | null = null;
  private deadlineTimer: ReturnType<typeof setTimeout> | null = null;
  private renewing = false;
  /** A check was asked for while a renewal was in flight (its answer may predate the news). */
  private recheck = false;
  private releasing: Promise<void> | null = null;
  /** Called when a renewal sees a newer fence (a supersede ticket). */
  onSuperseded: ((latest: bigint) => void) | null = null;

  constructor(
    private readonly store: LeaseStore,
    private readonly scope: LeaseScope,
    readonly name: string,
    readonly holder: string,
    readonly fence: bigint,
    readonly ttlMs: number,
    sentAt: number,
    readonly details: unknown,
  ) {
    this.deadline = sentAt + ttlMs * DEADLINE_FRACTION;
    this.armDeadline();
    this.scheduleRenew(sentAt + ttlMs * RENEW_FRACTION - performance.now());
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get held(): boolean {
    return this.state === 'held' && performance.now() < this.deadline;
  }

  /** Milliseconds until the local deadline (negative once past). */
  remainingMs(): number {
    return this.deadline - performance.now();
  }

  /** Renews now (e.g. after a notification), unless a renewal is already in flight. */
  checkNow(): void {
    if (this.state !== 'held') return;
    if (this.renewing) {
      this.recheck = true;
      return;
    }
    this.clearRenew();
    void this.renew();
  }

  saveDetails(details: unknown): Promise<boolean> {
    if (!this.held) return Promise.resolve(false);
    return this.store.saveDetails(this.scope, this.name, this.holder, this.fence, details);
  }

  release(): Promise<void> {
    if (this.state === 'held') {
      this.state = 'released';
      this.stopTimers();
      this.controller.abort(new LeaseLostError(this.name, 'released by its holder'));
      this.releasing = this.freeOnStore();
    }
    return this.releasing ?? Promise.resolve();
  }

  private lose(why: string): void {
    if (this.state !== 'held') return;
    this.state = 'lost';
    this.stopTimers();
    this.controller.abort(new LeaseLostError(this.name, why));
    // If the store still has us (e.g. our process stalled but nobody took over), free it so the
    // next holder need not wait for the expiry.
    this.releasing = this.freeOnStore();
  }

  private freeOnStore(): Promise<void> {
    return this.store.release(this.scope, this.name, this.holder, this.fence).then(noop, noop);
  }

  private async renew(): Promise<void> {
    this.renewing = true;
    const sentAt = performance.now();
    let held: boolean;
    let latest = this.fence;
    try {
      const r = await this.store.renew(this.scope, this.name, this.holder, this.fence, this.ttlMs);
      held = r.held;
      if (r.held) latest = r.latestFence;
    } catch {
      this.renewing = false;
      // Store unreachable: retry until the deadline says otherwise.
      if (this.state === 'held') this.scheduleRenew(this.ttlMs * RETRY_FRACTION);
      return;
    }
    this.renewing = false;
    if (this.state !== 'held') return;
    if (!held) {
      this.lose('the store reports it expired or was taken over');
      return;
    }
    this.deadline = Math.max(this.deadline, sentAt + this.ttlMs * DEADLINE_FRACTION);
    this.armDeadline();
    const again = this.recheck;
    this.recheck = false;
    this.scheduleRenew(again ? 0 : sentAt + this.ttlMs * RENEW_FRACTION - performance.now());
    if (latest > this.fence) this.onSuperseded?.(latest);
  }

  private armDeadline(): void {
    if (this.deadlineTimer !== null) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(
      () => {
        this.deadlineTimer = null;
        if (this.state !== 'held') return;
        if (performance.now() < this.deadline) this.armDeadline();
        else
          this.lose(
            `not renewed before this process's deadline (${this.ttlMs * DEADLINE_FRACTION} ms of its ${this.ttlMs} ms ttl)`,
          );
      },
      Math.max(0, this.deadline - performance.now()),
    );
  }

  private scheduleRenew(ms: number): void {
    this.clearRenew();
    this.renewTimer = setTimeout(
      () => {
        this.renewTimer = null;
        if (this.state === 'held' && !this.renewing) void this.renew();
      },
      Math.max(0, ms),
    );
  }

  private clearRenew(): void {
    if (this.renewTimer !== null) clearTimeout(this.renewTimer);
    this.renewTimer = null;
  }

  private stopTimers(): void {
    this.clearRenew();
    if (this.deadlineTimer !== null) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
  }
}
