import { DataTypes } from "sequelize";
import type { ModelDefinition } from "../../mixins/db.mixin";
import { WORKFLOW_STATUSES } from "../../types";

/**
 * The workflows table as Sequelize maps its rows: for moleculer-db's lists and gets, and for the
 * statements of workflows.statements.ts that read or update through it. The constraints are the
 * database's, set by the migrations, so the model names only each column's type, and the key.
 */
export const WorkflowModel: ModelDefinition = {
	name: "workflow",
	define: {
		id: { type: DataTypes.INTEGER, primaryKey: true },
		name: DataTypes.STRING(600),
		buildingId: DataTypes.INTEGER,
		status: DataTypes.ENUM(...WORKFLOW_STATUSES),
		handledBy: DataTypes.STRING(200),
		requestKey: DataTypes.STRING(200),
	},
	options: { tableName: "workflows", timestamps: true },
};
