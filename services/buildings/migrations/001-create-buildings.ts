import { DataTypes, type QueryInterface } from "sequelize";
import type { MigrationFn } from "umzug";

export const up: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.createTable("buildings", {
		id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
		name: { type: DataTypes.STRING(200), allowNull: false },
		createdAt: { type: DataTypes.DATE, allowNull: false },
		updatedAt: { type: DataTypes.DATE, allowNull: false },
	});
	await db.addIndex("buildings", ["name"]);
	await db.addIndex("buildings", ["createdAt"]);
};

export const down: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.dropTable("buildings");
};
