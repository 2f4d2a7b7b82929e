/**
 * Requests released while every connection was busy, waiting (first in, first out) for a
 * connection to free or to be opened. Every request of a probe has the same timeout, so
 * the head always has the earliest deadline. Kept as number columns with a moving head:
 * a burst of thousands costs no object per request.
 */
export class WaitingRequests {
  private dues: number[] = [];
  private releases: number[] = [];
  private head = 0;

  get length(): number {
    return this.dues.length - this.head;
  }

  push(due: number, released: number): void {
    this.dues.push(due);
    this.releases.push(released);
  }

  /** The head's due time; the queue must not be empty. */
  headDue(): number {
    return this.dues[this.head];
  }

  /** The head's release time (its deadline is this plus the timeout); the queue must not be empty. */
  headReleased(): number {
    return this.releases[this.head];
  }

  /** Removes the head; the queue must not be empty. */
  dropHead(): void {
    this.head++;
    if (this.head === this.dues.length) {
      this.dues.length = 0;
      this.releases.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.dues.length) {
      // Compact once the dead prefix is large and at least half the arrays: amortised O(1) per entry.
      this.dues = this.dues.slice(this.head);
      this.releases = this.releases.slice(this.head);
      this.head = 0;
    }
  }
}
