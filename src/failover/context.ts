import type { LookupFunction } from 'node:net';
import type { RollbackRecord } from '../core/events';
import type { Journal } from '../core/journal';
import type { RunbookMarks } from '../measure/phases';
import type { TrafficRecorder } from '../probes/recorder';
import type { TargetSession } from '../targets/session';
import type { FailoverSpec } from './spec';

/** What the runbook's steps are given: the spec, the regions, the target and where to record. */
export interface RunbookContext {
  spec: FailoverSpec;
  from: string;
  to: string;
  target: TargetSession;
  journal: Journal;
  recorder: TrafficRecorder | null;
  signal: AbortSignal;
  /** Manual mode: asks the operator; resolves true to go ahead. */
  /** Asks for the go-ahead; the run's signal withdraws the question when the run is stopped. */
  approve: (question: string, signal?: AbortSignal) => Promise<boolean>;
  /** Registers (and journals) the undo of a change the runbook makes, before it makes it. */
  registerChange: (name: string, rollback: RollbackRecord) => void;
  /** Operator-initiated (`gameday failover`): nothing to detect. */
  skipDetection?: boolean;
  /** A failback (`gameday failover --failback`): `to` rejoins once the move is decided, before the writer moves. */
  rejoin?: boolean;
  /** Filled in as the runbook goes, for the engine deciding how long to wait for it. */
  progress?: { detected: boolean };
  /** What verify asks, as a new client would: the traffic URL and the target's name lookup. */
  verifyProbe: {
    url: string;
    method: string;
    headers: Record<string, string>;
    body?: string;
    lookup?: LookupFunction;
  } | null;
}

export interface RunbookResult {
  ok: boolean;
  reason: string;
  marks: RunbookMarks;
  promotionMs: number | null;
}
