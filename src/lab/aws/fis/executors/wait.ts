import { durationMs } from '../duration';
import { sleep, type Executor } from './execution';

/** aws:fis:wait: nothing happens in the lab for `duration`; later actions start after it. */
export const wait: Executor = ({ parameters }) => {
  const ms = durationMs(parameters.duration);
  return {
    summary: `wait ${parameters.duration}`,
    inject: async () => undefined,
    settle: (signal) => sleep(ms, signal),
    revert: async () => undefined,
  };
};
