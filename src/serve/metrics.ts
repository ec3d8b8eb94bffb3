/**
 * `GET /metrics` in the Prometheus text exposition format (version 0.0.4): request counts and a
 * latency histogram per route, jobs by state, bytes and documents processed by jobs, and the
 * work of the shared entropy scorer. No client library: the format is a few lines of text.
 */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export interface MetricsSnapshot {
  jobs: Record<string, number>;
  jobBytes: number;
  jobDocuments: number;
  patch: { documents: number; tokens: number; aborted: number; pending: number };
  uptimeSeconds: number;
}

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>): string =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')}}`;
const fmt = (x: number): string => (Number.isFinite(x) ? String(x) : x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN');

export class Metrics {
  private readonly requests = new Map<string, { l: Record<string, string>; n: number }>();
  private readonly latency = new Map<string, Histogram>();

  /** One finished request: `route` is the route pattern (`/v1/jobs/:id`), never the raw URL. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const l = { method, route, status: String(status) };
    const key = `${method} ${route} ${status}`;
    const r = this.requests.get(key);
    if (r) r.n++;
    else this.requests.set(key, { l, n: 1 });
    let h = this.latency.get(route);
    if (!h) this.latency.set(route, (h = { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < LATENCY_BUCKETS.length; i++)
      if (seconds <= (LATENCY_BUCKETS[i] as number)) h.counts[i] = (h.counts[i] as number) + 1;
    h.sum += seconds;
    h.count++;
  }

  render(s: MetricsSnapshot): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    family('blt_serve_jobs', 'gauge', 'Preprocessing jobs known to the server, by state.');
    for (const [state, n] of Object.entries(s.jobs)) out.push(`blt_serve_jobs${labels({ state })} ${n}`);
    const scalar = (name: string, type: string, help: string, value: number): void => {
      family(name, type, help);
      out.push(`${name} ${value}`);
    };
    const counter = 'counter';
    scalar(
      'blt_serve_job_bytes_processed_total',
      counter,
      'Input bytes (document text) processed by jobs since the server started.',
      s.jobBytes,
    );
    scalar(
      'blt_serve_job_documents_processed_total',
      counter,
      'Documents processed by jobs since the server started.',
      s.jobDocuments,
    );
    scalar(
      'blt_serve_scored_documents_total',
      counter,
      'Documents scored by the shared entropy model (/v1/patch, /v1/figure).',
      s.patch.documents,
    );
    scalar('blt_serve_scored_tokens_total', counter, 'Tokens scored by the shared entropy model.', s.patch.tokens);
    scalar(
      'blt_serve_scoring_aborted_total',
      counter,
      'Requests whose scoring was skipped or stopped because the client disconnected.',
      s.patch.aborted,
    );
    scalar(
      'blt_serve_scoring_pending',
      'gauge',
      'Requests waiting for or using the entropy model now.',
      s.patch.pending,
    );
    family('blt_serve_http_requests_total', 'counter', 'HTTP requests answered, by method, route and status.');
    for (const { l, n } of this.requests.values()) out.push(`blt_serve_http_requests_total${labels(l)} ${n}`);
    family(
      'blt_serve_http_request_duration_seconds',
      'histogram',
      'HTTP request latency (receipt to response end), by route.',
    );
    for (const [route, h] of this.latency) {
      LATENCY_BUCKETS.forEach((le, i) =>
        out.push(`blt_serve_http_request_duration_seconds_bucket${labels({ route, le: fmt(le) })} ${h.counts[i]}`),
      );
      out.push(`blt_serve_http_request_duration_seconds_bucket${labels({ route, le: '+Inf' })} ${h.count}`);
      out.push(`blt_serve_http_request_duration_seconds_sum${labels({ route })} ${h.sum}`);
      out.push(`blt_serve_http_request_duration_seconds_count${labels({ route })} ${h.count}`);
    }
    scalar('blt_serve_uptime_seconds', 'gauge', 'Seconds since the server started.', s.uptimeSeconds);
    scalar(
      'process_resident_memory_bytes',
      'gauge',
      'Resident memory of the server process.',
      process.memoryUsage.rss(),
    );
    return `${out.join('\n')}\n`;
  }
}
