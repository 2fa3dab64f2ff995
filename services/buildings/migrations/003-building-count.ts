import type { QueryInterface } from "sequelize";
import type { MigrationFn } from "umzug";

/**
 * The number of buildings, kept exact by statement-level triggers, so an unfiltered list gets
 * its `total` in O(1) instead of counting the whole table on every page.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.sequelize.query(`
		CREATE TABLE building_count (n bigint NOT NULL);
		INSERT INTO building_count (n) SELECT count(*) FROM buildings;

		CREATE FUNCTION building_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN UPDATE building_count SET n = n + (SELECT count(*) FROM added); RETURN NULL; END $$;
		CREATE FUNCTION building_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN UPDATE building_count SET n = n - (SELECT count(*) FROM removed); RETURN NULL; END $$;
		CREATE FUNCTION building_count_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN UPDATE building_count SET n = 0; RETURN NULL; END $$;

		CREATE TRIGGER building_count_insert AFTER INSERT ON buildings REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION building_count_added();
		CREATE TRIGGER building_count_delete AFTER DELETE ON buildings REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION building_count_removed();
		CREATE TRIGGER building_count_truncate AFTER TRUNCATE ON buildings FOR EACH STATEMENT EXECUTE FUNCTION building_count_emptied();
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.sequelize.query(`
		DROP TRIGGER building_count_truncate ON buildings;
		DROP TRIGGER building_count_delete ON buildings;
		DROP TRIGGER building_count_insert ON buildings;
		DROP FUNCTION building_count_emptied(), building_count_removed(), building_count_added();
		DROP TABLE building_count;
	`);
};
