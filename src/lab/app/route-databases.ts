import type { QueryResultRow } from 'pg';

/** What the app's page and cart routes need of it: its region, its local database, and the writer. */
export interface RouteDatabases {
  region: string;
  /** A statement on this region's database: pages read locally, as a region's replicas serve reads. */
  local<R extends QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** A statement on the current writer, and the writer's address. */
  writer<R extends QueryResultRow>(sql: string, params?: unknown[]): Promise<{ rows: R[]; writer: string }>;
}
