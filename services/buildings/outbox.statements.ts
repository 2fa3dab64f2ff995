import { QueryTypes, type Model, type ModelStatic, type Sequelize, type Transaction } from "sequelize";
import type { Building, OutboxStats } from "../types";

export type OutboxKind = "createWorkflow" | "removeWorkflows";

/** Work the buildings service owes the workflows service, saved with the change that caused it. */
export interface OutboxJob {
	id: string;
	buildingId: number;
	kind: OutboxKind;
	payload: { name?: string };
	attempts: number;
}

/** A building to insert, with the payload of the job that creates its first workflow. */
export interface NewBuilding {
	name: string;
	payload: OutboxJob["payload"];
}

export interface SavedBuilding {
	building: Building;
	job: OutboxJob;
}

/** A job done: its building's workflow exists. */
export interface Completion {
	jobId: string;
	buildingId: number;
	workflowId: number;
}

/** When a job leased now may be taken by another node: the lease is written here only. */
const LEASE_END = "now() + :leaseMs * interval '1 millisecond'";
const JOB_COLUMNS = '"id", "buildingId", "kind", "payload", "attempts"';

/**
 * Inserts buildings with the jobs that create their workflows, in the order given, in one
 * statement; each job is leased to the caller, which runs it at once. Ids are drawn from the
 * sequence first, so each row finds its request again.
 */
export async function insertBuildingsWithJobs(
	sequelize: Sequelize,
	items: NewBuilding[],
	leaseMs: number,
	transaction?: Transaction,
): Promise<SavedBuilding[]> {
	type Row = Building & { jobId: string; attempts: number };
	const rows = await sequelize.query<Row>(
		`WITH input AS (
			SELECT nextval(pg_get_serial_sequence('buildings', 'id'))::integer AS "id", t."name", t."payload", t."position"
			FROM unnest(ARRAY[:names]::varchar[], ARRAY[:payloads]::jsonb[]) WITH ORDINALITY AS t("name", "payload", "position")
		), building AS (
			INSERT INTO "buildings" ("id", "name", "workflowStatus", "createdAt", "updatedAt")
			SELECT "id", "name", 'pending', now(), now() FROM input RETURNING *
		), job AS (
			INSERT INTO "outbox" ("buildingId", "kind", "payload", "attempts", "nextAttemptAt", "createdAt")
			SELECT "id", 'createWorkflow', "payload", 1, ${LEASE_END}, now() FROM input
			RETURNING "id", "buildingId", "attempts"
		)
		SELECT building.*, job."id" AS "jobId", job."attempts"
		FROM input JOIN building ON building."id" = input."id" JOIN job ON job."buildingId" = input."id"
		ORDER BY input."position"`,
		{
			replacements: { names: items.map(i => i.name), payloads: items.map(i => JSON.stringify(i.payload)), leaseMs },
			transaction,
			type: QueryTypes.SELECT,
		},
	);
	return rows.map(({ jobId, attempts, ...building }, i) => ({
		building,
		job: { id: jobId, buildingId: building.id, kind: "createWorkflow", payload: items[i].payload, attempts },
	}));
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

/** Marks buildings' workflows created and drops their jobs: one statement for many. */
export async function markWorkflowsCreated(sequelize: Sequelize, done: Completion[]): Promise<void> {
	await sequelize.query(
		`WITH done AS (
			SELECT * FROM unnest(ARRAY[:jobIds]::bigint[], ARRAY[:buildingIds]::integer[], ARRAY[:workflowIds]::integer[])
				AS d("jobId", "buildingId", "workflowId")
		), jobs AS (DELETE FROM "outbox" WHERE "id" IN (SELECT "jobId" FROM done))
		UPDATE "buildings" AS b SET "workflowStatus" = 'created', "workflowId" = done."workflowId", "updatedAt" = now()
		FROM done WHERE b."id" = done."buildingId"`,
		{
			replacements: { jobIds: done.map(d => d.jobId), buildingIds: done.map(d => d.buildingId), workflowIds: done.map(d => d.workflowId) },
		},
	);
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
