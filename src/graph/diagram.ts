/**
 * `diagram(models)`: a Mermaid `erDiagram` of the models — their tables, keys, indexes
 * and relationships — for READMEs and design reviews.
 */
import type { AnyModel } from '../model/model.js';
import { instanceFromItem, type ModelClassRuntime } from '../model/instance.js';
import type { Relation } from './relations.js';
import type { ManyToManyRelation } from './edge-store.js';
import { edgesOf } from './edge.js';

/** The relationships a model declares, by field name (read from a blank instance). */
export function relationsOf(model: AnyModel): Record<string, Relation | ManyToManyRelation> {
  const probe = instanceFromItem(model as unknown as ModelClassRuntime, {}) as unknown as Record<string, unknown>;
  const out: Record<string, Relation | ManyToManyRelation> = {};
  for (const [name, edge] of edgesOf(probe)) out[name] = edge.relation as Relation | ManyToManyRelation;
  return out;
}

const CARDINALITY = { oneToOne: '||--o|', manyToOne: '}o--||', oneToMany: '||--o{', manyToMany: '}o--o{' } as const;

function entityName(m: AnyModel): string {
  return (m as unknown as ModelClassRuntime).name || m.schema.name;
}

/** A Mermaid erDiagram of the models and their relationships. */
export function diagram(models: readonly AnyModel[]): string {
  const lines = ['erDiagram'];
  for (const m of models) {
    const s = m.schema;
    lines.push(`  ${entityName(m)} {`);
    for (const name of s.names) {
      const attr = s.attributes[name];
      const marks = [name === s.hash ? 'PK' : name === s.range ? 'PK' : '', Object.values(s.indexes).some((i) => i.hash === name || i.range === name) ? 'FK' : ''].filter(Boolean);
      const note = [name === s.hash ? 'hash' : '', name === s.range ? 'range' : '', ...Object.values(s.indexes).filter((i) => i.hash === name || i.range === name).map((i) => `${i.name} ${i.hash === name ? 'hash' : 'range'}${i.projection === 'keys' ? ' keys-only' : ''}`)].filter(Boolean).join(', ');
      lines.push(`    ${attr.kind.replace(/[^A-Za-z]/g, '')} ${name.replace(/[^A-Za-z0-9_]/g, '_')}${marks.length ? ` ${[...new Set(marks)].join(',')}` : ''}${note ? ` "${note}"` : ''}`);
    }
    lines.push('  }');
  }
  for (const m of models) {
    for (const [field, rel] of Object.entries(relationsOf(m))) {
      const target = rel.target();
      const via = rel.kind === 'manyToMany' ? ` via ${entityName(rel.through())}${rel.index ? `.${rel.index}` : ''}` : rel.index ? ` via ${rel.index}` : '';
      lines.push(`  ${entityName(m)} ${CARDINALITY[rel.kind]} ${entityName(target)} : "${field}${via}"`);
    }
  }
  return lines.join('\n');
}
