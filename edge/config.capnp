# workerd configuration for the totp-wasm demo: one worker serves the page (www/), the npm
# package (pkg/) and the JSON API on 127.0.0.1, with one User Durable Object per account stored
# in the `state` folder. Start it from the repository root with
#
#   TOTP_WASM_KEYS="$(cat /path/to/state/keys.json)" node_modules/.bin/workerd serve edge/config.capnp \
#     --socket-addr http=127.0.0.1:8787 \
#     --directory-path www=$PWD/www --directory-path pkg=$PWD/pkg \
#     --directory-path state=/path/to/state
#
# (`cargo xtask demo` does exactly that, and creates keys.json on first use). The paths below
# are defaults for that invocation only; disk paths in a config are resolved against the
# current directory, not this file. `embed` paths are relative to this file: pkg/ must be
# built (`cargo xtask build`) before workerd starts.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    # workerd's disk service sends no Content-Type and lists directories as JSON: the worker
    # wraps it (see edge/static.js), it is never exposed directly.
    (name = "www", disk = (path = "www", writable = false)),
    (name = "pkg", disk = (path = "pkg", writable = false)),
    # Writable state folder: the Durable Objects (one SQLite file per user under
    # totp-wasm-users/), and, for the demo, keys.json (written by cargo xtask demo, read by it
    # into TOTP_WASM_KEYS; the worker never reads the folder itself).
    (name = "state", disk = (path = "target/demo-state", writable = true)),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "main"),
  ],
);

const mainWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "api.js", esModule = embed "api.js"),
    (name = "user.js", esModule = embed "user.js"),
    (name = "sessions.js", esModule = embed "sessions.js"),
    (name = "tokens.js", esModule = embed "tokens.js"),
    (name = "password-check.js", esModule = embed "password-check.js"),
    (name = "credentials.js", esModule = embed "credentials.js"),
    (name = "directory.js", esModule = embed "directory.js"),
    (name = "address-limit.js", esModule = embed "address-limit.js"),
    (name = "http.js", esModule = embed "http.js"),
    (name = "crypto.js", esModule = embed "crypto.js"),
    (name = "validate.js", esModule = embed "validate.js"),
    (name = "settings.js", esModule = embed "settings.js"),
    (name = "static.js", esModule = embed "static.js"),
    (name = "headers.js", esModule = embed "headers.js"),
    (name = "passwords.js", esModule = embed "passwords.js"),
    # The common passwords new ones may not be (passwords.js): text, one per line.
    (name = "common-passwords.txt", text = embed "common-passwords.txt"),
    (name = "operator.js", esModule = embed "operator.js"),
    (name = "operator-guard.js", esModule = embed "operator-guard.js"),
    (name = "security-log.js", esModule = embed "security-log.js"),
    (name = "sha256.js", esModule = embed "sha256.js"),
    # `import … from 'totp-wasm/verifier'`: workerd does not resolve package.json `exports`
    # (wrangler does), so the config names the entry's workerd loader itself. Relative imports
    # resolve against module names: the loader "totp-wasm/verifier" imports "./totp_wasm.js" and
    # "./totp_wasm_bg.wasm" (-> "totp-wasm/…"), and the glue imports "../otp-error.js"
    # (-> "otp-error.js").
    (name = "totp-wasm/verifier", esModule = embed "../pkg/verifier/workerd.js"),
    (name = "totp-wasm/totp_wasm.js", esModule = embed "../pkg/verifier/totp_wasm.js"),
    (name = "totp-wasm/totp_wasm_bg.wasm", wasm = embed "../pkg/verifier/totp_wasm_bg.wasm"),
    (name = "otp-error.js", esModule = embed "../pkg/otp-error.js"),
  ],
  # workerd refuses dates later than its own build; 1.20261117 accepts this one.
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "WWW", service = "www"),
    (name = "PKG", service = "pkg"),
    (name = "USERS", durableObjectNamespace = "User"),
    (name = "DIRECTORY", durableObjectNamespace = "Directory"),
    (name = "ADDRESS_LIMITS", durableObjectNamespace = "AddressLimit"),
    # Server keys (JSON, see edge/README.md): a secret, so it comes from the environment, never
    # from this file. Unset: the API answers SERVER_MISCONFIGURED; the page is still served.
    (name = "TOTP_WASM_KEYS", fromEnvironment = "TOTP_WASM_KEYS"),
    # Tests only: shorter ticket/enrollment/token lifetimes (edge/settings.js). Unset normally.
    (name = "TOTP_WASM_TEST_LIFETIMES", fromEnvironment = "TOTP_WASM_TEST_LIFETIMES"),
    # Tests only: the header that carries the client address (edge/settings.js, clientAddress).
    # Unset, the per-address limit is off: locally no header can be trusted.
    (name = "TOTP_WASM_TEST_ADDRESS_HEADER", fromEnvironment = "TOTP_WASM_TEST_ADDRESS_HEADER"),
    (name = "ISSUER", text = "totp-wasm demo"),
    (name = "OPERATOR_GUARD", durableObjectNamespace = "OperatorGuard"),
    # The shortest hold of a support reset (edge/operator.js; unset: 24 h). The demo's is 0, so
    # support can reset at once; a deployment should keep a hold the user can stop by signing in.
    # Tests override it with OPERATOR_MIN_RESET_DELAY in the environment.
    (name = "OPERATOR_MIN_RESET_DELAY", fromEnvironment = "OPERATOR_MIN_RESET_DELAY"),
    # Tests only: the header the operator throttle trusts for the client address.
    (name = "TOTP_WASM_TEST_CLIENT_IP_HEADER", fromEnvironment = "TOTP_WASM_TEST_CLIENT_IP_HEADER"),
    # Which sign-in form the page shows: "one-form" (username, password and code together) or,
    # unset or anything else, "two-step" (served as /site-config.json, edge/worker.js).
    # `cargo xtask demo --login one-form` sets it.
    (name = "TOTP_WASM_LOGIN_FORM", fromEnvironment = "TOTP_WASM_LOGIN_FORM"),
  ],
  durableObjectNamespaces = [
    # uniqueKey names the folder of the objects' files under the state folder: never change it.
    (className = "User", uniqueKey = "totp-wasm-users"),
    # Which names have an account, in 16 shards (edge/directory.js), and the per-address limit.
    (className = "Directory", uniqueKey = "totp-wasm-directory"),
    (className = "AddressLimit", uniqueKey = "totp-wasm-address-limits"),
    # Wrong operator credentials per client address, in 16 shards (edge/operator-guard.js).
    (className = "OperatorGuard", uniqueKey = "totp-wasm-operator-guard"),
  ],
  durableObjectStorage = (localDisk = "state"),
);
