import { z } from 'zod';
import { httpUrl } from '../core/fields';

/**
 * Where the drill is drawn on the team's dashboards: a Grafana annotation (POST
 * /api/annotations) for each fault and each failover step, tagged `chaos=true`, the run id
 * and the fault, so every dashboard showing that time shows the drill.
 */
export const annotationsSchema = z.strictObject({
  grafana: z.strictObject({
    /** Grafana's base URL (the API is at `${url}/api/annotations`). */
    url: httpUrl,
    /** A service account token with annotations:write; sent as a Bearer token, never journaled. */
    token: z.string({ error: 'expected a Grafana service account token' }).min(1, { error: 'must not be empty' }),
    /** Annotate this dashboard only; without it the annotations are the organisation's, shown by tag. */
    dashboardUID: z.string().min(1).optional(),
    /** Tags added to gameday's own. */
    tags: z.array(z.string().min(1)).default([]),
  }),
});

export type AnnotationsConfig = z.input<typeof annotationsSchema>;
export type Annotations = z.output<typeof annotationsSchema>;
