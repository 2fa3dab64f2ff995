import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import type { BuildingWithWorkflow } from "../../types";
import { http } from "../support/http";
import { NATS_URL, databaseUrl, dropDatabase, uniqueName } from "../support/infra";

// `npm start`'s launcher as a user runs it: five processes over NATS, then Ctrl-C.
describe("the local topology (cluster/start.ts)", () => {
	const namespace = uniqueName("topology");
	let launcher: ChildProcess;
	let output = "";
	let api = "";

	beforeAll(async () => {
		const port = await freePort();
		api = `http://127.0.0.1:${port}/api`;
		launcher = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "..", "cluster", "start.ts")], {
			env: {
				...process.env,
				PORT: String(port),
				NAMESPACE: namespace,
				TRANSPORTER: NATS_URL,
				BUILDINGS_DATABASE_URL: databaseUrl(`${namespace}_buildings`),
				WORKFLOWS_DATABASE_URL: databaseUrl(`${namespace}_workflows`),
				WORKFLOWS_NODES: "3",
				LOG_LEVEL: "warn",
			},
			stdio: ["ignore", "pipe", "pipe"],
		});
		launcher.stdout!.on("data", chunk => (output += chunk));
		launcher.stderr!.on("data", chunk => (output += chunk));
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`The cluster did not report ready in 60 s:\n${output}`)), 60_000);
			launcher.stdout!.on("data", () => output.includes("Cluster ready") && (clearTimeout(timer), resolve()));
			launcher.once("exit", code => (clearTimeout(timer), reject(new Error(`The launcher exited with ${code}:\n${output}`))));
		});
	}, 90_000);

	afterAll(async () => {
		if (launcher && launcher.exitCode === null) {
			launcher.kill("SIGKILL");
		}
		await dropDatabase(`${namespace}_buildings`);
		await dropDatabase(`${namespace}_workflows`);
	});

	it("prints one summary naming the gateway, the nodes and the transporter", () => {
		expect(output).toContain(`Cluster ready: http://localhost:${new URL(api).port}/api`);
		for (const node of ["api-1", "buildings-1", "workflows-1", "workflows-2", "workflows-3"]) expect(output).toMatch(new RegExp(`node ${node}\\s`));
		expect(output).toContain("NATS queue groups");
	});

	it("answers 30 creations with 201, spread over all three workflows nodes", async () => {
		const handledBy = new Map<string, number>();
		for (let i = 0; i < 30; i++) {
			const res = await http<BuildingWithWorkflow>("POST", `${api}/buildings`, { name: "HQ" });
			expect(res.status).toBe(201);
			handledBy.set(res.body.workflow!.handledBy, (handledBy.get(res.body.workflow!.handledBy) ?? 0) + 1);
		}
		expect([...handledBy.keys()].sort()).toEqual(["workflows-1", "workflows-2", "workflows-3"]);
	});

	it("stops every node on SIGINT and exits 0", async () => {
		const exited = new Promise<number | null>(resolve => launcher.once("exit", code => resolve(code)));
		launcher.kill("SIGINT");
		expect(await exited).toBe(0);
		await expect(fetch(`${api}/health`)).rejects.toThrow();
	}, 30_000);
});

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer().listen(0, "127.0.0.1", () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
		server.on("error", reject);
	});
}
