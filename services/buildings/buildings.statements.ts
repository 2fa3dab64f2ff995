import { Op, QueryTypes, type Model, type ModelStatic, type Sequelize } from "sequelize";
import type { Building } from "../../types";
import { LEASE_END, JOB_COLUMNS, type OutboxJob } from "./outbox.statements";
import { KEY_EXPIRED } from "./request-keys.statements";

/**
 * The statements of the buildings table, each named for what it does. A building's
 * `workflowStatus` is "pending" when it is saved (here), then "created" once its workflow is
 * recorded, or "removed" once that workflow is deleted (workflow-copies.statements.ts).
 */

/** A building to save, with the payload of the job that creates its first workflow. */
export interface NewBuilding {
	name: string;
	payload: OutboxJob["payload"];
	/** An Idempotency-Key and the fingerprint of its request: saved only if the key is free. */
	key?: { key: string; hash: string };
}

/** A new building as saved, with the job that creates its workflow. */
export interface SavedBuilding {
	outcome: "saved";
	building: Building;
	job: OutboxJob;
}

/** What saving a new building did: saved with its job, or not at all because its key was in use. */
export type SaveOutcome = SavedBuilding | { outcome: "repeat" };

/**
 * Saves new buildings, each with the job that creates its workflow (leased to the caller, which
 * runs it at once) and its Idempotency-Key, in the order given, in one statement. A building
 * whose key is in use (and not expired) is not saved: it is a repeat. Ids are drawn from the
 * sequence first, so each row finds its request again; keys are claimed in key order, so two
 * statements that share keys cannot deadlock.
 */
export async function saveNewBuildings(
	sequelize: Sequelize,
	items: NewBuilding[],
	leaseMs: number,
	ttlHours: number,
): Promise<SaveOutcome[]> {
	type Row = { position: string; saved: boolean } & Building & { jobId: string; attempts: number };
	const rows = await sequelize.query<Row>(
		`WITH input AS (
			SELECT nextval(pg_get_serial_sequence('buildings', 'id'))::integer AS "id", t.*
			FROM unnest(ARRAY[:names]::varchar[], ARRAY[:payloads]::jsonb[], ARRAY[:keys]::varchar[], ARRAY[:hashes]::varchar[])
				WITH ORDINALITY AS t("name", "payload", "key", "hash", "position")
		), claimed AS (
			INSERT INTO "idempotency_keys" AS k ("key", "requestHash", "buildingId", "createdAt")
			SELECT DISTINCT ON ("key") "key", "hash", "id", now() FROM input WHERE "key" IS NOT NULL ORDER BY "key", "position"
			ON CONFLICT ("key") DO UPDATE
				SET "requestHash" = excluded."requestHash", "buildingId" = excluded."buildingId", "response" = NULL, "createdAt" = excluded."createdAt"
				WHERE k."createdAt" <= ${KEY_EXPIRED}
			RETURNING "buildingId"
		), accepted AS (
			SELECT * FROM input WHERE "key" IS NULL OR "id" IN (SELECT "buildingId" FROM claimed)
		), building AS (
			INSERT INTO "buildings" ("id", "name", "workflowStatus", "createdAt", "updatedAt")
			SELECT "id", "name", 'pending', now(), now() FROM accepted RETURNING *
		), job AS (
			INSERT INTO "outbox" ("buildingId", "kind", "payload", "attempts", "nextAttemptAt", "createdAt")
			SELECT "id", 'createWorkflow', "payload", 1, ${LEASE_END}, now() FROM accepted
			RETURNING "id", "buildingId", "attempts"
		)
		SELECT input."position", building."id" IS NOT NULL AS "saved", building.*, job."id" AS "jobId", job."attempts"
		FROM input LEFT JOIN building ON building."id" = input."id" LEFT JOIN job ON job."buildingId" = input."id"
		ORDER BY input."position"`,
		{
			replacements: {
				names: items.map(i => i.name),
				payloads: items.map(i => JSON.stringify(i.payload)),
				keys: items.map(i => i.key?.key ?? null),
				hashes: items.map(i => i.key?.hash ?? null),
				leaseMs,
				ttlHours,
			},
			type: QueryTypes.SELECT,
		},
	);
	return rows.map(({ position, saved, jobId, attempts, ...building }, i): SaveOutcome => {
		if (Number(position) !== i + 1) throw new Error(`Batch of new buildings out of step at row ${i}.`);
		if (!saved) return { outcome: "repeat" };
		return {
			outcome: "saved",
			building,
			job: { id: jobId, buildingId: building.id, kind: "createWorkflow", payload: items[i].payload, attempts },
		};
	});
}

/**
 * Deletes a building, drops the job that would still create its workflow, and adds the job
 * that removes its workflows (leased to the caller), in one transaction. Undefined if there is
 * no such building.
 */
export function deleteBuildingWithJob(
	sequelize: Sequelize,
	model: ModelStatic<Model>,
	id: number,
	leaseMs: number,
): Promise<{ row: Model; job: OutboxJob } | undefined> {
	return sequelize.transaction(async transaction => {
		const [row] = await sequelize.query('DELETE FROM "buildings" WHERE "id" = :id RETURNING *', {
			replacements: { id },
			model,
			mapToModel: true,
			transaction,
		});
		if (!row) return undefined;
		const [job] = await sequelize.query<OutboxJob>(
			`WITH cancelled AS (DELETE FROM "outbox" WHERE "buildingId" = :id AND "kind" = 'createWorkflow')
			 INSERT INTO "outbox" ("buildingId", "kind", "payload", "attempts", "nextAttemptAt", "createdAt")
			 VALUES (:id, 'removeWorkflows', '{}', 1, ${LEASE_END}, now())
			 RETURNING ${JOB_COLUMNS}`,
			{ replacements: { id, leaseMs }, transaction, type: QueryTypes.SELECT },
		);
		return { row, job };
	});
}

/** Renames a building in one statement; undefined if there is none with this id. */
export async function renameBuilding(model: ModelStatic<Model>, id: number, name: string): Promise<Model | undefined> {
	const [, rows] = await model.update({ name }, { where: { id }, returning: true });
	return rows[0];
}

/** How many buildings there are, from the count the triggers keep (migration 003), not count(*). */
export async function countBuildings(sequelize: Sequelize): Promise<number> {
	const [{ n }] = await sequelize.query<{ n: string }>('SELECT "n" FROM "building_count"', { type: QueryTypes.SELECT });
	return Number(n);
}

/** Whether the database answers. */
export async function ping(sequelize: Sequelize): Promise<void> {
	await sequelize.query("SELECT 1");
}

/**
 * The `where` of a search box: names that contain `text`, in any case. `%`, `_` and `\` in it
 * are matched as themselves, not as LIKE wildcards.
 */
export function nameContains(text: string): object {
	return { name: { [Op.iLike]: `%${text.replace(/[\\%_]/g, "\\$&")}%` } };
}
