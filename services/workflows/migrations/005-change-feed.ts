import type { QueryInterface } from "sequelize";
import type { MigrationFn } from "umzug";

/**
 * The buildings service keeps a copy of each building's first workflow, and the workflows
 * service tells it of every change. `version` counts a workflow's changes, so a copy takes a
 * change only over an older one; `workflow_changes` holds the changes not yet delivered (an
 * outbox, saved in the transaction of the change). create_workflow now returns `version` too: it
 * is dropped here and made again from its current source after the migrations
 * (workflows.statements.ts, `createWorkflowFunction`).
 */
export const up: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.sequelize.query(`
		ALTER TABLE "workflows" ADD COLUMN "version" integer NOT NULL DEFAULT 1;
		CREATE TABLE "workflow_changes" (
			"id" bigserial PRIMARY KEY,
			"workflowId" integer NOT NULL,
			"buildingId" integer NOT NULL,
			"attempts" integer NOT NULL DEFAULT 1,
			"nextAttemptAt" timestamptz NOT NULL,
			"createdAt" timestamptz NOT NULL
		);
		CREATE INDEX "workflow_changes_next_attempt_at" ON "workflow_changes" ("nextAttemptAt");
		DROP FUNCTION create_workflow(varchar, integer, varchar, varchar);
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.sequelize.query(`
		DROP TABLE "workflow_changes";
		ALTER TABLE "workflows" DROP COLUMN "version";
	`);
};
