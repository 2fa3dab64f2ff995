/**
 * Runs the embedded PostgreSQL for `npm start` in a process group of its own. A Ctrl-C in the
 * terminal goes to the whole foreground group: the nodes get it and finish their requests, but
 * the database must outlive them, so the launcher stops it itself, last. If the launcher dies
 * (kill -9), this process notices and stops the database too.
 *
 * Protocol: argv = [dataDir, ...databases]; once started, sends the URLs with a "{database}" to
 * fill in, over TCP and (when the server has one) over its Unix socket, and the socket's
 * directory: { url, socketUrl?, socketDir }; or { error }. Stops the server on { stop: true } or
 * when the launcher is gone.
 */
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./embedded-postgres";

const [dataDir, ...databases] = process.argv.slice(2);
let server: EmbeddedDatabase | undefined;
let stopping = false;

async function stop(): Promise<void> {
	if (stopping) return;
	stopping = true;
	await server?.stop();
	process.exit(0);
}

process.on("message", message => (message as { stop?: boolean }).stop && void stop());
process.on("disconnect", () => void stop());

startEmbeddedPostgres(dataDir, databases).then(
	started => {
		server = started;
		process.send?.({ url: started.url("{database}"), socketUrl: started.socketUrl?.("{database}"), socketDir: started.socketDir });
	},
	err => {
		process.send?.({ error: (err as Error).message });
		process.exit(1);
	},
);
