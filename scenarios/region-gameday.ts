import { defineScenario } from 'gameday';

/**
 * A GameDay on the local lab, in a few minutes: four drills of growing blast radius on one
 * lab — a health-check failure, latency, the primary database going down, the loss of a
 * whole region with its failover — with a go/no-go decision before each of the last three.
 * The lab is started once for the day (health checks every 500 ms, short TTLs, so each
 * drill takes seconds) and each experiment writes its own full report inside the day's.
 * Its steps are the examples in experiments/, made shorter, in scenarios/region-gameday/.
 *
 * The day is told in one Slack thread in #gameday-drills (README "Notifications"): it needs a
 * bot token in SLACK_BOT_TOKEN; without one, run it with --no-notify.
 *
 *   npx gameday plan scenarios/region-gameday.ts
 *   npx gameday run scenarios/region-gameday.ts --yes     # every checkpoint answered yes
 *   npx gameday run scenarios/region-gameday.ts           # asked at the terminal, or:
 *   npx gameday approve latest --as Chloe [--no]          # from another terminal
 *   npx gameday run scenarios/region-gameday.ts --yes --no-notify   # without Slack
 */
export default defineScenario({
  name: 'region failover',
  description:
    'From a health-check failure to the loss of us-east-1: the service stays up, fails over within 20 s, ' +
    'loses no acknowledged order and burns under 5% of a month of either SLO budget over the whole day.',
  // `direct`: faults through the lab's own control API, the one that can hold a database down.
  target: {
    kind: 'lab',
    api: 'direct',
    regions: ['us-east-1', 'eu-west-1'],
    healthCheck: { interval: '500ms', failureThreshold: 2 },
    ttl: { app: '1s', writer: '1s' },
  },
  participants: [
    { name: 'Ana', role: 'facilitator' },
    { name: 'Ben', role: 'operator' },
    { name: 'Chloe', role: 'approver', slack: 'U024BE7LH' },
    { name: 'Dev', role: 'observer' },
  ],
  objectives: ['passed', 'budget<5%', 'rto<60s', 'rpo<=1s'],
  steps: [
    {
      kind: 'note',
      name: 'kick-off',
      message:
        'Ana facilitates, Ben runs the drills, Chloe decides each go/no-go, Dev keeps the notes. ' +
        'Watch `gameday lab status` and the live line below; say stop at any time (Ctrl-C rolls back).',
    },
    { kind: 'experiment', experiment: './region-gameday/health-check-failure.ts' },
    {
      kind: 'checkpoint',
      question: 'DNS moved clients away and back. Go on to latency on us-east-1?',
      timeout: '10m',
      default: 'no',
    },
    { kind: 'experiment', experiment: './region-gameday/latency.ts' },
    {
      kind: 'checkpoint',
      question: 'Go on to crashing the primary database (failover, then failback)?',
      timeout: '10m',
    },
    { kind: 'experiment', experiment: './region-gameday/db-primary-stop.ts' },
    { kind: 'wait', duration: '5s', reason: 'let the rebuilt standby catch up with the writer' },
    {
      kind: 'checkpoint',
      question: 'Go on to losing us-east-1 (failover to eu-west-1, then failback)?',
      timeout: '10m',
    },
    { kind: 'experiment', experiment: './region-gameday/region-outage.ts' },
    {
      kind: 'note',
      name: 'retrospective',
      message: "Compare the agenda with what happened; read each drill's report; file the action items.",
    },
  ],
  tags: ['lab', 'gameday'],
  // Chloe (her Slack ID above) is called at each go/no-go; the thread ends with the verdict and report.pdf.
  notify: [{ kind: 'slack', channel: '#gameday-drills' }],
  service: 'orders',
  // Every Tuesday morning in Berlin, at a moment nobody knows in advance, never during the year-end freeze:
  //   npx gameday schedule list scenarios/region-gameday.ts
  //   npx gameday schedule run scenarios/region-gameday.ts      # checkpoints wait for `gameday approve`
  schedule: {
    cron: '0 10 * * TUE',
    timezone: 'Europe/Berlin',
    window: '2h',
    blackout: [{ from: '2026-12-18', to: '2027-01-04', reason: 'year-end release freeze' }],
    overlap: 'skip',
    missed: 'run-once',
  },
});
