import type { QueryInterface } from "sequelize";
import type { MigrationFn } from "umzug";

/**
 * Copies of the buildings' workflows, as the buildings service shows them, kept in the buildings
 * database: GET /api/buildings/:id is then one statement here, with no call to the workflows
 * service. A copy is written with the building's link when its workflow is created, and changed
 * when the workflows service reports a change; `version` is the workflow's own count of changes,
 * so a copy only ever takes a newer one, in whatever order they arrive. A deleted workflow's
 * copy stays as a tombstone (`removed`, at the highest version), so a link that comes after the
 * deletion knows. A building's copies go with it.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.sequelize.query(`
		CREATE TABLE "workflow_copies" (
			"workflowId" integer PRIMARY KEY,
			"buildingId" integer NOT NULL REFERENCES "buildings" ("id") ON DELETE CASCADE,
			"name" varchar(600) NOT NULL,
			"status" text NOT NULL,
			"handledBy" varchar(200) NOT NULL,
			"createdAt" timestamptz NOT NULL,
			"updatedAt" timestamptz NOT NULL,
			"version" integer NOT NULL,
			"removed" boolean NOT NULL DEFAULT false
		);
		CREATE INDEX "workflow_copies_building_id" ON "workflow_copies" ("buildingId");
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.sequelize.query(`DROP TABLE "workflow_copies"`);
};
