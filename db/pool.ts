import { Sequelize } from "sequelize";
import type { Settings } from "../config/settings";

/**
 * The connection pool of one service's database on one node. Every wait has an end: a stuck
 * statement, a lock held too long or a connection that went silent becomes a retryable 503
 * (db/errors.ts), never a stall of every request queued behind it. A connection whose
 * answer never came is dropped from the pool, not reused.
 */
/** ms a query waits for a free connection of the pool; also part of a node's stop (k8s/). */
export const POOL_ACQUIRE_TIMEOUT_MS = 5_000;

export function openPool(url: string, applicationName: string, given: Settings["databases"]): Sequelize {
	return new Sequelize(url, {
		dialect: "postgres",
		logging: false,
		pool: { max: given.poolMax, min: 0, idle: 10_000, acquire: POOL_ACQUIRE_TIMEOUT_MS },
		dialectOptions: {
			// pg_stat_activity names the node each connection belongs to.
			application_name: applicationName,
			keepAlive: true,
			statement_timeout: given.statementTimeoutMs,
			lock_timeout: given.lockTimeoutMs,
			idle_in_transaction_session_timeout: given.idleInTransactionTimeoutMs,
			query_timeout: given.queryTimeoutMs,
			connectionTimeoutMillis: given.connectTimeoutMs,
		},
	});
}
