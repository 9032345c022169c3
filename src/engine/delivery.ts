/**
 * What reaches the strategy besides market events: its fills (onFill), the venue's rejections
 * (onReject) and cancellations (onCancel), now or after a response latency ({@link Notices}), and
 * the handler calls themselves, whose exceptions become a StrategyError naming the handler.
 */
import { objectList } from '../arrays.js';
import type { EpochUs } from '../data/time.js';
import type { Cancellation, Context, Fill, Rejection, Strategy } from '../strategy/types.js';
import { Notices } from './notices.js';
import { deniedText } from '../strategy/denied.js';

export class Delivery {
  /** Every rejection and cancellation of the run, for its record. */
  readonly rejections = objectList<Rejection>();
  readonly cancellations = objectList<Cancellation>();
  /** This event's fills, delivered after the books are updated. */
  readonly eventFills = objectList<Fill>();
  readonly notices = new Notices();
  private readonly pendingRejections = objectList<Rejection>();
  private readonly pendingCancels = objectList<Cancellation>();

  constructor(
    private readonly strategy: Strategy,
    private readonly ctx: Context,
    /** Stops the run naming the cause (a StrategyError). */
    private readonly fail: (cause: string, thrown?: unknown) => never,
    private readonly isStrategyError: (e: unknown) => boolean,
  ) {}

  /** Rejections or cancellations wait for {@link flush}. */
  get pending(): boolean {
    return this.pendingRejections.length > 0 || this.pendingCancels.length > 0;
  }

  /** A rejection heard of at `at` (now: `now`; later: a response latency). */
  rejected(r: Rejection, now: EpochUs, at: EpochUs): void {
    if (at <= now) this.pendingRejections.push(r);
    else this.notices.push({ due: at, rejection: r });
  }

  cancelled(c: Cancellation, now: EpochUs, at: EpochUs): void {
    this.cancellations.push(c);
    if (at <= now) this.pendingCancels.push(c);
    else this.notices.push({ due: at, cancellation: c });
  }

  /** A fill heard of at `at`: with this event's fills, or later. */
  filled(f: Fill, now: EpochUs, at: EpochUs): void {
    if (at > now) this.notices.push({ due: at, fill: f });
    else this.eventFills.push(f);
  }

  /** Rethrows what a handler threw as a StrategyError naming the handler and the tick. */
  handlerFailed(what: string, e: unknown): never {
    if (this.isStrategyError(e)) throw e;
    // a refusal of the sandbox (a file, the network, process.exit) says what was tried and the flag
    const denied = deniedText(e);
    if (denied !== undefined) return this.fail(`${what} ${denied}`, e);
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return this.fail(`${what} threw ${msg}`, e);
  }

  call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.handlerFailed(what, e);
    }
  }

  /** The notices due by `t`, in the order they were made; then rejections and cancellations. */
  deliverNotices(t: EpochUs): void {
    const onFill = this.strategy.onFill;
    for (const n of this.notices.take(t)) {
      if (n.fill) {
        if (onFill) this.call('onFill', () => onFill.call(this.strategy, this.ctx, n.fill!));
      } else if (n.rejection) this.pendingRejections.push(n.rejection);
      else if (n.cancellation) this.pendingCancels.push(n.cancellation);
    }
    this.flush();
  }

  /** This event's fills reach onFill; then any rejections and cancellations. */
  deliverFills(): void {
    const onFill = this.strategy.onFill;
    if (onFill) {
      for (const f of this.eventFills) {
        try {
          onFill.call(this.strategy, this.ctx, f);
        } catch (e) {
          this.handlerFailed('onFill', e);
        }
      }
    }
    this.eventFills.length = 0;
    if (this.pending) this.flush();
  }

  /** Rejections, then cancellations, reach onReject and onCancel. */
  flush(): void {
    this.drain(this.pendingRejections, 'onReject', this.rejections);
    this.drain(this.pendingCancels, 'onCancel');
  }

  /** Hands each queued notice to the strategy's handler in order (a handler may queue more), recording it first. */
  private drain<K extends 'onReject' | 'onCancel'>(queue: Parameters<NonNullable<Strategy[K]>>[1][], handler: K, record?: Parameters<NonNullable<Strategy[K]>>[1][]): void {
    while (queue.length > 0) {
      const x = queue.shift()!;
      record?.push(x);
      const h = this.strategy[handler] as ((ctx: Context, x: unknown) => void) | undefined;
      if (!h) continue;
      try {
        h.call(this.strategy, this.ctx, x);
      } catch (e) {
        this.handlerFailed(handler, e);
      }
    }
  }
}
