import { QueryTypes, type Model, type ModelStatic, type Sequelize } from "sequelize";
import type { Routine } from "../../db/migrate";
import type { CreateWorkflowParams, Workflow } from "../../types";

/**
 * The rule of `workflows.create`, in one round trip, as the database runs it: under the
 * building's lock, refuse a building whose workflows were removed (`removed_buildings`), return
 * the workflow an earlier call with the same request key made, or insert a new one. (Each
 * statement of a function sees what committed before it, so the check after the lock is
 * current.) Migration 003 created it; this source is applied with `CREATE OR REPLACE` on every
 * start, after the migrations, so a change here reaches the database (test/integration/migrations.spec.ts).
 */
export const createWorkflowFunction: Routine = {
	name: "create_workflow",
	sql: `
		CREATE OR REPLACE FUNCTION create_workflow(p_name varchar, p_building_id integer, p_request_key varchar, p_handled_by varchar)
		RETURNS TABLE (id integer, name varchar, "buildingId" integer, status text, "handledBy" varchar, "createdAt" timestamptz, "updatedAt" timestamptz, removed boolean)
		LANGUAGE plpgsql AS $$
		BEGIN
			PERFORM pg_advisory_xact_lock(p_building_id);
			IF EXISTS (SELECT 1 FROM removed_buildings r WHERE r."buildingId" = p_building_id) THEN
				RETURN QUERY SELECT NULL::integer, NULL::varchar, p_building_id, NULL::text, NULL::varchar, NULL::timestamptz, NULL::timestamptz, true;
				RETURN;
			END IF;
			IF p_request_key IS NOT NULL THEN
				RETURN QUERY SELECT w.id, w.name, w."buildingId", w.status::text, w."handledBy", w."createdAt", w."updatedAt", false
					FROM workflows w WHERE w."requestKey" = p_request_key;
				IF FOUND THEN RETURN; END IF;
			END IF;
			RETURN QUERY INSERT INTO workflows AS w (name, "buildingId", "requestKey", "handledBy", status, "createdAt", "updatedAt")
				VALUES (p_name, p_building_id, p_request_key, p_handled_by, 'new', now(), now())
				RETURNING w.id, w.name, w."buildingId", w.status::text, w."handledBy", w."createdAt", w."updatedAt", false;
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
): Promise<(Workflow | null)[]> {
	const order = requests.map((_, index) => index).sort((a, b) => requests[a].buildingId - requests[b].buildingId);
	const sorted = order.map(index => requests[index]);
	const rows = await sequelize.query<Workflow & { removed: boolean }>(
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
	const results = new Array<Workflow | null>(requests.length);
	rows.forEach(({ removed, ...workflow }, i) => {
		// A row for another building would hand one caller another's workflow.
		if (workflow.buildingId !== sorted[i].buildingId) {
			throw new Error(`Workflow batch out of step: row ${i} is for building ${workflow.buildingId}, not ${sorted[i].buildingId}.`);
		}
		results[order[i]] = removed ? null : workflow;
	});
	return results;
}

/** Changes a workflow in one statement; undefined if there is none with this id. */
export async function updateWorkflow(
	model: ModelStatic<Model>,
	id: number,
	changes: { name?: string; status?: string },
): Promise<Model | undefined> {
	const [, rows] = await model.update(changes, { where: { id }, returning: true });
	return rows[0];
}

/** Deletes a workflow in one statement and returns it; undefined if there is none with this id. */
export async function deleteWorkflow(sequelize: Sequelize, model: ModelStatic<Model>, id: number): Promise<Model | undefined> {
	const [row] = await sequelize.query('DELETE FROM "workflows" WHERE "id" = :id RETURNING *', {
		replacements: { id },
		model,
		mapToModel: true,
	});
	return row;
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
