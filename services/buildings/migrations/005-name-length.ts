import type { QueryInterface } from "sequelize";
import type { MigrationFn } from "umzug";

/**
 * A name is at most 200 characters as a reader counts them (grapheme clusters), which can be more
 * code points than that (a flag is 2): the column holds up to 600, the ceiling the name rule also
 * sets. Widening a varchar rewrites nothing.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.sequelize.query(`ALTER TABLE "buildings" ALTER COLUMN "name" TYPE varchar(600)`);
};

// Longer names are cut to the old size.
export const down: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.sequelize.query(`ALTER TABLE "buildings" ALTER COLUMN "name" TYPE varchar(200) USING left("name", 200)`);
};
