import { execFileSync } from "node:child_process";
import path from "node:path";
import YAML from "yaml";
import config from "../../moleculer.config";
import { POOL_ACQUIRE_TIMEOUT_MS } from "../../db/pool";

// The manifests in k8s/ rendered by kustomize as `kubectl apply -k` would, each object checked
// against the Kubernetes schemas (kubernetes-models), then the rules they are written to keep.
const root = path.join(__dirname, "..", "..");

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: any };

function render(dir: string): Manifest[] {
	let output: string;
	try {
		output = execFileSync("kubectl", ["kustomize", path.join(root, dir)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
	} catch (err) {
		const e = err as NodeJS.ErrnoException & { stderr?: string };
		if (e.code === "ENOENT") throw new Error("kubectl is not on PATH: install it (it renders k8s/ with `kubectl kustomize`).");
		throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`);
	}
	return YAML.parseAllDocuments(output).map(doc => unwrapSecretData(doc.toJS() as Manifest));
}

/** kustomize folds long base64 values over several lines; the API server's decoder skips the line breaks. */
function unwrapSecretData(object: Manifest): Manifest {
	if (object.kind !== "Secret" || !object.data) return object;
	const data = Object.fromEntries(
		Object.entries(object.data as Record<string, string>).map(([key, value]) => [key, value.replace(/\s/g, "")]),
	);
	return { ...object, data };
}

/** API versions Kubernetes has removed (1.16 to 1.29), as the older Moleculer examples still use. */
const REMOVED = [
	"extensions/v1beta1",
	"apps/v1beta1",
	"apps/v1beta2",
	"policy/v1beta1",
	"autoscaling/v2beta1",
	"autoscaling/v2beta2",
	"networking.k8s.io/v1beta1",
	"batch/v1beta1",
	"rbac.authorization.k8s.io/v1beta1",
	"discovery.k8s.io/v1beta1",
	"flowcontrol.apiserver.k8s.io/v1beta2",
];

/** The kubernetes-models class of an object: `apps/v1` Deployment is kubernetes-models/apps/v1/Deployment. */
function validate(object: Manifest): void {
	const modulePath = `kubernetes-models/${object.apiVersion}/${object.kind}`;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const Model = require(modulePath)[object.kind] as new (data: object) => { validate(): void };
	new Model(object).validate();
}

const seconds = (ms: number) => ms / 1000;
const podLabels = (object: Manifest) => object.spec.template.metadata.labels as Record<string, string>;
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
	Object.entries(selector).every(([key, value]) => labels[key] === value);

describe.each(["k8s/base", "k8s/overlays/local", "k8s/overlays/separate-buildings"])("kubectl kustomize %s", dir => {
	const objects = render(dir);
	const of = (kind: string) => objects.filter(object => object.kind === kind);
	const deployments = of("Deployment");
	const configMap = of("ConfigMap").find(object => object.metadata.name === "buildings-cluster-config")!;
	const env = (deployment: Manifest, name: string) =>
		deployment.spec.template.spec.containers[0].env.find((variable: { name: string }) => variable.name === name)?.value as string;

	it("renders the node kinds from the one image (buildings in the gateway's pods unless separated), and NATS", () => {
		const separate = dir.endsWith("separate-buildings");
		expect(deployments.map(d => [d.metadata.name, env(d, "SERVICES")])).toEqual(
			separate
				? [
						["api", "api"],
						["buildings", "buildings"],
						["workflows", "workflows"],
					]
				: [
						["api", "api,buildings"],
						["workflows", "workflows"],
					],
		);
		// Whichever pods run the buildings service are given its database.
		for (const deployment of deployments) {
			const variables = deployment.spec.template.spec.containers[0].env.map((variable: { name: string }) => variable.name);
			const runsBuildings = env(deployment, "SERVICES").split(",").includes("buildings");
			expect([deployment.metadata.name, variables.includes("BUILDINGS_DATABASE_URL")]).toEqual([deployment.metadata.name, runsBuildings]);
		}
		const images = new Set(deployments.map(d => d.spec.template.spec.containers[0].image));
		expect(images.size).toBe(1);
		expect(of("StatefulSet").map(s => s.metadata.name)).toContain("nats");
	});

	it("validates every object against the Kubernetes schemas", () => {
		expect(objects.length).toBeGreaterThanOrEqual(12);
		for (const object of objects) expect(() => validate(object)).not.toThrow();
	});

	it("uses no removed or beta API version", () => {
		for (const { apiVersion, kind } of objects) {
			expect([kind, apiVersion, REMOVED.includes(apiVersion)]).toEqual([kind, apiVersion, false]);
			expect([kind, apiVersion]).not.toEqual([kind, expect.stringMatching(/alpha|beta/)]);
		}
	});

	it("gives every Deployment's containers both probes, on the health port the ConfigMap sets", () => {
		for (const deployment of deployments) {
			for (const container of deployment.spec.template.spec.containers) {
				const health = container.ports.find((port: { name: string }) => port.name === "health");
				expect([deployment.metadata.name, health?.containerPort]).toEqual([deployment.metadata.name, Number(configMap.data.HEALTH_PORT)]);
				expect(container.readinessProbe.httpGet).toEqual({ path: "/ready", port: "health" });
				expect(container.livenessProbe.httpGet).toEqual({ path: "/live", port: "health" });
			}
		}
	});

	it("sizes each grace period above the node's stop sequence", () => {
		// What a node does after SIGTERM, worst case (the comment in each Deployment spells it out).
		const tracking = config.tracking!.shutdownTimeout!;
		const stopDelay = (config.registry as { stopDelay?: number } | undefined)?.stopDelay ?? 100; // Moleculer's default (untyped)
		const outboxPass = Number(configMap.data.WORKFLOW_CALL_TIMEOUT);
		for (const deployment of deployments) {
			const pod = deployment.spec.template.spec;
			const preStop = pod.containers[0].lifecycle.preStop.exec.command as string[];
			expect(preStop[0]).toBe("sleep");
			const services = env(deployment, "SERVICES").split(",");
			const stopMs =
				Number(preStop[1]) * 1000 +
				stopDelay +
				2 * tracking + // the broker's calls, then its services' requests
				(services.includes("buildings") ? outboxPass : 0) +
				(services.some(service => service !== "api") ? POOL_ACQUIRE_TIMEOUT_MS : 0) +
				1000; // the NATS connection's flush and close
			expect([deployment.metadata.name, pod.terminationGracePeriodSeconds > seconds(stopMs)]).toEqual([deployment.metadata.name, true]);
		}
	});

	it("gives every Deployment exactly one PodDisruptionBudget that leaves a pod running", () => {
		for (const deployment of deployments) {
			const budgets = of("PodDisruptionBudget").filter(pdb => selects(pdb.spec.selector.matchLabels, podLabels(deployment)));
			expect([deployment.metadata.name, budgets.length]).toEqual([deployment.metadata.name, 1]);
			if (budgets[0].spec.minAvailable !== undefined) expect(budgets[0].spec.minAvailable).toBeLessThan(deployment.spec.replicas ?? 3);
		}
	});

	it("sets requests and limits on every container", () => {
		for (const workload of [...deployments, ...of("StatefulSet")]) {
			for (const container of workload.spec.template.spec.containers) {
				expect(Object.keys(container.resources.requests).sort()).toEqual(["cpu", "memory"]);
				expect(Object.keys(container.resources.limits).sort()).toEqual(["cpu", "memory"]);
			}
		}
	});

	it("scales workflows with an autoscaling/v2 HorizontalPodAutoscaler that owns its replicas", () => {
		const [hpa] = of("HorizontalPodAutoscaler");
		expect(hpa.apiVersion).toBe("autoscaling/v2");
		expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "workflows" });
		expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
		const workflows = deployments.find(d => d.metadata.name === "workflows")!;
		expect(workflows.spec.replicas).toBeUndefined();
		expect(workflows.spec.template.spec.containers[0].resources.requests.cpu).toBeDefined();
	});

	it("keeps settings in the ConfigMap and credentials in the Secret", () => {
		const secret = of("Secret").find(object => object.metadata.name === "buildings-cluster-secrets")!;
		const secretKeys = Object.keys({ ...secret.data, ...secret.stringData }).sort();
		expect(secretKeys).toEqual(["BUILDINGS_DATABASE_URL", "NATS_PASSWORD", "NATS_USER", "WORKFLOWS_DATABASE_URL"]);
		expect(Object.keys(configMap.data).filter(key => /PASSWORD|DATABASE_URL|TOKEN/.test(key))).toEqual([]);
		for (const deployment of deployments)
			expect(deployment.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
	});

	it("runs NATS as three routed servers that leave in lame-duck mode, and lists them in TRANSPORTER", () => {
		const nats = of("StatefulSet").find(s => s.metadata.name === "nats")!;
		expect(nats.spec.replicas).toBe(3);
		const conf = of("ConfigMap").find(object => object.metadata.name === "nats-config")!.data["nats.conf"] as string;
		const pods = [0, 1, 2].map(i => `nats-${i}.${nats.spec.serviceName}`);
		for (const pod of pods) {
			expect(conf).toContain(`nats://${pod}:6222`);
			expect(configMap.data.TRANSPORTER).toContain(`nats://${pod}:4222`);
		}
		expect(nats.spec.template.spec.containers[0].lifecycle.preStop.exec.command).toEqual([
			"nats-server",
			"--signal",
			"ldm=/var/run/nats/nats.pid",
		]);
		const lameDuck = Number(/lame_duck_duration: (\d+)s/.exec(conf)![1]) + Number(/lame_duck_grace_period: (\d+)s/.exec(conf)![1]);
		expect(nats.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(lameDuck);
	});
});
