import { mockServices } from '@backstage/backend-test-utils';
import { SignalPublisher } from './SignalPublisher';

describe('SignalPublisher', () => {
  it('coalesces a burst into one signal per migration carrying ids and kinds only', async () => {
    const published: any[] = [];
    const signals = { publish: async (s: any) => void published.push(s) };
    const publisher = new SignalPublisher(signals, mockServices.logger.mock(), 50);
    for (let i = 0; i < 100; i++) publisher.notify('orders-v2', i % 2 ? 'progress' : 'quality');
    publisher.notify('billing', 'alert');
    await new Promise(r => setTimeout(r, 120));
    expect(published).toHaveLength(2);
    const orders = published.find(p => p.channel === 'cutover:orders-v2');
    expect(orders.recipients).toEqual({ type: 'broadcast' });
    expect(orders.message).toEqual({
      migrationId: 'orders-v2',
      type: 'quality',
      types: ['quality', 'progress'],
      at: expect.any(String),
    });
    publisher.notify('orders-v2', 'timeline');
    await publisher.flushAll();
    expect(published).toHaveLength(3);
  });

  it('never fails the change when publishing fails', async () => {
    const logger = mockServices.logger.mock();
    const publisher = new SignalPublisher(
      { publish: async () => { throw new Error('events down'); } },
      logger,
      10,
    );
    publisher.notify('orders-v2', 'progress');
    await publisher.flushAll();
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/events down/));
  });
});
