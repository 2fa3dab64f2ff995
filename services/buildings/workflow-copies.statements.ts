import { QueryTypes, type Sequelize } from "sequelize";
import type { Building, VersionedWorkflow, Workflow, WorkflowChange } from "../../types";

/**
 * Each building's link to its first workflow, and the copy of that workflow it shows, kept true
 * from what the workflows service answers and reports: "created" with a copy once the workflow is
 * recorded, "removed" (and the copy a tombstone) once it is deleted.
 */

/** A job done: its building's workflow exists, as the workflows service answered it. */
export interface Completion {
	jobId: string;
	workflow: VersionedWorkflow;
}

/** Copies of workflows as the statements below take them: `c`, one row per workflow. */
const COPIES = `unnest(ARRAY[:workflowIds]::integer[], ARRAY[:buildingIds]::integer[], ARRAY[:names]::varchar[], ARRAY[:statuses]::text[],
	ARRAY[:handledBys]::varchar[], ARRAY[:createdAts]::timestamptz[], ARRAY[:updatedAts]::timestamptz[], ARRAY[:versions]::integer[])
	AS c("workflowId", "buildingId", "name", "status", "handledBy", "createdAt", "updatedAt", "version")`;

/** The replacements of COPIES. */
function copies(workflows: VersionedWorkflow[]) {
	return {
		workflowIds: workflows.map(w => w.id),
		buildingIds: workflows.map(w => w.buildingId),
		names: workflows.map(w => w.name),
		statuses: workflows.map(w => w.status),
		handledBys: workflows.map(w => w.handledBy),
		createdAts: workflows.map(w => w.createdAt),
		updatedAts: workflows.map(w => w.updatedAt),
		versions: workflows.map(w => w.version),
	};
}

/**
 * Writes the copies of `c` for the buildings that exist, each only over an older version: the
 * copy a building shows is always its workflow's newest, in whatever order the copies come.
 */
const SAVE_COPIES = `INSERT INTO "workflow_copies" ("workflowId", "buildingId", "name", "status", "handledBy", "createdAt", "updatedAt", "version")
	SELECT c.* FROM c JOIN "buildings" b ON b."id" = c."buildingId"
	ON CONFLICT ("workflowId") DO UPDATE
		SET "name" = excluded."name", "status" = excluded."status", "handledBy" = excluded."handledBy", "updatedAt" = excluded."updatedAt",
			"version" = excluded."version"
		WHERE "workflow_copies"."version" < excluded."version"`;

/**
 * Links buildings to the workflows just created for them, with a copy of each, and drops their
 * jobs, in one statement for many. A workflow already deleted (its copy a tombstone) leaves its
 * building "removed". Returns, in the order given, each building as it now is, or undefined for
 * one deleted meanwhile.
 */
export async function markWorkflowsCreated(sequelize: Sequelize, done: Completion[]): Promise<(Building | undefined)[]> {
	const rows = await sequelize.query<Building>(
		`WITH c AS (SELECT * FROM ${COPIES}),
		jobs AS (DELETE FROM "outbox" WHERE "id" IN (SELECT unnest(ARRAY[:jobIds]::bigint[]))),
		copied AS (${SAVE_COPIES})
		UPDATE "buildings" AS b
		SET "workflowStatus" = CASE WHEN t."removed" THEN 'removed' ELSE 'created' END::"enum_buildings_workflowStatus",
			"workflowId" = CASE WHEN t."removed" THEN NULL ELSE c."workflowId" END, "updatedAt" = now()
		FROM c LEFT JOIN "workflow_copies" t ON t."workflowId" = c."workflowId" AND t."removed"
		WHERE b."id" = c."buildingId"
		RETURNING b.*`,
		{ replacements: { ...copies(done.map(d => d.workflow)), jobIds: done.map(d => d.jobId) }, type: QueryTypes.SELECT },
	);
	const byId = new Map(rows.map(row => [row.id, row]));
	return done.map(d => byId.get(d.workflow.buildingId));
}

/**
 * Takes the changes the workflows service reports: a changed workflow's copy is replaced by the
 * newer one; a deleted workflow's copy becomes a tombstone, and the building that links to it
 * says "removed". Safe to take twice, or out of order.
 */
export async function applyWorkflowChanges(sequelize: Sequelize, changes: WorkflowChange[]): Promise<void> {
	const changed = changes.flatMap(change => (change.workflow ? [change.workflow] : []));
	const removed = changes.filter(change => change.workflow === null);
	if (changed.length > 0) await sequelize.query(`WITH c AS (SELECT * FROM ${COPIES}) ${SAVE_COPIES}`, { replacements: copies(changed) });
	if (removed.length === 0) return;
	await sequelize.query(
		`WITH gone AS (
			SELECT g.* FROM unnest(ARRAY[:workflowIds]::integer[], ARRAY[:buildingIds]::integer[]) AS g("workflowId", "buildingId")
			JOIN "buildings" b ON b."id" = g."buildingId"
		), tombstones AS (
			INSERT INTO "workflow_copies" ("workflowId", "buildingId", "name", "status", "handledBy", "createdAt", "updatedAt", "version", "removed")
			SELECT "workflowId", "buildingId", '', '', '', now(), now(), 2147483647, true FROM gone
			ON CONFLICT ("workflowId") DO UPDATE SET "removed" = true, "version" = 2147483647
		)
		UPDATE "buildings" SET "workflowId" = NULL, "workflowStatus" = 'removed', "updatedAt" = now()
		WHERE "workflowId" IN (SELECT "workflowId" FROM gone)`,
		{ replacements: { workflowIds: removed.map(r => r.workflowId), buildingIds: removed.map(r => r.buildingId) } },
	);
}

/**
 * A building and the copy of its workflow (null while pending, once removed, or for a copy not
 * kept yet: `copyMissing`), in one statement: the answer of GET /api/buildings/:id.
 */
export async function readBuildingWithWorkflow(
	sequelize: Sequelize,
	id: number,
): Promise<{ building: Building; workflow: Workflow | null; copyMissing: boolean } | undefined> {
	// The copy's columns are null together: when `copy_id` is.
	type Copy = { [K in Exclude<keyof Workflow, "id"> as `copy_${K}`]: Workflow[K] } & { copy_id: number | null; copy_removed: boolean };
	const [row] = await sequelize.query<Building & Copy>(
		`SELECT b.*, w."workflowId" AS "copy_id", w."name" AS "copy_name", w."buildingId" AS "copy_buildingId", w."status" AS "copy_status",
			w."handledBy" AS "copy_handledBy", w."createdAt" AS "copy_createdAt", w."updatedAt" AS "copy_updatedAt", w."removed" AS "copy_removed"
		FROM "buildings" b LEFT JOIN "workflow_copies" w ON w."workflowId" = b."workflowId"
		WHERE b."id" = :id`,
		{ replacements: { id }, type: QueryTypes.SELECT },
	);
	if (!row) return undefined;
	const { copy_id, copy_name, copy_buildingId, copy_status, copy_handledBy, copy_createdAt, copy_updatedAt, copy_removed, ...building } =
		row;
	const workflow =
		copy_id === null || copy_removed
			? null
			: {
					id: copy_id,
					name: copy_name,
					buildingId: copy_buildingId,
					status: copy_status,
					handledBy: copy_handledBy,
					createdAt: copy_createdAt,
					updatedAt: copy_updatedAt,
				};
	return { building, workflow, copyMissing: building.workflowId !== null && copy_id === null };
}

/**
 * A building's copy of its workflow, from before copies were kept (read repair): written only if
 * none is there, at version 0, so any change reported since wins.
 */
export async function saveMissingCopy(sequelize: Sequelize, workflow: Workflow): Promise<void> {
	await sequelize.query(
		`WITH c AS (SELECT * FROM ${COPIES})
		INSERT INTO "workflow_copies" ("workflowId", "buildingId", "name", "status", "handledBy", "createdAt", "updatedAt", "version")
		SELECT c.* FROM c JOIN "buildings" b ON b."id" = c."buildingId"
		ON CONFLICT ("workflowId") DO NOTHING`,
		{ replacements: copies([{ ...workflow, version: 0 }]) },
	);
}
