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
	it("has NATS, one Postgres per service and the three node roles", () => {
		expect(Object.keys(services).sort()).toEqual(["api", "buildings", "buildings-db", "nats", "workflows", "workflows-db"]);
	});

	it.each(["api", "buildings", "workflows"])("runs %s from the one image with SERVICES set to it", name => {
		const service = services[name];
		expect(service.build).toBe(".");
		expect(service.image).toBe("buildings-cluster");
		expect(service.environment.SERVICES).toBe(name);
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
			.filter(([, s]) => s.ports)
			.map(([name]) => name);
		expect(published).toEqual(["api"]);
		expect(services.api.environment.PORT).toBe(3000);
	});

	it("builds an image whose command starts one node", () => {
		const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
		expect(dockerfile).toMatch(/CMD \["node", "dist\/cluster\/node\.js"\]/);
		expect(existsSync(path.join(root, "cluster", "node.ts"))).toBe(true);
		for (const [, dir] of dockerfile.matchAll(/^COPY (\w+) \1$/gm)) expect(existsSync(path.join(root, dir))).toBe(true);
	});
});
