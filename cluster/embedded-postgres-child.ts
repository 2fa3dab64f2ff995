/** Starting the embedded PostgreSQL in a process of its own, without loading it here (an ES module). */
import { fork } from "node:child_process";
import { projectScript } from "./runtime";

export interface EmbeddedDatabase {
	/** URL of one database over TCP on 127.0.0.1, with the password: for tools and TCP proxies. */
	url(database: string): string;
	/**
	 * URL of one database over the server's Unix socket, which costs less per statement than TCP
	 * loopback. Absent when the socket's path would be too long: the server then listens on TCP only.
	 */
	socketUrl?(database: string): string;
	/** The directory the socket is in, or would be. */
	socketDir: string;
	stop(): Promise<void>;
}

/**
 * The embedded PostgreSQL in a child process of its own process group (see
 * embedded-postgres-process.ts): a terminal's Ctrl-C does not reach it.
 */
export function startEmbeddedPostgresProcess(dataDir: string, databases: string[]): Promise<EmbeddedDatabase> {
	const { script, execArgv } = projectScript("cluster/embedded-postgres-process");
	const child = fork(script, [dataDir, ...databases], { execArgv, detached: true, stdio: ["ignore", "inherit", "inherit", "ipc"] });
	const exited = new Promise<void>(resolve => child.once("exit", () => resolve()));
	return new Promise((resolve, reject) => {
		child.once("message", message => {
			const { url, socketUrl, socketDir, error } = message as { url?: string; socketUrl?: string; socketDir?: string; error?: string };
			if (!url || !socketDir) return reject(new Error(error));
			resolve({
				url: database => url.replace("{database}", database),
				socketUrl: socketUrl ? database => socketUrl.replace("{database}", database) : undefined,
				socketDir,
				stop: async () => {
					if (child.exitCode === null && child.signalCode === null) child.send({ stop: true });
					await exited;
				},
			});
		});
		child.once("exit", code => reject(new Error(`The embedded PostgreSQL process exited with code ${code}.`)));
	});
}
