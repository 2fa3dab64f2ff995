import { QueryTypes, type Sequelize, type Transaction } from "sequelize";

export type OutboxKind = "createWorkflow" | "removeWorkflows";

/** Work the buildings service owes the workflows service, saved with the change that caused it. */
export interface OutboxJob {
	id: string;
	buildingId: number;
	kind: OutboxKind;
	payload: { name?: string };
	attempts: number;
}

export interface OutboxOptions {
	/** How long a claimed job is left to its node before another may take it. */
	leaseMs: number;
	/** The longest wait between two attempts of a job. */
	maxBackoffMs: number;
}

/**
 * The outbox table. A job is added in the transaction of the change it belongs to, and leased
 * (not locked) while it runs, so a node that dies mid-job only delays it by the lease.
 */
export class Outbox {
	constructor(
		private readonly sequelize: Sequelize,
		private readonly options: OutboxOptions,
	) {}

	/** Adds a job, leased to the caller, which is expected to run it at once. */
	async add(transaction: Transaction, buildingId: number, kind: OutboxKind, payload: OutboxJob["payload"] = {}): Promise<OutboxJob> {
		const [job] = await this.sequelize.query<OutboxJob>(
			`INSERT INTO "outbox" ("buildingId", "kind", "payload", "attempts", "nextAttemptAt", "createdAt")
			 VALUES (:buildingId, :kind, :payload, 1, now() + :leaseMs * interval '1 millisecond', now())
			 RETURNING "id", "buildingId", "kind", "payload", "attempts"`,
			{ replacements: { buildingId, kind, payload: JSON.stringify(payload), leaseMs: this.options.leaseMs }, transaction, type: QueryTypes.SELECT },
		);
		return job;
	}

	/** Takes up to `limit` jobs that are due, leasing them to this node; other nodes skip them. */
	claimDue(limit: number): Promise<OutboxJob[]> {
		return this.sequelize.query<OutboxJob>(
			`UPDATE "outbox" SET "attempts" = "attempts" + 1, "nextAttemptAt" = now() + :leaseMs * interval '1 millisecond'
			 WHERE "id" IN (SELECT "id" FROM "outbox" WHERE "nextAttemptAt" <= now() ORDER BY "id" LIMIT :limit FOR UPDATE SKIP LOCKED)
			 RETURNING "id", "buildingId", "kind", "payload", "attempts"`,
			{ replacements: { limit, leaseMs: this.options.leaseMs }, type: QueryTypes.SELECT },
		);
	}

	async done(jobId: string, transaction?: Transaction): Promise<void> {
		await this.sequelize.query('DELETE FROM "outbox" WHERE "id" = :jobId', { replacements: { jobId }, transaction });
	}

	/** Drops a building's job of one kind that has not run yet (say, its creation, once it is removed). */
	async cancel(transaction: Transaction, buildingId: number, kind: OutboxKind): Promise<void> {
		await this.sequelize.query('DELETE FROM "outbox" WHERE "buildingId" = :buildingId AND "kind" = :kind', { replacements: { buildingId, kind }, transaction });
	}

	/** Puts a failed job back, due after a backoff that doubles with each attempt. */
	async retryLater(job: OutboxJob, error: Error): Promise<void> {
		await this.sequelize.query(`UPDATE "outbox" SET "nextAttemptAt" = now() + :delayMs * interval '1 millisecond', "lastError" = :lastError WHERE "id" = :jobId`, {
			replacements: { jobId: job.id, delayMs: backoffMs(job.attempts, this.options.maxBackoffMs), lastError: error.message.slice(0, 1000) },
		});
	}

	get leaseMs(): number {
		return this.options.leaseMs;
	}
}

/** 0.5 s after the first attempt, doubling up to `maxMs`, with ±20 % jitter so nodes spread out. */
export function backoffMs(attempts: number, maxMs: number): number {
	const base = Math.min(maxMs, 500 * 2 ** Math.max(0, attempts - 1));
	return Math.round(base * (0.8 + Math.random() * 0.4));
}
