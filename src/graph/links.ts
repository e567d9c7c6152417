/**
 * Linking and unlinking many-to-many edges. A link is one edge item, put in a
 * TransactWriteItems with a ConditionCheck on each end (both must exist), so no link ever
 * points at nothing when written; an unlink deletes the edge item. The transaction's
 * idempotency token makes the SDK's resend after a lost answer exact, and the edge item's
 * key is a function of the two ends, so linking twice still leaves one item. Nothing else
 * is written.
 */
import { ValidationError } from '../errors.js';
import { and, attr } from '../expressions/index.js';
import type { Condition } from '../expressions/condition-ast.js';
import type { ModelBase, ModelClassRuntime } from '../model/instance.js';
import { TransactionWriter, transactWrite } from '../model/transact.js';
import type { Database } from '../operations/context.js';
import { dryRun, type DryRunRequest } from '../operations/dry-run.js';
import { checkedTransactWriteParams } from '../operations/transactions.js';
import { BatchIncompleteError, type BatchEntry } from '../operations/batch-errors.js';
import { OutcomeUnknownError } from '../errors.js';
import { MAX_TRANSACTION_ACTIONS } from '../operations/transactions.js';
import { edgeLabel, modelName, type Edge } from './edge.js';
import { endId, endsOf, type ManyToManyRelation } from './edge-store.js';
import { graphFor } from './graph-context.js';
import { keyOf } from '../model/write-hooks.js';

/** What linking needs of a many-to-many edge. */
export interface LinkingEdge extends Edge {
  readonly relation: ManyToManyRelation;
  /** After a committed link or unlink: a loaded edge shows it. */
  linked(target: unknown, linked: boolean): void;
}

/** Options of link / unlink. */
export interface LinkOptions {
  /** The database to write through (default: the owner's session or database). */
  db?: Database;
}

/** What `linkMany()` / `unlinkMany()` did. */
export interface LinkResult {
  /** Distinct links written (or deleted); a target given twice counts once. */
  links: number;
  /** TransactWriteItems committed, with their idempotency tokens. */
  tokens: string[];
}

interface PlannedLink {
  target: ModelBase;
  item: Record<string, unknown>;
  /** The target is the owner's own item (a self-link): the owner's check covers it. */
  self: boolean;
}


/** The item exists (and, in a shared table, is of its model's entity). */
function exists(model: ModelClassRuntime): Condition {
  const s = model.schema;
  const present = attr(s.hash).exists();
  return s.entity === undefined ? present : and(present, attr(s.entityField).eq(s.entity));
}

/** Per link, the put and the target's check; per transaction, the owner's check. */
const LINKS_PER_TRANSACTION = Math.floor((MAX_TRANSACTION_ACTIONS - 1) / 2);

/** The transactions of a link or unlink call: validated before anything is sent, one build per chunk. */
function planLinks(edge: LinkingEdge, targets: readonly ModelBase[], op: 'link' | 'unlink', options: LinkOptions) {
  const relation = edge.relation;
  const { store, info } = endsOf(relation);
  const owner = edge.owner;
  const ownerModel = owner.constructor as ModelClassRuntime;
  const targetModel = relation.target() as unknown as ModelClassRuntime;
  const label = edgeLabel(edge);
  if (!Array.isArray(targets)) throw new ValidationError(label, [{ path: '(targets)', message: 'give an array of targets' }]);
  const ownerKey = keyOf(owner);
  const ownerId = endId(info, ownerModel, ownerKey);
  const links: PlannedLink[] = [];
  const seen = new Set<string>();
  targets.forEach((target, i) => {
    if (!(target instanceof targetModel)) throw new ValidationError(label, [{ path: `[${i}]`, message: `${op} needs a ${modelName(targetModel)} instance` }]);
    const targetKey = keyOf(target);
    const targetId = endId(info, targetModel, targetKey);
    const [source, dest] = relation.side === 'from' ? [ownerId, targetId] : [targetId, ownerId];
    const id = JSON.stringify([source, dest]);
    if (seen.has(id)) return;
    seen.add(id);
    links.push({ target, item: { [info.hash]: source, [info.range]: dest }, self: targetModel.schema === ownerModel.schema && targetId === ownerId });
  });
  const db = options.db ?? graphFor(owner).db;
  const per = op === 'link' ? LINKS_PER_TRANSACTION : MAX_TRANSACTION_ACTIONS;
  const chunks: { start: number; links: PlannedLink[]; build: (tx: TransactionWriter) => void }[] = [];
  for (let start = 0; start < links.length; start += per) {
    const chunk = links.slice(start, start + per);
    chunks.push({
      start, links: chunk,
      build: (tx) => {
        if (op === 'link') tx.check(owner as never, exists(ownerModel) as never, { ignoreVersion: true });
        for (const l of chunk) {
          if (op === 'unlink') {
            tx.delete([store, l.item] as never);
            continue;
          }
          tx.put(new store(l.item as Record<string, string>) as never);
          if (!l.self) tx.check(l.target as never, exists(targetModel) as never, { ignoreVersion: true });
        }
      },
    });
  }
  const table = db.tableName(store.schema);
  const entry = (l: PlannedLink): BatchEntry => ({ table, key: l.item, op: op === 'link' ? 'put' : 'delete', item: op === 'link' ? { ...l.item, [store.schema.entityField]: info.name } : undefined });
  return { db, label, links, chunks, entry };
}

/** Dry run of link / unlink: the TransactWriteItems they would send, one per chunk; nothing is sent. */
export function linkRequests(edge: LinkingEdge, targets: readonly ModelBase[], op: 'link' | 'unlink', options: LinkOptions = {}): DryRunRequest[] {
  const { db, chunks } = planLinks(edge, targets, op, options);
  return chunks.map((c) => {
    const tx = new TransactionWriter(db);
    c.build(tx);
    return dryRun('TransactWriteItems', checkedTransactWriteParams(tx.actions));
  });
}

/**
 * Writes or deletes the links of `edge` to `targets`: validated before any request, then
 * one transaction per chunk, one after another. A single link's failure is the
 * transaction's own error; a failure of `…Many` is a BatchIncompleteError placing every
 * link in done, not done or unknown.
 */
export async function writeLinks(edge: LinkingEdge, targets: readonly ModelBase[], op: 'link' | 'unlink', options: LinkOptions = {}): Promise<LinkResult> {
  const { db, label, links, chunks, entry } = planLinks(edge, targets, op, options);
  const tokens: string[] = [];
  for (const { start, links: chunk, build } of chunks) {
    try {
      tokens.push((await transactWrite(db, build)).token);
    } catch (err) {
      if (targets.length === 1) throw err;
      const lost = err instanceof OutcomeUnknownError;
      throw new BatchIncompleteError(`${op}Many ${label}`, {
        done: links.slice(0, start).map(entry),
        notDone: links.slice(lost ? start + chunk.length : start).map(entry),
        unknown: lost ? chunk.map(entry) : [],
      }, err);
    }
    for (const l of chunk) {
      edge.linked(l.target, op === 'link');
      // The target's loaded inverse edge shows the link too.
      const back = edge.relation.inverse ? (l.target as unknown as Record<string, unknown>)[edge.relation.inverse] : undefined;
      if (back && typeof (back as LinkingEdge).linked === 'function') (back as LinkingEdge).linked(edge.owner, op === 'link');
    }
  }
  return { links: links.length, tokens };
}
