import type { QueryInterface } from "sequelize";
import type { MigrationFn } from "umzug";

/** "removed": the building's workflow was deleted; its `workflowId` is then null. */
export const up: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.sequelize.query(`ALTER TYPE "enum_buildings_workflowStatus" ADD VALUE IF NOT EXISTS 'removed'`);
};

// Postgres cannot drop a value from an enum: the rows go back to "pending", which the outbox
// never revisits, and the value stays.
export const down: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.sequelize.query(`UPDATE "buildings" SET "workflowStatus" = 'pending' WHERE "workflowStatus" = 'removed'`);
};
