import { Errors, type Context, type ServiceSchema } from "moleculer";
import DbService from "moleculer-db";
import SequelizeAdapter from "moleculer-db-adapter-sequelize";
import { Sequelize, type Model, type ModelAttributes, type ModelOptions, type ModelStatic, type QueryInterface } from "sequelize";
import { SequelizeStorage, Umzug, type RunnableMigration } from "umzug";
import { settings } from "../config/settings";
import { MIGRATIONS } from "../migrations";
import type { Page } from "../types";
import { toMoleculerError } from "./db-errors";

// The adapter's typings declare one argument; it takes Sequelize's own arguments and, fourth,
// its options (where `noSync` lives).
const Adapter = SequelizeAdapter as unknown as new (...args: unknown[]) => SequelizeAdapter;

export interface ModelDefinition {
	name: string;
	define: ModelAttributes;
	options?: ModelOptions;
}

export type Migration = RunnableMigration<QueryInterface>;

/** Longest wait for a pooled connection (k8s/ budgets as much for closing the pool when a node stops). */
export const POOL_ACQUIRE_TIMEOUT_MS = 5_000;

export interface DbMixinOptions {
	/** The service's own database: its URL from `<DATABASE>_DATABASE_URL`, its schema from `migrations/<database>`. */
	database: keyof typeof MIGRATIONS;
	model: ModelDefinition;
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
export function DbMixin({ database, model }: DbMixinOptions): Partial<ServiceSchema> {
	const migrations = MIGRATIONS[database];
	return {
		mixins: [DbService],
		model,
		settings: {
			idField: "id",
			pageSize: 20,
			maxPageSize: 100,
			// Nothing is cached, so a write has no reason to tell every other node.
			cacheCleanEventType: "broadcastLocal",
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
			const { urls, poolMax } = settings.databases;
			const sequelize = new Sequelize(urls[database], {
				dialect: "postgres",
				logging: false,
				pool: { max: poolMax, min: 0, idle: 10_000, acquire: POOL_ACQUIRE_TIMEOUT_MS },
			});
			this.sequelize = sequelize;
			// A per-instance adapter (brokers in one process must not share one). The model is
			// defined and synced by the migrations, not by the adapter's unguarded sync().
			this.adapter = new Adapter(sequelize, undefined, undefined, { noSync: true });
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
		await sequelize.query("SELECT pg_advisory_xact_lock(hashtext(:lockName))", {
			replacements: { lockName: `migrations:${lockName}` },
			transaction,
		});
		return (await umzug.up()).length;
	});
}
