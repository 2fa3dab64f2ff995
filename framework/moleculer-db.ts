/**
 * moleculer-db 0.9.0 and moleculer-db-adapter-sequelize 0.2.19 as the DB mixin takes them. Their
 * typings disagree with their modules in two places:
 * - moleculer-db's default export is typed as a Service class; the module exports the service
 *   schema that `mixins` take;
 * - the adapter's constructor is typed with one argument; it takes Sequelize's own arguments and,
 *   fourth, its options, where `noSync` turns off the `sync()` it would run on every connect.
 * test/integration/framework-internals.spec.ts breaks if either changes.
 */
import type { ServiceSchema, ServiceSettingSchema } from "moleculer";
import DbService, { type DbServiceSettings } from "moleculer-db";
import SequelizeAdapter from "moleculer-db-adapter-sequelize";
import type { Sequelize } from "sequelize";

/** A service's settings with moleculer-db's (`idField`, `fields`, `pageSize`, ...). */
export type DbSettings = ServiceSettingSchema & DbServiceSettings;

/** moleculer-db's service schema, to mix in. */
export const dbServiceSchema = DbService as unknown as Partial<ServiceSchema<DbSettings>>;

const Adapter = SequelizeAdapter as unknown as new (...args: unknown[]) => SequelizeAdapter;

/** moleculer-db's store on an open Sequelize pool, which never syncs the schema (migrations own it). */
export function sequelizeStore(sequelize: Sequelize): SequelizeAdapter {
	return new Adapter(sequelize, undefined, undefined, { noSync: true });
}
