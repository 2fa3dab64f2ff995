/**
 * The read yardstick's back end: answers requests for a building id on bench.buildings.get
 * (queue group "bench") with its row as JSON, an empty reply if there is none, or a reply with
 * status 500 if the query fails. Reads BENCH_NATS_URL, BENCH_DATABASE_URL and the pool size as
 * its argument.
 */
import { headers, type Msg } from "nats";
import { Pool } from "pg";
import { settings } from "../config/settings";
import { connectNats } from "./nats";

async function main(): Promise<void> {
	const pool = new Pool({ connectionString: settings.bench.databaseUrl, max: Number(process.argv[2]) });
	const nc = await connectNats(settings.bench.natsUrl);
	const encoder = new TextEncoder();
	const answer = async (m: Msg) => {
		try {
			const { rows } = await pool.query("SELECT * FROM buildings WHERE id = $1", [Number(m.string())]);
			m.respond(rows[0] ? encoder.encode(JSON.stringify(rows[0])) : undefined);
		} catch (err) {
			m.respond(encoder.encode((err as Error).message), { headers: headers(500, "query failed") });
		}
	};
	const sub = nc.subscribe("bench.buildings.get", { queue: "bench" });
	await nc.flush();
	process.stdout.write("ready\n");
	// Each request on its own: the pool, not this loop, bounds the queries in flight.
	for await (const m of sub) void answer(m);
}

main().catch(err => {
	console.error(err.message);
	process.exit(1);
});
