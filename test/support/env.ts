// Runs before every test file: the gateway takes a free port, and logs stay quiet.
process.env.PORT = "0";
process.env.HOST = "127.0.0.1";
