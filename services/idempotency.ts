import { createHash } from "node:crypto";
import { QueryTypes, type Sequelize, type Transaction } from "sequelize";

export interface IdempotencyRecord {
	requestHash: string;
	buildingId: number;
	/** The first answer; null while the first request is still being handled. */
	response: unknown;
	createdAt: Date;
}

/** A fingerprint of a request's parameters, to tell a true repeat from a reused key. */
export function requestHash(params: Record<string, unknown>): string {
	const canonical = JSON.stringify(Object.keys(params).sort().map(key => [key, params[key] ?? null]));
	return createHash("sha256").update(canonical).digest("hex");
}

/** The idempotency_keys table: which building a key created, and what was answered. */
export class IdempotencyKeys {
	constructor(
		private readonly sequelize: Sequelize,
		private readonly ttlHours: number,
	) {}

	/**
	 * Records a key in the transaction that creates its building. False if the key is in use
	 * (an expired one is taken over). A concurrent claim of the same key waits for this one.
	 */
	async claim(transaction: Transaction, key: string, hash: string, buildingId: number): Promise<boolean> {
		const rows = await this.sequelize.query(
			`INSERT INTO "idempotency_keys" AS k ("key", "requestHash", "buildingId", "createdAt") VALUES (:key, :hash, :buildingId, now())
			 ON CONFLICT ("key") DO UPDATE SET "requestHash" = excluded."requestHash", "buildingId" = excluded."buildingId", "response" = NULL, "createdAt" = excluded."createdAt"
			 WHERE k."createdAt" <= now() - :ttlHours * interval '1 hour'
			 RETURNING "key"`,
			{ replacements: { key, hash, buildingId, ttlHours: this.ttlHours }, transaction, type: QueryTypes.SELECT },
		);
		return rows.length === 1;
	}

	async find(key: string): Promise<IdempotencyRecord | undefined> {
		const [record] = await this.sequelize.query<IdempotencyRecord>(
			`SELECT "requestHash", "buildingId", "response", "createdAt" FROM "idempotency_keys" WHERE "key" = :key AND "createdAt" > now() - :ttlHours * interval '1 hour'`,
			{ replacements: { key, ttlHours: this.ttlHours }, type: QueryTypes.SELECT },
		);
		return record;
	}

	async saveResponse(key: string, response: unknown): Promise<void> {
		await this.sequelize.query('UPDATE "idempotency_keys" SET "response" = :response WHERE "key" = :key AND "response" IS NULL', {
			replacements: { key, response: JSON.stringify(response) },
		});
	}

	/** Forgets keys older than the time they are kept for; returns how many. */
	async purgeExpired(): Promise<number> {
		const [, result] = await this.sequelize.query(`DELETE FROM "idempotency_keys" WHERE "createdAt" <= now() - :ttlHours * interval '1 hour'`, {
			replacements: { ttlHours: this.ttlHours },
		});
		return (result as { rowCount?: number })?.rowCount ?? 0;
	}
}
