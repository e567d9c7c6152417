/**
 * Table evolution, the sending half: reads the live tables, plans them (see plan.ts), and
 * applies a plan one request at a time, waiting between requests until the table is ACTIVE,
 * every GSI is ACTIVE and none is backfilling — DynamoDB refuses a table update while
 * another is under way.
 */
import {
  CreateTableCommand, UpdateTableCommand, UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { Connection } from '../client.js';
import { TableChangeRefusedError } from '../errors.js';
import { describeTable, describeTtl, sendTableCommand, waitUntilActive } from './admin.js';
import type { TableDefinition } from './definition.js';
import { createSteps, planTable, TablePlan, type PlanTablesOptions, type TableStep } from './plan.js';

/** Progress of an apply: sent when a step starts and when it (and its wait) is done. */
export interface TableProgress {
  phase: 'start' | 'done';
  step: TableStep;
  /** 1-based position of the step in the plan, and the plan's length. */
  index: number;
  total: number;
}

/** Options of applying a plan. */
export interface ApplyTablesOptions {
  /** Called before each step and after it has settled. */
  onProgress?: ((progress: TableProgress) => void) | undefined;
  /** How long one step may take to settle (an index backfill can be long). Default 1 hour. */
  stepTimeoutMs?: number | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads each live table and plans it; a missing table is planned as CreateTable (+ TTL). */
export async function planTables(conn: Connection, defs: readonly TableDefinition[], options: PlanTablesOptions = {}): Promise<TablePlan> {
  const parts = await Promise.all(defs.map(async (def) => {
    const live = await describeTable(conn, def.name);
    if (!live) return { steps: createSteps(def, options.billing), refused: [] };
    return planTable(def, live, await describeTtl(conn, def.name), options);
  }));
  return new TablePlan(parts.flatMap((p) => p.steps), parts.flatMap((p) => p.refused));
}

async function sendStep(conn: Connection, step: TableStep): Promise<void> {
  const meta = { channel: 'database-access' as const, table: step.table };
  if (step.kind === 'update-ttl') {
    await conn.send(new UpdateTimeToLiveCommand(step.input), meta);
    return;
  }
  await sendTableCommand(conn, step.kind === 'create-table' ? new CreateTableCommand(step.input) : new UpdateTableCommand(step.input), step.table);
}

/**
 * Applies a plan: refuses it whole (before any request) when it holds refused changes; else
 * runs the steps of each table in order, tables side by side, settling after every step.
 */
export async function applyPlan(conn: Connection, plan: TablePlan, options: ApplyTablesOptions = {}): Promise<void> {
  if (plan.refused.length) throw new TableChangeRefusedError(plan.refused);
  const total = plan.steps.length;
  const byTable = new Map<string, { step: TableStep; index: number }[]>();
  plan.steps.forEach((step, i) => byTable.set(step.table, [...(byTable.get(step.table) ?? []), { step, index: i + 1 }]));
  await Promise.all([...byTable].map(async ([table, steps]) => {
    // An update still under way (someone else's index build) would make our first request fail.
    if (steps[0].step.kind !== 'create-table') await waitUntilActive(conn, table, options.stepTimeoutMs ?? 3_600_000);
    for (const { step, index } of steps) {
      options.onProgress?.({ phase: 'start', step, index, total });
      await sendStep(conn, step);
      await waitUntilActive(conn, table, options.stepTimeoutMs ?? 3_600_000);
      options.onProgress?.({ phase: 'done', step, index, total });
    }
  }));
}
