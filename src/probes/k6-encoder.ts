import type { K6CheckRow, K6RequestRow, K6TagSet } from '../core/events';
import { tenths } from './batcher';
import type { HttpOutcome } from './http-traffic';
import type { K6Check, K6Request } from './k6-points';

/**
 * k6's requests and checks as gameday keeps them: on gameday's clock (k6 stamps points
 * with the wall clock), compact journal rows whose tags are interned as tag sets, and
 * each request as an outcome for the live windows guards and detection read.
 */
export class K6SampleEncoder {
  private readonly tagIds = new Map<string, number>();
  private newTagSets: K6TagSet[] = [];

  /** `clockOffset`: gameday's clock less the wall clock, when the probe started. */
  constructor(private readonly clockOffset: number) {}

  request(request: K6Request): { row: K6RequestRow; outcome: HttpOutcome } {
    const t = request.startedAt + this.clockOffset;
    const tagSet = this.tagSetId('request', request.scenario, request.name, request.group);
    return {
      row: [
        tenths(t),
        tenths(request.latencyMs),
        request.status,
        request.ok ? 1 : 0,
        request.error,
        request.region,
        tagSet,
      ],
      outcome: {
        t,
        sendLagMs: 0,
        latencyMs: request.latencyMs,
        ok: request.ok,
        status: request.status,
        error: request.error,
        region: request.region,
      },
    };
  }

  check(check: K6Check): K6CheckRow {
    return [
      tenths(check.at + this.clockOffset),
      check.ok ? 1 : 0,
      this.tagSetId('check', check.scenario, check.check, check.group),
    ];
  }

  /** The tag sets first used since the last call: they go in the same journal event as the rows that use them. */
  takeNewTagSets(): K6TagSet[] {
    const tagSets = this.newTagSets;
    this.newTagSets = [];
    return tagSets;
  }

  private tagSetId(kind: K6TagSet['kind'], scenario: string, name: string, group: string): number {
    const key = JSON.stringify([kind, scenario, name, group]);
    let id = this.tagIds.get(key);
    if (id === undefined) {
      id = this.tagIds.size;
      this.tagIds.set(key, id);
      this.newTagSets.push({ id, kind, scenario, name, group });
    }
    return id;
  }
}
