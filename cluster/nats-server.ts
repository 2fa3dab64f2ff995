import { execFile, spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { settings, type Settings } from "../config/settings";
import { isReachable } from "../node/ports";

const run = promisify(execFile);

/** Where to get nats-server, for messages that say it is missing. */
export const NATS_INSTALL_HINT =
	"Debian/Ubuntu: apt-get install nats-server; macOS: brew install nats-server; or a release binary from https://github.com/nats-io/nats-server/releases";

/** Where findNatsServer looked, for messages that say it found none. */
export const NATS_SEARCHED = "none on PATH or in the sbin folders beside it";

/**
 * The nats-server to run: NATS_SERVER_BIN as given; else the first nats-server on PATH; else one
 * in the sbin folder beside a bin folder of PATH (/usr/local/sbin, /usr/sbin, /sbin for the usual
 * PATH): Debian's package installs it in /usr/sbin, which an ordinary user's PATH lacks.
 * Undefined when there is none.
 */
export function findNatsServer({ natsServerBin, searchPath }: Settings["local"] = settings.local): string | undefined {
	if (natsServerBin) return natsServerBin;
	const sbins = searchPath.filter(dir => path.basename(dir) === "bin").map(dir => path.join(path.dirname(dir), "sbin"));
	return [...searchPath, ...sbins].map(dir => path.join(dir, "nats-server")).find(isExecutableFile);
}

function isExecutableFile(file: string): boolean {
	try {
		accessSync(file, constants.X_OK);
		return statSync(file).isFile();
	} catch {
		return false;
	}
}

/**
 * The server pings each client every 2 s and drops one that misses 2 pings: a node that hangs
 * (alive, sockets open, not reading) leaves the queue groups within about 6 s instead of the
 * default 4 minutes, so requests stop going to it. The same pings go over a NATS cluster's
 * routes: a server whose host drops off the network loses its routes, and the others its nodes'
 * queue subscriptions, within about 6 s. docker-compose's nats/ config says the same.
 */
export const NATS_LIVENESS_CONFIG = 'ping_interval: "2s"\nping_max: 2\n';

export interface NatsServerOptions {
	/** The nats-server binary (default: findNatsServer's, so NATS_SERVER_BIN, then PATH, then sbin). */
	binary?: string;
	/**
	 * Keeps its pid file and log in this directory, and stops a server that a killed owner left
	 * running there. Without it, the server writes no files.
	 */
	filesDir?: string;
	/** In a process group of its own: a Ctrl-C in the terminal does not reach it, its owner stops it. */
	detached?: boolean;
	/**
	 * Starts the server again, on the same port, when it exits unasked (the nodes reconnect to
	 * it), saying so in a line given to this function. Without it, a server that dies stays down.
	 */
	restartAndSay?: (line: string) => void;
}

/** A private nats-server on a loopback port: for `npm start`, tests and the benchmark. */
export class NatsServer {
	private child?: ChildProcess;
	private restartTimer?: NodeJS.Timeout;
	constructor(
		readonly port: number,
		/** More nats-server arguments, e.g. ["--user", "u", "--pass", "p"]. */
		private readonly args: string[] = [],
		private readonly options: NatsServerOptions = {},
	) {}

	/** The version a nats-server binary reports ("2.9.10"), or undefined if it does not run. */
	static async version(binary: string): Promise<string | undefined> {
		try {
			const { stdout } = await run(binary, ["--version"], { timeout: 5000 });
			return /v?(\d+\.\d+\.\d+\S*)/.exec(stdout)?.[1] ?? stdout.trim();
		} catch {
			return undefined;
		}
	}

	get url(): string {
		return `nats://127.0.0.1:${this.port}`;
	}

	/** pid of the running server. */
	get pid(): number | undefined {
		return this.child?.pid;
	}

	private get pidFile(): string | undefined {
		return this.options.filesDir && path.join(this.options.filesDir, "nats-server.pid");
	}

	async start(): Promise<void> {
		const binary = this.options.binary ?? findNatsServer();
		if (!binary) throw new Error(`No nats-server found (NATS_SERVER_BIN unset, ${NATS_SEARCHED}): install it (${NATS_INSTALL_HINT}).`);
		if (!(await NatsServer.version(binary))) throw new Error(`${binary} does not run as nats-server --version.`);
		const files: string[] = [];
		if (this.options.filesDir) {
			await stopLeftBehind(this.pidFile!);
			mkdirSync(this.options.filesDir, { recursive: true });
			files.push("-P", this.pidFile!, "-l", path.join(this.options.filesDir, "nats-server.log"));
		}
		const config = path.join(this.options.filesDir ?? tmpdir(), `nats-server-${this.port}.conf`);
		writeFileSync(config, NATS_LIVENESS_CONFIG);
		const child = spawn(binary, ["-c", config, "-a", "127.0.0.1", "-p", String(this.port), ...files, ...this.args], {
			stdio: "ignore",
			detached: this.options.detached ?? false,
		});
		this.child = child;
		child.once("exit", (code, signal) => this.exitedUnasked(child, signal ? `signal ${signal}` : `code ${code}`));
		const deadline = Date.now() + 10_000;
		while (!(await isReachable("127.0.0.1", this.port))) {
			// e.g. the port was taken between choosing it and starting
			if (child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode} before listening on port ${this.port}.`);
			if (Date.now() > deadline) throw new Error(`nats-server did not listen on port ${this.port} within 10 s.`);
			await new Promise(resolve => setTimeout(resolve, 50));
		}
	}

	/**
	 * Stops the server and waits for it to end. SIGKILL by default (tests cut NATS off); SIGTERM
	 * lets it close its connections and remove its pid file.
	 */
	async stop(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
		const child = this.child;
		this.child = undefined;
		clearTimeout(this.restartTimer);
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		const exited = new Promise(resolve => child.once("exit", resolve));
		child.kill(signal);
		const killLater = setTimeout(() => child.kill("SIGKILL"), 5000);
		await exited;
		clearTimeout(killLater);
		// nats-server leaves its pid file behind; a file then always means a server may still run.
		if (this.pidFile) rmSync(this.pidFile, { force: true });
	}

	/** `stop` forgets the child first: an exit of the child still known is one nobody asked for. */
	private exitedUnasked(child: ChildProcess, how: string): void {
		const say = this.options.restartAndSay;
		if (this.child !== child || !say) return;
		this.child = undefined;
		say(`nats-server on port ${this.port} exited (${how}); restarting it in 0.5 s.`);
		this.restartTimer = setTimeout(() => {
			this.start().then(
				() => say(`nats-server on port ${this.port} restarted (pid ${this.pid}).`),
				(err: Error) => say(`nats-server on port ${this.port} could not restart: ${err.message}`),
			);
		}, 500);
	}

	async restart(downMs: number): Promise<void> {
		await this.stop();
		await new Promise(resolve => setTimeout(resolve, downMs));
		await this.start();
	}
}

/**
 * A server whose owner was killed (kill -9) runs on, detached: stop it. Its command line names
 * this pid file, which tells it from another process that got the same pid since (or from its
 * own zombie, which has no command line).
 */
async function stopLeftBehind(pidFile: string): Promise<void> {
	if (!existsSync(pidFile)) return;
	const pid = Number(readFileSync(pidFile, "utf8").trim());
	if (!Number.isInteger(pid) || pid <= 0) return;
	const running = () =>
		run("ps", ["-o", "args=", "-p", String(pid)]).then(
			({ stdout }) => stdout.includes(pidFile),
			() => false, // no such process
		);
	if (!(await running())) return;
	process.kill(pid, "SIGTERM");
	const started = Date.now();
	while (await running()) {
		if (Date.now() - started > 10_000)
			throw new Error(`A nats-server (pid ${pid}) left running in ${path.dirname(pidFile)} does not stop; stop it and try again.`);
		if (Date.now() - started > 5000) process.kill(pid, "SIGKILL");
		await new Promise(resolve => setTimeout(resolve, 100));
	}
}
