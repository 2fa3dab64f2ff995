/** The NATS request-reply yardstick's responder (BENCH_NATS_URL): answers each request on bench.echo with its payload. */
import { settings } from "../config/settings";
import { connectNats } from "./nats";

async function main(): Promise<void> {
	const nc = await connectNats(settings.bench.natsUrl);
	const sub = nc.subscribe("bench.echo", { queue: "bench" });
	await nc.flush();
	process.stdout.write("ready\n");
	for await (const m of sub) m.respond(m.data);
}

main().catch(err => {
	console.error(err.message);
	process.exit(1);
});
