/** @type {import("jest").Config} */
module.exports = {
	preset: "ts-jest",
	testEnvironment: "node",
	roots: ["<rootDir>/test"],
	testMatch: ["**/*.spec.ts"],
	// Its own tier, as root: npm run test:hosts.
	testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/hosts/"],
	setupFiles: ["<rootDir>/test/support/env.ts"],
	globalSetup: "<rootDir>/test/support/global-setup.ts",
	globalTeardown: "<rootDir>/test/support/global-teardown.ts",
	testTimeout: 60_000,
};
