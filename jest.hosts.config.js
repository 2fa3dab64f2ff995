// The tier `npm run test:hosts`: the cluster on test hosts (network namespaces), as root only.
// `npm test` leaves test/hosts/ out (jest.config.js), and this one runs only it.
/** @type {import("jest").Config} */
module.exports = {
	rootDir: ".",
	preset: "ts-jest",
	testEnvironment: "node",
	roots: ["<rootDir>/test/hosts"],
	testMatch: ["**/*.spec.ts"],
	globalSetup: "<rootDir>/test/hosts/global-setup.ts",
	globalTeardown: "<rootDir>/test/hosts/global-teardown.ts",
	testTimeout: 300_000,
};
