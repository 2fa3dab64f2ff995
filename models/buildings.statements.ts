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
 * The `where` of a search box: names that contain `text`, in any case. `%`, `_` and `\` in it
 * are matched as themselves, not as LIKE wildcards.
 */
export function nameContains(text: string): object {
	return { name: { [Op.iLike]: `%${text.replace(/[\\%_]/g, "\\$&")}%` } };
}
