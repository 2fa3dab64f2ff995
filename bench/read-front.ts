/**
 * The read yardstick's front: a bare `node:http` server on the port given as its argument that
 * answers GET /buildings/:id by a NATS request to bench.buildings.get (BENCH_NATS_URL):
 * 200 with the reply, 404 on an empty one, 500 on a failed or missing one.
 */
import { createServer } from "node:http";
import { settings } from "../config/settings";
import { connectNats } from "./nats";

async function main(): Promise<void> {
	const nc = await connectNats(settings.bench.natsUrl);
	const encoder = new TextEncoder();
	const server = createServer((req, res) => {
		const id = /^\/buildings\/(\d+)$/.exec(req.url ?? "")?.[1];
		if (!id) return res.writeHead(404).end();
		nc.request("bench.buildings.get", encoder.encode(id), { timeout: 5000 }).then(
			reply => {
				const status = reply.headers?.code || (reply.data.length === 0 ? 404 : 200);
				res.writeHead(status, { "content-type": "application/json" }).end(reply.data);
			},
			(err: Error) => res.writeHead(500).end(err.message),
		);
	});
	server.listen(Number(process.argv[2]), "127.0.0.1", () => process.stdout.write("ready\n"));
}

main().catch(err => {
	console.error(err.message);
	process.exit(1);
});
