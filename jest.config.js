// The tests in tiers, each a jest project: `npm test` runs the fast one, `npm run test:<tier>`
// another (jest --selectProjects), `npm run test:all` every one. test/hosts has its own
// configuration (jest.hosts.config.js, `npm run test:hosts`).
const tiers = {
	// Every REST route, the REPL, the OpenAPI document, the default start (embedded PostgreSQL over
	// its socket, a private nats-server), one kill -9 through the launcher, the queue group's
	// count, the hostile-input table; the units and the in-process integration.
	fast: [
		"test/unit/**/*.spec.ts",
		"test/integration/**/*.spec.ts",
		"test/launcher/**/*.spec.ts",
		"test/e2e/{rest,bad-input,openapi,locked-down,gateway-options,reliability,embedded,first-start}.spec.ts",
		"test/faults/embedded-postgres-kill.spec.ts",
	],
	// `npm start`'s processes: supervision, the TCP fallback, a NATS cluster's failover, the
	// cluster page in a browser, given NATS and Postgres, a clone the postgres user cannot enter.
	cluster: ["test/e2e/{supervision,tcp-fallback,nats-failover,cluster-page,topology,unreachable-clone,repl-output}.spec.ts"],
	// Faults on `npm start`'s processes under a stream of creations.
	faults: ["test/faults/{launcher,database}-faults.spec.ts", "test/e2e/fault-logs.spec.ts"],
	soak: ["test/faults/soak.spec.ts"],
	bench: ["test/bench/**/*.spec.ts"],
};

/** @type {import("jest").Config} */
module.exports = {
	globalSetup: "<rootDir>/test/support/global-setup.ts",
	globalTeardown: "<rootDir>/test/support/global-teardown.ts",
	testTimeout: 60_000,
	projects: Object.entries(tiers).map(([displayName, files]) => ({
		displayName,
		preset: "ts-jest",
		testEnvironment: "node",
		roots: ["<rootDir>/test"],
		testMatch: files.map(file => `<rootDir>/${file}`),
		setupFiles: ["<rootDir>/test/support/env.ts"],
	})),
};
