import { QueryTypes, type Model, type ModelStatic, type Sequelize } from "sequelize";
import type { Routine } from "../../db/migrate";
import type { CreateWorkflowParams, VersionedWorkflow } from "../../types";

/**
 * The rule of `workflows.create`, in one round trip, as the database runs it: under the
 * building's lock, refuse a building whose workflows were removed (`removed_buildings`), return
 * the workflow an earlier call with the same request key made, or insert a new one. (Each
 * statement of a function sees what committed before it, so the check after the lock is
 * current.) Migration 003 created it; this source is applied with `CREATE OR REPLACE` on every
 * start, after the migrations, so a change here reaches the database (test/integration/migrations.spec.ts).
 * (A change of its arguments or of what it returns needs a migration that drops it first, as 005 does.)
 */
export const createWorkflowFunction: Routine = {
	name: "create_workflow",
	sql: `
		CREATE OR REPLACE FUNCTION create_workflow(p_name varchar, p_building_id integer, p_request_key varchar, p_handled_by varchar)
		RETURNS TABLE (id integer, name varchar, "buildingId" integer, status text, "handledBy" varchar, "createdAt" timestamptz, "updatedAt" timestamptz, version integer, removed boolean)
		LANGUAGE plpgsql AS $$
		BEGIN
			PERFORM pg_advisory_xact_lock(p_building_id);
			IF EXISTS (SELECT 1 FROM removed_buildings r WHERE r."buildingId" = p_building_id) THEN
				RETURN QUERY SELECT NULL::integer, NULL::varchar, p_building_id, NULL::text, NULL::varchar, NULL::timestamptz, NULL::timestamptz, NULL::integer, true;
				RETURN;
			END IF;
			IF p_request_key IS NOT NULL THEN
				RETURN QUERY SELECT w.id, w.name, w."buildingId", w.status::text, w."handledBy", w."createdAt", w."updatedAt", w.version, false
					FROM workflows w WHERE w."requestKey" = p_request_key;
				IF FOUND THEN RETURN; END IF;
			END IF;
			RETURN QUERY INSERT INTO workflows AS w (name, "buildingId", "requestKey", "handledBy", status, "createdAt", "updatedAt")
				VALUES (p_name, p_building_id, p_request_key, p_handled_by, 'new', now(), now())
				RETURNING w.id, w.name, w."buildingId", w.status::text, w."handledBy", w."createdAt", w."updatedAt", w.version, false;
		END $$`,
};

/**
 * Creates the workflows of several `workflows.create` calls in one statement, each through
 * `create_workflow` (above). Returns, in the order given, each workflow, or null if its
 * building has been removed. The statement takes the per-building locks in `buildingId` order,
 * so two nodes' overlapping statements cannot deadlock. A result out of step with its requests
 * fails the whole batch.
 */
export async function insertWorkflows(
	sequelize: Sequelize,
	requests: CreateWorkflowParams[],
	handledBy: string,
): Promise<(VersionedWorkflow | null)[]> {
	const order = requests.map((_, index) => index).sort((a, b) => requests[a].buildingId - requests[b].buildingId);
	const sorted = order.map(index => requests[index]);
	const rows = await sequelize.query<VersionedWorkflow & { removed: boolean }>(
		`SELECT f.*
		 FROM unnest(ARRAY[:names]::varchar[], ARRAY[:buildingIds]::integer[], ARRAY[:requestKeys]::varchar[])
			WITH ORDINALITY AS t("name", "buildingId", "requestKey", "position")
		 CROSS JOIN LATERAL create_workflow(t."name", t."buildingId", t."requestKey", :handledBy) AS f
		 ORDER BY t."position"`,
		{
			replacements: {
				names: sorted.map(r => r.name),
				buildingIds: sorted.map(r => r.buildingId),
				requestKeys: sorted.map(r => r.requestKey ?? null),
				handledBy,
			},
			type: QueryTypes.SELECT,
		},
	);
	if (rows.length !== requests.length) throw new Error(`Workflow batch out of step: ${rows.length} rows for ${requests.length} requests.`);
	const results = new Array<VersionedWorkflow | null>(requests.length);
	rows.forEach(({ removed, ...workflow }, i) => {
		// A row for another building would hand one caller another's workflow.
		if (workflow.buildingId !== sorted[i].buildingId) {
			throw new Error(`Workflow batch out of step: row ${i} is for building ${workflow.buildingId}, not ${sorted[i].buildingId}.`);
		}
		results[order[i]] = removed ? null : workflow;
	});
	return results;
}

/** A change to a workflow, saved with it, until the buildings service has been told. */
export interface ChangeRecord {
	id: string;
	workflowId: number;
	buildingId: number;
	attempts: number;
}

/** The columns of a workflow a copy of it shows, and its version. */
const VERSIONED = '"id", "name", "buildingId", "status"::text, "handledBy", "createdAt", "updatedAt", "version"';
/** When a change saved now may be taken by a reconciler: the lease is written here only. */
const LEASE_END = "now() + :leaseMs * interval '1 millisecond'";

/**
 * Changes a workflow, counts the change in its version and saves the change for the buildings
 * service (leased to the caller, which reports it at once), in one statement. Undefined if
 * there is no workflow with this id.
 */
export async function updateWorkflow(
	sequelize: Sequelize,
	id: number,
	changes: { name?: string; status?: string },
	leaseMs: number,
): Promise<{ workflow: VersionedWorkflow; change: ChangeRecord } | undefined> {
	const [row] = await sequelize.query<VersionedWorkflow & { changeId: string }>(
		`WITH updated AS (
			UPDATE "workflows" SET "name" = coalesce(:name, "name"), "status" = coalesce(:status, "status"::text)::"enum_workflows_status",
				"version" = "version" + 1, "updatedAt" = now()
			WHERE "id" = :id RETURNING ${VERSIONED}
		), change AS (
			INSERT INTO "workflow_changes" ("workflowId", "buildingId", "nextAttemptAt", "createdAt")
			SELECT "id", "buildingId", ${LEASE_END}, now() FROM updated RETURNING "id"
		)
		SELECT updated.*, change."id" AS "changeId" FROM updated, change`,
		{ replacements: { id, name: changes.name ?? null, status: changes.status ?? null, leaseMs }, type: QueryTypes.SELECT },
	);
	return row && withChange(row);
}

/**
 * Deletes a workflow and saves the change for the buildings service (leased to the caller), in
 * one statement; returns the workflow as it was. Undefined if there is none with this id.
 */
export async function deleteWorkflow(
	sequelize: Sequelize,
	id: number,
	leaseMs: number,
): Promise<{ workflow: VersionedWorkflow; change: ChangeRecord } | undefined> {
	const [row] = await sequelize.query<VersionedWorkflow & { changeId: string }>(
		`WITH deleted AS (DELETE FROM "workflows" WHERE "id" = :id RETURNING ${VERSIONED}),
		change AS (
			INSERT INTO "workflow_changes" ("workflowId", "buildingId", "nextAttemptAt", "createdAt")
			SELECT "id", "buildingId", ${LEASE_END}, now() FROM deleted RETURNING "id"
		)
		SELECT deleted.*, change."id" AS "changeId" FROM deleted, change`,
		{ replacements: { id, leaseMs }, type: QueryTypes.SELECT },
	);
	return row && withChange(row);
}

function withChange({ changeId, ...workflow }: VersionedWorkflow & { changeId: string }) {
	return { workflow, change: { id: changeId, workflowId: workflow.id, buildingId: workflow.buildingId, attempts: 1 } };
}

/** Takes up to `limit` changes that are due, leasing them to this node; other nodes skip them. */
export function claimDueChanges(sequelize: Sequelize, limit: number, leaseMs: number): Promise<ChangeRecord[]> {
	return sequelize.query<ChangeRecord>(
		`UPDATE "workflow_changes" SET "attempts" = "attempts" + 1, "nextAttemptAt" = ${LEASE_END}
		 WHERE "id" IN (SELECT "id" FROM "workflow_changes" WHERE "nextAttemptAt" <= now() ORDER BY "id" LIMIT :limit FOR UPDATE SKIP LOCKED)
		 RETURNING "id", "workflowId", "buildingId", "attempts"`,
		{ replacements: { limit, leaseMs }, type: QueryTypes.SELECT },
	);
}

/** The workflows of these ids as they now are (a deleted one is missing). */
export function currentWorkflows(sequelize: Sequelize, ids: number[]): Promise<VersionedWorkflow[]> {
	return sequelize.query<VersionedWorkflow>(`SELECT ${VERSIONED} FROM "workflows" WHERE "id" IN (:ids)`, {
		replacements: { ids },
		type: QueryTypes.SELECT,
	});
}

/** Forgets changes the buildings service has been told of. */
export async function deleteChanges(sequelize: Sequelize, ids: string[]): Promise<void> {
	await sequelize.query('DELETE FROM "workflow_changes" WHERE "id" IN (:ids)', { replacements: { ids } });
}

/** Puts changes back, due in `delayMs`. */
export async function retryChangesLater(sequelize: Sequelize, ids: string[], delayMs: number): Promise<void> {
	await sequelize.query(
		`UPDATE "workflow_changes" SET "nextAttemptAt" = now() + :delayMs * interval '1 millisecond' WHERE "id" IN (:ids)`,
		{
			replacements: { ids, delayMs },
		},
	);
}

/**
 * Deletes every workflow of a building and records the building as removed, under the
 * building's lock: a create that arrives late (say, after its caller timed out) waits for the
 * lock and then finds the building removed. Returns how many were deleted.
 */
export function removeBuildingWorkflows(sequelize: Sequelize, model: ModelStatic<Model>, buildingId: number): Promise<number> {
	return sequelize.transaction(async transaction => {
		await sequelize.query("SELECT pg_advisory_xact_lock(:buildingId)", { replacements: { buildingId }, transaction });
		await sequelize.query(
			'INSERT INTO "removed_buildings" ("buildingId", "removedAt") VALUES (:buildingId, now()) ON CONFLICT DO NOTHING',
			{
				replacements: { buildingId },
				transaction,
			},
		);
		return model.destroy({ where: { buildingId }, transaction });
	});
}

/** How many workflows each node has created, by `handledBy`. */
export async function countWorkflowsByNode(sequelize: Sequelize): Promise<{ handledBy: string; workflows: number }[]> {
	const rows = await sequelize.query<{ handledBy: string; workflows: string }>(
		'SELECT "handledBy", count(*) AS "workflows" FROM "workflows" GROUP BY "handledBy" ORDER BY "handledBy"',
		{ type: QueryTypes.SELECT },
	);
	return rows.map(row => ({ handledBy: row.handledBy, workflows: Number(row.workflows) }));
}
