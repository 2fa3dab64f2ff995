import type { Context } from "moleculer";

/**
 * Runs a database call in a tracing span of its own (`db <database>: <name>`) when the request
 * is traced; otherwise just runs it.
 */
export async function traced<T>(ctx: Context | undefined, database: string, name: string, work: () => Promise<T>): Promise<T> {
	if (!ctx?.tracing) return work();
	const span = ctx.startSpan(`db ${database}: ${name}`, { tags: { database, service: ctx.service?.fullName } });
	try {
		return await work();
	} finally {
		ctx.finishSpan(span);
	}
}
