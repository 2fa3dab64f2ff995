import { QueryTypes, type Sequelize, type Transaction } from "sequelize";

/** What the idempotency_keys table holds for one key. */
export interface IdempotencyRecord {
	requestHash: string;
	buildingId: number;
	/** The first answer; null while the first request is still being handled. */
	response: unknown;
	createdAt: Date;
}

/** Keys older than this are forgotten: the expression is written here only. */
const EXPIRED = `now() - :ttlHours * interval '1 hour'`;

/**
 * Records a key in the transaction that creates its building. False if the key is in use
 * (an expired one is taken over). A concurrent claim of the same key waits for this one.
 */
export async function claimKey(
	sequelize: Sequelize,
	transaction: Transaction,
	record: { key: string; hash: string; buildingId: number; ttlHours: number },
): Promise<boolean> {
	const rows = await sequelize.query(
		`INSERT INTO "idempotency_keys" AS k ("key", "requestHash", "buildingId", "createdAt") VALUES (:key, :hash, :buildingId, now())
		 ON CONFLICT ("key") DO UPDATE
			SET "requestHash" = excluded."requestHash", "buildingId" = excluded."buildingId", "response" = NULL, "createdAt" = excluded."createdAt"
			WHERE k."createdAt" <= ${EXPIRED}
		 RETURNING "key"`,
		{ replacements: record, transaction, type: QueryTypes.SELECT },
	);
	return rows.length === 1;
}

export async function findKey(sequelize: Sequelize, key: string, ttlHours: number): Promise<IdempotencyRecord | undefined> {
	const [record] = await sequelize.query<IdempotencyRecord>(
		`SELECT "requestHash", "buildingId", "response", "createdAt" FROM "idempotency_keys" WHERE "key" = :key AND "createdAt" > ${EXPIRED}`,
		{ replacements: { key, ttlHours }, type: QueryTypes.SELECT },
	);
	return record;
}

export async function saveKeyAnswer(sequelize: Sequelize, key: string, response: unknown): Promise<void> {
	await sequelize.query('UPDATE "idempotency_keys" SET "response" = :response WHERE "key" = :key AND "response" IS NULL', {
		replacements: { key, response: JSON.stringify(response) },
	});
}

/** Forgets keys older than the time they are kept for; returns how many. */
export async function purgeExpiredKeys(sequelize: Sequelize, ttlHours: number): Promise<number> {
	const [, result] = await sequelize.query(`DELETE FROM "idempotency_keys" WHERE "createdAt" <= ${EXPIRED}`, {
		replacements: { ttlHours },
	});
	return (result as { rowCount?: number })?.rowCount ?? 0;
}
