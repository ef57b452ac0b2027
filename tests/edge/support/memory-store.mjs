// A Map with the Durable Object storage methods the security log uses (get, put, delete,
// list with a prefix, sorted by key), copying values in and out as the real storage does.
export class MemoryStore {
  constructor() {
    /** @type {Map<string, unknown>} */
    this.map = new Map();
  }

  async get(key) {
    return structuredClone(this.map.get(key));
  }

  async put(entries) {
    for (const [k, v] of Object.entries(entries)) this.map.set(k, structuredClone(v));
  }

  async delete(keys) {
    for (const k of [keys].flat()) this.map.delete(k);
  }

  async list({ prefix = '' } = {}) {
    const keys = [...this.map.keys()].filter((k) => k.startsWith(prefix)).sort();
    return new Map(keys.map((k) => [k, structuredClone(this.map.get(k))]));
  }
}
