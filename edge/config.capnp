# workerd configuration for the totp-wasm demo: one worker serves the page (www/) and the
# npm package (pkg/) on 127.0.0.1. Start it from the repository root with
#
#   node_modules/.bin/workerd serve edge/config.capnp \
#     --socket-addr http=127.0.0.1:8787 \
#     --directory-path www=$PWD/www --directory-path pkg=$PWD/pkg \
#     --directory-path state=/path/to/state
#
# (`cargo xtask demo` does exactly that). The paths below are defaults for that invocation
# only; disk paths in a config are resolved against the current directory, not this file.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    # workerd's disk service sends no Content-Type and lists directories as JSON: the worker
    # wraps it (see edge/static.js), it is never exposed directly.
    (name = "www", disk = (path = "www", writable = false)),
    (name = "pkg", disk = (path = "pkg", writable = false)),
    # Writable state folder. Unused by the first issue; Durable Object storage lives here
    # (durableObjectStorage = (localDisk = "state")) once the API is added.
    (name = "state", disk = (path = "target/demo-state", writable = true)),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "main"),
  ],
);

const mainWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "static.js", esModule = embed "static.js"),
    (name = "headers.js", esModule = embed "headers.js"),
  ],
  # workerd refuses dates later than its own build; 1.20261117 accepts this one.
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "WWW", service = "www"),
    (name = "PKG", service = "pkg"),
  ],
);
