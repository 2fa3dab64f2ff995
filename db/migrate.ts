import type { QueryInterface, Sequelize } from "sequelize";
import { SequelizeStorage, Umzug, type RunnableMigration } from "umzug";

/** One versioned change of a service's schema. */
export type Migration = RunnableMigration<QueryInterface>;

/**
 * SQL that the schema holds as code (a function, say), applied with `CREATE OR REPLACE` after the
 * migrations on every start: the source in the repository is the one the database runs.
 */
export interface Routine {
	name: string;
	sql: string;
}

/**
 * Applies the pending migrations, then the routines, inside one transaction that holds a
 * Postgres advisory lock: nodes starting together against an empty database queue on it, so the
 * schema is made once and the others find it done. Returns how many migrations this call applied.
 */
export async function migrate(sequelize: Sequelize, database: string, migrations: Migration[], routines: Routine[]): Promise<number> {
	const umzug = new Umzug({
		migrations,
		context: sequelize.getQueryInterface(),
		storage: new SequelizeStorage({ sequelize, tableName: "schema_migrations" }),
		logger: undefined,
	});
	return sequelize.transaction(async transaction => {
		// This transaction holds the lock, idle, while the migrations run: no timeout applies to it.
		await sequelize.query(
			"SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0",
			{ transaction },
		);
		await sequelize.query("SELECT pg_advisory_xact_lock(hashtext(:lockName))", {
			replacements: { lockName: `migrations:${database}` },
			transaction,
		});
		const applied = (await umzug.up()).length;
		for (const routine of routines) await sequelize.query(routine.sql, { transaction });
		return applied;
	});
}
