import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { ClusterView } from "../../types";
import { LaunchedCluster } from "../support/launcher";

const README = readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");

/** The `curl` lines of the ```sh blocks of the README's section `heading`, in order, as written, comments dropped. */
function curlExamples(heading: string): string[] {
	const start = README.indexOf(`\n${heading}\n`);
	const end = README.indexOf("\n## ", start + 1);
	const blocks = [...README.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g)].map(match => match[1]);
	return blocks
		.flatMap(block => block.split("\n"))
		.filter(line => line.startsWith("curl "))
		.map(line => line.replace(/\s+#[^']*$/, ""));
}

// `npm start` as the README's Quick start runs it (no LOG_LEVEL), then what a newcomer does next.
describe("a first start, as the README tells it", () => {
	const cluster = new LaunchedCluster("first-start");
	beforeAll(() => cluster.start({ LOG_LEVEL: undefined }), 120_000);
	afterAll(() => cluster.stop(), 60_000);

	it("prints its summary after a few lines, not the nodes' INFO lines, which are in each node's log file", () => {
		const beforeSummary = cluster.launcher.output.slice(0, cluster.launcher.output.indexOf("Cluster ready"));
		const lines = beforeSummary.split("\n").filter(line => line.trim() !== "");
		expect(lines.filter(line => / INFO /.test(line))).toEqual([]);
		expect(lines.length).toBeLessThanOrEqual(5);
		expect(cluster.launcher.output).toContain(`logs:        ${path.join(cluster.dataDir, "logs")}/<node>.log`);
		const listed = [...cluster.launcher.output.matchAll(/^ {2}node (\S+)/gm)].map(match => match[1]);
		expect(listed).toEqual(expect.arrayContaining(["api-1", "workflows-1", "workflows-2", "workflows-3"]));
		for (const node of listed) {
			const log = readFileSync(path.join(cluster.dataDir, "logs", `${node}.log`), "utf8");
			expect(log).toMatch(new RegExp(` INFO  ${node}/BROKER: ✔ ServiceBroker with \\d+ service\\(s\\) started successfully`));
		}
	});

	it("runs the README's curl examples top to bottom, each answered 2xx", () => {
		const port = new URL(cluster.api).port;
		const examples = [...curlExamples("## Quick start"), ...curlExamples("## REST API")];
		expect(examples.length).toBeGreaterThanOrEqual(13);
		const answers = examples.map(example => {
			const command = `${example.replaceAll("localhost:3000", `127.0.0.1:${port}`)} -sS -o /dev/null -w '%{http_code}'`;
			return `${execFileSync("sh", ["-c", command], { encoding: "utf8", timeout: 15_000 })} ${example}`;
		});
		expect(answers.filter(answer => !/^2\d\d /.test(answer))).toEqual([]);
		// The last change to building 1 is its removal: it comes after the examples that use it.
		const usesOne = examples.map(example => /localhost:3000\/api\/(buildings|workflows)\/1\b/.test(example));
		expect(usesOne.lastIndexOf(true)).toBe(
			examples.findIndex(example => example.startsWith("curl -XDELETE localhost:3000/api/buildings/1")),
		);
	}, 60_000);

	it("the cluster page shows each node's NATS server as the summary does: its client port", async () => {
		const view = (await (await fetch(`${cluster.api}/cluster`)).json()) as ClusterView;
		const client = /transporter: NATS nats:\/\/(127\.0\.0\.1:\d+)/.exec(cluster.launcher.output)![1];
		for (const node of view.nodes) {
			expect(cluster.launcher.output).toMatch(new RegExp(`node ${node.id}\\s+\\S+\\s+\\(on NATS ${client}\\)`));
			expect(node.natsServer).toBe(client);
		}
		expect(view.nodes.map(node => node.id).sort()).toEqual(
			[...cluster.launcher.output.matchAll(/^ {2}node (\S+)/gm)].map(match => match[1]).sort(),
		);
	});
});
