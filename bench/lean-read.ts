/**
 * The lean in-process read yardstick: one process, a bare `node:http` server on the port given as
 * its first argument that answers GET /buildings/:id by `SELECT` by primary key on the buildings
 * table (BENCH_DATABASE_URL, a `pg` pool of the size given as its second argument) with the row
 * as JSON; 404 if there is none, 500 if the query fails. A read with no framework and no hop
 * between processes: what the cluster's GET is measured against.
 */
import { createServer } from "node:http";
import { Pool } from "pg";
import { settings } from "../config/settings";

const pool = new Pool({ connectionString: settings.bench.databaseUrl, max: Number(process.argv[3]) });
const server = createServer((req, res) => {
	const id = /^\/buildings\/(\d+)$/.exec(req.url ?? "")?.[1];
	if (!id) return res.writeHead(404).end();
	pool.query("SELECT * FROM buildings WHERE id = $1", [Number(id)]).then(
		({ rows }) =>
			rows[0] ? res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(rows[0])) : res.writeHead(404).end(),
		(err: Error) => res.writeHead(500).end(err.message),
	);
});
server.listen(Number(process.argv[2]), "127.0.0.1", () => process.stdout.write("ready\n"));
