import { Op, QueryTypes, type Model, type ModelStatic, type Sequelize } from "sequelize";

/** How many buildings there are, from the count the triggers keep (migration 003), not count(*). */
export async function countBuildings(sequelize: Sequelize): Promise<number> {
	const [{ n }] = await sequelize.query<{ n: string }>('SELECT "n" FROM "building_count"', { type: QueryTypes.SELECT });
	return Number(n);
}

/** Renames a building in one statement; undefined if there is none with this id. */
export async function renameBuilding(model: ModelStatic<Model>, id: number, name: string): Promise<Model | undefined> {
	const [, rows] = await model.update({ name }, { where: { id }, returning: true });
	return rows[0];
}

/** Whether the database answers. */
export async function ping(sequelize: Sequelize): Promise<void> {
	await sequelize.query("SELECT 1");
}

/**
 * Marks a building's workflow as removed, if the building still links to it; whether it did.
 * Safe to run twice, or after the building moved on.
 */
export async function unlinkWorkflow(sequelize: Sequelize, buildingId: number, workflowId: number): Promise<boolean> {
	const [, affected] = await sequelize.query(
		`UPDATE "buildings" SET "workflowId" = NULL, "workflowStatus" = 'removed', "updatedAt" = now()
		WHERE "id" = :buildingId AND "workflowId" = :workflowId`,
		{ replacements: { buildingId, workflowId }, type: QueryTypes.UPDATE },
	);
	return (affected as unknown as number) > 0;
}

/**
 * The `where` of a search box: names that contain `text`, in any case. `%`, `_` and `\` in it
 * are matched as themselves, not as LIKE wildcards.
 */
export function nameContains(text: string): object {
	return { name: { [Op.iLike]: `%${text.replace(/[\\%_]/g, "\\$&")}%` } };
}
