import { DataTypes, type QueryInterface } from "sequelize";
import type { MigrationFn } from "umzug";
import { WORKFLOW_STATUSES } from "../../../types";

export const up: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.createTable("workflows", {
		id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
		name: { type: DataTypes.STRING(200), allowNull: false },
		buildingId: { type: DataTypes.INTEGER, allowNull: false },
		status: { type: DataTypes.ENUM(...WORKFLOW_STATUSES), allowNull: false, defaultValue: "new" },
		handledBy: { type: DataTypes.STRING(200), allowNull: false },
		// Set by callers that may retry: a second create with the same key finds the first row.
		requestKey: { type: DataTypes.STRING(200), allowNull: true, unique: true },
		createdAt: { type: DataTypes.DATE, allowNull: false },
		updatedAt: { type: DataTypes.DATE, allowNull: false },
	});
	await db.addIndex("workflows", ["buildingId"]);
	await db.addIndex("workflows", ["handledBy"]);
};

export const down: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.dropTable("workflows");
	await db.sequelize.query('DROP TYPE IF EXISTS "enum_workflows_status"');
};
