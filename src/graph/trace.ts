/**
 * What a session's requests really cost, recorded at the send point: per include round
 * and step (the edges a request served), the requests, keys asked and found, items,
 * pages, retries, capacity and milliseconds. Requests outside an include (a `get`, the
 * root query, an edge loaded by hand) are listed as round 0 ("direct").
 */
import type { LogEntry, RequestObserver } from '../client.js';

/** One row of a trace: the requests of one command on one table (and index) in one round. */
export interface TraceRow {
  /** The include round (1 = first level), or 0 for requests outside an include. */
  round: number;
  /** The edges the requests served (`Thread.user`, `hydrate User.threads`), or `direct`. */
  edges: string[];
  command: string;
  /** Physical table(s). */
  table: string;
  index?: string;
  requests: number;
  /** Keys in BatchGetItem requests (leftover keys asked again count again); partitions (first pages) of Queries. */
  keysAsked: number;
  /** Items found for those keys; partitions with at least one item. */
  keysFound: number;
  /** Items returned. */
  items: number;
  /** Query and Scan pages (one per request). */
  pages: number;
  /** Requests dynagraph retried (leftover keys, conflicts). */
  retries: number;
  rcu: number;
  wcu: number;
  /** Wall time from the first request's start to the last one's end. */
  ms: number;
}

/** A session's trace. */
export interface GraphTrace {
  rows: TraceRow[];
  /** Wall milliseconds of each include round, by round number. */
  rounds: Record<number, number>;
  totals: { requests: number; items: number; retries: number; rcu: number; wcu: number };
  /** The trace as a table. */
  readonly text: string;
  toString(): string;
}

/** What a round expects: per command, the tables (and indexes) its edges are served from. */
export interface RoundExpectation {
  round: number;
  /** `BatchGetItem` table → edges. */
  gets: Map<string, string[]>;
  /** `table` or `table.index` → edges. */
  queries: Map<string, string[]>;
}

interface Sent { row?: TraceRow; started: number; retry: boolean }

const READS = /Get|Query|Scan/;

/** Records a session's requests into trace rows. */
export class TraceRecorder implements RequestObserver {
  private readonly rows: TraceRow[] = [];
  private readonly roundMs: Record<number, number> = {};
  private readonly active: { expect: RoundExpectation; started: number }[] = [];
  private readonly sent = new WeakMap<object, Sent>();
  private readonly retrying = new Map<string, number>();
  private spans = new Map<TraceRow, [number, number]>();

  /** @internal An include round starts; requests matching its edges are its rows. */
  startRound(expect: RoundExpectation): () => void {
    const entry = { expect, started: performance.now() };
    this.active.push(entry);
    return () => {
      this.active.splice(this.active.indexOf(entry), 1);
      this.roundMs[expect.round] = Math.max(this.roundMs[expect.round] ?? 0, round2(performance.now() - entry.started));
    };
  }

  before(command: string, table: string | undefined, input: Record<string, unknown>): void {
    const retry = (this.retrying.get(command) ?? 0) > 0;
    if (retry) this.retrying.set(command, this.retrying.get(command)! - 1);
    // The row is chosen when the request is sent, so rows come in the order requests were.
    this.sent.set(input, { row: this.rowFor(command, table ?? '', input), started: performance.now(), retry });
  }

  after(entry: LogEntry, output: Record<string, unknown>, input: Record<string, unknown>): void {
    const sent = this.sent.get(input) ?? { started: performance.now(), retry: false };
    const row = sent.row ?? this.rowFor(entry.command, entry.table ?? '', input);
    row.requests++;
    if (sent.retry) row.retries++;
    row.items += entry.items ?? 0;
    const capacity = entry.consumedCapacity ?? 0;
    if (READS.test(entry.command)) row.rcu = round2(row.rcu + capacity);
    else row.wcu = round2(row.wcu + capacity);
    if (entry.command === 'BatchGetItem') {
      const asked = Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>);
      row.keysAsked += asked.reduce((n, r) => n + (r.Keys?.length ?? 0), 0);
      row.keysFound += Object.values((output.Responses ?? {}) as Record<string, unknown[]>).reduce((n, r) => n + r.length, 0);
    } else if (entry.command === 'Query' || entry.command === 'Scan') {
      row.pages++;
      if (entry.command === 'Query' && input.ExclusiveStartKey === undefined) {
        row.keysAsked++;
        if ((entry.items ?? 0) > 0 || Number(output.Count ?? 0) > 0) row.keysFound++;
      }
    }
    const now = performance.now();
    const span = this.spans.get(row);
    this.spans.set(row, span ? [Math.min(span[0], sent.started), now] : [sent.started, now]);
    const [a, b] = this.spans.get(row)!;
    row.ms = round2(b - a);
  }

  retried(command: string): void {
    this.retrying.set(command, (this.retrying.get(command) ?? 0) + 1);
  }

  /** A snapshot of what was recorded. */
  trace(): GraphTrace {
    // A row whose requests all failed has nothing to show.
    const rows = this.rows.filter((r) => r.requests > 0).map((r) => ({ ...r, edges: [...r.edges] }));
    const sum = (f: (r: TraceRow) => number) => round2(rows.reduce((n, r) => n + f(r), 0));
    const trace: GraphTrace = {
      rows, rounds: { ...this.roundMs }, text: '', toString: () => trace.text,
      totals: { requests: sum((r) => r.requests), items: sum((r) => r.items), retries: sum((r) => r.retries), rcu: sum((r) => r.rcu), wcu: sum((r) => r.wcu) },
    };
    Object.defineProperty(trace, 'text', { get: () => renderTrace(trace), enumerable: false });
    return trace;
  }

  private rowFor(command: string, table: string, input: Record<string, unknown>): TraceRow {
    const index = typeof input.IndexName === 'string' ? input.IndexName : undefined;
    let round = 0;
    let edges = ['direct'];
    // The latest round whose edges this request can serve (a COUNT query serves none).
    for (let i = this.active.length - 1; i >= 0 && round === 0; i--) {
      const e = this.active[i].expect;
      if (command === 'BatchGetItem') {
        const tables = Object.keys((input.RequestItems ?? {}) as object);
        if (tables.length && tables.every((t) => e.gets.has(t))) {
          round = e.round;
          edges = [...new Set(tables.flatMap((t) => e.gets.get(t)!))];
        }
      } else if (command === 'Query' && input.Select !== 'COUNT') {
        const served = e.queries.get(index ? `${table}.${index}` : table);
        if (served) [round, edges] = [e.round, served];
      }
    }
    let row = this.rows.find((r) => r.round === round && r.command === command && r.table === table && r.index === index && (round !== 0 || r.edges[0] === edges[0]));
    if (!row) {
      row = { round, edges, command, table, index, requests: 0, keysAsked: 0, keysFound: 0, items: 0, pages: 0, retries: 0, rcu: 0, wcu: 0, ms: 0 };
      this.rows.push(row);
    }
    return row;
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The trace as a table (columns aligned). */
export function renderTrace(trace: GraphTrace): string {
  const head = ['round', 'edges', 'request', 'table', 'requests', 'keys asked', 'found', 'items', 'pages', 'retries', 'RCU', 'WCU', 'ms'];
  const rows = trace.rows.map((r) => [
    r.round === 0 ? '–' : String(r.round), r.edges.join(', '), r.command, `${r.table}${r.index ? `.${r.index}` : ''}`, String(r.requests),
    String(r.keysAsked), String(r.keysFound), String(r.items), r.pages ? String(r.pages) : '', String(r.retries), String(r.rcu), String(r.wcu), r.ms.toFixed(1),
  ]);
  const t = trace.totals;
  rows.push(['total', '', '', '', String(t.requests), '', '', String(t.items), '', String(t.retries), String(t.rcu), String(t.wcu), '']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rounds = Object.entries(trace.rounds).map(([n, ms]) => `round ${n} ${ms.toFixed(1)} ms`).join(', ');
  return [line(head), ...rows.map(line), ...(rounds ? [`wall time: ${rounds}`] : [])].join('\n');
}
