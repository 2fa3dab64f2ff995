import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.join(__dirname, "..", "..");
const dashboard = JSON.parse(readFileSync(path.join(root, "monitoring", "grafana", "dashboards", "buildings-cluster.json"), "utf8"));
const queries: string[] = dashboard.panels.flatMap((panel: any) => panel.targets.map((target: any) => target.expr));

// Labels every series of the Prometheus reporter carries; `le` and `quantile` come with histograms.
const REPORTER_LABELS = ["nodeID", "namespace", "le", "quantile"];

/** The series a node exports, as Prometheus names them, with their labels: from a node's metrics registry. */
function exportedSeries(): Map<string, string[]> {
	const script = path.join(root, "test", "support", "metric-names.ts");
	// As nodes run (Moleculer leaves out the process and OS metrics when NODE_ENV is "test").
	const env = { ...process.env, NODE_ENV: "production" };
	const listed = execFileSync(process.execPath, ["--import", pathToFileURL(require.resolve("tsx")).href, script], {
		encoding: "utf8",
		env,
	});
	const series = new Map<string, string[]>([["up", ["job", "instance"]]]); // Prometheus's own
	for (const metric of JSON.parse(listed) as { name: string; type: string; labelNames: string[] }[]) {
		const name = metric.name.replace(/[.-]/g, "_");
		const labels = [...metric.labelNames, ...REPORTER_LABELS];
		const suffixes = metric.type === "histogram" ? ["", "_bucket", "_sum", "_count"] : [""];
		for (const suffix of suffixes) series.set(name + suffix, labels);
	}
	return series;
}

/** The metric names of a PromQL query, each with the labels it matches or groups by. */
function metricsOf(query: string): { name: string; labels: string[] }[] {
	const grouped = [...query.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap(m => m[1].split(",").map(l => l.trim()));
	const bare = query
		.replace(/"[^"]*"/g, '""')
		.replace(/\b(?:by|without)\s*\([^)]*\)/g, "")
		.replace(/\[[^\]]*\]/g, "");
	return [...bare.matchAll(/(?<![\w:])([a-zA-Z_:][\w:]*)(?![\w:])\s*(\{[^}]*\})?(?!\s*\()/g)]
		.filter(m => !/^\d/.test(m[1]))
		.map(m => ({ name: m[1], labels: [...grouped, ...[...(m[2] ?? "").matchAll(/(\w+)\s*[!=]~?/g)].map(l => l[1])] }));
}

describe("the Grafana dashboard", () => {
	const series = exportedSeries();

	it("covers request rate, errors, latency per action, the outbox and nodes online", () => {
		const all = queries.join("\n");
		for (const metric of ["moleculer_request_total", "moleculer_request_error_total", "moleculer_request_time_bucket"])
			expect([metric, queries.some(q => q.includes(metric) && /by \([^)]*\baction\b/.test(q))]).toEqual([metric, true]);
		for (const metric of ["buildings_outbox_backlog", "buildings_outbox_oldest_age_seconds", "moleculer_registry_nodes_online_total"])
			expect(all).toContain(metric);
	});

	it("queries only metrics and labels the nodes export", () => {
		expect(queries.length).toBeGreaterThan(5);
		for (const query of queries) {
			const used = metricsOf(query);
			expect([query, used.length > 0]).toEqual([query, true]);
			for (const { name, labels } of used) {
				expect([query, name, series.has(name)]).toEqual([query, name, true]);
				for (const label of labels) expect([query, name, label, series.get(name)!.includes(label)]).toEqual([query, name, label, true]);
			}
		}
	});

	it("reads the one provisioned Prometheus data source", () => {
		const datasources = readFileSync(path.join(root, "monitoring", "grafana", "provisioning", "datasources", "prometheus.yml"), "utf8");
		expect(datasources).toMatch(/uid: prometheus/);
		for (const panel of dashboard.panels) expect(panel.datasource).toEqual({ type: "prometheus", uid: "prometheus" });
	});
});
