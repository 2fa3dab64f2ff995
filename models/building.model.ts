import { DataTypes } from "sequelize";
import type { ModelDefinition } from "../mixins/db.mixin";

/** The buildings table, as the buildings migrations create it. */
export const BuildingModel: ModelDefinition = {
	name: "building",
	define: {
		id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
		name: { type: DataTypes.STRING(200), allowNull: false },
		workflowStatus: { type: DataTypes.ENUM("pending", "created", "removed"), allowNull: false, defaultValue: "pending" },
		workflowId: { type: DataTypes.INTEGER, allowNull: true },
	},
	options: { tableName: "buildings", timestamps: true },
};
