import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { LocalCluster } from "../node/local-cluster";
import { freePort } from "../node/ports";

const ROOT = path.join(__dirname, "..");

export interface BenchCluster {
	apiUrl: string;
	databases: LocalCluster["env"];
	/** The transporter the nodes run on, as the launcher recorded it (may hold NATS credentials). */
	transporter: string;
	/** pid of each node process, by nodeID. */
	nodePids(): Record<string, number>;
	stop(): Promise<void>;
}

/**
 * The topology as `npm start` runs it (api, buildings, N workflows nodes, one process each),
 * through its launcher: on the transporter and Postgres given (in `env`, else in the
 * environment) or on the launcher's defaults, with its data in `dataDir`.
 */
export async function startBenchCluster(options: {
	workflowsNodes: number;
	dataDir: string;
	env: Record<string, string>;
}): Promise<BenchCluster> {
	const port = await freePort();
	const launcher = spawn(
		process.execPath,
		["--import", pathToFileURL(require.resolve("tsx")).href, path.join(ROOT, "cluster", "start.ts")],
		{
			cwd: ROOT,
			env: {
				...process.env,
				// A namespace of its own: on a shared NATS, the bench's nodes never meet another cluster's.
				NAMESPACE: `bench-${process.pid}`,
				...options.env,
				PORT: String(port),
				HOST: "127.0.0.1",
				DATA_DIR: options.dataDir,
				WORKFLOWS_NODES: String(options.workflowsNodes),
			},
			stdio: ["ignore", "pipe", "pipe"],
		},
	);
	let output = "";
	launcher.stdout!.on("data", chunk => (output = (output + chunk).slice(-20_000)));
	launcher.stderr!.on("data", chunk => (output = (output + chunk).slice(-20_000)));
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`The cluster was not ready within 90 s:\n${output}`)), 90_000);
		const check = () => output.includes("Cluster ready") && (clearTimeout(timer), resolve());
		launcher.stdout!.on("data", check);
		launcher.once("exit", code => (clearTimeout(timer), reject(new Error(`The cluster exited with ${code}:\n${output}`))));
	});
	const { env } = JSON.parse(readFileSync(path.join(options.dataDir, "cluster.json"), "utf8")) as LocalCluster;
	return {
		apiUrl: `http://127.0.0.1:${port}/api`,
		databases: env,
		transporter: env.TRANSPORTER,
		nodePids: () => nodePids(launcher),
		stop: () => stopLauncher(launcher),
	};
}

function nodePids(launcher: ChildProcess): Record<string, number> {
	const pids = execFileSync("ps", ["-o", "pid=", "--ppid", String(launcher.pid)], { encoding: "utf8" })
		.split("\n")
		.map(Number)
		.filter(Boolean);
	const byNode: Record<string, number> = {};
	for (const pid of pids) {
		let environ: string[];
		try {
			environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
		} catch {
			continue; // ended meanwhile (a node the launcher is restarting)
		}
		const nodeID = environ.find(entry => entry.startsWith("NODE_ID="))?.slice("NODE_ID=".length);
		if (nodeID) byNode[nodeID] = pid;
	}
	return byNode;
}

async function stopLauncher(launcher: ChildProcess): Promise<void> {
	if (launcher.exitCode !== null) return;
	const exited = new Promise(resolve => launcher.once("exit", resolve));
	launcher.kill("SIGINT");
	await exited;
}

/** Peak and current resident memory of a process, in MB (from /proc). */
export function memoryOf(pid: number): { peakMb: number; rssMb: number } {
	const status = readFileSync(`/proc/${pid}/status`, "utf8");
	const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
	return { peakMb: Math.round(kb("VmHWM") / 1024), rssMb: Math.round(kb("VmRSS") / 1024) };
}
