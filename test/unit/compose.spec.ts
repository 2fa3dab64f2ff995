import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";

// There is no Docker engine in CI: the compose file is checked by reading it (dclint checks it
// against the compose specification in .ci/run).
const root = path.join(__dirname, "..", "..");
const compose = YAML.parse(readFileSync(path.join(root, "docker-compose.yml"), "utf8"), { merge: true });
const services = compose.services as Record<string, any>;
const natsConfig = readFileSync(path.join(root, "nats", "nats.conf"), "utf8");
const documented = new Set(
	readFileSync(path.join(root, ".env.example"), "utf8")
		.split("\n")
		.map(line => /^#?\s*([A-Z_]+)=/.exec(line)?.[1])
		.filter(Boolean),
);

describe("docker-compose.yml", () => {
	const inProfile = (name: string) => services[name].profiles !== undefined;

	it("has NATS, one Postgres per service and the three node roles", () => {
		const started = Object.keys(services).filter(name => !inProfile(name));
		expect(started.sort()).toEqual(["api", "buildings", "buildings-db", "nats", "workflows", "workflows-db"]);
	});

	it("adds Prometheus and Grafana in the monitoring profile, provisioned from monitoring/, on loopback", () => {
		const profiled = Object.keys(services).filter(inProfile);
		expect(profiled.sort()).toEqual(["grafana", "prometheus"]);
		for (const name of profiled) {
			expect(services[name].profiles).toEqual(["monitoring"]);
			for (const port of services[name].ports) expect(port).toMatch(/^127\.0\.0\.1:/);
			for (const volume of services[name].volumes as string[]) expect(existsSync(path.join(root, volume.split(":")[0]))).toBe(true);
		}
		const prometheus = YAML.parse(readFileSync(path.join(root, "monitoring", "prometheus", "prometheus.yml"), "utf8"));
		const scraped = prometheus.scrape_configs[0].dns_sd_configs[0];
		expect(scraped.names.sort()).toEqual(["api", "buildings", "workflows"]);
		expect(scraped.port).toBe(3030);
		// Every node exports its metrics when asked to.
		for (const name of ["api", "buildings", "workflows"]) expect(services[name].environment.METRICS).toBe("${METRICS:-false}");
	});

	it("runs the buildings service in the gateway's node, unless GATEWAY_SERVICES and BUILDINGS_REPLICAS move it to nodes of its own", () => {
		expect(services.api.environment.SERVICES).toBe("${GATEWAY_SERVICES:-api,buildings}");
		expect(services.buildings.deploy.replicas).toBe("${BUILDINGS_REPLICAS:-0}");
		expect(services.api.environment.BUILDINGS_DATABASE_URL).toBe(services.buildings.environment.BUILDINGS_DATABASE_URL);
		expect(services.api.depends_on["buildings-db"]).toEqual({ condition: "service_healthy" });
		// The api user may take the buildings service's requests.
		expect(natsConfig).toMatch(
			/user: api\s+password: \S+\s+permissions: \{[^}]*\}\s+subscribe: \{ allow: \[[^\]]*"\*\.REQB\.buildings\.>"/,
		);
	});

	it.each(["api", "buildings", "workflows"])("runs %s from the one image with SERVICES set to it", name => {
		const service = services[name];
		expect(service.build).toBe(".");
		expect(service.image).toBe("buildings-cluster");
		expect(service.environment.SERVICES).toMatch(name === "api" ? /^\$\{GATEWAY_SERVICES:-api,/ : new RegExp(`^${name}$`));
		expect(service.environment.TRANSPORTER).toBe("nats://nats:4222");
		// Its own NATS user, whose password the NATS server gets from the same required variable.
		const password = `NATS_${name.toUpperCase()}_PASSWORD`;
		expect(service.environment.NATS_USER).toBe(name);
		expect(service.environment.NATS_PASSWORD).toMatch(new RegExp(`^\\$\\{${password}:\\?`));
		expect(services.nats.environment[password]).toBe(service.environment.NATS_PASSWORD);
		expect(natsConfig).toMatch(new RegExp(`user: ${name}\\s+password: \\$${password}\\s`));
		expect(service.depends_on.nats).toEqual({ condition: "service_healthy" });
		for (const variable of Object.keys(service.environment))
			expect([name, variable, documented.has(variable)]).toEqual([name, variable, true]);
	});

	it("requires every password (no default), and keeps NATS's off its command line", () => {
		const text = readFileSync(path.join(root, "docker-compose.yml"), "utf8");
		const passwords = [...text.matchAll(/\$\{(\w*PASSWORD\w*)([^}]*)\}/g)];
		expect(new Set(passwords.map(m => m[1]))).toEqual(
			new Set([
				"NATS_API_PASSWORD",
				"NATS_BUILDINGS_PASSWORD",
				"NATS_WORKFLOWS_PASSWORD",
				"BUILDINGS_DB_PASSWORD",
				"WORKFLOWS_DB_PASSWORD",
				"GRAFANA_ADMIN_PASSWORD",
			]),
		);
		for (const [, name, rest] of passwords) expect([name, rest]).toEqual([name, expect.stringMatching(/^:\?\S/)]);
		for (const name of new Set(passwords.map(m => m[1]))) expect([name, documented.has(name)]).toEqual([name, true]);
		expect(services.nats.command).toEqual(["--config", "/etc/nats/nats.conf"]);
		expect(services.nats.volumes).toEqual(["./nats/nats.conf:/etc/nats/nats.conf:ro"]);
	});

	it("gives each service its own database, started first and healthy", () => {
		expect(services.buildings.environment.BUILDINGS_DATABASE_URL).toMatch(/@buildings-db:5432\/buildings$/);
		expect(services.buildings.environment.WORKFLOWS_DATABASE_URL).toBeUndefined();
		expect(services.workflows.environment.WORKFLOWS_DATABASE_URL).toMatch(/@workflows-db:5432\/workflows$/);
		expect(services.workflows.environment.BUILDINGS_DATABASE_URL).toBeUndefined();
		expect(services.buildings.depends_on["buildings-db"]).toEqual({ condition: "service_healthy" });
		expect(services.workflows.depends_on["workflows-db"]).toEqual({ condition: "service_healthy" });
		for (const db of ["buildings-db", "workflows-db", "nats"]) expect(services[db].healthcheck.test).toBeDefined();
	});

	it("runs three workflows replicas and lets them be scaled (no fixed name or host port)", () => {
		expect(services.workflows.deploy.replicas).toBe(3);
		for (const name of ["workflows", "buildings"]) {
			expect(services[name].container_name).toBeUndefined();
			expect(services[name].ports).toBeUndefined();
			// Each replica takes its container's hostname as nodeID.
			expect(services[name].environment.NODE_ID).toBeUndefined();
		}
	});

	it("publishes only the gateway's port", () => {
		const published = Object.entries(services)
			.filter(([name, s]) => s.ports && !inProfile(name))
			.map(([name]) => name);
		expect(published).toEqual(["api"]);
		expect(services.api.environment.PORT).toBe(3000);
	});

	it("builds an image whose command starts one node", () => {
		const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
		expect(dockerfile).toMatch(/CMD \["node", "dist\/node\/main\.js"\]/);
		expect(existsSync(path.join(root, "node", "main.ts"))).toBe(true);
		// It copies exactly the folders the build compiles.
		const built = (JSON.parse(readFileSync(path.join(root, "tsconfig.build.json"), "utf8")) as { include: string[] }).include;
		const copied = [...dockerfile.matchAll(/^COPY (\w+) \1$/gm)].map(([, dir]) => dir);
		expect(copied.sort()).toEqual(built.filter(entry => !entry.endsWith(".ts")).sort());
	});
});

describe("docker-compose.nats-cluster.yml (with docker-compose.yml: a 3-server NATS cluster)", () => {
	const override = YAML.parse(readFileSync(path.join(root, "docker-compose.nats-cluster.yml"), "utf8"), { merge: true });
	const servers = ["nats", "nats-2", "nats-3"];
	const option = (name: string, flag: string) => {
		const command = override.services[name].command as string[];
		return command[command.indexOf(flag) + 1];
	};

	it("routes each of the three servers to all three, with the users and passwords of the one server it replaces", () => {
		for (const name of servers) {
			expect(option(name, "--routes").split(",")).toEqual(servers.map(server => `nats://${server}:6222`));
			expect(option(name, "--cluster")).toBe("nats://0.0.0.0:6222");
			expect(option(name, "--config")).toBe("/etc/nats/nats.conf");
			expect(override.services[name].volumes).toEqual(services.nats.volumes);
			expect(override.services[name].environment).toEqual(services.nats.environment);
			expect(override.services[name].command.join(" ")).not.toMatch(/--user|--pass|PASSWORD/);
			expect(override.services[name].healthcheck.test).toEqual(services.nats.healthcheck.test);
		}
		expect(new Set(servers.map(name => option(name, "--name"))).size).toBe(3);
	});

	it.each(["api", "buildings", "workflows"])("gives %s every server in TRANSPORTER, each healthy first", name => {
		expect(override.services[name].environment.TRANSPORTER.split(",")).toEqual(servers.map(server => `nats://${server}:4222`));
		for (const server of servers) expect(override.services[name].depends_on[server]).toEqual({ condition: "service_healthy" });
	});
});
