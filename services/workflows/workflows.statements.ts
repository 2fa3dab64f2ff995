import { QueryTypes, type Model, type ModelStatic, type Sequelize } from "sequelize";
import type { CreateWorkflowParams, Workflow } from "../types";

/**
 * Creates the workflows of several `workflows.create` calls in one statement, each through
 * `create_workflow` (migration 003). Returns, in the order given, each workflow, or null if its
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
