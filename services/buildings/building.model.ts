import { DataTypes } from "sequelize";
import type { ModelDefinition } from "../../mixins/db.mixin";
import { BUILDING_WORKFLOW_STATUSES } from "../../types";

/**
 * The buildings table as Sequelize maps its rows: for moleculer-db's lists and gets, and for the
 * statements of buildings.statements.ts and outbox.statements.ts that read or update through it.
 * The constraints are the database's, set by the migrations, so the model names only each
 * column's type, and the key.
 */
export const BuildingModel: ModelDefinition = {
	name: "building",
	define: {
		id: { type: DataTypes.INTEGER, primaryKey: true },
		name: DataTypes.STRING(600),
		workflowStatus: DataTypes.ENUM(...BUILDING_WORKFLOW_STATUSES),
		workflowId: DataTypes.INTEGER,
	},
	options: { tableName: "buildings", timestamps: true },
};
