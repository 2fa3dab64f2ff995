import { QueryTypes, type Sequelize } from "sequelize";
import type { OutboxStats } from "../../types";

export type OutboxKind = "createWorkflow" | "removeWorkflows";

/** Work the buildings service owes the workflows service, saved with the change that caused it. */
export interface OutboxJob {
	id: string;
	buildingId: number;
	kind: OutboxKind;
	payload: { name?: string };
	attempts: number;
}

/** When a job leased now may be taken by another node: the lease is written here only. */
export const LEASE_END = "now() + :leaseMs * interval '1 millisecond'";
export const JOB_COLUMNS = '"id", "buildingId", "kind", "payload", "attempts"';

/** Takes up to `limit` jobs that are due, leasing them to this node; other nodes skip them. */
export function claimDueJobs(sequelize: Sequelize, limit: number, leaseMs: number): Promise<OutboxJob[]> {
	return sequelize.query<OutboxJob>(
		`UPDATE "outbox" SET "attempts" = "attempts" + 1, "nextAttemptAt" = ${LEASE_END}
		 WHERE "id" IN (SELECT "id" FROM "outbox" WHERE "nextAttemptAt" <= now() ORDER BY "id" LIMIT :limit FOR UPDATE SKIP LOCKED)
		 RETURNING ${JOB_COLUMNS}`,
		{ replacements: { limit, leaseMs }, type: QueryTypes.SELECT },
	);
}

export async function deleteJob(sequelize: Sequelize, jobId: string): Promise<void> {
	await sequelize.query('DELETE FROM "outbox" WHERE "id" = :jobId', { replacements: { jobId } });
}

/** Puts a failed job back, due in `delayMs`, with the reason it failed. */
export async function retryJobLater(sequelize: Sequelize, jobId: string, delayMs: number, error: string): Promise<void> {
	await sequelize.query(
		`UPDATE "outbox" SET "nextAttemptAt" = now() + :delayMs * interval '1 millisecond', "lastError" = :error WHERE "id" = :jobId`,
		{
			replacements: { jobId, delayMs, error: error.slice(0, 1000) },
		},
	);
}

/** How many jobs wait, and for how long the oldest has (ms): the backlog an operator watches. */
export async function outboxStats(sequelize: Sequelize): Promise<OutboxStats> {
	const [row] = await sequelize.query<{ backlog: number; oldestAge: number | null }>(
		`SELECT count(*)::integer AS "backlog", (extract(epoch FROM now() - min("createdAt")) * 1000)::float8 AS "oldestAge" FROM "outbox"`,
		{ type: QueryTypes.SELECT },
	);
	return { backlog: row.backlog, oldestAge: row.oldestAge === null ? null : Math.round(row.oldestAge) };
}
