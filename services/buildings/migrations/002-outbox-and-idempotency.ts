import { DataTypes, type QueryInterface } from "sequelize";
import type { MigrationFn } from "umzug";

/**
 * Work for other services is recorded in the same transaction as the change that causes it
 * (the outbox), so a failed call is finished later instead of lost; and POST requests can carry
 * an idempotency key.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: db }) => {
	// Rows from before this migration were created together with their workflow.
	await db.addColumn("buildings", "workflowStatus", {
		type: DataTypes.ENUM("pending", "created"),
		allowNull: false,
		defaultValue: "created",
	});
	await db.addColumn("buildings", "workflowId", { type: DataTypes.INTEGER, allowNull: true });

	await db.createTable("outbox", {
		id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
		buildingId: { type: DataTypes.INTEGER, allowNull: false },
		kind: { type: DataTypes.ENUM("createWorkflow", "removeWorkflows"), allowNull: false },
		payload: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
		attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
		nextAttemptAt: { type: DataTypes.DATE, allowNull: false },
		lastError: { type: DataTypes.TEXT, allowNull: true },
		createdAt: { type: DataTypes.DATE, allowNull: false },
	});
	await db.addIndex("outbox", ["nextAttemptAt"]);
	await db.addIndex("outbox", ["buildingId", "kind"], { unique: true });

	await db.createTable("idempotency_keys", {
		key: { type: DataTypes.STRING(200), primaryKey: true },
		requestHash: { type: DataTypes.STRING(64), allowNull: false },
		buildingId: { type: DataTypes.INTEGER, allowNull: false },
		// The first answer, replayed to every repeat of the request.
		response: { type: DataTypes.JSONB, allowNull: true },
		createdAt: { type: DataTypes.DATE, allowNull: false },
	});
	await db.addIndex("idempotency_keys", ["createdAt"]);
};

export const down: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.dropTable("idempotency_keys");
	await db.dropTable("outbox");
	await db.removeColumn("buildings", "workflowId");
	await db.removeColumn("buildings", "workflowStatus");
	await db.sequelize.query('DROP TYPE IF EXISTS "enum_outbox_kind"; DROP TYPE IF EXISTS "enum_buildings_workflowStatus"');
};
