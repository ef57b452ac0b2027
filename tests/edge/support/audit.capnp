# Test-only workerd config: the operator API and the security log of edge/ with a stand-in
# User object (audit-worker.js). Started by tests/edge/support/audit-edge.mjs with
#   --socket-addr http=127.0.0.1:PORT --directory-path state=DIR
# and TOTP_WASM_KEYS (operatorTokens, macKey) from the environment.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .auditWorker),
    (name = "state", disk = (path = "target/audit-state", writable = true)),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8788", http = (), service = "main"),
  ],
);

const auditWorker :Workerd.Worker = (
  modules = [
    (name = "audit-worker.js", esModule = embed "audit-worker.js"),
    (name = "operator.js", esModule = embed "../../../edge/operator.js"),
    (name = "operator-guard.js", esModule = embed "../../../edge/operator-guard.js"),
    (name = "security-log.js", esModule = embed "../../../edge/security-log.js"),
    (name = "sha256.js", esModule = embed "../../../edge/sha256.js"),
    (name = "crypto.js", esModule = embed "../../../edge/crypto.js"),
    (name = "http.js", esModule = embed "../../../edge/http.js"),
    (name = "headers.js", esModule = embed "../../../edge/headers.js"),
    (name = "validate.js", esModule = embed "../../../edge/validate.js"),
  ],
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "USERS", durableObjectNamespace = "AuditUser"),
    (name = "OPERATOR_GUARD", durableObjectNamespace = "OperatorGuard"),
    (name = "TOTP_WASM_KEYS", fromEnvironment = "TOTP_WASM_KEYS"),
    (name = "OPERATOR_MIN_RESET_DELAY", fromEnvironment = "OPERATOR_MIN_RESET_DELAY"),
    (name = "TOTP_WASM_TEST_CLIENT_IP_HEADER", fromEnvironment = "TOTP_WASM_TEST_CLIENT_IP_HEADER"),
  ],
  durableObjectNamespaces = [
    (className = "AuditUser", uniqueKey = "audit-users"),
    (className = "OperatorGuard", uniqueKey = "audit-operator-guard"),
  ],
  durableObjectStorage = (localDisk = "state"),
);
