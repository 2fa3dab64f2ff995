import { DataTypes } from "sequelize";
import type { ModelDefinition } from "../mixins/db.mixin";
import { BUILDING_WORKFLOW_STATUSES } from "../types";

/** The buildings table, as the buildings migrations create it. */
export const BuildingModel: ModelDefinition = {
	name: "building",
	define: {
		id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
		name: { type: DataTypes.STRING(600), allowNull: false },
		workflowStatus: { type: DataTypes.ENUM(...BUILDING_WORKFLOW_STATUSES), allowNull: false, defaultValue: "pending" },
		workflowId: { type: DataTypes.INTEGER, allowNull: true },
	},
	options: { tableName: "buildings", timestamps: true },
};
