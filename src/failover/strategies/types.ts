/**
 * A failover strategy's part of the runbook: the steps it adds around the writer's move,
 * each carried out by the target in the region failed over to (TargetSession.strategyStep).
 * The lab side of the same strategy (lab/strategies/) declares the processes; this side,
 * where in the runbook its steps go.
 */
export interface StrategyRunbook {
  /** Before the writer moves (after the decision). */
  beforeMove: readonly string[];
  /** After the promotion, before the traffic shift. */
  afterMove: readonly string[];
  /**
   * What preflight expects of the region failed over to: running (in sync, its health check healthy), or cold
   * (nothing runs there until the runbook restores it). Default running.
   */
  standby?: 'running' | 'cold';
  /**
   * Which regions write: one (default; the runbook fences it and promotes the region failed over to), or every region
   * (data-active-active: the region failed over to already writes, so there is no fence and no promotion — its
   * clients just go there).
   */
  writers?: 'one' | 'every-region';
}
