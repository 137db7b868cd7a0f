import { AddressLanes } from '../../../src/channels/web/address-lanes';

it('lets two messages of an address go on at once, queues the next ones in order, refuses beyond, other addresses unaffected', async () => {
  const lanes = new AddressLanes(2, 2);
  const order: string[] = [];
  await lanes.enter('a');
  await lanes.enter('a');
  const third = lanes.enter('a').then(() => order.push('third'));
  const fourth = lanes.enter('a').then(() => order.push('fourth'));
  expect(lanes.full('a')).toBe(true);
  expect(lanes.full('b')).toBe(false);
  await lanes.enter('b');
  await Promise.resolve();
  expect(order).toEqual([]);
  lanes.leave('a');
  await third;
  expect(order).toEqual(['third']);
  expect(lanes.full('a')).toBe(false);
  lanes.leave('a');
  await fourth;
  expect(order).toEqual(['third', 'fourth']);
  lanes.leave('a');
  lanes.leave('a');
  lanes.leave('b');
  // Every place given back: the address starts afresh.
  await lanes.enter('a');
  await lanes.enter('a');
  expect(lanes.full('a')).toBe(false);
});
