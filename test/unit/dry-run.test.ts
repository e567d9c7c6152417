/**
 * Dry runs without a database: the inputs are complete (placeholders resolved, capacity
 * asked as the send point asks it), validation still throws first, and nothing is sent.
 */
import { expect } from 'chai';
import { Dynagraph, Model, ValidationError, number, string, writeManyParams } from '../../src/index.js';
import { countCommands } from '../harness/client.js';

const db = new Dynagraph({ endpoint: 'http://127.0.0.1:9', tablePrefix: 'unit-', default: false });
const counter = countCommands(db.connection.client);

class Account extends Model({
  table: 'accounts',
  key: { hash: 'id' },
  attributes: { id: string(), coins: number(), note: string().optional() },
}) {}

describe('dry runs (no database)', () => {
  after(() => expect(counter.total()).to.equal(0));

  it('resolves every placeholder into the attribute maps', () => {
    const [req] = Account.updateParams({ id: 'a' }, { add: { coins: -5 } }, { db, condition: { coins: { ge: 5 } } });
    expect(req).to.deep.equal({
      command: 'UpdateItem',
      input: {
        TableName: 'unit-accounts',
        Key: { id: 'a' },
        UpdateExpression: 'ADD #n0 :v0',
        ConditionExpression: '(attribute_exists(#n1)) AND (#n0 >= :v1)',
        ExpressionAttributeNames: { '#n0': 'coins', '#n1': 'id' },
        ExpressionAttributeValues: { ':v0': -5, ':v1': 5 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ReturnValues: 'ALL_NEW',
        ReturnConsumedCapacity: 'TOTAL',
      },
    });
  });

  it('validates as the operation does, before building anything', () => {
    expect(() => Account.putParams({ id: 'a', coins: 'x' as never }, { db })).to.throw(ValidationError);
    expect(() => writeManyParams(db, [{ delete: [Account, { id: 'a' }] }, { delete: [Account, { id: 'a' }] }])).to.throw(/twice|duplicate|more than once/i);
  });

  it('a query page names its Limit; an iteration does not', () => {
    const q = Account.scan({ db }).filter({ coins: { gt: 0 } });
    expect(q.params({ limit: 10 })[0].input).to.not.have.property('Limit');
    expect(Account.scan({ db }).params({ limit: 10 })[0].input).to.include({ Limit: 10 });
    expect(Account.scan({ db }).params({ read: 'all' })[0].input).to.deep.equal({ TableName: 'unit-accounts', ReturnConsumedCapacity: 'TOTAL' });
  });
});
