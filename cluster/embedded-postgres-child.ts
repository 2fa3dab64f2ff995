/** Starting the embedded PostgreSQL in a process of its own, supervised like the nodes. */
import { fork } from "node:child_process";
import { portToListenOnLater } from "../node/ports";
import type { PostgresHome } from "./postgres-home";
import { projectScript } from "./runtime";
import { Supervisor } from "./supervisor";

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

/** What embedded-postgres-process.ts sends once its server takes connections. */
interface Started {
	url: string;
	socketUrl?: string;
	socketDir: string;
}

/**
 * The embedded PostgreSQL in a child process of its own process group (see
 * embedded-postgres-process.ts): a terminal's Ctrl-C does not reach it. When the server dies,
 * the supervisor starts it again, on the same port and files, with the nodes' restart rule
 * (restart-policy.ts), one line for the crash and one for the restart; the nodes' pools connect
 * to it again. `log` gets those lines.
 */
export async function startEmbeddedPostgresProcess(
	home: Pick<PostgresHome, "dataDir" | "binaries">,
	databases: string[],
	log: (line: string) => void = line => console.log(line),
): Promise<EmbeddedDatabase> {
	const { script, execArgv } = projectScript("cluster/embedded-postgres-process");
	const port = await portToListenOnLater();
	let started: Started | undefined;
	const supervisor = new Supervisor(
		() => {
			const child = fork(script, [home.dataDir, home.binaries, String(port), ...databases], {
				execArgv,
				detached: true,
				stdio: ["ignore", "inherit", "inherit", "ipc"],
			});
			child.once("message", message => {
				if (typeof message === "object" && message !== null && "url" in message) started = message as Started;
			});
			return child;
		},
		log,
		0,
		() => "The embedded PostgreSQL",
	);
	await supervisor.start(["postgres"]);
	if (!started) throw new Error("The embedded PostgreSQL started without saying where.");
	const { url, socketUrl, socketDir } = started;
	return {
		url: database => url.replace("{database}", database),
		socketUrl: socketUrl ? database => socketUrl.replace("{database}", database) : undefined,
		socketDir,
		stop: () => supervisor.stop(),
	};
}
