import { DataTypes, type QueryInterface } from "sequelize";
import type { MigrationFn } from "umzug";

/** Buildings whose workflows were removed: no workflow may be created for them afterwards. */
export const up: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.createTable("removed_buildings", {
		buildingId: { type: DataTypes.INTEGER, primaryKey: true },
		removedAt: { type: DataTypes.DATE, allowNull: false },
	});
};

export const down: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.dropTable("removed_buildings");
};
