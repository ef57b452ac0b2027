// The conformance suite inside workerd: a worker that runs every case when asked (GET /) and
// answers with the results as JSON. runners/workerd.mjs generates its config and reads them.
import { cases, runCases } from '../conformance/index.mjs';

export default {
  async fetch() {
    const results = await runCases(cases);
    return new Response(JSON.stringify({ runtime: 'workerd', results }), {
      headers: { 'content-type': 'application/json' },
    });
  },
};
