import { randomInt } from 'node:crypto';
import { noSuchChange } from './errors';
import { XmlElement, xmlTimestamp } from './xml';

/**
 * Route 53 ChangeInfo for ChangeResourceRecordSets: a change is PENDING until it has
 * reached every Route 53 name server, then INSYNC (GetChange, and the SDK's
 * waitUntilResourceRecordSetsChanged waiter, poll for that).
 *
 * In the lab the zone already answers with the new records when ChangeResourceRecordSets
 * returns — there is only one name server — but the change still reports PENDING for
 * `insyncAfterMs` (default 500 ms), so code that waits for INSYNC is exercised for real.
 * Real Route 53 usually reports INSYNC within 60 seconds; nothing bounds it.
 */

export interface ChangeRecord {
  /** Bare id, e.g. C0GDL3Q9Z5X2N8RMHVT4A; the wire form is /change/<id>. */
  readonly id: string;
  readonly submittedAt: number;
  readonly insyncAt: number;
  readonly comment?: string;
}

export interface ChangeTrackerOptions {
  /** How long a change stays PENDING. Default 500 ms. */
  insyncAfterMs?: number;
  /** Wall clock in ms; injectable for tests. */
  now?: () => number;
  /** Changes remembered for GetChange, oldest forgotten first. Default 10 000. */
  limit?: number;
}

export const defaultInsyncAfterMs = 500;

const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export class ChangeTracker {
  private readonly changes = new Map<string, ChangeRecord>();
  private readonly insyncAfterMs: number;
  private readonly now: () => number;
  private readonly limit: number;

  constructor(options: ChangeTrackerOptions = {}) {
    this.insyncAfterMs = options.insyncAfterMs ?? defaultInsyncAfterMs;
    this.now = options.now ?? Date.now;
    this.limit = options.limit ?? 10_000;
  }

  /** Records a change batch that was just applied. */
  submit(comment?: string): ChangeRecord {
    let id: string;
    do id = newChangeId();
    while (this.changes.has(id));
    const submittedAt = this.now();
    const change: ChangeRecord = {
      id,
      submittedAt,
      insyncAt: submittedAt + this.insyncAfterMs,
      ...(comment ? { comment } : {}),
    };
    this.changes.set(id, change);
    if (this.changes.size > this.limit) this.changes.delete(this.changes.keys().next().value!);
    return change;
  }

  /** GetChange; accepts the bare id or the /change/ form. */
  get(id: string): ChangeRecord {
    const bare = id.replace(/^\/?change\//, '');
    const change = this.changes.get(bare);
    if (change === undefined) throw noSuchChange(bare);
    return change;
  }

  status(change: ChangeRecord): 'PENDING' | 'INSYNC' {
    return this.now() >= change.insyncAt ? 'INSYNC' : 'PENDING';
  }

  /** The ChangeInfo element of ChangeResourceRecordSets and GetChange responses. */
  changeInfo(change: ChangeRecord): XmlElement {
    return [
      'ChangeInfo',
      [
        ['Id', `/change/${change.id}`],
        ['Status', this.status(change)],
        ['SubmittedAt', xmlTimestamp(change.submittedAt)],
        ['Comment', change.comment],
      ],
    ];
  }
}

/** Route 53 change ids: C followed by upper-case letters and digits. */
function newChangeId(): string {
  let id = 'C';
  for (let i = 0; i < 20; i++) id += idAlphabet[randomInt(idAlphabet.length)];
  return id;
}
