import { Errors, Service, type Context, type ServiceSchema } from "moleculer";
import type { Model, ModelAttributes, ModelOptions, ModelStatic, Sequelize } from "sequelize";
import { settings } from "../config/settings";
import { toMoleculerError } from "../db/errors";
import { migrate, type Migration, type Routine } from "../db/migrate";
import { openPool } from "../db/pool";
import { dbServiceSchema, sequelizeStore, type DbSettings } from "../framework/moleculer-db";
import type { Page } from "../types";

export interface ModelDefinition {
	name: string;
	define: ModelAttributes;
	options?: ModelOptions;
}

export interface DbMixinOptions {
	/** The service's own database: its URL from `<DATABASE>_DATABASE_URL`. */
	database: keyof typeof settings.databases.urls;
	model: ModelDefinition;
	/** The columns an entity is answered with. */
	fields: string[];
	/** The schema's history, oldest first. */
	migrations: Migration[];
	/** SQL the schema holds as code, applied with `CREATE OR REPLACE` after the migrations. */
	routines?: Routine[];
}

/**
 * What the mixin gives a service, for the service's class to extend: the members exist at run
 * time once the mixin has created them.
 */
export abstract class DbService extends Service<DbSettings> {
	/** The service's table. */
	declare model: ModelStatic<Model>;
	/** The service's own connection pool, for its statements and transactions. */
	declare sequelize: Sequelize;
	/** moleculer-db's store of the service's table. */
	declare adapter: { find(params: object): Promise<unknown[]>; count(filters: { query?: object }): Promise<number> };
	/** moleculer-db's defaults for a list: page 1, `pageSize`, limit and offset. */
	declare sanitizeParams: (ctx: Context, params: object) => object;
	/** moleculer-db's paged find: `{ rows, total, page, pageSize, totalPages }`. */
	declare _list: (ctx: Context, params: object) => Promise<Page<unknown>>;
	/** moleculer-db's find by id; throws a 404 EntityNotFoundError. */
	declare _get: (ctx: Context, params: { id: number }) => Promise<unknown>;
	/** Turns model instances into the plain objects actions return. */
	declare transformDocuments: (ctx: Context, params: object, docs: unknown) => Promise<unknown>;
}

/**
 * A moleculer-db store on PostgreSQL for one service: its own database and pool, its schema
 * brought up to date by versioned migrations, and database errors turned into client errors.
 */
export function DbMixin({ database, model, fields, migrations, routines = [] }: DbMixinOptions): Partial<ServiceSchema<DbSettings>> & {
	model: ModelDefinition;
} {
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
				"*"(this: Service, _ctx: Context, err: Error) {
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
			const applied = await migrate(this.sequelize, database, migrations, routines);
			// Nodes starting together find the schema done by the first: say which one did the work.
			this.logger.info(
				`Database "${database}" ready: ${applied > 0 ? `applied ${applied} migration(s)` : `schema up to date (${migrations.length} migrations)`}.`,
			);
		},
	};
}
