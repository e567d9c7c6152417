/**
 * Assignment through edges fills the right keys (the owner's for a to-one, the child's
 * for a to-many; DynamORM copied them the wrong way) and never writes. And a single-table
 * item collection: edges of one customer to its orders and addresses, stored in the
 * customer's partition of a shared table, are served by one Query, each edge getting
 * exactly its own items.
 */
import { expect } from 'chai';
import { Model, number, type InputOfModel, oneToMany, manyToOne, string, template } from '../../src/index.js';
import { Reply, Thread, User, forumModels, threadId } from '../../examples/forum/models.js';
import { testDb } from '../harness/db.js';
import { known } from '../harness/edges.js';

const { db, counter, drop } = testDb('graph-assignment-');

class Customer extends Model({
  table: 'shop', entity: 'Customer', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: template('CUSTOMER#{login}'), sk: template('PROFILE'), login: string(), fullName: string() },
}) {
  orders = oneToMany(() => Order, { query: (c: Customer) => ({ login: c.login, sk: { beginsWith: 'ORDER#' } }), inverse: 'customer' });
  addresses = oneToMany(() => Address, { query: (c: Customer) => ({ login: c.login, sk: { beginsWith: 'ADDRESS#' } }) });
}
class Order extends Model({
  table: 'shop', entity: 'Order', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: template('CUSTOMER#{login}'), sk: template('ORDER#{no}'), login: string(), no: string(), total: number() },
}) {
  customer = manyToOne(() => Customer, { query: (o: Order) => ({ login: o.login }), backQuery: (c: Customer) => ({ login: c.login }) });
}
class Address extends Model({
  table: 'shop', entity: 'Address', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: template('CUSTOMER#{login}'), sk: template('ADDRESS#{label}'), login: string(), label: string(), city: string() },
}) {}
/** Lives in the same partitions but belongs to no edge above. */
class Note extends Model({
  table: 'shop', entity: 'Note', key: { hash: 'pk', range: 'sk' },
  attributes: { pk: template('CUSTOMER#{login}'), sk: template('NOTE#{n}'), login: string(), n: number(), text: string() },
}) {}

/** Never stored: its edge's query carries a range condition on a plain attribute. */
class Board extends Model({ table: 'boards', key: { hash: 'id' }, attributes: { id: string() } }) {
  recent = oneToMany(() => Reply, { query: (b: Board) => ({ thread_id: b.id, posted: { ge: new Date('2024-01-01T00:00:00Z') } }) });
}

const shop = [Customer, Order, Address, Note];
const writes = () => counter.commands().filter((c) => /Put|Update|Delete|Write/.test(c));

describe('graph: assignment and item collections (DynamoDB Local)', () => {
  before(async function () {
    this.timeout(120_000);
    await db.createTables([...forumModels, ...shop]);
    await User.putMany([{ name: 'alice', email: 'a@example.com' }, { name: 'bob', email: 'b@example.com' }]);
    await Thread.put({ forum_name: 'AWS', subject: 'S3', user_name: 'alice' });
    for (const login of ['ann', 'ben']) {
      await Customer.put({ login, fullName: login.toUpperCase() });
      await Order.putMany(['001', '002', '010'].map((no, i) => ({ login, no: `${login}-${no}`, total: i + 1 })));
      await Address.putMany(['home', 'work'].map((label) => ({ login, label, city: `${login} ${label} city` })));
      await Note.putMany([1, 2].map((n) => ({ login, n, text: 'note' })));
    }
  });
  after(() => drop([...forumModels, ...shop]));
  beforeEach(() => counter.reset());

  describe('assignment', () => {
    it('thread.user.set(user) fills the thread\'s keys from backQuery, not the user\'s', async () => {
      const thread = (await Thread.get({ forum_name: 'AWS', subject: 'S3' }))!;
      const bob = (await User.get({ name: 'bob' }))!;
      const bobBefore = bob.toJSON();
      counter.reset();
      thread.user.set(bob);
      expect(thread.user_name).to.equal('bob');
      expect(bob.toJSON()).to.deep.equal(bobBefore);
      expect(thread.user.isLoaded).to.equal(true);
      expect(known(thread.user).get()).to.equal(bob);
      expect(await thread.user.load()).to.equal(bob);
      expect(counter.total()).to.equal(0);
      expect((await Thread.get({ forum_name: 'AWS', subject: 'S3' }))!.user_name).to.equal('alice'); // nothing saved
      // Saving is the caller's decision, and then the edge resolves to the new user.
      await thread.save();
      const stored = (await Thread.get({ forum_name: 'AWS', subject: 'S3' }))!;
      expect(stored.user_name).to.equal('bob');
      expect((await stored.user.load())!.email).to.equal('b@example.com');
      expect((await User.get({ name: 'alice' }))!.name).to.equal('alice');
      thread.user.set((await User.get({ name: 'alice' }))!);
      await thread.save();
    });

    it('a new thread gets its keys from set(); the user is untouched', () => {
      // Keys that set() fills may be left out until then.
      const thread = new Thread({ forum_name: 'AWS', subject: 'new' } as InputOfModel<typeof Thread>);
      const carol = new User({ name: 'carol' });
      thread.user.set(carol);
      expect(thread.user_name).to.equal('carol');
      expect(carol.name).to.equal('carol');
      expect(thread.toItem().user_name).to.equal('carol');
      expect(counter.total()).to.equal(0);
    });

    it('set(null) clears the thread\'s keys and the edge', async () => {
      const thread = (await Thread.get({ forum_name: 'AWS', subject: 'S3' }))!;
      await thread.user.load();
      thread.user.set(null);
      expect(thread.user_name).to.equal(undefined);
      expect(known(thread.user).get()).to.equal(null);
      expect(await thread.user.load()).to.equal(null);
      // Also when the edge was never loaded.
      const other = (await Thread.get({ forum_name: 'AWS', subject: 'S3' }))!;
      other.user.set(null);
      expect(other.user_name).to.equal(undefined);
      expect(known(other.user).get()).to.equal(null);
      expect(writes()).to.deep.equal([]);
      expect((await Thread.get({ forum_name: 'AWS', subject: 'S3' }))!.user_name).to.equal('alice');
    });

    it('thread.replies.add(reply) fills the reply\'s keys, nothing else', async () => {
      const thread = (await Thread.get({ forum_name: 'AWS', subject: 'S3' }))!;
      const threadBefore = thread.toJSON();
      const replies = await thread.replies.load();
      expect(replies).to.deep.equal([]);
      counter.reset();
      const reply = new Reply({ posted: new Date('2024-03-01T00:00:00Z'), user_name: 'bob', message: 'hi' } as InputOfModel<typeof Reply>);
      thread.replies.add(reply);
      expect(reply.thread_id).to.equal(threadId.join(['AWS', 'S3']));
      expect(reply.user_name).to.equal('bob');
      expect(thread.toJSON()).to.deep.equal(threadBefore);
      expect(known(thread.replies).get()).to.deep.equal([reply]);
      expect(counter.total()).to.equal(0);
      expect(await Reply.query({ thread_id: threadId.join(['AWS', 'S3']) }).count()).to.equal(0);
    });

    it('add() through a range-conditioned edge sets only the child\'s equality keys', () => {
      const ann = new Customer({ login: 'ann', fullName: 'ANN' });
      const order = new Order({ no: 'x-1', total: 5 } as InputOfModel<typeof Order>);
      ann.orders.add(order);
      expect(order.login).to.equal('ann');
      expect(order.toItem()).to.include({ pk: 'CUSTOMER#ann', sk: 'ORDER#x-1' });
      expect(order.sk).to.equal('ORDER#x-1');
      const other = new Order({ login: 'zed', no: 'x-2', total: 1 });
      other.customer.set(ann);
      expect(other.login).to.equal('ann');
      expect(other.pk).to.equal('CUSTOMER#ann'); // the computed key follows
      expect(other.toItem().pk).to.equal('CUSTOMER#ann');
      const posted = new Date('2023-05-05T00:00:00Z');
      const reply = new Reply({ posted, user_name: 'x', message: 'm' } as InputOfModel<typeof Reply>);
      new Board({ id: 'b1' }).recent.add(reply);
      expect(reply.thread_id).to.equal('b1');
      expect(reply.posted).to.equal(posted);
      expect(counter.total()).to.equal(0);
    });
  });

  describe('single-table item collection', () => {
    it('an include of orders and addresses on one customer costs exactly one Query', async () => {
      const s = db.session();
      const ann = (await s.get(Customer, { login: 'ann' }))!;
      counter.reset();
      await s.load(ann, { orders: true, addresses: true });
      expect(counter.counts()).to.deep.equal({ QueryCommand: 1 });
      expect(known(ann.orders).get().map((o) => [o.constructor, o.no])).to.deep.equal([[Order, 'ann-001'], [Order, 'ann-002'], [Order, 'ann-010']]);
      expect(known(ann.addresses).get().map((a) => [a.constructor, a.label, a.city])).to.deep.equal([[Address, 'home', 'ann home city'], [Address, 'work', 'ann work city']]);
      expect(known(ann.orders).get().every((o) => known(o.customer).get() === ann)).to.equal(true); // inverse primed
    });

    it('each customer\'s edges get their own partition\'s items; one Query per partition', async () => {
      const s = db.session();
      const customers = (await s.getMany(Customer, [{ login: 'ann' }, { login: 'ben' }])).map((c) => c!);
      counter.reset();
      await s.load(customers, { orders: true, addresses: true });
      expect(counter.counts()).to.deep.equal({ QueryCommand: 2 });
      for (const c of customers) {
        expect(known(c.orders).get().map((o) => o.no)).to.deep.equal(['001', '002', '010'].map((n) => `${c.login}-${n}`));
        expect(known(c.addresses).get().map((a) => a.login)).to.deep.equal([c.login, c.login]);
      }
    });

    it('a lone edge still gets exactly its items (its own Query)', async () => {
      const ann = (await Customer.get({ login: 'ann' }))!;
      counter.reset();
      const [orders, addresses] = [await ann.orders.load(), await ann.addresses.load()];
      expect(counter.counts()).to.deep.equal({ QueryCommand: 2 });
      expect(orders.map((o) => o.total)).to.deep.equal([1, 2, 3]);
      expect(addresses.map((a) => a.label)).to.deep.equal(['home', 'work']);
      expect(await ann.orders.count()).to.equal(3);
    });
  });
});
