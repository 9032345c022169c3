/**
 * What the venue said that the strategy hears of later (a response latency): fills, rejections
 * and cancellations, each with the time it arrives. The loop reads `due` (the earliest) to stop
 * its quiet path in time, and takes what is due at each event, in the order it was said.
 */
import { objectList } from '../arrays.js';
import type { EpochUs } from '../data/time.js';
import type { Cancellation, Fill, Rejection } from '../strategy/types.js';

export interface Notice {
  readonly due: EpochUs;
  readonly fill?: Fill;
  readonly rejection?: Rejection;
  readonly cancellation?: Cancellation;
}

export class Notices {
  private readonly list = objectList<Notice>();
  /** The earliest arrival (Infinity: none waiting). */
  due = Infinity;

  push(n: Notice): void {
    this.list.push(n);
    if (n.due < this.due) this.due = n.due;
  }

  /** The notices due by `t`, in the order they were made (removed). */
  take(t: EpochUs): Notice[] {
    const list = this.list;
    const out: Notice[] = [];
    let next = Infinity;
    let m = 0;
    for (const n of list) {
      if (n.due <= t) out.push(n);
      else {
        list[m++] = n;
        if (n.due < next) next = n.due;
      }
    }
    list.length = m;
    this.due = next;
    return out;
  }
}
