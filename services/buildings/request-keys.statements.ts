import { QueryTypes, type Sequelize } from "sequelize";

/** What the idempotency_keys table holds for one key. */
export interface IdempotencyRecord {
	requestHash: string;
	buildingId: number;
	/** The first answer; null while the first request is still being handled. */
	response: unknown;
	createdAt: Date;
}

/**
 * Keys older than this are forgotten: the expression is written here only. (A key is claimed
 * by the statement that saves its building: buildings.statements.ts `saveNewBuildings`.)
 */
export const KEY_EXPIRED = `now() - :ttlHours * interval '1 hour'`;

export async function findKey(sequelize: Sequelize, key: string, ttlHours: number): Promise<IdempotencyRecord | undefined> {
	const [record] = await sequelize.query<IdempotencyRecord>(
		`SELECT "requestHash", "buildingId", "response", "createdAt" FROM "idempotency_keys" WHERE "key" = :key AND "createdAt" > ${KEY_EXPIRED}`,
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
	const [, result] = await sequelize.query(`DELETE FROM "idempotency_keys" WHERE "createdAt" <= ${KEY_EXPIRED}`, {
		replacements: { ttlHours },
	});
	return (result as { rowCount?: number })?.rowCount ?? 0;
}
