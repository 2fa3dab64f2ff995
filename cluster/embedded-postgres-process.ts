/**
 * Runs the embedded PostgreSQL for `npm start` in a process group of its own. A Ctrl-C in the
 * terminal goes to the whole foreground group: the nodes get it and finish their requests, but
 * the database must outlive them, so the launcher stops it itself, last (SIGTERM). If the
 * launcher dies (kill -9), this process notices and stops the database too.
 *
 * Protocol: argv = [dataDir, binaries, port, ...databases]; once started, sends the URLs with a
 * "{database}" to fill in, over TCP and (when the server has one) over its Unix socket, and the
 * socket's directory: { url, socketUrl?, socketDir }; or { error } before it exits with code 1.
 * If the server ends when nobody asked it to, this process ends the same way (the same code, or
 * the same signal), so that the launcher's supervisor says how, and starts it again.
 */
import { startEmbeddedPostgres, type RunningPostgres } from "./embedded-postgres";
import type { Ending } from "./postgres-server";

const [dataDir, binaries, port, ...databases] = process.argv.slice(2);
let server: RunningPostgres | undefined;
let stopping = false;

async function stop(): Promise<void> {
	if (stopping) return;
	stopping = true;
	await server?.stop();
	process.exit(0);
}

function endAsTheServerDid({ code, signal }: Ending): void {
	if (stopping) return;
	if (!signal) process.exit(code ?? 1);
	process.removeAllListeners(signal);
	process.kill(process.pid, signal);
	// A signal whose default is not to end a process (none that ends a postmaster): exit all the same.
	setTimeout(() => process.exit(1), 1000);
}

process.on("SIGTERM", () => void stop());
process.on("disconnect", () => void stop());

startEmbeddedPostgres({ dataDir, binaries }, databases, Number(port)).then(
	started => {
		server = started;
		void started.ended().then(endAsTheServerDid);
		process.send?.({ url: started.url("{database}"), socketUrl: started.socketUrl?.("{database}"), socketDir: started.socketDir });
	},
	(err: Error) => {
		if (!process.send) process.exit(1);
		process.send({ error: err.message }, () => process.exit(1));
	},
);
