/**
 * The deadlines of the exchanges in flight, in the order they were sent. Every exchange
 * of a probe has the same timeout, so deadlines arrive in ascending order and only the
 * oldest can be due: one timer for the head replaces a timer per request. An entry is
 * (item, seq): an item (a connection) is reused for later exchanges, and the caller's
 * `isStale(item, seq)` says whether the exchange an entry stands for has already ended.
 * Ended entries are dropped as they reach the head, so the queue holds about what is in
 * flight.
 */
export class DeadlineQueue<Item> {
  private items: Item[] = [];
  private seqs: number[] = [];
  private deadlines: number[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** `deadline` must not be earlier than any pushed before (same timeout, monotonic clock). */
  push(item: Item, seq: number, deadline: number): void {
    const last = this.deadlines.length - 1;
    if (last >= this.head && deadline < this.deadlines[last])
      throw new Error(`deadline ${deadline} is earlier than the last queued, ${this.deadlines[last]}`);
    this.items.push(item);
    this.seqs.push(seq);
    this.deadlines.push(deadline);
  }

  /** Drops the ended exchanges at the head. */
  dropSettled(isStale: (item: Item, seq: number) => boolean): void {
    while (this.head < this.items.length && isStale(this.items[this.head], this.seqs[this.head])) this.shift();
  }

  /** Removes and returns the items whose exchange is still running at or past its deadline. */
  expire(current: number, isStale: (item: Item, seq: number) => boolean): Item[] {
    const expired: Item[] = [];
    while (this.head < this.items.length) {
      const item = this.items[this.head];
      if (isStale(item, this.seqs[this.head])) this.shift();
      else if (this.deadlines[this.head] <= current) {
        expired.push(item);
        this.shift();
      } else break;
    }
    return expired;
  }

  /** The oldest deadline still queued (possibly of an ended exchange, which costs one early wake-up), or null. */
  nextDeadline(): number | null {
    return this.head < this.deadlines.length ? this.deadlines[this.head] : null;
  }

  private shift(): void {
    this.items[this.head] = undefined as Item;
    this.head++;
    // Compact once the dead prefix is large and at least half the arrays: amortised O(1) per entry.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.seqs = this.seqs.slice(this.head);
      this.deadlines = this.deadlines.slice(this.head);
      this.head = 0;
    }
  }
}
