// The benchmark module of seed 000 for SpacetimeDB 2.x, in TypeScript: tables counters, messages and
// users, reducers increment, create_message and create_user, with the columns and parameters the seed
// declares (in that order: the scenarios send arguments as JSON arrays in parameter order).
// Publish it to a real server as described in the README ("A real SpacetimeDB").
import { schema, table, t } from 'spacetimedb/server';

const counters = table({ name: 'counters', public: true }, { id: t.string().primaryKey(), value: t.i64(), updated_at: t.string() });

const messages = table({ name: 'messages', public: true }, { id: t.string().primaryKey(), sender: t.string(), content: t.string(), timestamp: t.string() });

/** create_user takes exactly a users row, in column order (seed 000). */
const userFields = {
  username: t.string(),
  email: t.string(),
  name: t.string(),
  age: t.i32(),
  created_at: t.string(),
  active: t.bool(),
};

const users = table({ name: 'users', public: true }, { id: t.string().primaryKey(), ...userFields });

const spacetimedb = schema({ counters, messages, users });
export default spacetimedb;

/** Adds `amount` to a counter, creating it at `amount` the first time. */
export const increment = spacetimedb.reducer({ counter_id: t.string(), amount: t.i64() }, (ctx, { counter_id, amount }) => {
  const updated_at = ctx.timestamp.toDate().toISOString();
  const existing = ctx.db.counters.id.find(counter_id);
  if (existing) ctx.db.counters.id.update({ id: counter_id, value: existing.value + amount, updated_at });
  else ctx.db.counters.insert({ id: counter_id, value: amount, updated_at });
});

/** Inserts a message; a duplicate id fails the reducer (the unique constraint). */
export const create_message = spacetimedb.reducer(
  { message_id: t.string(), sender: t.string(), content: t.string(), timestamp: t.string() },
  (ctx, { message_id, sender, content, timestamp }) => {
    ctx.db.messages.insert({ id: message_id, sender, content, timestamp });
  },
);

/** Inserts a user; a duplicate id fails the reducer. */
export const create_user = spacetimedb.reducer({ id: t.string(), ...userFields }, (ctx, row) => {
  ctx.db.users.insert(row);
});
