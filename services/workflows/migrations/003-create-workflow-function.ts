import type { QueryInterface } from "sequelize";
import type { MigrationFn } from "umzug";

/**
 * `workflows.create` in one round trip: under the building's lock, refuse a removed building,
 * return the workflow an earlier call with the same request key made, or insert a new one.
 * (Each statement of a function sees what committed before it, so the check after the lock is
 * current.)
 */
export const up: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.sequelize.query(`
		CREATE FUNCTION create_workflow(p_name varchar, p_building_id integer, p_request_key varchar, p_handled_by varchar)
		RETURNS TABLE (id integer, name varchar, "buildingId" integer, status text, "handledBy" varchar, "createdAt" timestamptz, "updatedAt" timestamptz, removed boolean)
		LANGUAGE plpgsql AS $$
		BEGIN
			PERFORM pg_advisory_xact_lock(p_building_id);
			IF EXISTS (SELECT 1 FROM removed_buildings r WHERE r."buildingId" = p_building_id) THEN
				RETURN QUERY SELECT NULL::integer, NULL::varchar, p_building_id, NULL::text, NULL::varchar, NULL::timestamptz, NULL::timestamptz, true;
				RETURN;
			END IF;
			IF p_request_key IS NOT NULL THEN
				RETURN QUERY SELECT w.id, w.name, w."buildingId", w.status::text, w."handledBy", w."createdAt", w."updatedAt", false
					FROM workflows w WHERE w."requestKey" = p_request_key;
				IF FOUND THEN RETURN; END IF;
			END IF;
			RETURN QUERY INSERT INTO workflows AS w (name, "buildingId", "requestKey", "handledBy", status, "createdAt", "updatedAt")
				VALUES (p_name, p_building_id, p_request_key, p_handled_by, 'new', now(), now())
				RETURNING w.id, w.name, w."buildingId", w.status::text, w."handledBy", w."createdAt", w."updatedAt", false;
		END $$`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: db }) => {
	await db.sequelize.query("DROP FUNCTION create_workflow(varchar, integer, varchar, varchar)");
};
