import { z } from 'zod';
import { describePromqlError, parsePromql, PromqlSyntaxError } from './promql';

/**
 * A PromQL expression in an experiment (a probe's query, an SLI, a stop condition): checked
 * when the file is validated, so a typo is said with its field path before anything runs.
 */
export const promqlExpression = z
  .string({ error: 'expected a PromQL expression as a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .superRefine((query, ctx) => {
    try {
      parsePromql(query);
    } catch (error) {
      if (!(error instanceof PromqlSyntaxError)) throw error;
      ctx.addIssue({ code: 'custom', message: describePromqlError(error, query) });
    }
  });
