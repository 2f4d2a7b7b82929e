/**
 * The service's SLOs, the same in every experiment of the day, so the GameDay adds up what
 * each drill burned of them (the scenario's 'budget<5%').
 */
export const slos = [
  { name: 'app-available', sli: 'availability', objective: '99.9%', window: '30d' },
  { name: 'app-fast', sli: 'latency', objective: '99%', threshold: '500ms', window: '30d' },
] as const;
