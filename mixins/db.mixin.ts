import { Errors, type Context, type ServiceSchema } from "moleculer";
import type { Model, ModelAttributes, ModelOptions, ModelStatic, QueryInterface, Sequelize } from "sequelize";
import { SequelizeStorage, Umzug, type RunnableMigration } from "umzug";
import { settings } from "../config/settings";
import { MIGRATIONS } from "../migrations";
import type { Page } from "../types";
import { toMoleculerError } from "./db-errors";
import { openPool } from "./db-pool";
import { dbServiceSchema, sequelizeStore, type DbSettings } from "../framework/moleculer-db";

export interface ModelDefinition {
	name: string;
	define: ModelAttributes;
	options?: ModelOptions;
}

export type Migration = RunnableMigration<QueryInterface>;

export interface DbMixinOptions {
	/** The service's own database: its URL from `<DATABASE>_DATABASE_URL`, its schema from `migrations/<database>`. */
	database: keyof typeof MIGRATIONS;
	model: ModelDefinition;
	/** The columns an entity is answered with. */
	fields: string[];
}

/** What the mixin gives a service, for services to declare on their class. */
export interface DbStore {
	/** The service's table. */
	model: ModelStatic<Model>;
	/** The service's own connection pool, for transactions. */
	sequelize: Sequelize;
	/** moleculer-db's store of the service's table. */
	adapter: { find(params: object): Promise<unknown[]> };
	/** moleculer-db's defaults for a list: page 1, `pageSize`, limit and offset. */
	sanitizeParams(ctx: Context, params: object): object;
	/** moleculer-db's paged find: `{ rows, total, page, pageSize, totalPages }`. */
	_list(ctx: Context, params: object): Promise<Page<unknown>>;
	/** moleculer-db's find by id; throws a 404 EntityNotFoundError. */
	_get(ctx: Context, params: { id: number }): Promise<unknown>;
	/** Turns model instances into the plain objects actions return. */
	transformDocuments(ctx: Context, params: object, docs: unknown): Promise<unknown>;
	/** Runs a database call in a tracing span of its own when the request is traced. */
	traced<T>(ctx: Context | undefined, name: string, work: () => Promise<T>): Promise<T>;
}

/**
 * A moleculer-db store on PostgreSQL for one service: its own database and pool, its schema
 * brought up to date by versioned migrations, and database errors turned into client errors.
 */
export function DbMixin({ database, model, fields }: DbMixinOptions): Partial<ServiceSchema<DbSettings>> & { model: ModelDefinition } {
	const migrations = MIGRATIONS[database];
	return {
		mixins: [dbServiceSchema],
		model,
		settings: {
			idField: "id",
			fields,
			pageSize: 20,
			maxPageSize: 100,
		},
		// The services declare their own actions with strict parameters; moleculer-db's generic
		// ones (which accept any query) are switched off.
		actions: {
			find: false,
			count: false,
			list: false,
			create: false,
			insert: false,
			get: false,
			update: false,
			remove: false,
		},
		hooks: {
			error: {
				"*"(this: { logger: { error(...args: unknown[]): void } }, _ctx: Context, err: Error) {
					const mapped = toMoleculerError(err);
					// The client sees a bare 500; the log keeps what went wrong.
					if (mapped instanceof Errors.MoleculerError && mapped.code === 500) this.logger.error("Unexpected database error:", err);
					throw mapped;
				},
			},
		},

		methods: {
			/** Nothing is cached, so a write through moleculer-db has no one to tell (it would broadcast to every node). */
			clearCache: () => Promise.resolve(),

			async traced<T>(this: { fullName: string }, ctx: Context | undefined, name: string, work: () => Promise<T>): Promise<T> {
				if (!ctx?.tracing) return work();
				const span = ctx.startSpan(`db ${database}: ${name}`, { tags: { database, service: this.fullName } });
				try {
					return await work();
				} finally {
					ctx.finishSpan(span);
				}
			},
		},

		created() {
			// Read when the service is created, not when this file is loaded: brokers created one
			// after another in one process each get the databases set at that moment.
			const sequelize = openPool(settings.databases.urls[database], this.broker.nodeID, settings.databases);
			this.sequelize = sequelize;
			// A per-instance adapter (brokers in one process must not share one). The model is
			// defined and synced by the migrations, not by the adapter's unguarded sync().
			this.adapter = sequelizeStore(sequelize);
			this.adapter.init(this.broker, this);
		},

		async started() {
			const applied = await migrate(this.sequelize, migrations, database);
			// Nodes starting together find the schema done by the first: say which one did the work.
			this.logger.info(
				`Database "${database}" ready: ${applied > 0 ? `applied ${applied} migration(s)` : `schema up to date (${migrations.length} migrations)`}.`,
			);
		},
	};
}

/**
 * Applies pending migrations. Nodes starting together against an empty database queue on a
 * Postgres advisory lock, so the schema is created once and the others find it done. Returns
 * how many this call applied.
 */
async function migrate(sequelize: Sequelize, migrations: Migration[], lockName: string): Promise<number> {
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
			{
				transaction,
			},
		);
		await sequelize.query("SELECT pg_advisory_xact_lock(hashtext(:lockName))", {
			replacements: { lockName: `migrations:${lockName}` },
			transaction,
		});
		return (await umzug.up()).length;
	});
}
