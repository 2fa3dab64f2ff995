import { DataTypes } from "sequelize";
import type { ModelDefinition } from "../mixins/db.mixin";
import { WORKFLOW_STATUSES } from "../types";

/** The workflows table, as the workflows migrations create it. */
export const WorkflowModel: ModelDefinition = {
	name: "workflow",
	define: {
		id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
		name: { type: DataTypes.STRING(600), allowNull: false },
		buildingId: { type: DataTypes.INTEGER, allowNull: false },
		status: { type: DataTypes.ENUM(...WORKFLOW_STATUSES), allowNull: false, defaultValue: "new" },
		handledBy: { type: DataTypes.STRING(200), allowNull: false },
		requestKey: { type: DataTypes.STRING(200), allowNull: true, unique: true },
	},
	options: { tableName: "workflows", timestamps: true },
};
