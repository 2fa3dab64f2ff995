import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDatabase, dropDatabase, uniqueName } from "./infra";
import { START, ScriptProcess, freePort } from "./processes";

/**
 * `npm start` (cluster/start.ts) as a user runs it: in a work directory of its own, with no
 * TRANSPORTER unless `env` gives one, on two fresh databases of the tests' Postgres.
 */
export class LaunchedCluster {
	readonly workDir: string;
	readonly dataDir: string;
	private readonly namespace: string;
	buildingsDb = "";
	workflowsDb = "";
	/** Base URL of the gateway, e.g. http://127.0.0.1:41234/api. */
	api = "";
	private process?: ScriptProcess;

	constructor(name: string) {
		this.workDir = mkdtempSync(path.join(tmpdir(), `${name}-`));
		this.dataDir = path.join(this.workDir, "data");
		this.namespace = uniqueName(name.replace(/-/g, "_"));
	}

	get launcher(): ScriptProcess {
		if (!this.process) throw new Error("The launcher has not been started.");
		return this.process;
	}

	/**
	 * Starts the launcher with these variables too, and waits for its summary. With `via`, the
	 * nodes reach their databases at that host:port (a proxy).
	 */
	async start(env: Record<string, string | undefined> = {}, via: { buildings?: string; workflows?: string } = {}): Promise<void> {
		this.buildingsDb = await createDatabase(`${this.namespace}_buildings`);
		this.workflowsDb = await createDatabase(`${this.namespace}_workflows`);
		const through = (url: string, hostPort?: string) => (hostPort ? url.replace(/@[^/]+\//, `@${hostPort}/`) : url);
		const port = await freePort();
		this.api = `http://127.0.0.1:${port}/api`;
		const variables = {
			LOG_LEVEL: "info",
			PORT: String(port),
			DATA_DIR: this.dataDir,
			BUILDINGS_DATABASE_URL: through(this.buildingsDb, via.buildings),
			WORKFLOWS_DATABASE_URL: through(this.workflowsDb, via.workflows),
		};
		this.process = new ScriptProcess(START, [], { ...variables, ...env }, this.workDir);
		await this.process.waitForOutput("Cluster ready", 90_000);
	}

	/** Ctrl-C if it still runs (kill -9 of its group if that fails), then drops what it used. */
	async stop(): Promise<void> {
		const launcher = this.process;
		if (launcher && launcher.child.exitCode === null) {
			launcher.interrupt();
			await launcher.stop(undefined, 30_000).catch(() => process.kill(-launcher.child.pid!, "SIGKILL"));
		}
		await dropDatabase(`${this.namespace}_buildings`);
		await dropDatabase(`${this.namespace}_workflows`);
		rmSync(this.workDir, { recursive: true, force: true });
	}
}
