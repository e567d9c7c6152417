import './lib/env.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Dynagraph, Model, string, number, stringSet, list, map, boolean } from '../src/index.js';
import { profileItem } from './lib/profile-item.js';
class P extends Model({ table: 't', key: { hash: 'account', range: 'id' }, attributes: {
    account: string(), id: string(), name: string(), email: string(), status: string(), country: string(), city: string(),
    title: string(), company: string(), bio: string(),
    age: number(), score: number(), logins: number(), balance: number(), rating: number(),
    tags: stringSet(), history: list(string()),
    address: map({ street: string(), city: string(), zip: string(), geo: map({ lat: number(), lng: number() }) }),
    active: boolean(), nickname: string().optional() } }) {}
const v = profileItem(0);
const item = P.schema.encode(v as never);
const dec = P.schema.decode(item);
const inst = P.fromItem(item);
const fresh = new P(v as never);
// @ts-ignore
const fast = (o: object) => eval('%HasFastProperties(o)');
console.log('stored item fast:', fast(item), 'decoded values fast:', fast(dec), 'instance from item fast:', fast(inst), 'new instance fast:', fast(fresh));
